"""JAX and optax mapped onto the contract (float64: the adapter enables jax_enable_x64).

| contract                 | JAX / optax                                                               |
|--------------------------|---------------------------------------------------------------------------|
| scores(X, W, b)          | X @ W.T + b in jax.numpy                                                  |
| crammer_singer_losses    | optax.losses.multiclass_hinge_loss(S, y): max(0, 1 + max_{j≠y} s_j − s_y), the Crammer-Singer form at Δ = 1; other Δ > 0 by homogeneity, Δ·L(S/Δ) |
| hinge_losses(S, y, Δ)    | optax has no Weston-Watkins hinge: Σ_{j≠y} jnp.maximum(0, s_j − s_y + Δ)  |
| softmax / log_softmax    | jax.nn.softmax(S, axis=1) / jax.nn.log_softmax(S, axis=1)                 |
| cross_entropy_losses     | optax.losses.softmax_cross_entropy_with_integer_labels(S, y)              |
| hinge_grad, cross_entropy_grad | jax.grad of the mean loss with respect to S                         |
| svm_loss, softmax_loss   | jax.value_and_grad of the mean loss + Σ(√reg·W)²                          |
| sgd_step(W, dW, α)       | optax.apply_updates(W, optax.sgd(α).update(dW, state)[0])                 |
| predict / accuracy       | jnp.argmax(S, axis=1) / mean of (argmax == y)                             |

optax.add_decayed_weights(wd) adds wd·W to the gradient, the gradient of (wd/2)·ΣW²: the spec's
λ·ΣW² is wd = 2λ.
"""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402 - after enabling float64
import numpy as np  # noqa: E402
import optax  # noqa: E402

from . import contract, per_example_margin  # noqa: E402

LEVEL = "strict"
"""The conformance level this adapter meets, apart from its declared deviations (docs/run_conformance.py runs
it at this level)."""


def _j(a):
    return jnp.asarray(np.asarray(a, dtype=np.float64))


def _labels(y):
    return jnp.asarray(np.asarray(y, dtype=np.int64))


def _np(a) -> np.ndarray:
    return np.array(a)


def _weston_watkins(S, y, delta):
    rows = jnp.arange(S.shape[0])
    margins = S - S[rows, y][:, None] + delta
    wrong = jax.nn.one_hot(y, S.shape[1]) == 0
    return jnp.sum(jnp.where(wrong, jnp.maximum(0.0, margins), 0.0), axis=1)


@contract
def scores(X, W, b=None):
    S = _j(X) @ _j(W).T
    return _np(S if b is None else S + _j(b))


@contract
def hinge_losses(S, y, delta=1.0):
    return _np(_weston_watkins(_j(S), _labels(y), float(delta)))


crammer_singer_losses = contract(
    per_example_margin(lambda S, y: _np(optax.losses.multiclass_hinge_loss(_j(S), _labels(y)))), "crammer_singer_losses"
)


@contract
def softmax(S):
    return _np(jax.nn.softmax(_j(S), axis=1))


@contract
def log_softmax(S):
    return _np(jax.nn.log_softmax(_j(S), axis=1))


@contract
def cross_entropy_losses(S, y):
    return _np(optax.losses.softmax_cross_entropy_with_integer_labels(_j(S), _labels(y)))


@contract
def hinge_grad(S, y, delta=1.0):
    return _np(jax.grad(lambda S: jnp.mean(_weston_watkins(S, _labels(y), float(delta))))(_j(S)))


@contract
def cross_entropy_grad(S, y):
    mean_loss = lambda S: jnp.mean(optax.losses.softmax_cross_entropy_with_integer_labels(S, _labels(y)))  # noqa: E731
    return _np(jax.grad(mean_loss)(_j(S)))


def _full(W, X, y, reg, data_losses):
    X, y = _j(X), _labels(y)
    penalty = lambda W: jnp.sum(jnp.square(jnp.sqrt(reg) * W))  # noqa: E731 - no overflow of ΣW² (REG-6)
    loss, dW = jax.value_and_grad(lambda W: jnp.mean(data_losses(X @ W.T, y)) + penalty(W))(_j(W))
    return float(loss), _np(dW)


@contract
def svm_loss(W, X, y, reg, delta=1.0):
    return _full(W, X, y, float(reg), lambda S, y: _weston_watkins(S, y, float(delta)))


@contract
def softmax_loss(W, X, y, reg):
    return _full(W, X, y, float(reg), optax.losses.softmax_cross_entropy_with_integer_labels)


@contract
def sgd_step(W, dW, learning_rate):
    W = _j(W)
    optimizer = optax.sgd(float(learning_rate))
    updates, _ = optimizer.update(_j(dW), optimizer.init(W))
    return _np(optax.apply_updates(W, updates))


@contract
def predict(S):
    return _np(jnp.argmax(_j(S), axis=1))


@contract
def accuracy(S, y):
    return _np(jnp.mean(jnp.argmax(_j(S), axis=1) == _labels(y)))  # the library's dtype, so the report shows it
