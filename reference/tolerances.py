"""The comparison tolerances, written down once and derived from the dtype's machine epsilon.

Every floating-point comparison in lcspec (the property suite, the golden vectors, the conformance
run) goes through `atol`, so a tolerance is always *ulps x eps x the magnitude involved*. The
one knob, `ULPS`, is the number of rounding units a well-implemented formula may accumulate per
term; the spec's numerics chapter states why it is 16.
"""

from __future__ import annotations

import numpy as np

ULPS = 16
"""Rounding units allowed per accumulated term (a sum of K terms is allowed K times this)."""


def eps(dtype=np.float64) -> float:
    """Machine epsilon of `dtype` ($2^{-52}$ for float64, $2^{-23}$ for float32)."""
    return float(np.finfo(dtype).eps)


def atol(scale, terms: int = 1, dtype=np.float64) -> float:
    r"""Absolute tolerance for a result built from `terms` roundings of numbers of size `scale`.

    $$\text{atol} = \text{ULPS}\cdot\text{terms}\cdot\varepsilon_{\text{dtype}}\cdot\max(\text{scale}, 1)$$

    The floor of 1 keeps results that are near zero (a met margin, a probability) from being held to
    an impossible relative standard.

    >>> atol(1.0) == 16 * 2.0**-52
    True
    """
    return ULPS * max(int(terms), 1) * _EPS[np.dtype(dtype)] * max(_largest(scale), 1.0)


class _Epsilons(dict):
    """eps(dtype) by dtype, worked out once each: the judge asks on every compared call, and np.finfo is slow."""

    def __missing__(self, dtype: np.dtype) -> float:
        self[dtype] = value = eps(dtype)
        return value


_EPS = _Epsilons()


def _largest(scale) -> float:
    """max |scale| over its entries (0 for none; NaN if one is NaN), a plain number without numpy's reduction."""
    if isinstance(scale, (float, int)):
        return abs(float(scale))
    magnitudes = np.abs(np.asarray(scale, dtype=np.float64))
    return float(magnitudes.max()) if magnitudes.size else 0.0
