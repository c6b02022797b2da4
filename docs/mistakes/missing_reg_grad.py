"""A CS231n linear classifier with one mistake students make.

Both losses add the penalty reg * sum(W**2) to the loss but leave its gradient 2 * reg * W out of dW
(GRAD-1: dW is the gradient of the full loss, penalty included).

Everything else is examples/cs231n_linear_classifier.py. docs/hooks/conformance_runs.py runs
`lcspec check cs231n:` on this file when the site is built, and the page "Check your CS231n
assignment" shows the report.
"""

import numpy as np


def _penalty(W, reg):
    """reg * sum(W**2), written so that it stays finite when sum(W**2) alone would overflow."""
    return np.sum(np.square(np.sqrt(reg) * W))


def svm_loss_naive(W, X, y, reg):
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros(W.shape)
    for i in range(num_train):
        scores = X[i].dot(W)
        correct = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct + 1.0
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss = loss / num_train + _penalty(W, reg)
    dW = dW / num_train
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    margins = scores - scores[rows, y][:, None] + 1.0
    margins[rows, y] = 0.0
    active = (margins > 0).astype(np.float64)
    loss = np.sum(margins * active) / num_train + _penalty(W, reg)
    active[rows, y] = -active.sum(axis=1)
    dW = X.T.dot(active) / num_train
    return loss, dW


def softmax_loss_naive(W, X, y, reg):
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros(W.shape)
    for i in range(num_train):
        scores = X[i].dot(W)
        shifted = scores - np.max(scores)
        total = 0.0
        for j in range(num_classes):
            total += np.exp(shifted[j])
        loss += np.log(total) - shifted[y[i]]
        for j in range(num_classes):
            p = np.exp(shifted[j]) / total
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss = loss / num_train + _penalty(W, reg)
    dW = dW / num_train
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    totals = exp.sum(axis=1)
    loss = np.sum(np.log(totals) - shifted[rows, y]) / num_train + _penalty(W, reg)
    probs = exp / totals[:, None]
    probs[rows, y] -= 1.0
    dW = X.T.dot(probs) / num_train
    return loss, dW
