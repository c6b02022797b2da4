"""Argument checks for implementations that delegate validation to the reference.

Wrappers that map some other code onto the contract (the CS231n layout, the library adapters, the
suite's literal transcription) validate the contract's arguments exactly as the reference does,
with the reference's own checks (reference._checks), so the code they wrap is judged on its maths.
"""

from __future__ import annotations

import copy
import functools

import reference
from reference import _checks


def loss_inputs(W, X, y, reg):
    """(W, X, y, reg) checked and converted as `reference.svm_loss` does: float64 arrays, intp labels."""
    W = _checks.weight_matrix("W", W)
    X = _checks.real_array("X", X, ndim=2)
    reg = _checks.nonnegative("reg", reg)
    if X.shape[0] == 0:
        raise ValueError("X must have N >= 1 rows because the data loss is a mean over examples, got an empty batch")
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have D = {W.shape[1]} columns to match W of shape {W.shape}, got shape {X.shape}")
    y = _checks.labels("y", y, X.shape[0], W.shape[0])
    _checks.finite_result("scores", X @ W.T, "X @ W.T is larger than 1.8e308")
    return W, X, y, reg


def checked_like_reference(name: str):
    """Decorate a contract function `name` so that its arguments are first checked by the reference.

    The reference runs on copies and its result is discarded: it raises exactly where the contract
    says bad input must raise, and the decorated body only ever sees good input. numerical_gradient
    is checked without calling `f`, whose calls a test may count.
    """

    def decorate(body):
        @functools.wraps(body)
        def checked(*args, **kwargs):
            if name == "numerical_gradient":
                bound = dict(zip(("f", "x", "h", "centered"), args)) | kwargs
                _checks.real_array("x", bound["x"])
                _checks.nonnegative("h", bound.get("h", 1e-5), strictly=True)
            else:
                getattr(reference, name)(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            return body(*args, **kwargs)

        return checked

    return decorate
