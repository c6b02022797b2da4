"""Adapters that map real libraries onto the contract, one module per library.

Each module is an implementation under test (`lcspec check lcspec.tests.adapters.torch_adapter`),
states its convention mapping in its docstring, and has a deviations file next to it
(`<module>.deviations`) listing where the suite found the library disagreeing with the spec. They
live under tests/ because they are test subjects, not part of the `reference` package, and they
share the suite's argument checks (lcspec/harness/adapting.py): an adapter checks the contract's
arguments the way the reference does, so what is judged is the library's arithmetic and
conventions, not the adapter's error messages. spec/libraries.md has the table.
"""

from __future__ import annotations

import numpy as np

from lcspec.harness.adapting import checked_like_reference


def contract(fn, name: str | None = None):
    """Make `fn` the contract function `name` (default: its own name), arguments checked first."""
    checked = checked_like_reference(name or fn.__name__)(fn)
    checked.__name__ = name or fn.__name__
    return checked


def per_example_margin(losses_at_unit_margin, shift: str = "rivals"):
    """A multiclass hinge at margin Δ from a library's that fixes Δ = 1.

    By positive homogeneity (HINGE-5), L(S; Δ) = Δ·L(S/Δ; 1) for Δ > 0. Where S/Δ overflows (a
    tiny Δ) or Δ = 0, scores are shifted instead. `shift="rivals"`: with s'_j = s_j + (Δ − 1) for
    j ≠ y, the unit margin s'_j − s_y + 1 is s_j − s_y + Δ. `shift="correct"`: s'_y = s_y + (1 − Δ) does
    the same for a loss of the differences alone, and is the only one of the two that keeps a loss that also
    reads a score itself (Keras's categorical_hinge puts 0 among the rivals). Both add a rounding, which the
    differential tolerance covers; Δ = 1 is passed through untouched.
    """
    if shift not in ("rivals", "correct"):
        raise ValueError(f"shift must be 'rivals' or 'correct', got {shift!r}")

    def at_margin(S, y, delta=1.0):
        S, y, delta = np.asarray(S, dtype=np.float64), np.asarray(y), float(delta)
        if delta == 1.0:
            return losses_at_unit_margin(S, y)
        with np.errstate(over="ignore"):
            scaled = S / delta if delta > 0 else None
        if scaled is not None and np.isfinite(scaled).all():
            return losses_at_unit_margin(scaled, y) * delta
        rows = np.arange(len(y))
        if shift == "correct":
            shifted = S.copy()
            shifted[rows, y] = S[rows, y] + (1.0 - delta)
        else:
            shifted = S + (delta - 1.0)
            shifted[rows, y] = S[rows, y]
        return losses_at_unit_margin(shifted, y)

    return at_margin
