"""lcspec's reference implementation of a linear classifier's score, losses, gradients and updates.

Every name in `CONTRACT` is part of the public contract that other implementations are tested
against; the optimisation strategies are reference-only.
"""

from .gradcheck import numerical_gradient, relative_error
from .hinge import crammer_singer_losses, hinge_grad, hinge_losses, squared_hinge_losses
from .losses import softmax_loss, svm_loss
from .optim import (
    OptimizationResult,
    gradient_descent,
    minibatch_sgd,
    random_local_search,
    random_search,
    sgd_step,
)
from .regularization import l2_penalty, l2_penalty_grad, l2_regularization_loss
from .score_function import accuracy, append_ones, fold_bias, predict, scores
from .cross_entropy import cross_entropy_grad, cross_entropy_losses, log_softmax, softmax

CONTRACT = (
    "scores",
    "append_ones",
    "fold_bias",
    "hinge_losses",
    "squared_hinge_losses",
    "crammer_singer_losses",
    "softmax",
    "log_softmax",
    "cross_entropy_losses",
    "l2_penalty",
    "hinge_grad",
    "cross_entropy_grad",
    "svm_loss",
    "softmax_loss",
    "numerical_gradient",
    "relative_error",
    "sgd_step",
    "predict",
    "accuracy",
)
"""The functions an implementation under test may provide, by name, with `reference`'s signatures."""

STRATEGIES = ("random_search", "random_local_search", "gradient_descent", "minibatch_sgd")

__all__ = [*CONTRACT, *STRATEGIES, "CONTRACT", "STRATEGIES", "OptimizationResult", "l2_penalty_grad", "l2_regularization_loss"]
