"""scikit-learn mapped onto the contract.

| contract                 | scikit-learn                                                                |
|--------------------------|-----------------------------------------------------------------------------|
| crammer_singer_losses    | metrics.hinge_loss(y, S, labels=range(K), sample_weight=e_i) for each i: its multiclass hinge is the Crammer-Singer form max(0, 1 + max_{j≠y} s_j − s_y), averaged over examples (so a one-hot weight picks example i), at Δ = 1; other Δ > 0 by homogeneity. For K = 2 it takes the decision value s_1 − s_0 |
| softmax                  | utils.extmath.softmax(S, copy=True)                                         |
| cross_entropy_losses     | metrics.log_loss(y, P, labels=range(K)) one example at a time, with P = extmath.softmax(S): log_loss takes probabilities, not scores, and averages |
| accuracy                 | metrics.accuracy_score(y, argmax(S))                                        |

The other contract functions have no scikit-learn counterpart and are not provided.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics
from sklearn.utils import extmath

from . import contract, per_example_margin

LEVEL = "strict"
"""The conformance level this adapter meets, apart from its declared deviations (docs/run_conformance.py runs
it at this level)."""


def _unit_margin_crammer_singer(S, y):
    """Per-example losses from the averaging hinge_loss: the whole batch, weighted by one example at a time."""
    labels = np.arange(S.shape[1])
    decision = S[:, 1] - S[:, 0] if S.shape[1] == 2 else S  # binary: one decision value, positive for class 1
    weights = np.eye(len(y))
    return np.array([metrics.hinge_loss(y, decision, labels=labels, sample_weight=w) for w in weights])


crammer_singer_losses = contract(per_example_margin(_unit_margin_crammer_singer), "crammer_singer_losses")


@contract
def softmax(S):
    return extmath.softmax(np.asarray(S, dtype=np.float64), copy=True)


@contract
def cross_entropy_losses(S, y):
    P, y = softmax(S), np.asarray(y)
    labels = np.arange(P.shape[1])
    return np.array([metrics.log_loss([y[i]], P[i:i + 1], labels=labels) for i in range(len(y))], dtype=np.float64)


@contract
def accuracy(S, y):
    return float(metrics.accuracy_score(np.asarray(y), np.argmax(np.asarray(S, dtype=np.float64), axis=1)))
