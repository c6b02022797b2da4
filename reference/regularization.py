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

    Of two weight vectors with the same dot product with $x = [1,1,1,1]$, the spread-out one is
    cheaper:

    >>> l2_penalty([[1.0, 0.0, 0.0, 0.0]]), l2_penalty([[0.25, 0.25, 0.25, 0.25]])
    (1.0, 0.25)
    """
    W = _checks.real_array("W", W, ndim=2)
    return float(np.vdot(W, W))


def l2_penalty_grad(W, reg) -> np.ndarray:
    r"""Gradient of the regularisation term $\lambda R(W)$: $\;2\lambda W$.

    >>> l2_penalty_grad([[1.0, -2.0]], reg=0.5).tolist()
    [[1.0, -2.0]]
    """
    W = _checks.real_array("W", W, ndim=2)
    reg = _checks.nonnegative("reg", reg)
    return (2.0 * reg) * W
