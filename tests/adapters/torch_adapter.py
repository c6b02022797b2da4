"""PyTorch (CPU) mapped onto the contract.

| contract                 | PyTorch                                                                  |
|--------------------------|--------------------------------------------------------------------------|
| scores(X, W, b)          | F.linear(X, W, b)  (same W layout: (K, D))                               |
| hinge_losses(S, y, Δ)    | K · F.multi_margin_loss(S, y, p=1, margin=Δ, reduction="none") — PyTorch divides by K |
| squared_hinge_losses     | K · F.multi_margin_loss(S, y, p=2, margin=Δ, reduction="none")           |
| softmax / log_softmax    | F.softmax(S, dim=1) / F.log_softmax(S, dim=1)                            |
| cross_entropy_losses     | F.cross_entropy(S, y, reduction="none")                                  |
| hinge_grad, cross_entropy_grad | autograd of the mean loss with respect to S                        |
| svm_loss, softmax_loss   | the mean loss + Σ(√reg·W)², gradient by autograd                         |
| l2_penalty(W)            | (W * W).sum()                                                            |
| sgd_step(W, dW, α)       | torch.optim.SGD([W], lr=α).step() with W.grad = dW                       |
| predict / accuracy       | torch.argmax(S, dim=1) / mean of (argmax == y)                           |

torch.optim.SGD's weight_decay=wd adds wd·W to the gradient, the gradient of (wd/2)·ΣW²: the
spec's λ·ΣW² is weight_decay = 2λ. Everything is computed in float64 tensors.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import contract

LEVEL = "strict"
"""The conformance level this adapter meets, apart from its declared deviations (docs/run_conformance.py runs
it at this level)."""


def _t(a) -> torch.Tensor:
    # A C-ordered copy: torch rejects negative strides (np.ascontiguousarray would also make a 0-d W 1-d)
    return torch.tensor(np.array(a, dtype=np.float64, order="C"))


def _labels(y) -> torch.Tensor:
    return torch.as_tensor(np.asarray(y, dtype=np.int64))


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().copy()


def _hinge(S, y, delta, p=1):
    return F.multi_margin_loss(S, y, p=p, margin=float(delta), reduction="none") * S.shape[1]


@contract
def scores(X, W, b=None):
    return _np(F.linear(_t(X), _t(W), None if b is None else _t(b)))


@contract
def hinge_losses(S, y, delta=1.0):
    return _np(_hinge(_t(S), _labels(y), delta))


@contract
def squared_hinge_losses(S, y, delta=1.0):
    return _np(_hinge(_t(S), _labels(y), delta, p=2))


@contract
def softmax(S):
    return _np(F.softmax(_t(S), dim=1))


@contract
def log_softmax(S):
    return _np(F.log_softmax(_t(S), dim=1))


@contract
def cross_entropy_losses(S, y):
    return _np(F.cross_entropy(_t(S), _labels(y), reduction="none"))


def _grad_wrt_scores(S, mean_loss):
    S = _t(S).requires_grad_()
    mean_loss(S).backward()
    return _np(S.grad)


@contract
def hinge_grad(S, y, delta=1.0):
    return _grad_wrt_scores(S, lambda S: _hinge(S, _labels(y), delta).mean())


@contract
def cross_entropy_grad(S, y):
    return _grad_wrt_scores(S, lambda S: F.cross_entropy(S, _labels(y)))


@contract
def l2_penalty(W):
    W = _t(W)
    return float((W * W).sum())


def _full(W, X, y, reg, data_loss):
    W = _t(W).requires_grad_()
    loss = data_loss(_t(X) @ W.T, _labels(y)) + ((reg ** 0.5) * W).square().sum()  # no overflow of ΣW² (REG-6)
    loss.backward()
    return float(loss.detach()), _np(W.grad)


@contract
def svm_loss(W, X, y, reg, delta=1.0):
    return _full(W, X, y, reg, lambda S, y: _hinge(S, y, delta).mean())


@contract
def softmax_loss(W, X, y, reg):
    return _full(W, X, y, reg, F.cross_entropy)


@contract
def sgd_step(W, dW, learning_rate):
    param = torch.nn.Parameter(_t(W))
    param.grad = _t(dW)
    torch.optim.SGD([param], lr=float(learning_rate)).step()
    return _np(param)


@contract
def predict(S):
    return torch.argmax(_t(S), dim=1).numpy()


@contract
def accuracy(S, y):
    return float((torch.argmax(_t(S), dim=1) == _labels(y)).double().mean())
