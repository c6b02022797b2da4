"""The checks of `svm_loss`/`softmax_loss`'s arguments, for implementations that delegate validation.

Wrappers that map some other code onto the contract (the CS231n layout, the library adapters, the
suite's literal transcription) validate the contract's arguments exactly as the reference does,
with the reference's own checks (reference._checks), so the code they wrap is judged on its maths.
"""

from __future__ import annotations

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
