"""A correct implementation of the whole contract as one writes it in a notebook: plain NumPy, no checks.

It validates nothing (bad input gives whatever NumPy gives), computes the penalty as the CS231n
starter code does, `reg * np.sum(W * W)` (NaN once ΣW² overflows, near |W| ~ 1e154), and forms
log-probabilities as `s - max - log(sum(exp(s - max)))`, accurate to CONV-10 but not to SOFTMAX-12.
Every formula is right, so it must conform at `core` and fail only `strict` clauses
(tests/suite/test_correct_implementations.py).
"""

import numpy as np


def scores(X, W, b=None):
    S = X @ W.T
    return S if b is None else S + b


def append_ones(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])


def fold_bias(W, b):
    return np.hstack([W, b[:, None]])


def _margins(S, y, delta):
    rows = np.arange(len(y))
    margins = S - S[rows, y][:, None] + delta
    margins[rows, y] = 0.0  # the correct class is not a rival
    return margins


def hinge_losses(S, y, delta=1.0):
    return np.maximum(0.0, _margins(S, y, delta)).sum(axis=1)


def squared_hinge_losses(S, y, delta=1.0):
    return (np.maximum(0.0, _margins(S, y, delta)) ** 2).sum(axis=1)


def crammer_singer_losses(S, y, delta=1.0):
    margins = _margins(S, y, delta)
    margins[np.arange(len(y)), y] = -np.inf
    return np.maximum(0.0, margins.max(axis=1))


def hinge_grad(S, y, delta=1.0):
    active = (_margins(S, y, delta) > 0).astype(float)
    active[np.arange(len(y)), y] = -active.sum(axis=1)
    return active / len(y)


def log_softmax(S):
    shifted = S - S.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_losses(S, y):
    return -log_softmax(S)[np.arange(len(y)), y]


def cross_entropy_grad(S, y):
    P = softmax(S)
    P[np.arange(len(y)), y] -= 1.0
    return P / len(y)


def l2_penalty(W):
    return float(np.sum(W * W))


def svm_loss(W, X, y, reg, delta=1.0):
    S = X @ W.T
    loss = hinge_losses(S, y, delta).mean() + reg * np.sum(W * W)
    return float(loss), hinge_grad(S, y, delta).T @ X + 2 * reg * W


def softmax_loss(W, X, y, reg):
    S = X @ W.T
    loss = cross_entropy_losses(S, y).mean() + reg * np.sum(W * W)
    return float(loss), cross_entropy_grad(S, y).T @ X + 2 * reg * W


def numerical_gradient(f, x, h=1e-5, centered=True):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    base = None if centered else f(x.copy())
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h) if centered else (f(plus) - base) / h
    return grad


def relative_error(a, b):
    top = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if top == 0 else float(np.linalg.norm(a - b) / top)


def sgd_step(W, dW, learning_rate):
    return W - learning_rate * dW


def predict(S):
    return np.argmax(S, axis=1)


def accuracy(S, y):
    return float(np.mean(predict(S) == y))
