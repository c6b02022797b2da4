"""Properties of the L2 penalty and the full loss (spec chapter 04)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lcspec import reference as ref
from lcspec.harness.assertions import assert_close
from lcspec.harness import precision
from lcspec.harness.precision import atol
from .strategies import FULL_LOSSES, MAX_D, MAX_K, Alone, full_loss, matrices, problems, regs, smooth_problems

weights = st.tuples(st.integers(1, MAX_K), st.integers(1, MAX_D)).flatmap(lambda shape: matrices(*shape))


@pytest.mark.clause("REG-1")
@given(weights)
def test_l2_penalty_sums_every_squared_entry(impl, W):
    """R(W) = Σ_k Σ_l W_kl², a float, ≥ 0."""
    R = impl.l2_penalty(W)
    exact = math.fsum(float(w) ** 2 for w in W.ravel())
    assert isinstance(R, float)
    assert R >= 0.0
    assert_close(R, exact, atol(exact, terms=W.size))


@pytest.mark.clause("REG-1")
@given(weights)
def test_l2_penalty_is_zero_only_at_zero(impl, W):
    """R(0) = 0, and R(W) > 0 as soon as some |W_kl| ≥ 1e-150."""
    assert impl.l2_penalty(np.zeros_like(W)) == 0.0
    if np.abs(W).max() >= 1e-150:
        assert impl.l2_penalty(W) > 0.0


@pytest.mark.clause("REG-1")
def test_l2_penalty_counts_a_folded_bias_column(impl):
    """The bias column folded into W is penalised like every other entry."""
    W, b = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([3.0, -4.0])
    assert impl.l2_penalty(ref.fold_bias(W, b)) == pytest.approx(6.0 + 25.0, abs=atol(31.0, terms=6))


@pytest.mark.clause("REG-1")
def test_l2_prefers_spread_weights_at_the_same_scores(impl):
    """The notes' figure: w1 = [1, 0, 0, 0] and w2 = [0.25]*4 score x = [1, 1, 1, 1] alike, but R(w1) = 1 > R(w2) = 0.25."""
    x = np.ones((1, 4))
    W = np.array([[1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    S = ref.scores(x, W)
    assert S[0, 0] == S[0, 1] == 1.0
    assert impl.l2_penalty(W[:1]) == 1.0
    assert impl.l2_penalty(W[1:]) == 0.25


@pytest.mark.clause("REG-2")
@given(weights, st.floats(-1e3, 1e3))
def test_l2_penalty_is_quadratically_homogeneous(impl, W, c):
    """R(cW) = c²·R(W)."""
    lhs, rhs = impl.l2_penalty(c * W), c * c * impl.l2_penalty(W)
    assert_close(lhs, rhs, atol(rhs, terms=4 * W.size))


@pytest.mark.clause("REG-3")
@pytest.mark.parametrize("judged", ["svm_loss", "l2_penalty"])
@given(smooth_problems(), st.floats(0.5, 5.0), precision.in_precision(st.floats(1.0, 100.0, exclude_min=True)))
def test_scaling_a_margin_meeting_w_keeps_zero_data_loss_but_raises_the_penalty(impl, judged, problem, delta, c):
    """If W meets every margin (zero SVM data loss), so does cW for c > 1, and R(cW) > R(W) (each function judged
    with the reference's other)."""
    W, X, _ = problem
    impl = Alone(impl, judged)
    assume(c - 1 > 4 * W.size * precision.eps())  # else rounding alone may hide the increase of ΣW²
    S = X @ W.T
    top2 = np.sort(S, axis=1)[:, -2:]
    gap = (top2[:, 1] - top2[:, 0]).min()
    assume(gap > 1e-3)  # a tie for the top score cannot be separated by scaling
    W_met = W * (2 * delta / gap)  # every winning score now leads by at least 2Δ
    y = S.argmax(axis=1)
    assert impl.svm_loss(W_met, X, y, 0.0, delta)[0] == 0.0
    assert impl.svm_loss(c * W_met, X, y, 0.0, delta)[0] == 0.0
    assert impl.l2_penalty(c * W_met) > impl.l2_penalty(W_met)


@pytest.mark.clause("REG-4")
@pytest.mark.parametrize("name", FULL_LOSSES)
@given(problem=problems(), reg=regs)
def test_full_loss_is_mean_data_loss_plus_reg_times_penalty(impl, name, problem, reg):
    """loss = (1/N) Σ L_i + λ·R(W) for the scores S = X Wᵀ."""
    W, X, y = problem
    loss, dW = full_loss(impl, name, W, X, y, reg)
    S = X @ W.T
    data = ref.hinge_losses(S, y) if name == "svm_loss" else ref.cross_entropy_losses(S, y)
    expected = math.fsum(data) / len(y) + reg * ref.l2_penalty(W)
    scale = np.abs(X) @ np.abs(W).T
    assert dW.shape == W.shape
    assert_close(loss, expected, atol(expected + 2 * scale.max() * W.shape[0] + 1, terms=4 * X.shape[1] * W.shape[0]))


@pytest.mark.clause("REG-4")
@pytest.mark.parametrize("name", FULL_LOSSES)
@given(problem=problems(), reg=st.floats(0.0, 10.0))
def test_the_penalty_adds_two_reg_w_to_the_gradient(impl, name, problem, reg):
    """dW(λ) − dW(0) = 2λW."""
    W, X, y = problem
    with_reg, without = full_loss(impl, name, W, X, y, reg)[1], full_loss(impl, name, W, X, y, 0.0)[1]
    grad_scale = np.abs(X).max() * 2 + 2 * reg * np.abs(W)
    assert_close(with_reg - without, 2 * reg * W, atol(grad_scale, terms=2 * X.shape[0]))


@pytest.mark.clause("REG-5")
@pytest.mark.parametrize("K", [2, 3, 10])
@given(X=st.integers(1, 8).flatmap(lambda n: matrices(n, 4)), delta=st.floats(0.0, 10.0), reg=regs, data=st.data())
def test_svm_loss_at_zero_weights(impl, K, X, delta, reg, data):
    """At W = 0 every score is 0: the SVM loss is (K − 1)Δ, whatever λ."""
    if not impl.expresses("svm_loss", delta=delta):
        delta = 1.0  # a layout with a fixed Δ (CS231n: Δ = 1) is judged at it
    y = np.array([data.draw(st.integers(0, K - 1), label="y") for _ in range(X.shape[0])])
    W = np.zeros((K, X.shape[1]))
    assert impl.svm_loss(W, X, y, reg, delta)[0] == pytest.approx((K - 1) * delta, abs=atol((K - 1) * delta, terms=K))


@pytest.mark.clause("REG-5", "SOFTMAX-9")
@pytest.mark.parametrize("K", [2, 3, 10])
@given(X=st.integers(1, 8).flatmap(lambda n: matrices(n, 4)), reg=regs, data=st.data())
def test_softmax_loss_at_zero_weights(impl, K, X, reg, data):
    """At W = 0 every score is 0: the softmax loss is log K, whatever λ."""
    y = np.array([data.draw(st.integers(0, K - 1), label="y") for _ in range(X.shape[0])])
    W = np.zeros((K, X.shape[1]))
    assert impl.softmax_loss(W, X, y, reg)[0] == pytest.approx(math.log(K), abs=atol(math.log(K), terms=2 * K))


@pytest.mark.clause("REG-6")
@pytest.mark.parametrize("name", FULL_LOSSES)
# Powers of the largest float: in float64, magnitudes 1e160 to 1e200 and λ from 1e-300 to 1e-250
# (a float32 port gets the same shape in its own range: 1e20 to 1e25, λ from 1e-37.5 to 1e-31).
@given(problem=smooth_problems(), magnitude=st.floats(0.52, 0.65).map(precision.range_power),
       reg=st.one_of(st.just(0.0), st.floats(-0.973, -0.811).map(precision.range_power)))
def test_a_small_reg_times_a_huge_penalty_stays_finite(impl, name, problem, magnitude, reg):
    """With W ~ 1e200 (ΣW² beyond float64), finite scores and λ·ΣW² ≤ ~1e150, the loss is finite and exact."""
    W, X, y = problem
    assume(np.abs(W).max() > 0.1)  # so some |W_huge| > √max, and ΣW_huge² is really beyond the float range
    W_huge, X_tiny = W * magnitude, X / magnitude  # the same scores, a penalty beyond the float64 range
    loss = full_loss(impl, name, W_huge, X_tiny, y, reg)[0]
    data = full_loss(impl, name, W, X, y, 0.0)[0]
    penalty = (math.sqrt(reg) * magnitude) ** 2 * ref.l2_penalty(W)
    assert math.isfinite(loss)
    assert_close(loss, data + penalty, atol(data + penalty + 10, terms=4 * X.size * W.shape[0]))
