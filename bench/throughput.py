"""Speed of `svm_loss` and `softmax_loss` (loss and dW, float64) at CIFAR-10 shape.

The floor is the two matrix products no implementation can avoid, the scores X W^T and the chain
rule G^T X, timed alone in the same run; every other time is reported as a ratio to it, so the
figures carry over between machines better than seconds do.
"""

from __future__ import annotations

import numpy as np

from lcspec import reference
from lcspec.reference.tolerances import atol

from . import forms
from .results import Figure
from .timing import best_times

D, K = 3073, 10  # CIFAR-10: 32*32*3 pixels plus the bias-trick column, 10 classes
REG = 2.5e-4
LOSSES = ("svm", "softmax")
NUMPY_FORMS = {  # form: (svm, softmax), each f(W, X, y, reg) -> (loss, dW); PyTorch is added when installed
    "reference": (reference.svm_loss, reference.softmax_loss),
    "numpy_plain": (forms.svm_loss_numpy, forms.softmax_loss_numpy),
    "loops": (forms.svm_loss_loops, forms.softmax_loss_loops),
}


def cifar_like(n: int, seed: int = 0):
    """Mean-centred pixel-like data X (n, D) with labels, and small random weights W (K, D)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, D))
    X *= 255.0
    X -= 127.5
    X[:, -1] = 1.0  # the bias trick's constant feature
    return X, rng.integers(0, K, n), rng.standard_normal((K, D)) * 1e-4


def _implementations(X, y, wanted: tuple[str, ...]):
    """{loss: {form: call(W)}} on data (X, y) for each wanted form; "torch" only when it is installed."""
    calls = {loss: {} for loss in LOSSES}
    for form in wanted:
        if form != "torch":
            for loss, f in zip(LOSSES, NUMPY_FORMS[form]):
                calls[loss][form] = lambda W, f=f: f(W, X, y, REG)
        elif (torch_forms := forms.torch_losses()) is not None:
            import torch

            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            for loss in LOSSES:
                calls[loss]["torch"] = lambda W, f=torch_forms[loss]: f(W, Xt, yt, REG)
    return calls


def _candidates(calls, W) -> dict:
    """The calls flattened for `best_times`: {"loss.form": zero-argument call on W}."""
    return {f"{loss}.{form}": lambda call=call: call(W) for loss, by_form in calls.items() for form, call in by_form.items()}


def check_agreement(n: int = 300) -> None:
    """Every comparator returns the reference's loss and dW (else its timing would mean nothing)."""
    X, y, W = cifar_like(n, seed=1)
    calls = _implementations(X, y, ("reference", "numpy_plain", "torch", "loops"))
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
    calls = _implementations(X, y, ("reference", "numpy_plain", "torch"))
    if "torch" not in calls["svm"]:
        notes.append("PyTorch is not installed: the torch comparison was skipped (pip install torch)")
    candidates = {"floor": lambda: (X @ W.T, G.T @ X), **_candidates(calls, W)}
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
    ts = best_times(_candidates(_implementations(Xs, ys, ("reference", "loops")), Ws), repeats)
    for loss in LOSSES:
        figures.append(
            Figure(f"throughput.{loss}_loss.loops.ratio_to_reference", ts[f"{loss}.loops"] / ts[f"{loss}.reference"], "x",
                   f"reference {loss}_loss, same run, N={n_loops}, D={D}, K={K}")
        )
    return figures, notes
