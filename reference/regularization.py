r"""L2 regularisation: the penalty $R(W) = \sum_k \sum_l W_{kl}^2$ and its gradient.

Convention: the full loss adds $\lambda R(W)$, so the gradient of the penalty term is
$2\lambda W$. Libraries that write $\tfrac{\lambda}{2}\lVert W\rVert^2$ or "weight decay" map onto
this by a factor of 2; the spec's regularisation chapter has the table.
"""

from __future__ import annotations

import numpy as np

from . import _checks


def l2_penalty(W) -> float:
    r"""Squared Frobenius norm of the weights: every entry, a folded bias column included.

    $$R(W) = \sum_k \sum_l W_{kl}^2$$

    Convention: no factor $\tfrac12$; the full loss adds $\lambda R(W)$, whose gradient is $2\lambda W$.

    Args:
        W (array_like of shape (K, D)): Weights, a folded bias column included; 2-D only (CONV-3), unlike
            `sgd_step`'s, which may have any shape.

    Returns:
        float: $\sum W^2$, >= 0.

    Of two weight vectors with the same dot product with $x = [1,1,1,1]$, the spread-out one is
    cheaper:

    >>> l2_penalty([[1.0, 0.0, 0.0, 0.0]]), l2_penalty([[0.25, 0.25, 0.25, 0.25]])
    (1.0, 0.25)
    """
    W = _checks.real_array("W", W, ndim=2)
    return float(_checks.finite_result("l2_penalty", np.vdot(W, W), "the sum of squares is larger than 1.8e308"))


def l2_regularization_loss(W, reg) -> float:
    r"""The regularisation loss $\lambda R(W)$ of the full loss, without overflow inside $R(W)$.

    $$\lambda R(W) = \big(\sqrt{\lambda}\, m\big)^2 \sum_{k,l} (W_{kl}/m)^2, \qquad m = \max_{k,l} |W_{kl}|$$

    Scaling by the largest entry keeps the sum of squares near 1, so a small $\lambda$ times a huge
    $R(W)$ stays finite when the product is; $\lambda = 0$ gives exactly 0 whatever $W$ is.

    References:
        Scaling by the largest magnitude before summing squares is the classic guard of the
        Euclidean norm against overflow: J. L. Blue, "A portable Fortran program to find the
        Euclidean norm of a vector", *ACM Transactions on Mathematical Software* 4(1), 1978, and
        LAPACK's `dnrm2` and `dlassq`.

    >>> round(l2_regularization_loss([[1e200, 0.0]], reg=1e-300) / 1e100, 12)  # R(W) alone overflows
    1.0
    """
    W = _checks.real_array("W", W, ndim=2)
    reg = _checks.nonnegative("reg", reg)
    largest = float(np.abs(W).max(initial=0.0))
    if reg == 0.0 or largest == 0.0:
        return 0.0
    unit = W / largest
    with np.errstate(over="ignore"):  # an overflow here means the exact value is beyond float64
        value = (np.sqrt(reg) * largest) ** 2 * float(np.vdot(unit, unit))
    return float(_checks.finite_result("the regularisation loss reg * l2_penalty(W)", value, "it is larger than 1.8e308"))


def l2_penalty_grad(W, reg) -> np.ndarray:
    r"""Gradient of the regularisation term $\lambda R(W)$: $\;2\lambda W$.

    >>> l2_penalty_grad([[1.0, -2.0]], reg=0.5).tolist()
    [[1.0, -2.0]]
    """
    W = _checks.real_array("W", W, ndim=2)
    reg = _checks.nonnegative("reg", reg)
    return (2.0 * reg) * W
