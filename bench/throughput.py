"""Speed of `svm_loss` and `softmax_loss` (loss and dW, float64) at CIFAR-10 shape.

The floor is the two matrix products no implementation can avoid, the scores X W^T and the chain
rule G^T X, timed alone in the same run; every other time is reported as a ratio to it, so the
figures carry over between machines better than seconds do.
"""

from __future__ import annotations

import numpy as np

import reference
from reference.tolerances import atol

from . import forms
from .results import Figure
from .timing import best_times

D, K = 3073, 10  # CIFAR-10: 32*32*3 pixels plus the bias-trick column, 10 classes
REG = 2.5e-4
LOSSES = ("svm", "softmax")


def cifar_like(n: int, seed: int = 0):
    """Mean-centred pixel-like data X (n, D) with labels, and small random weights W (K, D)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, D))
    X *= 255.0
    X -= 127.5
    X[:, -1] = 1.0  # the bias trick's constant feature
    return X, rng.integers(0, K, n), rng.standard_normal((K, D)) * 1e-4


def _implementations(X, y, with_torch: bool):
    """{loss: {form: zero-argument call}} for every form that is available."""
    torch_forms = forms.torch_losses() if with_torch else None
    if torch_forms is not None:
        import torch

        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    calls = {}
    for loss, ref, plain in (
        ("svm", reference.svm_loss, forms.svm_loss_numpy),
        ("softmax", reference.softmax_loss, forms.softmax_loss_numpy),
    ):
        calls[loss] = {
            "reference": lambda W, ref=ref: ref(W, X, y, REG),
            "numpy_plain": lambda W, plain=plain: plain(W, X, y, REG),
        }
        if torch_forms is not None:
            calls[loss]["torch"] = lambda W, f=torch_forms[loss]: f(W, Xt, yt, REG)
    return calls


def check_agreement(n: int = 300) -> None:
    """Every comparator returns the reference's loss and dW (else its timing would mean nothing)."""
    X, y, W = cifar_like(n, seed=1)
    calls = _implementations(X, y, with_torch=True)
    calls["svm"]["loops"] = lambda W: forms.svm_loss_loops(W, X, y, REG)
    calls["softmax"]["loops"] = lambda W: forms.softmax_loss_loops(W, X, y, REG)
    for loss, by_form in calls.items():
        want_loss, want_dW = by_form["reference"](W)
        for form, call in by_form.items():
            got_loss, got_dW = call(W)
            tol = atol(np.abs(X).max(), terms=n + D)
            if abs(got_loss - want_loss) > tol or np.abs(got_dW - want_dW).max() > tol:
                raise AssertionError(f"{form} {loss} loss disagrees with the reference")


def run(n: int, n_loops: int, repeats: int, progress) -> tuple[list[Figure], list[str]]:
    """Time the floor and every form at N = n, and the loop form against the reference at N = n_loops."""
    notes = []
    check_agreement()
    X, y, W = cifar_like(n)
    G = np.random.default_rng(2).standard_normal((n, K))
    calls = _implementations(X, y, with_torch=True)
    if "torch" not in calls["svm"]:
        notes.append("PyTorch is not installed: the torch comparison was skipped (pip install torch)")
    candidates = {"floor": lambda: (X @ W.T, G.T @ X)}
    for loss, by_form in calls.items():
        for form, call in by_form.items():
            candidates[f"{loss}.{form}"] = lambda call=call: call(W)
    progress(f"throughput at N={n}")
    t = best_times(candidates, repeats)
    floor = t["floor"]
    shape = f"N={n}, D={D}, K={K}, float64"
    figures = [Figure("throughput.floor.seconds", floor, "s", f"X@W.T plus G.T@X alone, {shape}")]
    for loss in LOSSES:
        fn = f"{loss}_loss"
        figures.append(Figure(f"throughput.{fn}.reference.seconds", t[f"{loss}.reference"], "s", shape))
        for form in calls[loss]:
            figures.append(
                Figure(f"throughput.{fn}.{form}.ratio_to_floor", t[f"{loss}.{form}"] / floor, "x",
                       f"floor (the two matrix products, same run), {shape}")
            )
        if "torch" in calls[loss]:
            figures.append(
                Figure(f"throughput.{fn}.torch.ratio_to_reference", t[f"{loss}.torch"] / t[f"{loss}.reference"], "x",
                       f"reference {fn}, same run, {shape}")
            )

    progress(f"loop forms at N={n_loops}")
    Xs, ys, Ws = cifar_like(n_loops, seed=3)
    small = {
        "svm.loops": lambda: forms.svm_loss_loops(Ws, Xs, ys, REG),
        "svm.reference": lambda: reference.svm_loss(Ws, Xs, ys, REG),
        "softmax.loops": lambda: forms.softmax_loss_loops(Ws, Xs, ys, REG),
        "softmax.reference": lambda: reference.softmax_loss(Ws, Xs, ys, REG),
    }
    ts = best_times(small, repeats)
    for loss in LOSSES:
        figures.append(
            Figure(f"throughput.{loss}_loss.loops.ratio_to_reference", ts[f"{loss}.loops"] / ts[f"{loss}.reference"], "x",
                   f"reference {loss}_loss, same run, N={n_loops}, D={D}, K={K}")
        )
    return figures, notes
