r"""The comparators for `reference.svm_loss` and `reference.softmax_loss`: the same loss and dW
written three other ways a user might write them.

* loop form: one example (and one class) at a time, the way the formulas read;
* plain NumPy: vectorised, with no input validation, the shortest fast form;
* PyTorch: the forward pass only, with the gradient from autograd.

All follow the reference's conventions (mean data loss, $\lambda\sum W^2$, the correct class
excluded from the hinge sum); `throughput.check_agreement` confirms they give the same numbers.
The plain form's `log_softmax_max_shift` is also the NumPy column of the accuracy benchmark.
"""

from __future__ import annotations

import numpy as np


def svm_loss_loops(W, X, y, reg, delta=1.0):
    """Weston-Watkins loss and dW with explicit loops over examples and classes."""
    K, N = W.shape[0], X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        s = W @ X[i]
        for j in range(K):
            if j == y[i]:
                continue
            margin = s[j] - s[y[i]] + delta
            if margin > 0:
                loss += margin
                dW[j] += X[i]
                dW[y[i]] -= X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def softmax_loss_loops(W, X, y, reg):
    """Cross-entropy loss and dW with explicit loops, max-shifted per example."""
    K, N = W.shape[0], X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        s = W @ X[i]
        s = s - s.max()
        p = np.exp(s) / np.sum(np.exp(s))
        loss -= np.log(p[y[i]])
        for j in range(K):
            dW[j] += (p[j] - (j == y[i])) * X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def svm_loss_numpy(W, X, y, reg, delta=1.0):
    """Weston-Watkins loss and dW, vectorised, unvalidated."""
    N, rows = X.shape[0], np.arange(X.shape[0])
    S = X @ W.T
    margins = np.maximum(S - S[rows, y][:, None] + delta, 0.0)
    margins[rows, y] = 0.0
    G = (margins > 0).astype(np.float64)
    G[rows, y] = -G.sum(axis=1)
    return margins.sum() / N + reg * np.sum(W * W), (G / N).T @ X + 2 * reg * W


def log_softmax_max_shift(S):
    """Row-wise log-softmax with the max-shift alone, the form most code writes (and SciPy's)."""
    Z = S - S.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def softmax_loss_numpy(W, X, y, reg):
    """Cross-entropy loss and dW, vectorised with the max-shift, unvalidated."""
    N, rows = X.shape[0], np.arange(X.shape[0])
    log_p = log_softmax_max_shift(X @ W.T)
    G = np.exp(log_p)
    G[rows, y] -= 1.0
    return -log_p[rows, y].mean() + reg * np.sum(W * W), (G / N).T @ X + 2 * reg * W


def torch_losses():
    """The PyTorch autograd forms as {"svm": f, "softmax": f}, or None when torch is not installed.

    Each f(W, Xt, yt, reg) takes the data already as tensors (torch.from_numpy shares memory, so
    that costs nothing) and returns (loss, dW) as a float and a NumPy array.
    """
    try:
        import torch
    except ImportError:
        return None

    def run(forward, W, reg):
        Wt = torch.from_numpy(W).requires_grad_()
        loss = forward(Wt) + reg * (Wt * Wt).sum()
        loss.backward()
        return loss.item(), Wt.grad.numpy()

    def svm(W, Xt, yt, reg, delta=1.0):
        def forward(Wt):
            S = Xt @ Wt.T
            margins = (S - S.gather(1, yt[:, None]) + delta).clamp_min(0.0)
            return margins.scatter(1, yt[:, None], 0.0).sum(dim=1).mean()

        return run(forward, W, reg)

    def softmax(W, Xt, yt, reg):
        return run(lambda Wt: torch.nn.functional.cross_entropy(Xt @ Wt.T, yt), W, reg)

    return {"svm": svm, "softmax": softmax}
