"""A valid call of every contract function, and argument checks for wrappers that delegate validation.

`VALID` holds a small valid call of every contract function: the conventions tests derive their
bad-input cases from it (tests/test_conventions.py), and tests/precision.py reads the precision an
implementation computes in from its results on these calls.

Wrappers that map some other code onto the contract (the library adapters, the suite's literal
transcription and its catalogue) validate the contract's arguments exactly as the reference does,
with the reference's own checks (reference._checks), so the code they wrap is judged on its maths.
The CS231n layout does not: assignment code is judged as it is, and meets core, not strict.
"""

from __future__ import annotations

import copy
import functools

import numpy as np

import reference
from reference import _checks

# No margin of these (S, y), nor of (X Wᵀ, y), is exactly 0, so CONV-1 judges dtypes, not kinks.
X = np.array([[1.0, 2.0, -1.0], [0.0, 3.0, 1.0]])
W = np.array([[1.0, 0.0, -2.0], [2.0, 1.0, 0.0], [-1.0, 1.0, 1.0]])
S = np.array([[2.0, -2.0, 0.0], [3.0, 1.0, 1.0]])
y = np.array([0, 1])


def square(x):
    return float(np.sum(x ** 2))


VALID = {
    "scores": dict(X=X, W=W, b=np.array([1.0, 0.0, -1.0])),
    "append_ones": dict(X=X),
    "fold_bias": dict(W=W, b=np.array([1.0, 0.0, -1.0])),
    "hinge_losses": dict(S=S, y=y, delta=1.0),
    "squared_hinge_losses": dict(S=S, y=y, delta=1.0),
    "crammer_singer_losses": dict(S=S, y=y, delta=1.0),
    "softmax": dict(S=S),
    "log_softmax": dict(S=S),
    "cross_entropy_losses": dict(S=S, y=y),
    "l2_penalty": dict(W=W),
    "hinge_grad": dict(S=S, y=y, delta=1.0),
    "cross_entropy_grad": dict(S=S, y=y),
    "svm_loss": dict(W=W, X=X, y=y, reg=0.5, delta=1.0),
    "softmax_loss": dict(W=W, X=X, y=y, reg=0.5),
    "numerical_gradient": dict(f=square, x=np.array([[1.0, -2.0], [0.0, 3.0]]), h=1e-5),
    "relative_error": dict(a=np.array([1.0, 2.0]), b=np.array([1.0, 3.0])),
    "sgd_step": dict(W=W, dW=np.ones_like(W), learning_rate=0.5),
    "predict": dict(S=S),
    "accuracy": dict(S=S, y=y),
}
assert set(VALID) == set(reference.CONTRACT)
for _S in (S, X @ W.T):
    _margins = _S - _S[np.arange(len(y)), y][:, None] + 1.0
    assert np.count_nonzero(_margins == 0.0) == 0, "the CONV-1 table must stay away from kinks"


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
                _checks.function("f", bound["f"])
                _checks.real_array("x", bound["x"])
                _checks.nonnegative("h", bound.get("h", 1e-5), strictly=True)
                if not isinstance(bound.get("centered", True), (bool, np.bool_)):
                    raise TypeError(f"centered must be a bool, got {type(bound['centered']).__name__}")
            else:
                getattr(reference, name)(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            return body(*args, **kwargs)

        return checked

    return decorate
