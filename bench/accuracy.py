r"""Accuracy of `log_softmax`, `softmax` and `cross_entropy_losses` against a 50-digit oracle.

The inputs are built to hurt: spreads up to $10^{300}$, near-ties a few ulps apart at every
magnitude, large common offsets, and one dominant class whose log-probability is a tiny negative
number (around $-10^{-20}$). The same inputs go to the reference and to the forms a user would
otherwise pick (a NumPy max-shift, SciPy, PyTorch). Two errors per output entry $v$ with exact
value $t$: scaled, $|v - t| / \max(1, |t|)$, the measure the conformance tolerances use; and
relative, $|v - t| / |t|$ (over $t$ of normal float64 size), which exposes a tiny log-probability
rounded to 0. Both in units of float64 epsilon.
"""

from __future__ import annotations

import mpmath
import numpy as np
import scipy.special

from lcspec import reference

from . import forms
from .results import Figure

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)
FUNCTIONS = ("log_softmax", "softmax", "cross_entropy_losses")


def adversarial_scores(rows: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Score matrices (each with labels) from the hard families, `rows` rows per family and setting."""
    rng = np.random.default_rng(seed)

    def magnitudes(shape, lo=-300, hi=300):
        return rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(lo, hi, shape)

    sets = []
    for e in (-300, -20, 0, 2, 10, 100, 300):  # ordinary scores at every scale
        sets.append(rng.standard_normal((rows, 10)) * 10.0**e)
    sets.append(magnitudes((rows, 10)))  # huge spreads: entries from 1e-300 to 1e300, both signs
    for k in (2, 10):  # near-ties: a few ulps apart, at every magnitude
        sets.append(magnitudes((rows, 1)) * (1.0 + rng.integers(-4, 5, (rows, k)) * EPS))
    sets.append(10.0 ** rng.uniform(0, 15, (rows, 1)) + rng.standard_normal((rows, 10)))  # large offsets
    for k in (2, 10, 100):  # one dominant class: its log-probability is about -K * exp(-gap)
        S = -(rng.uniform(20.0, 60.0, (rows, 1)) + np.abs(rng.standard_normal((rows, k))))
        S[np.arange(rows), rng.integers(0, k, rows)] = rng.uniform(-5, 5, rows)
        sets.append(S)
    sets.append(np.array([[1e300, -1e300, 0.0], [-1e300, -1e300, 1e300], [1e300, 1e300, -1e300]]))
    # Half the labels are the row's top class, where the loss itself is the tiny number.
    return [(S, np.where(rng.random(len(S)) < 0.5, S.argmax(axis=1), rng.integers(0, S.shape[1], len(S)))) for S in sets]


def oracle(S: np.ndarray, y: np.ndarray) -> dict[str, list[list[mpmath.mpf]]]:
    r"""The three functions to 50 significant digits.

    Shifted scores $z_j = s_j - s_{j^*}$ are exact (mpmath's exact subtraction), and
    $\log\sum_j e^{z_j} = \operatorname{log1p}(\sum_{j \ne j^*} e^{z_j})$ keeps its tiny values.
    """
    out = {name: [] for name in FUNCTIONS}
    with mpmath.workdps(50):
        for s, label in zip(S.tolist(), y.tolist()):
            top = int(np.argmax(s))
            z = [mpmath.fsub(v, s[top], exact=True) for v in s]
            log_sum = mpmath.log1p(mpmath.fsum(mpmath.exp(v) for j, v in enumerate(z) if j != top))
            log_p = [v - log_sum for v in z]
            out["log_softmax"].append(log_p)
            out["softmax"].append([mpmath.exp(v) for v in log_p])
            out["cross_entropy_losses"].append([-log_p[label]])
    return out


def _numpy_max_shift():
    def softmax(S):
        E = np.exp(S - S.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)

    return {
        "log_softmax": forms.log_softmax_max_shift,
        "softmax": softmax,
        "cross_entropy_losses": lambda S, y: -forms.log_softmax_max_shift(S)[np.arange(len(y)), y],
    }


def _scipy():
    return {
        "log_softmax": lambda S: scipy.special.log_softmax(S, axis=1),
        "softmax": lambda S: scipy.special.softmax(S, axis=1),
        "cross_entropy_losses": lambda S, y: -scipy.special.log_softmax(S, axis=1)[np.arange(len(y)), y],
    }


def _torch():
    try:
        import torch
    except ImportError:
        return None
    t = torch.from_numpy
    return {
        "log_softmax": lambda S: torch.log_softmax(t(S), dim=1).numpy(),
        "softmax": lambda S: torch.softmax(t(S), dim=1).numpy(),
        "cross_entropy_losses": lambda S, y: torch.nn.functional.cross_entropy(t(S), t(y), reduction="none").numpy(),
    }


def implementations() -> dict[str, dict]:
    """{name: {function: callable}}, the reference first; torch only when it is installed."""
    impls = {
        "reference": {name: getattr(reference, name) for name in FUNCTIONS},
        "numpy_max_shift": _numpy_max_shift(),
        "scipy": _scipy(),
    }
    if (torch_impl := _torch()) is not None:
        impls["torch"] = torch_impl
    return impls


def _errors(values: np.ndarray, exact: list[list[mpmath.mpf]]):
    """(max scaled error, max relative error, count of NaN/inf) of `values` against `exact`, in eps."""
    scaled = relative = 0.0
    nonfinite = 0
    for v_row, t_row in zip(values.tolist(), exact):
        for v, t in zip(v_row, t_row):
            if not np.isfinite(v):
                nonfinite += 1
                continue
            err = abs(mpmath.mpf(v) - t)
            scaled = max(scaled, float(err / max(1, abs(t))) / EPS)
            if abs(t) >= TINY:
                relative = max(relative, float(err / abs(t)) / EPS)
    return scaled, relative, nonfinite


def run(rows: int, progress) -> tuple[list[Figure], list[str]]:
    progress("accuracy: 50-digit oracle")
    cases = adversarial_scores(rows)
    exact = [oracle(S, y) for S, y in cases]
    impls = implementations()
    notes = [] if "torch" in impls else ["PyTorch is not installed: torch.log_softmax was skipped"]
    n_rows = sum(len(S) for S, _ in cases)
    figures = []
    for fn in FUNCTIONS:
        for impl_name, impl in impls.items():
            worst = [0.0, 0.0, 0]
            with np.errstate(all="ignore"):  # the peers' overflow is what is being measured
                for (S, y), want in zip(cases, exact):
                    got = impl[fn](S, y) if fn == "cross_entropy_losses" else impl[fn](S)
                    got = np.asarray(got, dtype=np.float64).reshape(len(S), -1)
                    for i, e in enumerate(_errors(got, want[fn])):
                        worst[i] = max(worst[i], e)
            what = f"mpmath 50-digit oracle, {n_rows} adversarial score rows"
            figures += [
                Figure(f"accuracy.{fn}.{impl_name}.scaled_error", worst[0], "eps", what + ", |v-t|/max(1,|t|)"),
                Figure(f"accuracy.{fn}.{impl_name}.relative_error", worst[1], "eps", what + ", |v-t|/|t|"),
                Figure(f"accuracy.{fn}.{impl_name}.nonfinite", worst[2], "entries", what + ", NaN or inf returned"),
            ]
    return figures, notes
