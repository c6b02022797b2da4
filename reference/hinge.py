r"""The multiclass SVM (hinge) losses and the gradient of the Weston-Watkins form.

All three losses compare the correct class's score with the others through the margin
$m_{ij} = s_{ij} - s_{iy_i} + \Delta$. Kink convention, shared by loss and gradient: a margin of
exactly zero is *met*. It adds nothing to the loss and nothing to the gradient (the notes'
indicator $\mathbb{1}(m > 0)$ is strict).
"""

from __future__ import annotations

import numpy as np

from . import _checks


def _margins(S, y, delta, *, need_rows: bool):
    """Validated inputs and the margin matrix, with the correct class's own entry set to 0."""
    S = _checks.score_matrix("S", S, need_rows=need_rows)
    y = _checks.labels("y", y, *S.shape)
    delta = _checks.nonnegative("delta", delta)
    rows = np.arange(S.shape[0])
    with np.errstate(over="ignore"):
        # Only a margin beyond 1.8e308 overflows: inf is then its correctly rounded value, the loss's
        # too, and the gradient's indicator (inf > 0) is still exact.
        margins = (S - S[rows, y][:, None]) + delta
    margins[rows, y] = 0.0  # j = y_i is not a competitor
    return S, y, rows, margins


def hinge_losses(S, y, delta=1.0) -> np.ndarray:
    r"""Weston-Watkins multiclass SVM loss, one value per example.

    $$L_i = \sum_{j \ne y_i} \max(0,\; s_{ij} - s_{iy_i} + \Delta)$$

    Conventions: summed (not averaged) over the K - 1 wrong classes; the correct class is excluded
    rather than counted as $\Delta$; $\Delta \ge 0$.

    Args:
        S (array_like of shape (N, K)): Scores, K >= 2.
        y (integer array_like of shape (N,)): Labels in [0, K).
        delta (float): The margin $\Delta$, a finite real >= 0.

    Returns:
        (N,) float64 array: the loss of each example.

    >>> hinge_losses([[13.0, -7.0, 11.0]], [0], delta=10.0).tolist()
    [8.0]
    """
    _, _, _, margins = _margins(S, y, delta, need_rows=False)
    with np.errstate(over="ignore"):  # a sum beyond 1.8e308 is inf, its correctly rounded value
        return np.maximum(margins, 0.0).sum(axis=1)


def squared_hinge_losses(S, y, delta=1.0) -> np.ndarray:
    r"""Squared-hinge (L2-SVM) multiclass loss, one value per example.

    $$L_i = \sum_{j \ne y_i} \max(0,\; s_{ij} - s_{iy_i} + \Delta)^2$$

    Conventions as `hinge_losses`: summed over the K - 1 wrong classes, not averaged; zero
    exactly where the hinge loss is zero.

    Args:
        S (array_like of shape (N, K)): Scores, K >= 2.
        y (integer array_like of shape (N,)): Labels in [0, K).
        delta (float): The margin $\Delta$, a finite real >= 0.

    Returns:
        (N,) float64 array: the loss of each example.

    >>> squared_hinge_losses([[0.8, 0.3, -0.4]], [0]).round(12).tolist()
    [0.25]
    """
    _, _, _, margins = _margins(S, y, delta, need_rows=False)
    with np.errstate(over="ignore"):  # a margin above 1.3e154 squares to inf, the correctly rounded loss
        return np.square(np.maximum(margins, 0.0)).sum(axis=1)


def crammer_singer_losses(S, y, delta=1.0) -> np.ndarray:
    r"""Crammer-Singer (structured) multiclass SVM loss: only the strongest rival counts.

    $$L_i = \max\!\big(0,\; \max_{j \ne y_i} s_{ij} - s_{iy_i} + \Delta\big)$$

    Conventions: the rival maximum runs over the wrong classes only; not averaged.

    Args:
        S (array_like of shape (N, K)): Scores, K >= 2.
        y (integer array_like of shape (N,)): Labels in [0, K).
        delta (float): The margin $\Delta$, a finite real >= 0.

    Returns:
        (N,) float64 array: the loss of each example.

    >>> crammer_singer_losses([[13.0, -7.0, 11.0]], [0], delta=10.0).tolist()
    [8.0]
    """
    _, _, _, margins = _margins(S, y, delta, need_rows=False)
    # The y_i entry was set to 0, which max(0, .) absorbs, so a plain row max is the rival max.
    return np.maximum(margins, 0.0).max(axis=1)


def hinge_grad(S, y, delta=1.0) -> np.ndarray:
    r"""Gradient of the mean Weston-Watkins loss with respect to the scores.

    $$\frac{\partial}{\partial s_{ij}} \frac{1}{N}\sum_n L_n =
    \frac{1}{N}\begin{cases} \mathbb{1}(m_{ij} > 0) & j \ne y_i \\
    -\sum_{k \ne y_i} \mathbb{1}(m_{ik} > 0) & j = y_i \end{cases}$$

    Conventions: of the *mean* loss (hence $1/N$); at a kink ($m_{ij} = 0$) the subgradient 0 is
    chosen. Each row sums to zero.

    Args:
        S (array_like of shape (N, K)): Scores, N >= 1, K >= 2.
        y (integer array_like of shape (N,)): Labels in [0, K).
        delta (float): The margin $\Delta$, a finite real >= 0.

    Returns:
        (N, K) float64 array $G = \partial L / \partial S$ of the mean loss; each row sums to 0.

    >>> hinge_grad([[0.8, 0.3, -0.4]], [0]).tolist()
    [[-1.0, 1.0, 0.0]]
    """
    S, y, rows, margins = _margins(S, y, delta, need_rows=True)
    active = (margins > 0.0).astype(np.float64)
    active[rows, y] = -active.sum(axis=1)
    return active / S.shape[0]
