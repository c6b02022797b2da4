"""A third correct implementation, of a kind the contract does not ask for: it computes in float32.

Vectorised NumPy like a GPU kernel or a mobile port would be written, with every array converted to
float32 before any arithmetic and every result left in float32 (scalars as Python floats, which then
hold float32 numbers). Apart from CONV-1 (float64 arithmetic), which it breaks by design, the suite
must find it correct: it draws float32 inputs for it and judges it at float32's epsilon
(lcspec/harness/precision.py), and the run passes with CONV-1 declared (float32_port.deviations).
numerical_gradient is not provided: finite differences in float32 are too coarse to be worth having.

Input validation is the reference's (lcspec/harness/adapting.py), so only the arithmetic is the port's.
A formula that uses another calls its unchecked body (`f.__wrapped__`): the arguments were checked at
the entry point, and float32 scores may overflow where the reference's float64 ones do not.
"""

from __future__ import annotations

import numpy as np

from lcspec.harness.adapting import checked_like_reference

F32 = np.float32


def _f(a):
    return np.asarray(a, dtype=F32)


def _rows(S):
    return np.arange(S.shape[0])


@checked_like_reference("scores")
def scores(X, W, b=None):
    with np.errstate(over="ignore"):
        S = _f(X) @ _f(W).T
        return S if b is None else S + _f(b)


@checked_like_reference("append_ones")
def append_ones(X):
    X = _f(X)
    return np.concatenate([X, np.ones((X.shape[0], 1), F32)], axis=1)


@checked_like_reference("fold_bias")
def fold_bias(W, b):
    return np.concatenate([_f(W), _f(b)[:, None]], axis=1)


def _margins(S, y, delta):
    """s_j − s_y + Δ for every j ≠ y; the correct class's entry is 0 (met), so it adds nothing."""
    S, y = _f(S), np.asarray(y)
    with np.errstate(over="ignore", invalid="ignore"):
        m = S - S[_rows(S), y][:, None] + F32(delta)
    m[_rows(S), y] = 0.0
    return np.maximum(m, F32(0.0))


@checked_like_reference("hinge_losses")
def hinge_losses(S, y, delta=1.0):
    with np.errstate(over="ignore"):
        return _margins(S, y, delta).sum(axis=1)


@checked_like_reference("squared_hinge_losses")
def squared_hinge_losses(S, y, delta=1.0):
    with np.errstate(over="ignore"):
        return np.square(_margins(S, y, delta)).sum(axis=1)


@checked_like_reference("crammer_singer_losses")
def crammer_singer_losses(S, y, delta=1.0):
    return _margins(S, y, delta).max(axis=1)


def _shifted(S):
    """(Z, rest): the scores minus their row maximum, and Σ_{j ≠ argmax} e^{z_j} (the sum is 1 + rest)."""
    S = _f(S)
    top = S.argmax(axis=1)
    with np.errstate(over="ignore"):
        Z = S - S[_rows(S), top][:, None]  # a spread beyond float32's range gives −inf: probability 0
    E = np.exp(Z)
    E[_rows(S), top] = 0.0
    return Z, E.sum(axis=1)


@checked_like_reference("softmax")
def softmax(S):
    Z, rest = _shifted(S)
    return np.exp(Z) / (F32(1.0) + rest)[:, None]


@checked_like_reference("log_softmax")
def log_softmax(S):
    Z, rest = _shifted(S)
    return Z - np.log1p(rest)[:, None]  # log1p: exact log-probabilities near 0 for a dominant class


@checked_like_reference("cross_entropy_losses")
def cross_entropy_losses(S, y):
    return -log_softmax.__wrapped__(S)[_rows(_f(S)), np.asarray(y)]


def _penalty(W, reg=1.0):
    """reg·ΣW² as Σ(√reg·W)², so a small reg times a penalty beyond float32's range stays finite."""
    with np.errstate(over="ignore"):
        return np.square(np.sqrt(F32(reg)) * _f(W)).sum(dtype=F32)


@checked_like_reference("l2_penalty")
def l2_penalty(W):
    return float(_penalty(W))


@checked_like_reference("hinge_grad")
def hinge_grad(S, y, delta=1.0):
    S, y = _f(S), np.asarray(y)
    with np.errstate(over="ignore", invalid="ignore"):
        m = S - S[_rows(S), y][:, None] + F32(delta)
    active = (m > 0).astype(F32)
    active[_rows(S), y] = 0.0
    active[_rows(S), y] = -active.sum(axis=1)
    return active / F32(S.shape[0])


@checked_like_reference("cross_entropy_grad")
def cross_entropy_grad(S, y):
    G = softmax.__wrapped__(S)
    G[_rows(G), np.asarray(y)] -= 1.0
    return G / F32(G.shape[0])


def _full_loss(data_losses, grad_of_scores, W, X, y, reg):
    W, X = _f(W), _f(X)
    S = X @ W.T
    loss = data_losses(S, y).mean(dtype=F32) + _penalty(W, reg)
    dW = grad_of_scores(S, y).T @ X + F32(2.0 * reg) * W
    return float(loss), dW


@checked_like_reference("svm_loss")
def svm_loss(W, X, y, reg, delta=1.0):
    losses, grad = hinge_losses.__wrapped__, hinge_grad.__wrapped__
    return _full_loss(lambda S, y: losses(S, y, delta), lambda S, y: grad(S, y, delta), W, X, y, reg)


@checked_like_reference("softmax_loss")
def softmax_loss(W, X, y, reg):
    return _full_loss(cross_entropy_losses.__wrapped__, cross_entropy_grad.__wrapped__, W, X, y, reg)


def _norm(v):
    """‖v‖ scaled by its largest entry, so that neither tiny nor huge entries under- or overflow when squared."""
    size = np.abs(v).max(initial=F32(0.0))
    return size * np.linalg.norm(v / size) if size > 0 else F32(0.0)


@checked_like_reference("relative_error")
def relative_error(a, b):
    a, b = _f(a), _f(b)
    size = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    if size == 0:
        return 0.0
    a, b = a / size, b / size  # scaled first, so a − b cannot overflow
    return float(_norm(a - b) / max(_norm(a), _norm(b)))


@checked_like_reference("sgd_step")
def sgd_step(W, dW, learning_rate):
    return _f(W) - F32(learning_rate) * _f(dW)


@checked_like_reference("predict")
def predict(S):
    return _f(S).argmax(axis=1)


@checked_like_reference("accuracy")
def accuracy(S, y):
    return F32(np.count_nonzero(predict(S) == np.asarray(y))) / F32(len(y))
