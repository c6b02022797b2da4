"""Properties of softmax, log-softmax, cross-entropy and its gradient (spec chapter 03)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests import precision
from tests.precision import atol, in_precision
from tests.strategies import MAX_K, MAX_N, labelled_scores

huge = in_precision(st.floats(-1.7e308, 1.7e308, allow_nan=False, allow_infinity=False))
huge_scores = st.integers(1, MAX_N).flatmap(
    lambda n: st.integers(2, MAX_K).flatmap(lambda k: hnp.arrays(np.float64, (n, k), elements=huge))
)
"""Score matrices whose entries reach the float64 limit, where the naive formula overflows."""


def exact_log_softmax(row) -> list[float]:
    """log p_j = s_j − m − log Σ exp(s_k − m), in Python floats as an oracle independent of numpy's vector code."""
    m = max(row)
    shifted = [float(s) - float(m) if math.isfinite(float(s) - float(m)) else -math.inf for s in row]
    lse = math.log(math.fsum(math.exp(z) for z in shifted))
    return [z - lse for z in shifted]


@pytest.mark.clause("SOFTMAX-1")
@given(labelled_scores(min_n=0))
def test_softmax_rows_are_probability_distributions(impl, case):
    """Every p_ij lies in [0, 1] and every row sums to 1."""
    S, _ = case
    P = impl.softmax(S)
    assert P.shape == S.shape
    assert np.all((P >= 0.0) & (P <= 1.0))
    assert np.all(np.abs(P.sum(axis=1) - 1.0) <= atol(1.0, terms=S.shape[1]))


@pytest.mark.clause("SOFTMAX-1")
@given(labelled_scores())
def test_softmax_is_the_normalised_exponential(impl, case):
    """p_ij = e^{s_ij} / Σ_k e^{s_ik}."""
    S, _ = case
    P = impl.softmax(S)
    for row, p in zip(S, P):
        expected = np.exp(exact_log_softmax(row))
        assert np.all(np.abs(p - expected) <= atol(1.0, terms=4 * len(row)))


@pytest.mark.clause("SOFTMAX-2")
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "cross_entropy_losses"])
@given(case=labelled_scores(), c=st.floats(-1e3, 1e3))
def test_adding_a_constant_to_a_row_changes_nothing(impl, name, case, c):
    """softmax(S + c·1ᵀ) = softmax(S), and likewise for log-softmax and the cross-entropy."""
    S, y = case
    f = getattr(impl, name)
    args = (y,) if name == "cross_entropy_losses" else ()
    before, after = f(S, *args), f(S + c, *args)
    # Adding c rounds each score by up to eps·|s + c|; log-probabilities move by the same amount.
    scale = np.abs(S).max() + abs(c) if name != "softmax" else 1.0
    assert np.all(np.abs(before - after) <= atol(scale, terms=4 * S.shape[1]))


@pytest.mark.clause("SOFTMAX-3")
@given(labelled_scores())
def test_softmax_preserves_the_order_of_scores(impl, case):
    """s_ij ≥ s_ik implies p_ij ≥ p_ik, and equal scores get equal probabilities."""
    S, _ = case
    P = impl.softmax(S)
    for row, p in zip(S, P):
        for j in range(len(row)):
            for k in range(len(row)):
                if row[j] >= row[k]:
                    assert p[j] >= p[k]
                if row[j] == row[k]:
                    assert p[j] == p[k]


@pytest.mark.clause("SOFTMAX-4")
@given(huge_scores)
def test_softmax_is_finite_and_correct_near_the_float64_limit(impl, S):
    """For any finite scores, even ~1e308, softmax is finite, in [0, 1], sums to 1 and matches the exact value."""
    P = impl.softmax(S)
    assert np.all(np.isfinite(P))
    assert np.all(np.abs(P.sum(axis=1) - 1.0) <= atol(1.0, terms=S.shape[1]))
    for row, p in zip(S, P):
        assert np.all(np.abs(p - np.exp(exact_log_softmax(row))) <= atol(1.0, terms=4 * len(row)))


@pytest.mark.clause("SOFTMAX-4", "SOFTMAX-6")
@given(huge_scores)
def test_log_softmax_is_finite_where_the_exact_value_is(impl, S):
    """log p_ij is finite (and accurate) whenever the exact value is a finite float64, even for |s| ~ 1e308."""
    # ("float64": the implementation's precision, tests/precision.py; float32's range for a float32 port.)
    logP = impl.log_softmax(S)
    for i, row in enumerate(S):
        for j, value in enumerate(exact_log_softmax(row)):
            if precision.fits(value):
                assert math.isfinite(logP[i, j])
                assert abs(logP[i, j] - value) <= atol(value, terms=4 * len(row))


@pytest.mark.clause("SOFTMAX-4", "SOFTMAX-7")
@given(huge_scores, st.data())
def test_cross_entropy_is_finite_where_the_exact_value_is(impl, S, data):
    """−log p_iy is finite (and accurate) whenever the exact value is a finite float64, even for |s| ~ 1e308."""
    y = np.array([data.draw(st.integers(0, S.shape[1] - 1), label="y") for _ in range(S.shape[0])])
    losses = impl.cross_entropy_losses(S, y)
    for i, row in enumerate(S):
        exact = exact_log_softmax(row)[y[i]]
        if precision.fits(exact):
            # CONV-10 scales by the scores too: logsumexp(s) − s_y is a correct form whose error is eps·|s|.
            assert abs(losses[i] + exact) <= atol(max(abs(exact), np.abs(row).max()), terms=4 * len(row))


@pytest.mark.clause("SOFTMAX-4")
def test_a_spread_beyond_the_float64_range_gives_probability_zero(impl):
    """A spread of 3.4e308: softmax is exactly [1, 0]; the log-probability 0 and −inf (the exact −3.4e308 overflows)."""
    big = precision.representable(0.946 * precision.largest())  # 1.7e308 in float64, 3.2e38 for a float32 port
    S = np.array([[big, -big]])
    np.testing.assert_array_equal(impl.softmax(S), [[1.0, 0.0]])
    np.testing.assert_array_equal(impl.log_softmax(S), [[0.0, -np.inf]])


@pytest.mark.clause("SOFTMAX-5")
@given(labelled_scores(), st.floats(0.0, 1.0))
def test_shrinking_scores_tend_to_uniform(impl, case, c):
    """For scores cS with row spread r, |p_ij − 1/K| ≤ (e^{c·r} − 1)/K: as c → 0 the softmax is uniform."""
    S, _ = case
    K = S.shape[1]
    P = impl.softmax(c * S)
    spread = (c * S).max(axis=1) - (c * S).min(axis=1)
    bound = np.expm1(np.minimum(spread, 700.0)) / K
    assert np.all(np.abs(P - 1.0 / K) <= bound[:, None] + atol(1.0, terms=4 * K))


@pytest.mark.clause("SOFTMAX-6")
@given(labelled_scores())
def test_log_softmax_agrees_with_the_log_of_softmax(impl, case):
    """log_softmax(S) = log(softmax(S)) wherever that is finite (well above underflow), and is ≤ 0."""
    S, _ = case
    logP = impl.log_softmax(S)
    P = impl.softmax(S)
    assert np.all(logP <= 0.0)
    normal = P >= np.finfo(precision.judged_dtype()).tiny  # log of a subnormal probability has lost relative precision
    with np.errstate(divide="ignore"):
        assert np.all(np.abs(logP - np.log(P))[normal] <= atol(np.abs(logP[normal]), terms=4 * S.shape[1]))


@pytest.mark.clause("SOFTMAX-6")
def test_log_softmax_stays_finite_where_softmax_underflows(impl):
    """At a score gap of 1000 the softmax underflows to 0, but the log-probability is −1000 (to the CONV-10 tolerance)."""
    S = np.array([[0.0, -1000.0], [5.0, -1e5]])
    logP = impl.log_softmax(S)
    assert impl.softmax(S)[0, 1] == 0.0
    for got, exact in zip(logP[:, 1], [-1000.0, -1e5 - 5.0]):
        assert abs(got - exact) <= atol(exact, terms=2 * S.shape[1])


@pytest.mark.clause("SOFTMAX-7")
@given(labelled_scores(min_n=0))
def test_cross_entropy_is_minus_log_of_the_correct_class_probability(impl, case):
    """L_i = −log p_iy_i = −s_iy_i + log Σ_j e^{s_ij}, and L_i ≥ 0."""
    S, y = case
    losses = impl.cross_entropy_losses(S, y)
    assert losses.shape == (S.shape[0],)
    assert np.all(losses >= 0.0)
    for row, label, loss in zip(S, y, losses):
        exact = -exact_log_softmax(row)[label]
        # CONV-10 scales by the scores too: logsumexp(s) − s_y, a correct form, errs by eps·|s| (JAX at s = 512).
        assert abs(loss - exact) <= atol(max(exact, np.abs(row).max()), terms=4 * len(row))


@pytest.mark.clause("SOFTMAX-8")
@given(labelled_scores(bound=20.0), st.floats(0.01, 10.0))
def test_raising_the_correct_score_lowers_the_loss(impl, case, step):
    """Increasing s_iy_i with the other scores fixed strictly decreases L_i."""
    S, y = case
    rows = np.arange(len(y))
    raised = S.copy()
    raised[rows, y] += step
    assert np.all(impl.cross_entropy_losses(raised, y) < impl.cross_entropy_losses(S, y))


@pytest.mark.clause("SOFTMAX-9")
@given(st.integers(1, MAX_N), st.integers(2, 50), st.floats(-1e3, 1e3), st.data())
def test_equal_scores_cost_log_k(impl, n, k, value, data):
    """If all K scores of an example are equal, L_i = log K."""
    y = np.array([data.draw(st.integers(0, k - 1), label="y") for _ in range(n)])
    losses = impl.cross_entropy_losses(np.full((n, k), value), y)
    # CONV-10: the scores' size counts, since logsumexp(s) − s_y, a correct form, errs by eps·|s|.
    assert np.all(np.abs(losses - math.log(k)) <= atol(max(math.log(k), abs(value)), terms=4 * k))


@pytest.mark.clause("SOFTMAX-10")
@given(labelled_scores())
def test_cross_entropy_grad_is_probabilities_minus_one_hot_over_n(impl, case):
    """∂(mean L)/∂S = (softmax(S) − onehot(y)) / N."""
    S, y = case
    N, K = S.shape
    expected = np.array([np.exp(exact_log_softmax(row)) for row in S])
    expected[np.arange(N), y] -= 1.0
    expected /= N
    got = impl.cross_entropy_grad(S, y)
    assert got.shape == (N, K)
    assert np.all(np.abs(got - expected) <= atol(1.0, terms=4 * K) / N)
