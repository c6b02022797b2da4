"""Properties of the multiclass SVM losses and the hinge gradient (spec chapter 02)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lcspec import reference as ref
from lcspec.harness.assertions import assert_at_least, assert_at_most, assert_close, unchanged
from lcspec.harness.precision import atol, eps, judged_dtype, largest
from .oracles import exact_hinge_grad, literal_hinge
from .strategies import Alone, deltas, hinge_cases, labelled_scores, matrices, problems

VARIANTS = ["hinge_losses", "squared_hinge_losses", "crammer_singer_losses"]


def magnitude(S, delta):
    """The size of the numbers a margin is computed from, per example."""
    return 2 * np.abs(S).max(axis=1) + delta


@pytest.mark.clause("HINGE-1")
@given(labelled_scores(), deltas)
def test_hinge_losses_sum_the_violated_margins_of_the_wrong_classes(impl, case, delta):
    """L_i = Σ_{j≠y_i} max(0, s_ij − s_iy_i + Δ): one value per example, summed, correct class excluded."""
    S, y = case
    losses = impl.hinge_losses(S, y, delta)
    assert losses.shape == (S.shape[0],)
    K = S.shape[1]
    assert_close(losses, literal_hinge(S, y, delta), [atol(m, terms=2 * K) for m in magnitude(S, delta)])


@pytest.mark.clause("HINGE-1")
@given(problems(), deltas)
def test_svm_loss_is_the_mean_weston_watkins_loss_of_its_scores(impl, problem, delta):
    """With λ = 0, svm_loss's loss is (1/N) Σ_i Σ_{j≠y_i} max(0, s_ij − s_iy_i + Δ) for S = X Wᵀ: the hinge loss it is
    made of, the correct class excluded (a loss that counts the correct class's own margin adds Δ per example)."""
    W, X, y = problem
    loss = impl.svm_loss(W, X, y, 0.0, delta)[0]
    S = X @ W.T
    sizes = magnitude(np.abs(X) @ np.abs(W).T, delta)  # per example: the scores' products, then the margins
    assert_close(loss,
                 literal_hinge(S, y, delta).mean(),
                 atol(sizes.max() * W.shape[0], terms=(X.shape[1] + 3) * len(y)))


def with_a_zero_margin(S, y, delta):
    """Scores where, per example, one wrong class sits exactly Δ below the correct one and the other lower."""
    rows = np.arange(len(y))
    S = S.copy()
    delta = float(np.floor(delta))  # integer scores and Δ keep s_y − Δ exact
    S[rows, y] = np.round(S[rows, y])
    S[rows, (y + 1) % 3] = S[rows, y] - delta  # margin exactly 0
    S[rows, (y + 2) % 3] = S[rows, y] - delta - 1.0  # margin met with room
    return S, delta


@pytest.mark.clause("HINGE-2")
@given(labelled_scores(k=3), deltas)
def test_a_margin_of_exactly_zero_adds_no_loss(impl, case, delta):
    """A wrong class sitting exactly Δ below the correct one is a met margin: it adds exactly 0 to the loss."""
    S, y = case
    S, delta = with_a_zero_margin(S, y, delta)
    assert np.all(impl.hinge_losses(S, y, delta) == 0.0)


@pytest.mark.clause("HINGE-2")
@given(labelled_scores(k=3), deltas)
def test_a_margin_of_exactly_zero_adds_no_gradient(impl, case, delta):
    """A wrong class sitting exactly Δ below the correct one is a met margin: its gradient is exactly 0."""
    S, y = case
    S, delta = with_a_zero_margin(S, y, delta)
    np.testing.assert_array_equal(impl.hinge_grad(S, y, delta), np.zeros_like(S))


@pytest.mark.clause("HINGE-3")
@given(labelled_scores(), deltas)
def test_hinge_losses_are_nonnegative(impl, case, delta):
    """L_i ≥ 0 for every example."""
    S, y = case
    assert np.all(impl.hinge_losses(S, y, delta) >= 0.0)


@pytest.mark.clause("HINGE-3")
@given(labelled_scores(), deltas)
def test_hinge_loss_is_exactly_zero_once_every_margin_is_met(impl, case, delta):
    """If s_y ≥ s_j + Δ for every wrong class j, the loss is exactly 0.0."""
    S, y = case
    met = [all(Fraction(row[lab]) >= Fraction(row[j]) + Fraction(delta) for j in range(len(row)) if j != lab)
           for row, lab in zip(S, y)]
    losses = impl.hinge_losses(S, y, delta)
    assert all(loss == 0.0 for loss, ok in zip(losses, met) if ok)


@pytest.mark.clause("HINGE-3")
@given(labelled_scores(), deltas)
def test_a_clearly_violated_margin_costs_something(impl, case, delta):
    """If some margin s_j − s_y + Δ exceeds the rounding of s_j − s_y, the loss is positive."""
    S, y = case
    losses = impl.hinge_losses(S, y, delta)
    for row, lab, loss in zip(S, y, losses):
        worst = max(Fraction(row[j]) - Fraction(row[lab]) + Fraction(delta) for j in range(len(row)) if j != lab)
        if worst > 4 * eps() * (abs(row[lab]) + np.abs(row).max()):
            assert loss > 0.0


@pytest.mark.clause("HINGE-4")
@pytest.mark.parametrize("variant", VARIANTS)
@given(case=labelled_scores(), delta=deltas, c=st.floats(-1e3, 1e3))
def test_adding_a_constant_to_a_row_leaves_the_loss_unchanged(impl, variant, case, delta, c):
    """L(S + c·1ᵀ) = L(S): only score differences matter."""
    S, y = case
    loss = getattr(impl, variant)
    before, after = loss(S, y, delta), loss(S + c, y, delta)
    scale = magnitude(S, delta) + 2 * abs(c)
    if variant == "squared_hinge_losses":
        scale = scale * 2 * np.maximum(np.sqrt(before), 1)  # d(m²) = 2m·dm
    K = S.shape[1]
    assert_close(before, after, [atol(m, terms=4 * K) for m in scale])


@pytest.mark.clause("HINGE-5")
@pytest.mark.parametrize("variant", ["hinge_losses", "crammer_singer_losses"])
@given(case=labelled_scores(), delta=deltas, c=st.floats(0.0, 100.0))
# Two classes, every label 1, Δ = 0: code that encodes the labels from y alone reads class 0 (scikit-learn's).
@example(case=(np.array([[0.0, 0.0]]), np.array([1])), delta=0.0, c=2.0)
def test_scaling_scores_and_margin_together_scales_the_loss(impl, variant, case, delta, c):
    """L(cS; cΔ) = c·L(S; Δ) for c ≥ 0."""
    S, y = case
    loss = getattr(impl, variant)
    K = S.shape[1]
    lhs, rhs = loss(c * S, y, c * delta), c * loss(S, y, delta)
    assert_close(lhs, rhs, [atol(c * m, terms=4 * K) for m in magnitude(S, delta)])


@pytest.mark.clause("HINGE-6")
@given(labelled_scores(), deltas)
def test_a_misclassified_example_costs_at_least_the_margin(impl, case, delta):
    """If some wrong class scores ≥ the correct class, then L_i ≥ Δ."""
    S, y = case
    losses = impl.hinge_losses(S, y, delta)
    for i, (row, lab, loss, m) in enumerate(zip(S, y, losses, magnitude(S, delta))):
        if any(row[j] >= row[lab] for j in range(len(row)) if j != lab):
            assert_at_least(loss, delta - atol(m, terms=2), f"L_{i} of a misclassified example, against Δ = {delta:g}")


@pytest.mark.clause("HINGE-7")
@pytest.mark.parametrize("variant", ["hinge_losses", "crammer_singer_losses"])
@given(case=labelled_scores(k=2), delta=deltas)
def test_two_classes_reduce_to_the_binary_hinge(impl, variant, case, delta):
    """For K = 2: L_i = max(0, Δ − (s_y − s_other))."""
    S, y = case
    rows = np.arange(len(y))
    binary = np.maximum(0.0, delta - (S[rows, y] - S[rows, 1 - y]))
    got = getattr(impl, variant)(S, y, delta)
    assert_close(got, binary, [atol(m, terms=2) for m in magnitude(S, delta)])


@pytest.mark.clause("HINGE-8")
@pytest.mark.parametrize("variant", VARIANTS[::2] + ["cross_entropy_losses"])
@given(case=labelled_scores(), delta=deltas, data=st.data())
def test_permuting_classes_and_relabelling_leaves_every_loss_unchanged(impl, variant, case, delta, data):
    """With π a permutation of the classes, L(S[:, π], π⁻¹(y)) = L(S, y)."""
    S, y = case
    perm = np.array(data.draw(st.permutations(range(S.shape[1])), label="permutation"))
    inverse = np.argsort(perm)
    args = () if variant == "cross_entropy_losses" else (delta,)
    loss = getattr(impl, variant)
    before, after = loss(S, y, *args), loss(S[:, perm], inverse[y], *args)
    K = S.shape[1]
    assert unchanged(before, after, [atol(m, terms=4 * K) for m in magnitude(S, delta)]), (before, after)


@pytest.mark.clause("HINGE-9")
@pytest.mark.parametrize("variant", VARIANTS + ["cross_entropy_losses"])
@given(case=labelled_scores(bound=50.0), delta=deltas, t=st.floats(0.0, 1.0), data=st.data())
def test_losses_are_convex_in_the_scores(impl, variant, case, delta, t, data):
    """L(tS₁ + (1−t)S₂) ≤ t·L(S₁) + (1−t)·L(S₂)."""
    S1, y = case
    S2 = data.draw(matrices(*S1.shape, bound=50.0), label="S2")
    args = () if variant == "cross_entropy_losses" else (delta,)
    loss = getattr(impl, variant)
    mix = loss(t * S1 + (1 - t) * S2, y, *args)
    chord = t * loss(S1, y, *args) + (1 - t) * loss(S2, y, *args)
    scale = (magnitude(S1, delta) + magnitude(S2, delta)) ** (2 if variant.startswith("squared") else 1)
    K = S1.shape[1]
    assert_at_most(mix, chord + [atol(m, terms=8 * K) for m in scale], f"{variant} at t = {t:.3g} of the way, against the chord")


@pytest.mark.clause("HINGE-10")
@given(labelled_scores(), deltas)
def test_squared_hinge_squares_each_violated_margin(impl, case, delta):
    """L_i = Σ_{j≠y_i} max(0, s_ij − s_iy_i + Δ)²."""
    S, y = case
    expected = [sum(max(0.0, row[j] - row[lab] + delta) ** 2 for j in range(len(row)) if j != lab)
                for row, lab in zip(S, y)]
    got = impl.squared_hinge_losses(S, y, delta)
    K = S.shape[1]
    assert_close(got, expected, [atol(m * m, terms=4 * K) for m in magnitude(S, delta)])


@pytest.mark.clause("HINGE-10")
@given(labelled_scores(), deltas)
def test_squared_hinge_has_the_same_zero_set(impl, case, delta):
    """The squared hinge is 0 where the hinge is 0, and positive where some margin exceeds 1e-150 and its rounding."""
    S, y = case
    hinge, squared = ref.hinge_losses(S, y, delta), impl.squared_hinge_losses(S, y, delta)
    assert np.all(squared[hinge == 0.0] == 0.0)
    rows = np.arange(len(y))
    margins = (S - S[rows, y][:, None]) + delta
    margins[rows, y] = 0.0
    # Clearly positive: beyond any rounding of s_j − s_y + Δ, and with a square that does not underflow
    # (1e-150 in float64; a float32 port's margins round at float32's epsilon).
    rounding = 4 * eps() * (np.abs(S) + np.abs(S[rows, y])[:, None] + delta)
    clear = margins > np.maximum(rounding, 1e4 * np.sqrt(np.finfo(judged_dtype()).tiny))
    assert np.all(squared[clear.any(axis=1)] > 0.0)


@pytest.mark.clause("HINGE-11")
@given(labelled_scores(), deltas)
# Two classes, every label 1: code that encodes the labels from y alone (scikit-learn's hinge_loss) reads class 0.
@example((np.array([[0.0, 1.0]]), np.array([1])), 1.0)
def test_crammer_singer_charges_only_the_strongest_rival(impl, case, delta):
    """L_i = max(0, max_{j≠y_i} s_ij − s_iy_i + Δ)."""
    S, y = case
    expected = [max(0.0, max(row[j] for j in range(len(row)) if j != lab) - row[lab] + delta) for row, lab in zip(S, y)]
    got = impl.crammer_singer_losses(S, y, delta)
    assert_close(got, expected, [atol(m, terms=2) for m in magnitude(S, delta)])


@pytest.mark.clause("HINGE-11")
@pytest.mark.parametrize("judged", ["crammer_singer_losses", "hinge_losses"])
@given(labelled_scores(), deltas)
def test_weston_watkins_is_sandwiched_by_crammer_singer(impl, judged, case, delta):
    """L^CS ≤ L^WW ≤ (K − 1)·L^CS (each loss judged with the reference's other)."""
    S, y = case
    fns = Alone(impl, judged)
    cs, ww = fns.crammer_singer_losses(S, y, delta), fns.hinge_losses(S, y, delta)
    K = S.shape[1]
    slack = np.array([atol(m, terms=2 * K) for m in magnitude(S, delta)])
    assert_at_most(cs, ww + slack, "L^CS, against L^WW")
    assert_at_most(ww, (K - 1) * cs + (K - 1) * slack, "L^WW, against (K − 1)·L^CS")


@pytest.mark.clause("HINGE-12")
@given(hinge_cases())
def test_hinge_grad_counts_violated_margins(impl, case):
    """∂L/∂s_ij = 1(m_ij > 0)/N for j ≠ y_i, and −(number of violated margins)/N at j = y_i, margins of 1e-12 included."""
    S, y, delta = case
    expected, decided = exact_hinge_grad(S, y, delta)
    got = impl.hinge_grad(S, y, delta)
    assert got.shape == S.shape
    assert np.all(np.abs(got - expected)[decided] <= atol(1.0, terms=S.shape[1]) / S.shape[0])


@pytest.mark.clause("HINGE-13")
@given(labelled_scores(bound=1.7e308), deltas)
def test_hinge_grad_is_exact_even_where_a_margin_overflows(impl, case, delta):
    """Near the float64 limit a margin s_j − s_y + Δ may exceed 1.8e308, but its sign, and so the gradient, is exact."""
    S, y = case
    expected, decided = exact_hinge_grad(S, y, delta)
    got = impl.hinge_grad(S, y, delta)
    assert np.all(np.isfinite(got))
    assert np.all(np.abs(got - expected)[decided] <= atol(1.0, terms=S.shape[1]) / S.shape[0])


@pytest.mark.clause("HINGE-13")
@pytest.mark.parametrize("variant", VARIANTS)
@given(labelled_scores(bound=1.7e308), deltas)
def test_hinge_losses_are_finite_and_correct_where_the_exact_value_is(impl, variant, case, delta):
    """For scores up to ±1.7e308, every loss whose exact value fits in float64 is finite and correct."""
    S, y = case
    K = S.shape[1]
    violations = [[max(Fraction(0), Fraction(row[j]) - Fraction(row[lab]) + Fraction(delta)) for j in range(K) if j != lab]
                  for row, lab in zip(S, y)]
    exact = {
        "hinge_losses": [sum(v) for v in violations],
        "squared_hinge_losses": [sum(m * m for m in v) for v in violations],
        "crammer_singer_losses": [max(v) for v in violations],
    }[variant]
    got = getattr(impl, variant)(S, y, delta)
    limit = Fraction(largest()) * (1 - Fraction(4 * K) * Fraction(eps()))  # no rounding reaches inf
    for row, v, value, want in zip(S, violations, got, exact):
        if want <= limit:
            # CONV-10: the scale is the size of the scores a margin is formed from (a margin's rounding is
            # eps·|s|, whatever its own size), times the largest violation for the squared loss (2·m·error).
            # Kept exact, since it may pass 1.8e308; atol is linear in a scale above 1.
            scale = max(abs(Fraction(float(s))) for s in row) + Fraction(delta)
            if variant == "squared_hinge_losses":
                scale *= max(max(v), Fraction(1))
            assert math.isfinite(value), f"{variant} is {value} where the exact loss is {float(want):.17g}"
            assert value >= 0.0, f"{variant} is {value}: a max(0, ·), or a sum of them, is never negative"
            assert abs(Fraction(float(value)) - want) <= Fraction(atol(1.0, terms=4 * K)) * max(scale, Fraction(1))
