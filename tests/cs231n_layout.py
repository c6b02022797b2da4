"""The CS231n assignment layout, mapped onto the contract's `svm_loss` and `softmax_loss`.

A CS231n file provides any of `svm_loss_naive`, `svm_loss_vectorized`, `softmax_loss_naive` and
`softmax_loss_vectorized`, each `(W, X, y, reg) -> (loss, dW)` with W of shape (D, C) — one class
per *column* — and loss including reg·ΣW². The contract's W is (K, D), so the mapping transposes W
on the way in and dW on the way out. Naive and vectorized are different code, so each becomes an
implementation of its own (`Cs231nLayout(module, "naive")` and `(module, "vectorized")`).

The layout fixes the SVM margin at Δ = 1. Other margins Δ > 0 are reached through positive
homogeneity (HINGE-5): with W' = W/Δ,  Δ·svm(W', reg·Δ) = L(W; Δ) + reg·ΣW² and its gradient is
that of the contract, so a student's Δ = 1 code is tested on every Δ > 0. Δ = 0 cannot be expressed
and such examples are discarded (`hypothesis.assume`).

Assignment code does not validate its input, and is not asked to: the mapping checks the contract's
arguments with the reference's own checks (tests/contract_inputs.py) before calling it, so the convention
clauses on bad input (CONV-3 to CONV-9) judge the mapping, and the mathematical clauses judge the file.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume

from reference import _checks
from tests.contract_inputs import loss_inputs

VARIANTS = ("naive", "vectorized")
LOSSES = ("svm", "softmax")


class Cs231nLayout:
    """One variant (naive or vectorized) of a CS231n-layout module, seen as a contract implementation."""

    def __init__(self, module, variant: str):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        self.module, self.variant = module, variant
        self.__name__ = f"{module.__name__} ({variant})"
        for loss in LOSSES:
            fn = getattr(module, f"{loss}_loss_{variant}", None)
            if callable(fn):
                setattr(self, f"{loss}_loss", getattr(self, f"_{loss}")(fn))

    @staticmethod
    def expresses(name: str, delta: float = 1.0, **_) -> bool:
        """Δ = 0 cannot be expressed (see the module docstring); every other call can."""
        return not (name == "svm_loss" and delta == 0)

    @staticmethod
    def provided_by(module) -> list[str]:
        """The variants `module` provides at least one loss for."""
        return [v for v in VARIANTS if any(callable(getattr(module, f"{l}_loss_{v}", None)) for l in LOSSES)]

    @staticmethod
    def _svm(fn):
        def svm_loss(W, X, y, reg, delta=1.0):
            W, X, y, reg = loss_inputs(W, X, y, reg)
            delta = _checks.nonnegative("delta", delta)
            if delta == 0:
                assume(False)  # the layout's margin is 1; see the module docstring
            # No copies: W.T is a view, so an in-place change by the file shows in the caller's W (CONV-2).
            loss, dW = fn((W if delta == 1 else W / delta).T, X, y, reg * delta)
            return delta * loss, np.asarray(dW).T

        return svm_loss

    @staticmethod
    def _softmax(fn):
        def softmax_loss(W, X, y, reg):
            W, X, y, reg = loss_inputs(W, X, y, reg)
            loss, dW = fn(W.T, X, y, reg)
            return loss, np.asarray(dW).T

        return softmax_loss
