"""The update rule and the four optimisation strategies the notes compare.

Every strategy takes an explicit `numpy.random.Generator`, so a run is reproducible from its seed,
and returns an :class:`OptimizationResult`: the final weights and the loss history. None of them
modifies the starting weights.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import _checks

LossFn = Callable[[np.ndarray], float]
LossAndGrad = Callable[[np.ndarray], "tuple[float, np.ndarray]"]
BatchLossAndGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], "tuple[float, np.ndarray]"]


class OptimizationResult(NamedTuple):
    """What a strategy returns: the final weights and one loss per iteration."""

    W: np.ndarray
    loss_history: np.ndarray


def sgd_step(W, dW, learning_rate) -> np.ndarray:
    r"""One step of the update rule, against the gradient.

    $$W \leftarrow W - \alpha\, \nabla_W L$$

    Conventions: returns a new array and never modifies `W`; $\alpha \ge 0$ (a negative step
    would ascend).

    >>> sgd_step([[1.0, 2.0]], [[0.5, -1.0]], learning_rate=0.1).tolist()
    [[0.95, 2.1]]
    """
    W = _checks.real_array("W", W)
    dW = _checks.real_array("dW", dW)
    _checks.same_shape("dW", dW, "W", W)
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    return W - learning_rate * dW


def _generator(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng


def _count(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def random_search(loss, shape, rng, num_tries=1000, scale=1e-4) -> OptimizationResult:
    r"""Strategy 1: draw independent random weights, keep the best.

    $$W_t \sim \text{scale}\cdot\mathcal{N}(0, I), \qquad W^\* = \operatorname*{arg\,min}_{t} L(W_t)$$

    `loss_history[t]` is the best loss among the first t + 1 tries.

    >>> import numpy as np
    >>> out = random_search(lambda W: float((W ** 2).sum()), (2, 3), np.random.default_rng(0), num_tries=5)
    >>> out.W.shape, len(out.loss_history), bool(np.all(np.diff(out.loss_history) <= 0))
    ((2, 3), 5, True)
    """
    rng = _generator(rng)
    num_tries = _count("num_tries", num_tries)
    scale = _checks.nonnegative("scale", scale, strictly=True)
    shape = tuple(int(n) for n in shape)
    best_W, best_loss, history = None, np.inf, np.empty(num_tries)
    for t in range(num_tries):
        W = rng.standard_normal(shape) * scale
        value = float(loss(W))
        if value < best_loss:
            best_W, best_loss = W, value
        history[t] = best_loss
    return OptimizationResult(best_W if best_W is not None else W, history)


def random_local_search(loss, W0, rng, num_tries=1000, step_size=1e-4) -> OptimizationResult:
    r"""Strategy 2: perturb the current weights at random and keep the move only if it helps.

    $$W' = W + \text{step\_size}\cdot\mathcal{N}(0, I); \quad W \leftarrow W' \text{ if } L(W') < L(W)$$

    `loss_history[t]` is the loss of the kept weights after try t, so it never increases.

    >>> import numpy as np
    >>> out = random_local_search(lambda W: float((W ** 2).sum()), np.ones((2, 2)), np.random.default_rng(0), 50, 0.1)
    >>> bool(out.loss_history[-1] < 4.0)
    True
    """
    rng = _generator(rng)
    num_tries = _count("num_tries", num_tries)
    step_size = _checks.nonnegative("step_size", step_size, strictly=True)
    W = _checks.real_array("W0", W0).copy()
    best_loss = float(loss(W))
    history = np.empty(num_tries)
    for t in range(num_tries):
        W_try = W + rng.standard_normal(W.shape) * step_size
        value = float(loss(W_try))
        if value < best_loss:
            W, best_loss = W_try, value
        history[t] = best_loss
    return OptimizationResult(W, history)


def gradient_descent(loss_and_grad, W0, learning_rate, num_steps) -> OptimizationResult:
    r"""Strategy 3: vanilla (full-batch) gradient descent.

    $$W_{t+1} = W_t - \alpha \nabla L(W_t)$$

    `loss_and_grad(W)` returns `(loss, dW)`; `loss_history[t]` is $L(W_t)$, the loss *before* step t.

    >>> import numpy as np
    >>> out = gradient_descent(lambda W: (float((W ** 2).sum()), 2 * W), np.ones((1, 2)), 0.25, 3)
    >>> out.W.tolist(), out.loss_history.tolist()
    ([[0.125, 0.125]], [2.0, 0.5, 0.125])
    """
    W = _checks.real_array("W0", W0)
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    num_steps = _count("num_steps", num_steps)
    history = np.empty(num_steps)
    for t in range(num_steps):
        history[t], dW = loss_and_grad(W)
        W = sgd_step(W, dW, learning_rate)
    return OptimizationResult(W, history)


def minibatch_sgd(loss_and_grad, W0, X, y, rng, learning_rate, batch_size=256, num_steps=100) -> OptimizationResult:
    r"""Strategy 4: gradient descent on the gradient of a random mini-batch.

    $$B_t \subset \{1..N\},\ |B_t| = \text{batch\_size};\qquad
    W_{t+1} = W_t - \alpha \nabla L_{B_t}(W_t)$$

    Each step samples its batch without replacement, independently of the other steps.
    `loss_and_grad(W, X_batch, y_batch)` returns `(loss, dW)`; `loss_history[t]` is the batch loss
    before step t. With `batch_size = N` this is :func:`gradient_descent`; with 1 it is SGD in the
    strict sense.

    >>> import numpy as np
    >>> from reference import svm_loss
    >>> X, y = np.eye(4), np.array([0, 1, 2, 3])
    >>> f = lambda W, Xb, yb: svm_loss(W, Xb, yb, reg=0.0)
    >>> out = minibatch_sgd(f, np.zeros((4, 4)), X, y, np.random.default_rng(0), 1.0, batch_size=2, num_steps=20)
    >>> float(svm_loss(out.W, X, y, reg=0.0)[0])
    0.0
    """
    rng = _generator(rng)
    W = _checks.real_array("W0", W0)
    X = _checks.real_array("X", X, ndim=2, allow_empty=False)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X, got shape {y.shape}")
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    batch_size = _count("batch_size", batch_size)
    if batch_size > X.shape[0]:
        raise ValueError(f"batch_size must be <= N = {X.shape[0]}, got {batch_size}")
    num_steps = _count("num_steps", num_steps)
    history = np.empty(num_steps)
    for t in range(num_steps):
        batch = rng.choice(X.shape[0], size=batch_size, replace=False)
        history[t], dW = loss_and_grad(W, X[batch], y[batch])
        W = sgd_step(W, dW, learning_rate)
    return OptimizationResult(W, history)
