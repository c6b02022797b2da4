r"""The score function $f(x) = Wx + b$, the bias trick, and prediction from scores.

Shapes follow the notes: `X` is (N, D) with one example per row, `W` is (K, D) with one class
template per row, `b` is (K,), and scores `S = X W^T + b` are (N, K).
"""

from __future__ import annotations

import numpy as np

from . import _checks


def scores(X, W, b=None) -> np.ndarray:
    r"""Class scores of a linear classifier, one row per example.

    $$S = X W^\top + \mathbf{1} b^\top, \qquad S_{ik} = w_k^\top x_i + b_k$$

    Conventions: `b=None` means no bias (the bias-trick form, where the bias lives in `W`'s last
    column). Finite inputs whose scores overflow float64 are rejected rather than returned as inf.

    Args:
        X (array_like of shape (N, D)): Examples, one per row; any real dtype, computed in float64.
        W (array_like of shape (K, D)): Class templates, one per row.
        b (array_like of shape (K,) or None): Class biases, or None for no bias.

    Returns:
        (N, K) float64 array: `S[i, k]` is the score of class k for example i.

    >>> scores([[1.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]], [0.5, -0.5]).tolist()
    [[1.5, 1.5]]
    """
    X = _checks.real_array("X", X, ndim=2)
    W = _checks.weight_matrix("W", W)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have D = {W.shape[1]} columns to match W of shape {W.shape}, got shape {X.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, as a ValueError
        S = X @ W.T
    if b is not None:
        b = _checks.real_array("b", b, ndim=1)
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"b must have shape ({W.shape[0]},), one bias per class of W, got shape {b.shape}")
        S = S + b
    return _checks.finite_result("scores", S, "X @ W.T + b is larger than 1.8e308")


def append_ones(X) -> np.ndarray:
    r"""The bias trick's data half: append a constant feature 1 to every example.

    $$\tilde X = [\,X \;\; \mathbf{1}\,] \in \mathbb{R}^{N \times (D+1)}$$

    Convention: the ones column goes last, matching `fold_bias`, which puts `b` last.

    Args:
        X (array_like of shape (N, D)): Examples.

    Returns:
        (N, D + 1) float64 array: `X` with a last column of ones.

    >>> append_ones([[2.0, 3.0]]).tolist()
    [[2.0, 3.0, 1.0]]
    """
    X = _checks.real_array("X", X, ndim=2)
    return np.hstack([X, np.ones((X.shape[0], 1))])


def fold_bias(W, b) -> np.ndarray:
    r"""The bias trick's weight half: store `b` as an extra last column of `W`.

    $$\tilde W = [\,W \;\; b\,] \in \mathbb{R}^{K \times (D+1)}, \qquad
    \tilde X \tilde W^\top = X W^\top + \mathbf{1} b^\top$$

    Convention: `b` becomes the last column, matching `append_ones`, which puts the ones last.

    Args:
        W (array_like of shape (K, D)): Class templates.
        b (array_like of shape (K,)): Class biases.

    Returns:
        (K, D + 1) float64 array: `W` with `b` as its last column.

    >>> fold_bias([[1.0], [2.0]], [3.0, 4.0]).tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    W = _checks.weight_matrix("W", W)
    b = _checks.real_array("b", b, ndim=1)
    if b.shape[0] != W.shape[0]:
        raise ValueError(f"b must have shape ({W.shape[0]},), one bias per row of W, got shape {b.shape}")
    return np.hstack([W, b[:, None]])


def predict(S) -> np.ndarray:
    r"""Predicted class per example: the index of the highest score.

    $$\hat y_i = \operatorname*{arg\,max}_k S_{ik}$$

    Convention: ties go to the lowest class index.

    Args:
        S (array_like of shape (N, K)): Scores.

    Returns:
        (N,) integer array: each row's index of the highest score, the lowest index among ties.

    >>> predict([[0.2, 0.7, 0.7], [3.0, -1.0, 0.0]]).tolist()
    [1, 0]
    """
    S = _checks.score_matrix("S", S, need_rows=False)
    return np.argmax(S, axis=1)


def accuracy(S, y) -> float:
    r"""Fraction of examples whose predicted class equals the label.

    $$\text{acc} = \frac{1}{N}\sum_i \mathbb{1}(\hat y_i = y_i)$$

    Convention: ties resolve as in `predict` (lowest index wins).

    Args:
        S (array_like of shape (N, K)): Scores, N >= 1.
        y (integer array_like of shape (N,)): Labels in [0, K).

    Returns:
        float in [0, 1]: the fraction of rows whose prediction equals the label.

    >>> accuracy([[0.2, 0.7], [3.0, -1.0]], [1, 1])
    0.5
    """
    S = _checks.score_matrix("S", S, need_rows=True)
    y = _checks.labels("y", y, *S.shape)
    return float(np.mean(np.argmax(S, axis=1) == y))
