"""Hypothesis strategies for the contract's inputs, shared by every property test.

Sizes stay small (N <= 6, K <= 6, D <= 5): the laws are about structure, not size, and small
draws keep the default run fast and the shrunk counterexamples readable. Every float drawn here is a
number of the implementation's precision (tests/precision.py): for a float32 port, a float32 value
in float32's range; for everything else, any float64.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.precision import in_precision

MAX_N, MAX_K, MAX_D = 6, 6, 5


def reals(bound: float = 1e3) -> st.SearchStrategy[float]:
    """Finite float64 values in [-bound, bound], with small integers mixed in so exact ties occur."""
    return st.one_of(
        in_precision(st.floats(-bound, bound, allow_nan=False, allow_infinity=False)),
        st.integers(-3, 3).map(float),
    )


def matrices(rows, cols, bound: float = 1e3) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, (rows, cols), elements=reals(bound))


@st.composite
def labelled_scores(draw, bound: float = 1e3, min_n: int = 1, k=None):
    """(S, y): an (N, K) score matrix and labels in [0, K)."""
    n = draw(st.integers(min_n, MAX_N), label="N")
    k = k if k is not None else draw(st.integers(2, MAX_K), label="K")
    S = draw(matrices(n, k, bound), label="S")
    y = draw(hnp.arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return S, y


@st.composite
def problems(draw, bound: float = 10.0):
    """(W, X, y): weights (K, D), data (N, D) and labels, all of moderate size."""
    n = draw(st.integers(1, MAX_N), label="N")
    k = draw(st.integers(2, MAX_K), label="K")
    d = draw(st.integers(1, MAX_D), label="D")
    W = draw(matrices(k, d, bound), label="W")
    X = draw(matrices(n, d, bound), label="X")
    y = draw(hnp.arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return W, X, y


deltas = st.one_of(st.just(1.0), in_precision(st.floats(0.0, 20.0)), st.integers(0, 5).map(float))
regs = st.one_of(st.just(0.0), in_precision(st.floats(0.0, 1.0)))


@st.composite
def smooth_problems(draw, bound: float = 1.0, min_n: int = 1):
    """(W, X, y) with continuous entries in [-bound, bound]: no built-in ties, for finite-difference checks."""
    n = draw(st.integers(min_n, MAX_N), label="N")
    k = draw(st.integers(2, MAX_K), label="K")
    d = draw(st.integers(1, MAX_D), label="D")
    entries = in_precision(st.floats(-bound, bound, allow_nan=False, allow_subnormal=False))
    W = draw(hnp.arrays(np.float64, (k, d), elements=entries), label="W")
    X = draw(hnp.arrays(np.float64, (n, d), elements=entries), label="X")
    y = draw(hnp.arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return W, X, y


def full_loss(impl, name: str, W, X, y, reg, delta=1.0):
    """Call impl.svm_loss or impl.softmax_loss with the arguments each takes."""
    if name == "svm_loss":
        return impl.svm_loss(W, X, y, reg, delta)
    return impl.softmax_loss(W, X, y, reg)


FULL_LOSSES = ["svm_loss", "softmax_loss"]
