"""Properties of softmax, log-softmax, cross-entropy and its gradient (spec chapter 03)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference as ref
from lcspec.harness.assertions import assert_close, unchanged
from lcspec.harness import precision
from lcspec.harness.precision import atol, in_precision
from .oracles import accurate_softmax_and_log, exact_log_softmax
from .strategies import MAX_K, MAX_N, far_apart_problems, far_apart_scores, labelled_scores

huge = in_precision(st.floats(-1.7e308, 1.7e308, allow_nan=False, allow_infinity=False))
huge_scores = st.integers(1, MAX_N).flatmap(
    lambda n: st.integers(2, MAX_K).flatmap(lambda k: hnp.arrays(np.float64, (n, k), elements=huge))
)
"""Score matrices whose entries reach the float64 limit, where the naive formula overflows."""


def row_sizes(S) -> np.ndarray:
    """The magnitude m of CONV-10 for each row's results: its largest score (the tolerance floors it at 1)."""
    return np.abs(S).max(axis=1, initial=0.0)


@dataclasses.dataclass(frozen=True)
class Member:
    """One of softmax, log-softmax and the cross-entropy, as the laws that judge all three see it: each is a
    function of the exact log-probabilities log p = s − logsumexp(s), row by row."""

    name: str
    labelled: bool
    """Whether it takes the labels y (and gives one value per row, −log p_iy_i)."""
    probabilities: bool
    """Whether its values are probabilities: in [0, 1], so their error scales with 1 (and, where normal, with p
    itself), not with the scores as a log-probability's does."""

    def of(self, impl, S, y) -> np.ndarray:
        """Its value on (S, y) as `impl` computes it."""
        return getattr(impl, self.name)(S, *((y,) if self.labelled else ()))

    def from_log(self, logP, y) -> np.ndarray:
        """Its value from the log-probabilities (N, K): exp(log p), log p itself, or −log p_iy_i."""
        logP = np.asarray(logP, dtype=np.float64)
        if self.probabilities:
            return np.exp(logP)
        return -logP[np.arange(len(y)), y] if self.labelled else logP

    def exact(self, S, y) -> np.ndarray:
        """Its exact value on (S, y), from the oracle's log-probabilities."""
        return self.from_log([exact_log_softmax(row) for row in S], y)

    def rows(self, values) -> np.ndarray:
        """Its values as rows: the (N, K) matrix itself, or the (N,) losses as a column, so that one tolerance
        per row applies to every member alike."""
        values = np.asarray(values)
        return values[:, None] if self.labelled and values.ndim == 1 else values


SOFTMAX_FAMILY = {m.name: m for m in (Member("softmax", labelled=False, probabilities=True),
                                      Member("log_softmax", labelled=False, probabilities=False),
                                      Member("cross_entropy_losses", labelled=True, probabilities=False))}
"""The members by name: a law run once per member takes its name as its parameter (the name says which function it
judges) and its record from here."""


def each(sizes, terms: int) -> np.ndarray:
    """CONV-10's tolerance for each entry of `sizes` on its own (`atol` takes the largest of an array)."""
    return np.vectorize(lambda m: atol(m, terms=terms), otypes=[float])(np.asarray(sizes, dtype=np.float64))


@pytest.mark.clause("SOFTMAX-1")
@given(labelled_scores())
def test_softmax_rows_are_probability_distributions(impl, case):
    """Every p_ij lies in [0, 1] and every row sums to 1."""
    S, _ = case
    P = impl.softmax(S)
    assert P.shape == S.shape
    assert np.all((P >= 0.0) & (P <= 1.0))
    # CONV-10: m is the size of the scores, since exp(s − logsumexp(s)), a correct form, errs by eps·|s|.
    assert_close(P.sum(axis=1), 1.0, each(row_sizes(S), S.shape[1]))


@pytest.mark.clause("SOFTMAX-1")
@given(labelled_scores())
def test_softmax_is_the_normalised_exponential(impl, case):
    """p_ij = e^{s_ij} / Σ_k e^{s_ik}."""
    S, _ = case
    P = impl.softmax(S)
    for row, p in zip(S, P):
        expected = np.exp(exact_log_softmax(row))
        assert_close(p, expected, atol(np.abs(row).max(), terms=4 * len(row)))


@pytest.mark.clause("SOFTMAX-2")
@pytest.mark.parametrize("name", list(SOFTMAX_FAMILY))
@given(case=labelled_scores(), c=st.floats(-1e3, 1e3))
def test_adding_a_constant_to_a_row_changes_nothing(impl, name, case, c):
    """softmax(S + c·1ᵀ) = softmax(S), and likewise for log-softmax and the cross-entropy."""
    S, y = case
    member = SOFTMAX_FAMILY[name]
    before, after = member.of(impl, S, y), member.of(impl, S + c, y)
    # Adding c rounds each score by up to eps·|s + c|; log-probabilities move by the same amount.
    scale = 1.0 if member.probabilities else np.abs(S).max() + abs(c)
    assert unchanged(before, after, atol(scale, terms=4 * S.shape[1])), f"{name}(S) = {before}, {name}(S + c) = {after}"


@pytest.mark.clause("SOFTMAX-3")
@given(labelled_scores())
def test_softmax_preserves_the_order_of_scores(impl, case):
    """s_ij ≥ s_ik implies p_ij ≥ p_ik, and equal scores get equal probabilities (within CONV-10: the clause does
    not say *exactly*, and a correct softmax that sums in another order puts equal scores an ulp apart)."""
    S, _ = case
    P = impl.softmax(S)
    slack = atol(1.0, terms=2 * S.shape[1])  # probabilities are at most 1: exp, a sum of K, a division
    for row, p in zip(S, P):
        for j in range(len(row)):
            for k in range(len(row)):
                if row[j] >= row[k]:
                    assert p[j] >= p[k] - slack
                if row[j] == row[k]:
                    assert_close(p[j], p[k], slack)


@pytest.mark.clause("SOFTMAX-4", "SOFTMAX-12")
@given(huge_scores)
def test_softmax_is_finite_and_correct_near_the_float64_limit(impl, S):
    """For any finite scores, even ~1e308, softmax is finite, in [0, 1], sums to 1 and matches the exact value."""
    P = impl.softmax(S)
    assert np.all(np.isfinite(P))
    assert_close(P.sum(axis=1), 1.0, atol(1.0, terms=S.shape[1]))
    for row, p in zip(S, P):
        assert_close(p, np.exp(exact_log_softmax(row)), atol(1.0, terms=4 * len(row)))


@pytest.mark.clause("SOFTMAX-4")
@given(huge_scores)
def test_log_softmax_is_finite_where_the_exact_value_is(impl, S):
    """log p_ij is finite (and accurate) whenever the exact value is a finite float64, even for |s| ~ 1e308."""
    # ("float64": the implementation's precision, lcspec/harness/precision.py; float32's range for a float32 port.)
    logP = impl.log_softmax(S)
    for i, row in enumerate(S):
        for j, value in enumerate(exact_log_softmax(row)):
            if precision.fits(value):
                assert math.isfinite(logP[i, j])
                # CONV-10: m is the size of the scores (accuracy relative to the result is SOFTMAX-12's).
                assert_close(logP[i, j], value, atol(max(abs(value), np.abs(row).max()), terms=4 * len(row)))


@pytest.mark.clause("SOFTMAX-4")
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
@pytest.mark.parametrize("judged", list(SOFTMAX_FAMILY))
def test_a_spread_beyond_the_float64_range_gives_probability_zero(impl, judged):
    """A spread of 3.4e308: softmax is exactly [1, 0]; the log-probability 0 and −inf (the exact −3.4e308 overflows);
    the winning class's loss exactly 0 (a one-hot product 0·(−inf) makes it NaN)."""
    big = precision.representable(0.946 * precision.largest())  # 1.7e308 in float64, 3.2e38 for a float32 port
    S, y = np.array([[big, -big]]), np.array([0])
    member = SOFTMAX_FAMILY[judged]
    expected = member.from_log([[0.0, -np.inf]], y)  # [[1, 0]], [[0, −inf]], [0]
    np.testing.assert_array_equal(member.of(impl, S, y), expected)


@pytest.mark.clause("SOFTMAX-5")
@given(labelled_scores(), st.floats(0.0, 1.0))
def test_shrinking_scores_tend_to_uniform(impl, case, c):
    """For scores cS with row spread r, |p_ij − 1/K| ≤ (e^{c·r} − 1)/K: as c → 0 the softmax is uniform."""
    S, _ = case
    K = S.shape[1]
    P = impl.softmax(c * S)
    spread = (c * S).max(axis=1) - (c * S).min(axis=1)
    bound = np.expm1(np.minimum(spread, 700.0)) / K
    assert_close(P, 1.0 / K, bound[:, None] + each(row_sizes(c * S), 4 * K)[:, None])


@pytest.mark.clause("SOFTMAX-6")
@given(labelled_scores())
def test_log_softmax_agrees_with_the_log_of_softmax(impl, case):
    """log_softmax(S) = log(softmax(S)) wherever that is finite (well above underflow), and is ≤ 0 (the reference's
    softmax: the law judges log_softmax, and softmax has laws of its own)."""
    S, _ = case
    logP = impl.log_softmax(S)
    P = ref.softmax(S)
    assert np.all(logP <= 0.0)
    normal = P >= np.finfo(precision.judged_dtype()).tiny  # log of a subnormal probability has lost relative precision
    # CONV-10: m is the larger of the result and the scores (s − logsumexp(s), a correct form, errs by eps·|s|).
    scale = np.maximum(np.abs(logP), row_sizes(S)[:, None])
    with np.errstate(divide="ignore"):
        assert np.all(np.abs(logP - np.log(P))[normal] <= each(scale[normal], 4 * S.shape[1]))


@pytest.mark.clause("SOFTMAX-6")
def test_log_softmax_stays_finite_where_softmax_underflows(impl):
    """At a score gap of 1000 the softmax underflows to 0, but the log-probability is −1000 (to the CONV-10 tolerance)."""
    S = np.array([[0.0, -1000.0], [5.0, -1e5]])
    logP = impl.log_softmax(S)
    assert ref.softmax(S)[0, 1] == 0.0  # the premise (the reference's): softmax's own underflow is SOFTMAX-4's
    for got, exact in zip(logP[:, 1], [-1000.0, -1e5 - 5.0]):
        assert_close(got, exact, atol(exact, terms=2 * S.shape[1]))


@pytest.mark.clause("SOFTMAX-7")
@given(labelled_scores())
def test_cross_entropy_is_minus_log_of_the_correct_class_probability(impl, case):
    """L_i = −log p_iy_i = −s_iy_i + log Σ_j e^{s_ij}, and L_i ≥ 0."""
    S, y = case
    losses = impl.cross_entropy_losses(S, y)
    assert losses.shape == (S.shape[0],)
    assert np.all(losses >= 0.0)
    for row, label, loss in zip(S, y, losses):
        exact = -exact_log_softmax(row)[label]
        # CONV-10 scales by the scores too: logsumexp(s) − s_y, a correct form, errs by eps·|s| (JAX at s = 512).
        assert_close(loss, exact, atol(max(exact, np.abs(row).max()), terms=4 * len(row)))


@pytest.mark.clause("SOFTMAX-8")
@given(labelled_scores(bound=20.0), st.floats(0.01, 10.0))
def test_raising_the_correct_score_lowers_the_loss(impl, case, step):
    """Increasing s_iy_i with the other scores fixed strictly decreases L_i, where L_i exceeds CONV-10's tolerance."""
    S, y = case
    rows = np.arange(len(y))
    raised = S.copy()
    raised[rows, y] += step
    before, after = impl.cross_entropy_losses(S, y), impl.cross_entropy_losses(raised, y)
    # CONV-10 allows an error of the order of eps·max|s| (logsumexp(s) − s_y, a correct form, errs so): a loss
    # within it of 0 may be computed as 0 already (the notes' −log softmax gives −0.0 for 8.5e-17), and stay there.
    tol = np.array([atol(np.max(np.abs(row)), terms=len(row) + 2) for row in raised])
    assert np.all(np.where(before > tol, after < before, after <= tol)), (before, after, tol)


@pytest.mark.clause("SOFTMAX-9")
@given(st.integers(1, MAX_N), st.integers(2, 50), st.floats(-1e3, 1e3), st.data())
def test_equal_scores_cost_log_k(impl, n, k, value, data):
    """If all K scores of an example are equal, L_i = log K."""
    y = np.array([data.draw(st.integers(0, k - 1), label="y") for _ in range(n)])
    losses = impl.cross_entropy_losses(np.full((n, k), value), y)
    # CONV-10: the scores' size counts, since logsumexp(s) − s_y, a correct form, errs by eps·|s|.
    assert_close(losses, math.log(k), atol(max(math.log(k), abs(value)), terms=4 * k))


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
    assert_close(got, expected, each(row_sizes(S), 4 * K)[:, None] / N)


@pytest.mark.clause("SOFTMAX-11")
@pytest.mark.parametrize("name", list(SOFTMAX_FAMILY))
@given(case=far_apart_scores())
def test_scores_in_the_thousands_and_rows_far_apart_give_finite_correct_values(impl, name, case):
    """For |s| ≤ 1e4 with rows far apart, softmax, log p and −log p_y are finite and exact to CONV-10 (a max-shift per row)."""
    S, y = case
    member = SOFTMAX_FAMILY[name]
    got, want = member.of(impl, S, y), member.exact(S, y)
    assert np.all(np.isfinite(got)), f"{name} is not finite: {got}"
    # CONV-10's m: the scores' size; for a log-probability or a loss, the result's own where it is larger.
    sizes = row_sizes(S) if member.probabilities else np.maximum(row_sizes(S), np.abs(member.rows(want)).max(axis=1))
    assert_close(member.rows(got), member.rows(want), each(sizes, 4 * S.shape[1])[:, None])


@pytest.mark.clause("SOFTMAX-11")
@given(problem=far_apart_problems())
def test_softmax_loss_is_finite_and_correct_for_scores_in_the_thousands(impl, problem):
    """With X Wᵀ reaching 1e4 and rows far apart, and λ = 0, the loss is (1/N) Σ −log p_iy_i and dW is finite.

    (dW's value is the guard's to compare with the reference's, and GRAD-1's to judge: a wrong gradient is
    wrong at every magnitude, and is not this clause's failure.)
    """
    W, X, y = problem
    loss, dW = impl.softmax_loss(W, X, y, 0.0)  # λ = 0: the penalty is REG-4's to judge, not this clause's
    S = X @ W.T
    expected = math.fsum(SOFTMAX_FAMILY["cross_entropy_losses"].exact(S, y)) / S.shape[0]
    size = float((np.abs(X) @ np.abs(W).T).max())  # the scores' magnitude, also their rounding's
    tops = S.max(axis=1)
    assert math.isfinite(loss), (
        f"the loss is {loss} where the exact loss is {expected:.6g}: the rows' largest scores range from "
        f"{tops.min():.4g} to {tops.max():.4g} (each row spreads over at most 600, so every probability is a normal "
        "float64). Exponentials of raw scores overflow beyond 709, and a shift by the batch's largest score sends "
        "the rows far below it to exp() = 0: shift each row by its own largest score")
    assert_close(loss, expected, atol(max(size, expected), terms=4 * (X.shape[1] + S.shape[1])))
    assert np.all(np.isfinite(dW)), f"dW is not finite: {dW}"


@st.composite
def offset_scores(draw):
    """(S, y) whose rows lie far from 0 (an offset of ±1e2 to ±1e4) with spreads of a few units or a few hundred:
    log-probabilities of order 1 from scores of order 1e3, and shifts s − max that round, where accuracy relative
    to the result (SOFTMAX-12) and to the scores (CONV-10) part ways."""
    S, y = draw(labelled_scores(bound=draw(st.sampled_from([3.0, 300.0]), label="spread")))
    offset = draw(st.floats(1e2, 1e4).flatmap(lambda v: st.sampled_from([v, -v])), label="offset")
    return precision.representable(S + offset), y


@pytest.mark.clause("SOFTMAX-4")
@given(problem=far_apart_problems(spreads=(1e3, 5e3)))
def test_softmax_loss_is_finite_where_a_labels_probability_underflows(impl, problem):
    """With rows spreading over thousands, a label's probability may be below 1e-308 (0 as a float64), yet the loss
    (1/N) Σ −log p_iy_i is finite: it must come out finite and exact to CONV-10 (λ = 0)."""
    W, X, y = problem
    loss, dW = impl.softmax_loss(W, X, y, 0.0)
    S = X @ W.T
    expected = math.fsum(SOFTMAX_FAMILY["cross_entropy_losses"].exact(S, y)) / S.shape[0]
    assert math.isfinite(loss), f"the loss is {loss} where the exact loss is {expected:.6g}"
    size = float((np.abs(X) @ np.abs(W).T).max())
    assert_close(loss, expected, atol(max(size, expected), terms=4 * (X.shape[1] + S.shape[1])))
    assert np.all(np.isfinite(dW)), f"dW is not finite: {dW}"


@pytest.mark.clause("SOFTMAX-12")
@pytest.mark.parametrize("name", list(SOFTMAX_FAMILY))
@example(case=(np.array([[512.0, 512.0]]), np.array([0])))  # s − logsumexp(s) errs by 5.5e-14 on log p = −0.69
@example(case=(np.array([[300.3, -399.99]]), np.array([1])))  # s − max rounds: e^z is 256 ulps off without TwoSum
@given(case=st.one_of(labelled_scores(), offset_scores()))
def test_probabilities_are_accurate_to_their_own_size(impl, name, case):
    """p_ij to 16·t·ε relative (where normal), log p_ij to 16·t·ε·max(1, |log p_ij|): the result's size, not the scores'."""
    S, y = case
    member = SOFTMAX_FAMILY[name]
    got = member.rows(member.of(impl, S, y))
    exact = [accurate_softmax_and_log(row) for row in S]
    K = S.shape[1]
    if member.probabilities:  # p accurate in itself: exp of an accurate log p would lose it where p is tiny
        want = np.array([p for p, _ in exact])
        normal = want >= np.finfo(precision.judged_dtype()).tiny
        allowed = np.where(normal, atol(1.0, terms=4 * K) * want, np.inf)
    else:
        want = member.rows(member.from_log([logp for _, logp in exact], y))
        allowed = each(np.abs(want), 4 * K)
    error = np.abs(got - want)
    worst = np.unravel_index(np.argmax(error - allowed), error.shape)
    size = max(abs(float(want[worst])), np.finfo(np.float64).smallest_subnormal if member.probabilities else 1.0)
    assert np.all(error <= allowed), (
        f"{name} at {tuple(map(int, worst))} is {float(got[worst])!r}, the exact value {float(want[worst])!r}: off by "
        f"{error[worst] / size / precision.eps():.0f} ε relative, where {allowed[worst] / size / precision.eps():.0f} ε are "
        f"allowed (row {S[worst[0]]})")
