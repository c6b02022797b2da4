r"""Softmax, log-softmax and the cross-entropy loss, computed stably.

The max-shift trick: subtracting a row's maximum from every score changes no probability and makes
every exponent <= 0, so nothing overflows and the largest term is exactly 1. For the log, the sum
of the *other* exponentials goes through `log1p`, which keeps tiny log-probabilities (around
$-10^{-20}$ for a dominant class) where the plain form rounds them to 0. The shift itself is
rounded, by up to half an ulp of the score, which `exp` turns into a relative error of about
$|s|\,\varepsilon$; the exact rounding error (Knuth's TwoSum) corrects for it, so every probability
and log-probability is within a few ulps *relative* (bench/ measures the worst case against a
50-digit oracle). Sources: the max shift is the CS231n notes' (linear-classify, "numeric
stability"); the log1p form and its analysis, Blanchard, Higham and Higham, IMA J. Numer. Anal.
41(4), 2021; TwoSum, Knuth, TAOCP vol. 2, section 4.2.2.
"""

from __future__ import annotations

import numpy as np

from . import _checks


def _shifted(S):
    r"""Per row: $z_j = s_j - \max_k s_k$ with its exact rounding error, and $e^{z_j}$ with $\sum_{j \ne j^*} e^{z_j}$.

    Returns `(Z, Z_err, E, rest, rows, top)` with `Z + Z_err` equal to the exact shifted scores.
    """
    rows = np.arange(S.shape[0])
    top = np.argmax(S, axis=1)
    peak = S[rows, top][:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        # Only a spread beyond 1.8e308 overflows: its true log-probability is below -1.8e308, so -inf
        # is the correctly rounded value and exp(-inf) = 0 the correct probability.
        Z = S - peak
        # TwoSum (Knuth): Z_err = (S - peak) - Z exactly, in place to keep the loss near its floor.
        back = Z + peak
        Z_err = S - back
        back -= Z
        back -= peak
        Z_err += back
    lost = ~np.isfinite(Z_err)
    if lost.any():
        Z_err[lost] = 0.0  # where Z is -inf (exp gives the exact 0) or TwoSum itself overflowed: uncorrected
    E = np.exp(Z)
    E += E * Z_err  # e^{z + err} = e^z (1 + err) to within err^2, err <= half an ulp of z
    E[rows, top] = 0.0
    return Z, Z_err, E, E.sum(axis=1), rows, top


def softmax(S) -> np.ndarray:
    r"""Row-wise softmax of the scores.

    $$p_{ij} = \frac{e^{s_{ij}}}{\sum_k e^{s_{ik}}} = \frac{e^{s_{ij} - \max_k s_{ik}}}{\sum_k e^{s_{ik} - \max_k s_{ik}}}$$

    Convention: computed with the max-shift, so every finite input gives a finite result.

    References:
        The max shift: CS231n notes, "Linear classification", Softmax classifier, *Practical issues:
        numeric stability*, <https://cs231n.github.io/linear-classify/#softmax>.
        The shifted log-sum-exp with `log1p`, and its error bound: P. Blanchard, D. J. Higham and
        N. J. Higham, "Accurately computing the log-sum-exp and softmax functions", *IMA Journal of
        Numerical Analysis* 41(4), 2021, <https://doi.org/10.1093/imanum/draa038>.
        The exact rounding error of the shift (TwoSum): D. E. Knuth, *The Art of Computer
        Programming*, vol. 2, 3rd ed., section 4.2.2, Theorem B.

    Args:
        S (array_like of shape (N, K)): Scores, K >= 2.

    Returns:
        (N, K) float64 array of probabilities; each row sums to 1.

    >>> softmax([[123.0, 456.0, 789.0]]).round(6).tolist()
    [[0.0, 0.0, 1.0]]
    >>> softmax([[1.0, -2.0, 0.0]]).round(3).tolist()
    [[0.705, 0.035, 0.259]]
    """
    S = _checks.score_matrix("S", S, need_rows=False)
    _, _, E, rest, rows, top = _shifted(S)
    E[rows, top] = 1.0
    return E / (1.0 + rest)[:, None]


def log_softmax(S) -> np.ndarray:
    r"""Row-wise log of the softmax, without forming the softmax.

    $$\log p_{ij} = z_{ij} - \log\!\Big(1 + \sum_{k \ne j^*} e^{z_{ik}}\Big), \qquad
    z_{ij} = s_{ij} - \max_k s_{ik}$$

    where $j^*$ is the row's argmax. Conventions: natural log; finite wherever the true value is a
    finite float64, including where `log(softmax(S))` gives `-inf`.

    References:
        As for `softmax`: the CS231n notes' max shift, Blanchard, Higham and Higham (2021) for the
        shifted log-sum-exp with `log1p`, and Knuth's TwoSum for the shift's rounding error.

    Args:
        S (array_like of shape (N, K)): Scores, K >= 2.

    Returns:
        (N, K) float64 array of log-probabilities, all <= 0.

    >>> float(log_softmax([[0.0, -1000.0]])[0, 1])
    -1000.0
    """
    S = _checks.score_matrix("S", S, need_rows=False)
    Z, Z_err, _, rest, _, _ = _shifted(S)
    return (Z - np.log1p(rest)[:, None]) + Z_err


def cross_entropy_losses(S, y) -> np.ndarray:
    r"""Softmax cross-entropy loss, one value per example.

    $$L_i = -\log p_{iy_i} = -s_{iy_i} + \log \sum_j e^{s_{ij}}$$

    Conventions: natural log; not averaged.

    References:
        As for `softmax`: the CS231n notes' max shift, Blanchard, Higham and Higham (2021) for the
        shifted log-sum-exp with `log1p`, and Knuth's TwoSum for the shift's rounding error.

    Args:
        S (array_like of shape (N, K)): Scores, K >= 2.
        y (integer array_like of shape (N,)): Labels in [0, K).

    Returns:
        (N,) float64 array: the loss of each example, >= 0.

    >>> cross_entropy_losses([[0.8, 0.3, -0.4]], [0]).round(3).tolist()
    [0.646]
    """
    S = _checks.score_matrix("S", S, need_rows=False)
    y = _checks.labels("y", y, *S.shape)
    return -log_softmax(S)[np.arange(S.shape[0]), y]


def cross_entropy_grad(S, y) -> np.ndarray:
    r"""Gradient of the mean cross-entropy loss with respect to the scores.

    $$\frac{\partial}{\partial s_{ij}} \frac{1}{N}\sum_n L_n = \frac{p_{ij} - \mathbb{1}(j = y_i)}{N}$$

    Conventions: of the *mean* loss (hence $1/N$); each row sums to zero.

    Args:
        S (array_like of shape (N, K)): Scores, N >= 1, K >= 2.
        y (integer array_like of shape (N,)): Labels in [0, K).

    Returns:
        (N, K) float64 array $G = (P - Y)/N$; each row sums to 0.

    >>> cross_entropy_grad([[0.0, 0.0]], [1]).tolist()
    [[0.5, -0.5]]
    """
    S = _checks.score_matrix("S", S, need_rows=True)
    y = _checks.labels("y", y, *S.shape)
    G = softmax(S)
    G[np.arange(S.shape[0]), y] -= 1.0
    return G / S.shape[0]
