"""The update rule and the four optimisation strategies the notes compare.

Every randomised strategy takes an explicit `numpy.random.Generator`, so a run is reproducible from
its seed, and every strategy returns an `OptimizationResult`: the final weights and the loss
history. None of them modifies its arguments. They reject bad input as the contract functions do
(chapter 0), and they check what the caller's function returns: a finite real loss and, from a
`loss_and_grad`, a finite `dW` shaped like the weights.
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

    Args:
        W (array_like): Weights of any shape: (K, D) in the contract's use, and 0-d, 1-d or 3-d alike (the
            update is entrywise).
        dW (array_like): Array of the shape of `W`: the gradient.
        learning_rate (float): The step $\alpha$, a finite real >= 0.

    Returns:
        float64 array of the shape of `W`: the new weights $W - \alpha\,dW$ (a new array).

    >>> sgd_step([[1.0, 2.0]], [[0.5, -1.0]], learning_rate=0.1).tolist()
    [[0.95, 2.1]]
    """
    W = _checks.real_array("W", W)
    dW = _checks.real_array("dW", dW)
    _checks.same_shape("dW", dW, "W", W)
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    with np.errstate(over="ignore"):  # an overflow is reported below, as a ValueError
        stepped = np.asarray(W - learning_rate * dW)  # asarray: a 0-d W gives a 0-d array, not a scalar
    return _checks.finite_result("sgd_step", stepped, "W - learning_rate * dW is larger than 1.8e308")


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


def _shape(name: str, value) -> tuple[int, ...]:
    """A shape such as (K, D): a sequence of integers >= 1."""
    try:
        dims = tuple(value)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of integers such as (K, D), got {type(value).__name__}") from None
    if any(isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) for n in dims):
        raise TypeError(f"{name} must be a tuple of integers such as (K, D), got {value!r}")
    if any(n < 1 for n in dims):
        raise ValueError(f"{name} must hold sizes >= 1, got {value!r}")
    return tuple(int(n) for n in dims)


def _evaluated(result, W: np.ndarray) -> tuple[float, np.ndarray]:
    """What `loss_and_grad` returned, checked: a finite loss and a finite dW shaped like the weights."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError(f"loss_and_grad must return a (loss, dW) pair, got {type(result).__name__}")
    loss = _checks.scalar_result("loss_and_grad", result[0])
    dW = _checks.real_array("the dW returned by loss_and_grad", result[1])
    _checks.same_shape("the dW returned by loss_and_grad", dW, "the weights", W)
    return loss, dW


def random_search(loss, shape, rng, num_tries=1000, scale=1e-4) -> OptimizationResult:
    r"""Strategy 1: draw independent random weights, keep the best.

    $$W_t \sim \text{scale}\cdot\mathcal{N}(0, I), \qquad W^* = \operatorname*{arg\,min}_{t} L(W_t)$$

    `loss_history[t]` is the best loss among the first t + 1 tries.

    Args:
        loss (callable): Function of a weight array returning a finite real loss.
        shape (tuple of int): The shape of the weights, such as (K, D).
        rng (numpy.random.Generator): A `numpy.random.Generator` (or a seed for one).
        num_tries (int): How many random weights to evaluate, >= 1.
        scale (float): The standard deviation of the random weights, >= 0.

    Returns:
        `OptimizationResult(W, loss_history)`: the best weights and the best loss after each try.

    >>> import numpy as np
    >>> out = random_search(lambda W: float((W ** 2).sum()), (2, 3), np.random.default_rng(0), num_tries=5)
    >>> out.W.shape, len(out.loss_history), bool(np.all(np.diff(out.loss_history) <= 0))
    ((2, 3), 5, True)
    """
    loss = _checks.function("loss", loss)
    shape = _shape("shape", shape)
    rng = _generator(rng)
    num_tries = _count("num_tries", num_tries)
    scale = _checks.nonnegative("scale", scale, strictly=True)
    best_W, best_loss, history = None, np.inf, np.empty(num_tries)
    for t in range(num_tries):
        W = rng.standard_normal(shape) * scale
        value = _checks.scalar_result("loss", loss(W))
        if value < best_loss:  # every value is finite, so the first try is always kept
            best_W, best_loss = W, value
        history[t] = best_loss
    return OptimizationResult(best_W, history)


def random_local_search(loss, W0, rng, num_tries=1000, step_size=1e-4) -> OptimizationResult:
    r"""Strategy 2: perturb the current weights at random and keep the move only if it helps.

    $$W' = W + \text{step\_size}\cdot\mathcal{N}(0, I); \quad W \leftarrow W' \text{ if } L(W') < L(W)$$

    `loss_history[t]` is the loss of the kept weights after try t, so it never increases.

    Args:
        loss (callable): Function of a weight array returning a finite real loss.
        W0 (array_like): Array of starting weights.
        rng (numpy.random.Generator): A `numpy.random.Generator` (or a seed for one).
        num_tries (int): How many perturbations to try, >= 0.
        step_size (float): The standard deviation of each perturbation, >= 0.

    Returns:
        `OptimizationResult(W, loss_history)`: the final weights and the loss after each try.

    >>> import numpy as np
    >>> out = random_local_search(lambda W: float((W ** 2).sum()), np.ones((2, 2)), np.random.default_rng(0), 50, 0.1)
    >>> bool(out.loss_history[-1] < 4.0)
    True
    """
    loss = _checks.function("loss", loss)
    W = _checks.real_array("W0", W0).copy()
    rng = _generator(rng)
    num_tries = _count("num_tries", num_tries)
    step_size = _checks.nonnegative("step_size", step_size, strictly=True)
    best_loss = _checks.scalar_result("loss", loss(W))
    history = np.empty(num_tries)
    for t in range(num_tries):
        W_try = W + rng.standard_normal(W.shape) * step_size
        value = _checks.scalar_result("loss", loss(W_try))
        if value < best_loss:
            W, best_loss = W_try, value
        history[t] = best_loss
    return OptimizationResult(W, history)


def gradient_descent(loss_and_grad, W0, learning_rate, num_steps) -> OptimizationResult:
    r"""Strategy 3: vanilla (full-batch) gradient descent.

    $$W_{t+1} = W_t - \alpha \nabla L(W_t)$$

    `loss_and_grad(W)` returns `(loss, dW)`; `loss_history[t]` is $L(W_t)$, the loss *before* step t.

    Args:
        loss_and_grad (callable): Function of a weight array returning `(loss, dW)`.
        W0 (array_like): Array of starting weights.
        learning_rate (float): The step $\alpha$, a finite real >= 0.
        num_steps (int): The number of steps, >= 0.

    Returns:
        `OptimizationResult(W, loss_history)`: the final weights and the loss before each step.

    >>> import numpy as np
    >>> out = gradient_descent(lambda W: (float((W ** 2).sum()), 2 * W), np.ones((1, 2)), 0.25, 3)
    >>> out.W.tolist(), out.loss_history.tolist()
    ([[0.125, 0.125]], [2.0, 0.5, 0.125])
    """
    loss_and_grad = _checks.function("loss_and_grad", loss_and_grad)
    W = _checks.real_array("W0", W0)
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    num_steps = _count("num_steps", num_steps)
    history = np.empty(num_steps)
    for t in range(num_steps):
        history[t], dW = _evaluated(loss_and_grad(W), W)
        W = sgd_step(W, dW, learning_rate)
    return OptimizationResult(W, history)


def minibatch_sgd(loss_and_grad, W0, X, y, rng, learning_rate, batch_size=256, num_steps=100) -> OptimizationResult:
    r"""Strategy 4: gradient descent on the gradient of a random mini-batch.

    $$B_t \subset \{1..N\},\ |B_t| = \text{batch\_size};\qquad
    W_{t+1} = W_t - \alpha \nabla L_{B_t}(W_t)$$

    Shapes as in the contract: `W0` is (K, D), `X` is (N, D) and `y` holds N labels in [0, K). Each
    step samples its batch without replacement, independently of the other steps.
    `loss_and_grad(W, X_batch, y_batch)` returns `(loss, dW)`; `loss_history[t]` is the batch loss
    before step t. With `batch_size = N` this is `gradient_descent`; with 1 it is SGD in the
    strict sense.

    Args:
        loss_and_grad (callable): Function `(W, X_batch, y_batch)` returning `(loss, dW)`.
        W0 (array_like of shape (K, D)): Starting weights.
        X (array_like of shape (N, D)): Examples, N >= 1.
        y (integer array_like of shape (N,)): Labels in [0, K).
        rng (numpy.random.Generator): A `numpy.random.Generator` (or a seed for one) that draws the batches.
        learning_rate (float): The step $\alpha$, a finite real >= 0.
        batch_size (int): Examples per batch, 1 <= batch_size <= N.
        num_steps (int): The number of steps, >= 0.

    Returns:
        `OptimizationResult(W, loss_history)`: the final weights and the batch loss before each step.

    >>> import numpy as np
    >>> from lcspec.reference import svm_loss
    >>> X, y = np.eye(4), np.array([0, 1, 2, 3])
    >>> f = lambda W, Xb, yb: svm_loss(W, Xb, yb, reg=0.0)
    >>> out = minibatch_sgd(f, np.zeros((4, 4)), X, y, np.random.default_rng(0), 1.0, batch_size=2, num_steps=20)
    >>> float(svm_loss(out.W, X, y, reg=0.0)[0])
    0.0
    """
    loss_and_grad = _checks.function("loss_and_grad", loss_and_grad)
    W = _checks.weight_matrix("W0", W0)
    X = _checks.real_array("X", X, ndim=2)
    if X.shape[0] == 0:
        raise ValueError("X must have N >= 1 rows to draw batches from, got an empty data set")
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have D = {W.shape[1]} columns to match W0 of shape {W.shape}, got shape {X.shape}")
    y = _checks.labels("y", y, X.shape[0], W.shape[0])
    rng = _generator(rng)
    learning_rate = _checks.nonnegative("learning_rate", learning_rate)
    batch_size = _count("batch_size", batch_size)
    if batch_size > X.shape[0]:
        raise ValueError(f"batch_size must be <= N = {X.shape[0]}, got {batch_size}")
    num_steps = _count("num_steps", num_steps)
    history = np.empty(num_steps)
    for t in range(num_steps):
        batch = rng.choice(X.shape[0], size=batch_size, replace=False)
        history[t], dW = _evaluated(loss_and_grad(W, X[batch], y[batch]), W)
        W = sgd_step(W, dW, learning_rate)
    return OptimizationResult(W, history)
