r"""The full losses of a linear classifier: mean data loss plus L2 penalty, with the analytic dW.

Both go the same way: scores $S = XW^\top$, the per-score gradient $\partial L/\partial S$ from the
data-loss module, then the chain rule $\partial L/\partial W = (\partial L/\partial S)^\top X$, plus
$2\lambda W$ from the penalty. The bias is handled by the bias trick (fold it into `W`).
"""

from __future__ import annotations

import numpy as np

from . import _checks
from .hinge import hinge_grad, hinge_losses
from .regularization import l2_penalty_grad, l2_regularization_loss
from .cross_entropy import cross_entropy_grad, cross_entropy_losses


def _data_matrix(X) -> np.ndarray:
    """`X` as a float64 (N, D) array, its NaN/inf check left to the scores.

    Scanning all N*D entries of X for NaN or inf costs about a quarter of the loss itself at CIFAR-10
    shape; a non-finite entry in row i makes row i of S = X W^T non-finite too (inf * 0 is NaN), so
    checking the N*K scores finds it for a K/D fraction of the cost.
    """
    if type(X) is np.ndarray and X.ndim == 2 and X.dtype.kind in _checks.REAL_KINDS:
        return X.astype(np.float64, copy=False)
    return _checks.real_array("X", X, ndim=2)  # converts lists and words dtype and rank errors


def loss_arguments(W, X, y, reg):
    """`(W, X, y, reg, S)`: the full losses' arguments checked and converted (float64 arrays, intp labels, a float
    λ), and their scores S = X Wᵀ, checked finite; a ValueError or TypeError names the argument at fault.

    The one check of these arguments: the adapters and the suite's transcriptions check theirs with it too
    (lcspec/harness/adapting.py), so that what they wrap is judged on its mathematics alone.

    >>> import numpy as np
    >>> loss_arguments(np.zeros((3, 2)), [[1.0, 2.0]], [4], 0.0)
    Traceback (most recent call last):
    ...
    ValueError: y must be class indices in [0, 3), found 4
    """
    W = _checks.weight_matrix("W", W)
    X = _data_matrix(X)
    reg = _checks.nonnegative("reg", reg)
    if X.shape[0] == 0:
        raise ValueError("X must have N >= 1 rows because the data loss is a mean over examples, got an empty batch")
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have D = {W.shape[1]} columns to match W of shape {W.shape}, got shape {X.shape}")
    y = _checks.labels("y", y, X.shape[0], W.shape[0])
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 = NaN is what the check below looks for
        S = X @ W.T
    if not np.isfinite(S).all():
        _checks.real_array("X", X, ndim=2)  # the full scan, only to say whether X itself is at fault
        _checks.finite_result("scores", S, "X @ W.T is larger than 1.8e308")
    return W, X, y, reg, S


def _full_loss(W, X, y, reg, data_losses, data_grad):
    W, X, y, reg, S = loss_arguments(W, X, y, reg)
    loss = float(np.mean(data_losses(S, y))) + l2_regularization_loss(W, reg)
    dW = data_grad(S, y).T @ X + l2_penalty_grad(W, reg)
    return loss, dW


def svm_loss(W, X, y, reg, delta=1.0):
    r"""Full multiclass SVM loss and its gradient with respect to `W`.

    $$L(W) = \frac{1}{N}\sum_i \sum_{j \ne y_i} \max(0,\, w_j^\top x_i - w_{y_i}^\top x_i + \Delta)
    + \lambda \sum_{k,l} W_{kl}^2$$

    $$\nabla_W L = G^\top X + 2\lambda W, \qquad G = \text{hinge\_grad}(XW^\top, y, \Delta)$$

    Returns `(loss, dW)` with `dW` of shape (K, D). Conventions: the data loss is the mean over
    examples; the penalty is $\lambda\sum W^2$ (no $\tfrac12$); no bias argument (fold it into `W`
    with the bias trick); kinks take the subgradient 0.

    Args:
        W (array_like of shape (K, D)): Weights (the bias folded in, if any).
        X (array_like of shape (N, D)): Examples, N >= 1.
        y (integer array_like of shape (N,)): Labels in [0, K).
        reg (float): The penalty strength $\lambda$, a finite real >= 0.
        delta (float): The margin $\Delta$, a finite real >= 0.

    Returns:
        loss_and_dW (tuple[float, numpy.ndarray]): `(loss, dW)`: the loss, and its gradient as a (K, D) float64 array.

    >>> import numpy as np
    >>> loss, dW = svm_loss(np.zeros((10, 3)), np.ones((4, 3)), [0, 1, 2, 3], reg=0.1)
    >>> loss, dW.shape
    (9.0, (10, 3))
    """

    def data_losses(S, y):
        return hinge_losses(S, y, delta)

    def data_grad(S, y):
        return hinge_grad(S, y, delta)

    return _full_loss(W, X, y, reg, data_losses, data_grad)


def softmax_loss(W, X, y, reg):
    r"""Full softmax (cross-entropy) loss and its gradient with respect to `W`.

    $$L(W) = \frac{1}{N}\sum_i \Big(-s_{iy_i} + \log\sum_j e^{s_{ij}}\Big) + \lambda\sum_{k,l} W_{kl}^2,
    \qquad S = XW^\top$$

    $$\nabla_W L = \frac{1}{N}(P - Y)^\top X + 2\lambda W$$

    with $P$ the row-wise softmax of $S$ and $Y$ the one-hot labels. Conventions as `svm_loss`:
    mean over examples, penalty $\lambda\sum W^2$, no bias argument; natural log.

    Args:
        W (array_like of shape (K, D)): Weights (the bias folded in, if any).
        X (array_like of shape (N, D)): Examples, N >= 1.
        y (integer array_like of shape (N,)): Labels in [0, K).
        reg (float): The penalty strength $\lambda$, a finite real >= 0.

    Returns:
        loss_and_dW (tuple[float, numpy.ndarray]): `(loss, dW)`: the loss, and its gradient as a (K, D) float64 array.

    >>> import numpy as np
    >>> loss, dW = softmax_loss(np.zeros((10, 3)), np.ones((4, 3)), [0, 1, 2, 3], reg=0.1)
    >>> bool(np.isclose(loss, np.log(10)))
    True
    """
    return _full_loss(W, X, y, reg, cross_entropy_losses, cross_entropy_grad)
