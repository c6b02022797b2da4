"""Submissions wrong in exactly one function: every other function they provide is correct.

Each class is a submission (`--impl=tests.suite.one_bug:<name>`): the correct loop-by-loop
transcription of tests/suite/literal.py for the functions that share a law with the broken one
(`shares`), and the broken function written as people write it. The laws that combine functions
(a loss with the update step, a loss with its score gradient, two hinge variants) must fail the
broken function alone and every correct one must conform (tests/suite/test_blame.py): issue 17's
grades came out wrong where they did not.
"""

from __future__ import annotations

import numpy as np

from lcspec.harness.adapting import checked_like_reference, loss_inputs
from tests.suite import literal

ONE_BUG: dict[str, type] = {}


def submission(broken: str, *shares: str):
    """A class providing `shares` from literal.py and `broken` as the decorated class's own (checked as the reference
    checks its arguments, so the run judges the mistake and not input validation)."""

    def make(cls):
        for name in shares:
            setattr(cls, name, staticmethod(getattr(literal, name)))
        setattr(cls, broken, staticmethod(checked_like_reference(broken)(vars(cls)[broken].__func__)))
        cls.broken, cls.correct = broken, frozenset(shares)
        ONE_BUG[cls.__name__] = cls
        return cls

    return make


def _margins(S, y, delta):
    """(rows, y, every margin s_ij − s_iy_i + Δ), the correct class's own included: the caller leaves it out."""
    S, y = np.asarray(S, dtype=np.float64), np.asarray(y)
    rows = np.arange(len(y))
    return rows, y, S - S[rows, y][:, None] + delta


@submission("sgd_step", "svm_loss", "softmax_loss")
class step_ascends:
    """sgd_step adds the gradient (W += α·dW): the step climbs; the losses it is combined with are correct."""

    @staticmethod
    def sgd_step(W, dW, learning_rate):
        return np.asarray(W, dtype=np.float64) + learning_rate * np.asarray(dW, dtype=np.float64)


@submission("svm_loss", "hinge_grad", "cross_entropy_grad", "softmax_loss", "sgd_step", "l2_penalty")
class svm_loss_halves_the_penalty_gradient:
    """svm_loss adds reg·W to dW where d(reg·ΣW²)/dW is 2·reg·W; its score gradient and the softmax side are correct."""

    @staticmethod
    def svm_loss(W, X, y, reg, delta=1.0):
        W, X, y, reg = loss_inputs(W, X, y, reg)
        loss, dW = literal.svm_loss(W, X, y, 0.0, delta)
        return loss + reg * np.sum(W * W), dW + reg * W


@submission("crammer_singer_losses", "hinge_losses", "squared_hinge_losses")
class crammer_singer_sums_the_rivals:
    """crammer_singer_losses sums every violated margin (the Weston-Watkins loss) instead of taking the largest."""

    @staticmethod
    def crammer_singer_losses(S, y, delta=1.0):
        rows, y, margins = _margins(S, y, delta)
        violated = np.maximum(0.0, margins)
        violated[rows, y] = 0.0
        return violated.sum(axis=1)


@submission("softmax_loss", "sgd_step", "cross_entropy_grad", "svm_loss")
class softmax_loss_sums_the_batch:
    """softmax_loss sums the data loss and its gradient over the batch instead of averaging them."""

    @staticmethod
    def softmax_loss(W, X, y, reg):
        W, X, y, reg = loss_inputs(W, X, y, reg)
        loss, dW = literal.softmax_loss(W, X, y, reg)
        penalty = reg * np.sum(W * W)
        return (loss - penalty) * len(y) + penalty, (dW - 2 * reg * W) * len(y) + 2 * reg * W


@submission("hinge_grad", "svm_loss", "hinge_losses")
class hinge_grad_counts_met_margins:
    """hinge_grad counts a margin of exactly 0 as violated (`>= 0`), where the kink convention takes 0."""

    @staticmethod
    def hinge_grad(S, y, delta=1.0):
        rows, y, margins = _margins(S, y, delta)
        violated = (margins >= 0).astype(np.float64)
        violated[rows, y] = 0.0
        violated[rows, y] = -violated.sum(axis=1)
        return violated / len(y)


@submission("accuracy", "hinge_losses", "predict")
class accuracy_counts_misses:
    """accuracy returns the fraction predicted wrong."""

    @staticmethod
    def accuracy(S, y):
        return float(np.mean(np.argmax(np.asarray(S), axis=1) != np.asarray(y)))
