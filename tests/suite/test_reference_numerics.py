"""The reference's own numerical bar, above what the conformance suite asks of other implementations.

Peers (NumPy's max-shift form, SciPy, PyTorch) round the shift $s_j - \\max_k s_k$ before `exp`,
which costs them a relative error of about $|s|\\,\\varepsilon$, and return exactly 0 for the
log-probability of a dominant class whose true value is about $-10^{-20}$. The reference corrects
the shift by its exact rounding error and takes log1p of the other classes' sum, so every
probability and log-probability it returns is within a few ulps *relative*. Not part of the
contract, so not run against other implementations.

The oracle is Python's `decimal` at 60 digits: a float converts to a Decimal exactly, so the shift
is exact, and Decimal's `exp` and `ln` are correctly rounded.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference as ref
from lcspec.reference.tolerances import atol
from lcspec.tests.strategies import MAX_K, MAX_N

ORACLE = decimal.Context(prec=60)


def exact_log_softmax(row) -> list[Decimal]:
    """log p_j = z_j − log(1 + Σ_{k≠top} e^{z_k}), z_j = s_j − max s, at 60 digits."""
    with decimal.localcontext(ORACLE):
        top = max(range(len(row)), key=lambda j: row[j])
        z = [Decimal(float(s)) - Decimal(float(row[top])) for s in row]
        rest = sum((v.exp() for j, v in enumerate(z) if j != top), Decimal(0))
        # ln(1 + rest) loses rest below 1e-60 at this precision: the series is exact enough there.
        log_sum = (1 + rest).ln() if rest > Decimal("1e-25") else rest - rest * rest / 2
        return [v - log_sum for v in z]


def relative_error_bound(k: int) -> float:
    """The bar, relative: the same ULPS per accumulated term as every tolerance (K terms in the sum)."""
    return atol(1.0, terms=k)


moderate_rows = st.integers(1, MAX_N).flatmap(
    lambda n: st.integers(2, MAX_K).flatmap(
        lambda k: hnp.arrays(np.float64, (n, k), elements=st.floats(-340.0, 340.0).filter(lambda s: s != int(s)))
    )
)
"""Scores of both signs up to 340 with a fractional part: s_j − max s is inexact whenever the two differ
in size by more than a factor of 2 (Sterbenz), by up to half an ulp of 680, which `exp` turns into ~256
ulps relative in a naive form; and e^{-680} is still a normal float64."""


@given(moderate_rows)
def test_every_probability_has_a_small_relative_error(S):
    """Each p_ij of normal float64 size is within ULPS·K·ε of the exact value, relative, however large |s|."""
    P = ref.softmax(S)
    for row, p in zip(S, P):
        for got, want in zip(p, exact_log_softmax(row)):
            exact = float(want.exp(ORACLE))
            if exact >= 1e-300:  # a normal number, away from where exp itself underflows
                assert abs(got - exact) <= relative_error_bound(len(row)) * exact, (row, got, exact)


@given(moderate_rows)
def test_every_log_probability_has_a_small_relative_error(S):
    """Each log p_ij, and so each cross-entropy loss, is within ULPS·K·ε of the exact value, relative."""
    logP = ref.log_softmax(S)
    for i, row in enumerate(S):
        exact = [float(v) for v in exact_log_softmax(row)]
        for j, want in enumerate(exact):
            if want != 0.0:
                assert abs(logP[i, j] - want) <= relative_error_bound(len(row)) * abs(want), (row, j, logP[i, j], want)
        y = np.arange(len(row)) % len(row)
        losses = ref.cross_entropy_losses(np.tile(row, (len(row), 1)), y)
        assert all(abs(loss + want) <= relative_error_bound(len(row)) * abs(want) for loss, want in zip(losses, exact))


@given(gap=st.floats(40.0, 700.0), top=st.floats(-1e3, 1e3))
def test_dominant_log_probability_has_small_relative_error(gap, top):
    """For scores [s, s − g] with g ≥ 40: log p_0 = −log1p(e^{−g}) ≈ −e^{−g}, to the same relative bar."""
    S = np.array([[top, top - gap]])
    exact = float(exact_log_softmax(S[0])[0])
    got = ref.log_softmax(S)[0, 0]
    assert got < 0.0
    assert abs(got - exact) <= relative_error_bound(2) * abs(exact)
    loss = ref.cross_entropy_losses(S, np.array([0]))[0]
    assert abs(loss + exact) <= relative_error_bound(2) * abs(exact)


def test_softmax_of_the_notes_stability_example_matches_closed_form():
    """softmax([123, 456, 789]) = [e^{−666}, e^{−333}, 1] / (1 + e^{−333} + e^{−666}), to the relative bar."""
    p = ref.softmax(np.array([[123.0, 456.0, 789.0]]))[0]
    expected = [math.exp(-666.0), math.exp(-333.0), 1.0]
    assert all(abs(a - b) <= relative_error_bound(3) * b for a, b in zip(p, expected))
