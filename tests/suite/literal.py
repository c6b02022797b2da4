"""A second, independent implementation of the whole contract: every formula transcribed loop by loop.

It shares no arithmetic with `reference` (no vectorised NumPy, no shared helpers): each function is
the spec's formula written out with Python loops over examples, classes and features, the way one
would check it by hand. Input validation is not maths and is not re-derived: it reuses the
reference's checks (reference._checks, lcspec/harness/adapting.py). The suite must pass it
(tests/suite/test_correct_implementations.py).
"""

from __future__ import annotations

import math

import numpy as np

from lcspec.reference import _checks
from lcspec.harness.adapting import loss_inputs


def scores(X, W, b=None):
    X = _checks.real_array("X", X, ndim=2)
    W = _checks.weight_matrix("W", W)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have D = {W.shape[1]} columns to match W of shape {W.shape}, got shape {X.shape}")
    if b is not None:
        b = _checks.real_array("b", b, ndim=1)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},), one bias per class, got shape {b.shape}")
    n, k, d = X.shape[0], W.shape[0], W.shape[1]
    S = np.zeros((n, k))
    for i in range(n):
        for c in range(k):
            total = 0.0
            for j in range(d):
                total += W[c, j] * X[i, j]
            S[i, c] = total + (b[c] if b is not None else 0.0)
    return _checks.finite_result("scores", S, "overflow")


def append_ones(X):
    X = _checks.real_array("X", X, ndim=2)
    out = np.empty((X.shape[0], X.shape[1] + 1))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            out[i, j] = X[i, j]
        out[i, X.shape[1]] = 1.0
    return out


def fold_bias(W, b):
    W = _checks.weight_matrix("W", W)
    b = _checks.real_array("b", b, ndim=1)
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), one bias per class, got shape {b.shape}")
    out = np.empty((W.shape[0], W.shape[1] + 1))
    for c in range(W.shape[0]):
        for j in range(W.shape[1]):
            out[c, j] = W[c, j]
        out[c, W.shape[1]] = b[c]
    return out


def _margins_of(S, y, delta, need_rows=False):
    S = _checks.score_matrix("S", S, need_rows=need_rows)
    y = _checks.labels("y", y, *S.shape)
    delta = _checks.nonnegative("delta", delta)
    rows = []
    for i in range(S.shape[0]):
        rows.append([(j, S[i, j] - S[i, y[i]] + delta) for j in range(S.shape[1]) if j != y[i]])
    return S, y, rows


def hinge_losses(S, y, delta=1.0):
    _, _, rows = _margins_of(S, y, delta)
    return np.array([sum(m for _, m in row if m > 0) + 0.0 for row in rows], dtype=np.float64)


def squared_hinge_losses(S, y, delta=1.0):
    _, _, rows = _margins_of(S, y, delta)
    return np.array([sum(m * m for _, m in row if m > 0) + 0.0 for row in rows], dtype=np.float64)


def crammer_singer_losses(S, y, delta=1.0):
    _, _, rows = _margins_of(S, y, delta)
    return np.array([max(0.0, max(m for _, m in row)) for row in rows], dtype=np.float64)


def hinge_grad(S, y, delta=1.0):
    S, y, rows = _margins_of(S, y, delta, need_rows=True)
    n = S.shape[0]
    G = np.zeros(S.shape)
    for i, row in enumerate(rows):
        for j, m in row:
            if m > 0:
                G[i, j] += 1.0 / n
                G[i, y[i]] -= 1.0 / n
    return G


def _log_sum_exp_shifted(row):
    """(max, log of the sum of exp(s - max)) of one row of scores."""
    top = max(row)
    return top, math.log(sum(math.exp(s - top) for s in row))


def softmax(S):
    S = _checks.score_matrix("S", S, need_rows=False)
    P = np.zeros(S.shape)
    for i in range(S.shape[0]):
        top = max(S[i])
        exps = [math.exp(s - top) for s in S[i]]
        total = sum(exps)
        for j in range(S.shape[1]):
            P[i, j] = exps[j] / total
    return P


def log_softmax(S):
    S = _checks.score_matrix("S", S, need_rows=False)
    out = np.zeros(S.shape)
    for i in range(S.shape[0]):
        top, lse = _log_sum_exp_shifted(S[i])
        for j in range(S.shape[1]):
            out[i, j] = (S[i, j] - top) - lse
    return out


def cross_entropy_losses(S, y):
    S = _checks.score_matrix("S", S, need_rows=False)
    y = _checks.labels("y", y, *S.shape)
    out = np.zeros(S.shape[0])
    for i in range(S.shape[0]):
        top, lse = _log_sum_exp_shifted(S[i])
        out[i] = lse - (S[i, y[i]] - top)
    return out


def cross_entropy_grad(S, y):
    S = _checks.score_matrix("S", S, need_rows=True)
    y = _checks.labels("y", y, *S.shape)
    P = softmax(S)
    n = S.shape[0]
    G = np.zeros(S.shape)
    for i in range(n):
        for j in range(S.shape[1]):
            G[i, j] = (P[i, j] - (1.0 if j == y[i] else 0.0)) / n
    return G


def l2_penalty(W):
    W = _checks.real_array("W", W, ndim=2)
    total = 0.0
    for value in W.flat:
        total += value * value
    return float(total)


def _full(W, X, y, reg, losses, grad):
    W, X, y, reg = loss_inputs(W, X, y, reg)
    S = scores(X, W)
    n, k, d = X.shape[0], W.shape[0], W.shape[1]
    data = sum(losses(S, y)) / n
    G = grad(S, y)
    dW = np.zeros(W.shape)
    for c in range(k):
        for j in range(d):
            total = 0.0
            for i in range(n):
                total += G[i, c] * X[i, j]
            dW[c, j] = total + 2.0 * reg * W[c, j]
    root = math.sqrt(reg)  # (√λ·w)² summed: finite whenever λ·ΣW² is, even if ΣW² overflows (REG-6)
    penalty = 0.0
    for value in W.flat:
        penalty += (root * value) ** 2
    return float(data + penalty), dW


def svm_loss(W, X, y, reg, delta=1.0):
    _checks.nonnegative("delta", delta)
    return _full(W, X, y, reg, lambda S, y: hinge_losses(S, y, delta), lambda S, y: hinge_grad(S, y, delta))


def softmax_loss(W, X, y, reg):
    return _full(W, X, y, reg, cross_entropy_losses, cross_entropy_grad)


def numerical_gradient(f, x, h=1e-5, centered=True):
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    x = _checks.real_array("x", x)
    h = _checks.nonnegative("h", h, strictly=True)
    if not isinstance(centered, (bool, np.bool_)):
        raise TypeError(f"centered must be a bool, got {type(centered).__name__}")

    def value_at(point):
        v = f(point)
        v = np.asarray(v).reshape(()).item() if isinstance(v, np.ndarray) and v.size == 1 else v
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"f must return a real scalar, got {type(v).__name__}")
        if not math.isfinite(v):
            raise ValueError(f"f must return a finite value, got {v}")
        return float(v)

    grad = np.zeros(x.shape)
    here = None if centered else value_at(x.astype(np.float64, copy=True))
    for index in np.ndindex(x.shape):
        up = x.astype(np.float64, copy=True)
        up[index] = x[index] + h
        if centered:
            down = x.astype(np.float64, copy=True)
            down[index] = x[index] - h
            grad[index] = (value_at(up) - value_at(down)) / (2.0 * h)
        else:
            grad[index] = (value_at(up) - here) / h
    return grad


def relative_error(a, b):
    a = _checks.real_array("a", a)
    b = _checks.real_array("b", b)
    _checks.same_shape("b", b, "a", a)
    largest = 0.0
    for v in list(a.flat) + list(b.flat):
        largest = max(largest, abs(v))
    if largest == 0.0:
        return 0.0
    diff = math.sqrt(sum(((p - q) / largest) ** 2 for p, q in zip(a.flat, b.flat)))
    norm_a = math.sqrt(sum((p / largest) ** 2 for p in a.flat))
    norm_b = math.sqrt(sum((q / largest) ** 2 for q in b.flat))
    return diff / max(norm_a, norm_b)


def sgd_step(W, dW, learning_rate):
    W = _checks.real_array("W", W)
    dW = _checks.real_array("dW", dW)
    _checks.same_shape("dW", dW, "W", W)
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    out = np.empty(W.shape)
    for index in np.ndindex(W.shape):
        out[index] = W[index] - learning_rate * dW[index]
    return out


def predict(S):
    S = _checks.score_matrix("S", S, need_rows=False)
    out = np.zeros(S.shape[0], dtype=np.intp)
    for i in range(S.shape[0]):
        best = 0
        for j in range(1, S.shape[1]):
            if S[i, j] > S[i, best]:
                best = j
        out[i] = best
    return out


def accuracy(S, y):
    S = _checks.score_matrix("S", S, need_rows=True)
    y = _checks.labels("y", y, *S.shape)
    guesses = predict(S)
    return sum(1 for i in range(len(y)) if guesses[i] == y[i]) / len(y)
