"""Keras 3 on its NumPy backend mapped onto the contract (KERAS_BACKEND=numpy, set here before keras is imported).

| contract                 | Keras 3 (NumPy backend)                                                     |
|--------------------------|-----------------------------------------------------------------------------|
| scores(X, W, b)          | keras.layers.Dense(K, use_bias=b is not None, dtype="float64") with kernel W.T (Dense's kernel is (D, K)) and bias b, called on X |
| crammer_singer_losses    | keras.losses.categorical_hinge(one_hot(y), S): max(0, 1 + neg − s_y) with neg = max_j (1 − [j = y])·s_j, the Crammer-Singer form at Δ = 1 except that the correct class's own term (1 − 1)·s_y = 0 is in that max; other Δ > 0 by homogeneity, Δ·L(S/Δ) (its formula is homogeneous too); Δ = 0 by shifting s_y by 1 − Δ |
| softmax / log_softmax    | keras.ops.softmax(S, axis=1) / keras.ops.log_softmax(S, axis=1)            |
| cross_entropy_losses     | keras.losses.sparse_categorical_crossentropy(y, S, from_logits=True): −Σ_j one_hot(y)_j · log_softmax(S)_j per example |
| l2_penalty(W)            | keras.regularizers.L2(1.0)(W): l2 · sum(square(W))                          |
| sgd_step(W, dW, α)       | keras.optimizers.SGD(learning_rate=α).apply([dW], [keras.Variable(W, dtype="float64")]) (momentum 0: W ← W − α·dW) |
| predict                  | keras.ops.argmax(S, axis=1)                                                 |
| accuracy                 | keras.metrics.SparseCategoricalAccuracy(dtype="float64"): update_state(y, S), then result() |

Keras has no Weston-Watkins hinge (keras.losses.hinge and squared_hinge are the binary, ±1-label
hinges, elementwise), and the NumPy backend has no automatic differentiation, so hinge_losses,
squared_hinge_losses and everything that returns a gradient (hinge_grad, cross_entropy_grad,
svm_loss, softmax_loss) are not provided; nor are append_ones, fold_bias, numerical_gradient and
relative_error, which Keras has no counterpart of.

Keras is asked for float64 wherever it takes a dtype (floatx is set to float64, so SGD's learning-rate
variable is float64 too). Even so, Keras' type promotion (keras.backend.result_type) turns float64 into
float32 on every backend but TensorFlow, "to be aligned with JAX's default behavior"
(BIT64_TO_BIT32_DTYPE in keras/src/backend/common/dtypes.py): every keras.ops function that converts or
promotes its operands (matmul, add, multiply, sum, argmax, …) computes in float32. keras.ops.softmax,
log_softmax and sparse_categorical_crossentropy call NumPy directly on the array they are given and
stay float64. Results are returned in the dtype Keras produced, so the report shows which is which.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "numpy"  # read once, when keras is first imported

import keras  # noqa: E402 - after choosing the backend
import numpy as np  # noqa: E402

from . import contract, per_example_margin  # noqa: E402

if keras.backend.backend() != "numpy":  # keras was imported earlier in this process, with another backend
    raise ImportError(f"keras_adapter needs Keras' NumPy backend, but keras was already loaded with {keras.backend.backend()!r}")
keras.config.set_floatx("float64")

LEVEL = "strict"
"""The conformance level this adapter meets, apart from its declared deviations (docs/run_conformance.py runs
it at this level)."""


def _f(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _labels(y) -> np.ndarray:
    return np.asarray(y, dtype=np.int64)


def _np(a) -> np.ndarray:
    return np.array(keras.ops.convert_to_numpy(a))  # the library's dtype, so the report shows it


@contract
def scores(X, W, b=None):
    X, W = _f(X), _f(W)
    layer = keras.layers.Dense(W.shape[0], use_bias=b is not None, dtype="float64")
    layer.build((None, W.shape[1]))
    layer.set_weights([W.T] if b is None else [W.T, _f(b)])
    return _np(layer(X))


def _categorical_hinge(S, y):
    return _np(keras.losses.categorical_hinge(keras.ops.one_hot(y, S.shape[1], dtype="float64"), S))


# categorical_hinge at margin Δ: Δ·L(S/Δ), or where S/Δ overflows (a tiny Δ) or Δ = 0 the correct class's score
# shifted by 1 − Δ, not the others by Δ − 1 (categorical_hinge is not a loss of the differences s_j − s_y alone:
# the 0 among its rivals), which keeps its own formula, max(0, Δ + max(0, max_{j≠y} s_j) − s_y).
crammer_singer_losses = contract(per_example_margin(_categorical_hinge, shift="correct"), "crammer_singer_losses")


@contract
def softmax(S):
    return _np(keras.ops.softmax(_f(S), axis=1))


@contract
def log_softmax(S):
    return _np(keras.ops.log_softmax(_f(S), axis=1))


@contract
def cross_entropy_losses(S, y):
    return _np(keras.losses.sparse_categorical_crossentropy(_labels(y), _f(S), from_logits=True))


@contract
def l2_penalty(W):
    return _np(keras.regularizers.L2(1.0)(_f(W)))


@contract
def sgd_step(W, dW, learning_rate):
    W = keras.Variable(_f(W), dtype="float64")
    keras.optimizers.SGD(learning_rate=float(learning_rate)).apply([_f(dW)], [W])
    return _np(W)


@contract
def predict(S):
    return _np(keras.ops.argmax(_f(S), axis=1))


@contract
def accuracy(S, y):
    metric = keras.metrics.SparseCategoricalAccuracy(dtype="float64")
    metric.update_state(_labels(y), _f(S))
    return _np(metric.result())
