"""Properties of the analytic gradients, the numerical gradient and the gradient check (spec chapter 05)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference as ref
from lcspec.harness.assertions import assert_at_most, assert_close
from lcspec.harness.precision import atol, in_precision, input_dtype, judged_dtype, range_power
from .strategies import (
    FULL_LOSSES,
    Alone,
    announce_full_losses,
    full_loss,
    any_shape,
    integer_problems_with_a_tie,
    judging,
    labelled_scores,
    moderate,
    problems,
    regs,
    smooth_problems,
)

H = 1e-5  # the finite-difference step of the notes


def distance_to_kink(W, X, y, delta=1.0) -> float:
    """How far the nearest hinge margin is from zero, in units of what a step of H in W can move it."""
    S = X @ W.T
    margins = (S - S[np.arange(len(y)), y][:, None]) + delta
    margins[np.arange(len(y)), y] = np.inf
    return float(np.abs(margins).min() / (2 * H * max(np.abs(X).max(), 1e-300)))


def centered_points(W, h=H) -> list[np.ndarray]:
    """The points numerical_gradient(f, W, h) evaluates f at, in its order: W + h·e_i, then W − h·e_i, for each i."""
    point = np.asarray(W, dtype=np.float64).copy()
    points = []
    for i in np.ndindex(point.shape):
        old = point[i]
        for value in (old + h, old - h):
            point[i] = value
            points.append(point.copy())
        point[i] = old
    return points


def assume_smooth(name, W, X, y):
    if name == "svm_loss":
        # A centered difference that straddles a kink measures a blend of two slopes; keep every
        # margin at least two steps from zero so both evaluations lie on the same linear piece.
        assume(distance_to_kink(W, X, y) > 2.0)


@pytest.mark.clause("GRAD-1")
@pytest.mark.parametrize("name", FULL_LOSSES)
@given(problem=smooth_problems(), reg=regs)
@example(problem=(np.array([[0.0, -0.07519323567634006], [0.0, 0.0]]), np.array([[0.0, 1e-5]]), np.array([0])),
         reg=0.0)  # entries of 5e-6 beside L = log 2: rounding alone is 1.4e-6 of relative error
def test_analytic_gradient_matches_centered_differences(impl, name, problem, reg):
    """relative_error(dW, numerical_gradient(L, W)) ≤ 1e-6 (plus what rounding the losses adds) away from kinks."""
    W, X, y = problem
    assume_smooth(name, W, X, y)
    loss, dW = full_loss(impl, name, W, X, y, reg)
    if judged_dtype() != np.float64:
        pytest.skip(f"{name} computes in {judged_dtype()}: its finite differences err by eps·|L|/h, far above "
                    "GRAD-1's double-precision 1e-6; GRAD-2 checks the same gradient at its precision")
    announce_full_losses(impl, name, centered_points(W), X, y, reg)  # independent calls: sent ahead where they can be
    numeric = ref.numerical_gradient(lambda V: full_loss(impl, name, V, X, y, reg)[0], W, H)
    # Each difference quotient carries the rounding of its two losses, at most eps·|L|/h (`noise`); over the
    # entries that adds up to √n·noise/‖numeric‖ of relative error, which the bound allows (spec §5.2). Where
    # the exact gradient is ~0 a relative figure measures only that noise, so such problems are not drawn.
    noise = atol(loss, terms=4 * X.size) / H
    size = np.linalg.norm(numeric)
    assume(size > 1e3 * noise)
    assert_at_most(ref.relative_error(dW, numeric), 1e-6 + np.sqrt(W.size) * noise / size,
                   f"relative_error(dW, centered differences of {name})")


@pytest.mark.clause("GRAD-2")
@pytest.mark.parametrize("name", FULL_LOSSES)
@given(problem=smooth_problems(), reg=regs, data=st.data())
def test_directional_derivative_is_the_inner_product_with_the_gradient(impl, name, problem, reg, data):
    """[L(W + εV) − L(W − εV)] / 2ε = ⟨∇L, V⟩ for a random direction V."""
    W, X, y = problem
    assume_smooth(name, W, X, y)
    V = data.draw(hnp.arrays(np.float64, W.shape, elements=st.floats(-1, 1)), label="V")
    V = V / max(np.abs(V).max(), 1e-12)
    loss, dW = full_loss(impl, name, W, X, y, reg)
    announce_full_losses(impl, name, [W + H * V, W - H * V], X, y, reg)
    slope = (full_loss(impl, name, W + H * V, X, y, reg)[0] - full_loss(impl, name, W - H * V, X, y, reg)[0]) / (2 * H)
    inner = float(np.vdot(dW, V))
    # Truncation is O(H²); rounding of the two losses is eps·|L|/H.
    assert_close(slope, inner, 1e-6 * max(abs(inner), 1.0) + atol(loss, terms=4 * X.size) / H)


@pytest.mark.clause("GRAD-3")
@pytest.mark.parametrize("judged, name", judging("svm_loss", "softmax_loss", ("hinge_grad", "svm_loss"),
                                                 ("cross_entropy_grad", "softmax_loss")))
@given(problem=problems(), reg=regs)
def test_weight_gradient_is_the_score_gradient_pulled_back_through_x(impl, judged, name, problem, reg):
    """∇_W L = Gᵀ X + 2λW with G = ∂L/∂S at S = X Wᵀ (the loss and the score gradient each judged with the
    reference's other)."""
    W, X, y = problem
    fns = Alone(impl, judged)
    S = X @ W.T
    score_grad = fns.hinge_grad if name == "svm_loss" else fns.cross_entropy_grad
    expected = score_grad(S, y).T @ X + 2 * reg * W
    dW = full_loss(fns, name, W, X, y, reg)[1]
    scale = np.abs(X).sum(axis=0) / len(y) * W.shape[0] + 2 * reg * np.abs(W)
    assert_close(dW, expected, atol(scale, terms=4 * len(y) * W.shape[0]))


@pytest.mark.clause("GRAD-4")
@pytest.mark.parametrize("name", ["hinge_grad", "cross_entropy_grad"])
@given(case=labelled_scores())
def test_each_row_of_the_score_gradient_sums_to_zero(impl, name, case):
    """Σ_j ∂L/∂s_ij = 0 for every example: a row shift does not change the loss."""
    S, y = case
    G = getattr(impl, name)(S, y)
    assert np.all(np.abs(G.sum(axis=1)) <= atol(1.0, terms=2 * S.shape[1]) / S.shape[0])


@pytest.mark.clause("HINGE-2")
@given(problem=problems(), reg=regs)
def test_svm_gradient_takes_zero_at_exact_ties(impl, problem, reg):
    """With Δ = 0 and W = 0 every margin is exactly 0: the data part of dW is 0, so dW = 0 and the loss is 0."""
    if not impl.expresses("svm_loss", delta=0.0):
        pytest.skip("the implementation's layout fixes Δ (the CS231n layout: Δ = 1), so Δ = 0 cannot be expressed; "
                    "test_svm_loss_meets_an_exact_margin_at_delta_one checks HINGE-2 at Δ = 1")
    W, X, y = problem
    loss, dW = impl.svm_loss(np.zeros_like(W), X, y, reg, 0.0)
    assert loss == 0.0
    np.testing.assert_array_equal(dW, np.zeros_like(W))


@pytest.mark.clause("HINGE-2")
@given(case=integer_problems_with_a_tie())
def test_svm_loss_meets_an_exact_margin_at_delta_one(impl, case):
    """At Δ = 1, with integer data, a margin of exactly 0 is met: the loss and dW are those of the same problem with that
    margin clearly met (−1 instead of 0), all else equal (λ = 0)."""
    W_tied, W_met, X, y, (i, j) = case
    S = X @ W_tied.T  # exact: small integers
    assert S[i, j] - S[i, y[i]] + 1.0 == 0.0  # the strategy's tie (not the implementation's doing)
    tied_loss, tied_dW = impl.svm_loss(W_tied, X, y, 0.0, 1.0)  # λ = 0: W differs, the penalty must not
    met_loss, met_dW = impl.svm_loss(W_met, X, y, 0.0, 1.0)
    size = np.abs(X).max() * np.abs(W_tied).max() * X.shape[1] + 1.0
    assert_close(tied_loss, met_loss, atol(size, terms=4 * X.size), "the tie added to the loss")
    assert_close(tied_dW,
                 met_dW,
                 atol(np.abs(X).max() * W_tied.shape[0], terms=2 * len(y)),
                 f"the tie (example {i}, class {j}) added to dW")


def cubic(x):
    """A smooth test function with distinct partial derivatives."""
    return float(np.sum(x ** 3) + np.sum(np.arange(1, x.size + 1) * x.ravel()) + 0.5 * np.sum(x) ** 2)


@pytest.mark.clause("GRAD-5")
@given(x=any_shape().flatmap(lambda shape: hnp.arrays(np.float64, shape, elements=st.floats(-2, 2))),
       h=st.floats(1e-6, 1e-2), centered=st.booleans())
def test_numerical_gradient_applies_the_difference_formula(impl, x, h, centered):
    """Entry i is [f(x + h·e_i) − f(x − h·e_i)]/2h (centered) or [f(x + h·e_i) − f(x)]/h (one-sided), for x of any
    shape (0-d to 3-d)."""
    got = impl.numerical_gradient(cubic, x, h, centered)
    assert got.shape == x.shape
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        expected = (cubic(plus) - cubic(minus)) / (2 * h) if centered else (cubic(plus) - cubic(x)) / h
        assert_close(got[i], expected, atol(abs(cubic(x)) + 10, terms=8 * x.size) / h)


@pytest.mark.clause("GRAD-5", "CONV-2")
@given(x=hnp.arrays(np.float64, (2, 3), elements=st.floats(-10, 10)), centered=st.booleans())
def test_numerical_gradient_never_touches_x_even_while_f_runs(impl, x, centered):
    """The caller's x is bit-identical after the call and during every evaluation of f."""
    original = x.copy()
    seen_changed = []

    def f(point):
        seen_changed.append(x.tobytes() != original.tobytes())
        return float(np.sum(point ** 2))

    impl.numerical_gradient(f, x, 1e-5, centered)
    assert x.tobytes() == original.tobytes()
    assert not any(seen_changed), "x was modified while f was being evaluated"


@pytest.mark.clause("GRAD-6")
@given(W=st.integers(1, 4).flatmap(lambda n: hnp.arrays(np.float64, (n, 3), elements=st.floats(-10, 10))),
       h=st.floats(1e-3, 1e-1))
def test_centered_differences_are_exact_on_a_quadratic_and_one_sided_are_off_by_h(impl, W, h):
    """For f = ΣW² (gradient 2W): centered gives 2W up to rounding, one-sided gives 2W + h."""

    def f(V):
        return float(np.sum(V ** 2))

    rounding = atol(f(W) + h * h * W.size + 1, terms=4 * W.size) / h
    assert rounding < h / 100  # so the two laws really tell the formulas apart
    centered = impl.numerical_gradient(f, W, h)  # centered is the default
    assert_close(centered, 2 * W, rounding)
    if impl.expresses("numerical_gradient", centered=False):  # CS231n's eval_numerical_gradient is centered only
        one_sided = impl.numerical_gradient(f, W, h, centered=False)
        assert_close(one_sided, 2 * W + h, rounding)


@pytest.mark.clause("GRAD-7")
@given(a=hnp.arrays(np.float64, (2, 3), elements=moderate(1e-3, 1e3)),
       b=hnp.arrays(np.float64, (2, 3), elements=moderate(1e-3, 1e3)),
       c=st.floats(-0.32, 0.32).map(range_power))  # 1e-98 to 1e98 in float64, 1e-12 to 1e12 in float32
def test_relative_error_is_symmetric_bounded_and_scale_free(impl, a, b, c):
    """rel(a, b) = rel(b, a) ∈ [0, 2], rel(a, a) = 0, rel(ca, cb) = rel(a, b) for c > 0, and it is the norm ratio."""
    r = impl.relative_error(a, b)
    assert r == impl.relative_error(b, a)
    assert 0.0 <= r <= 2.0
    assert impl.relative_error(a, a) == 0.0
    assert_close(impl.relative_error(c * a, c * b), r, atol(1.0, terms=8 * a.size))
    largest = max(np.linalg.norm(a), np.linalg.norm(b))
    if largest > 0:
        assert_close(r, np.linalg.norm(a - b) / largest, atol(1.0, terms=4 * a.size))
        difference = np.abs(a - b).max()  # ‖a − b‖ scaled by its largest entry: exact enough, never underflowing
        ratio = difference * np.linalg.norm((a - b) / difference) / largest if difference else 0.0
        if ratio >= np.finfo(judged_dtype()).smallest_subnormal:  # else the exact ratio rounds to 0 in this precision
            assert r > 0.0


def scalar_relative_error_law(impl, a, b):
    # The oracle in exact rationals: halving a and b to dodge overflow in a − b loses a subnormal's last bit.
    exact_a, exact_b = Fraction(float(a)), Fraction(float(b))
    expected = 0.0 if a == b == 0 else float(abs(exact_a - exact_b) / max(abs(exact_a), abs(exact_b)))
    assert_close(impl.relative_error(a, b), expected, atol(1.0, terms=4))
    assert impl.relative_error(0.0, 0.0) == 0.0


@pytest.mark.clause("GRAD-7")
@given(moderate(1e-100, 1e100), moderate(1e-100, 1e100))
def test_relative_error_of_scalars_is_the_notes_formula(impl, a, b):
    """For scalars, rel(a, b) = |a − b| / max(|a|, |b|), and rel(0, 0) = 0."""
    scalar_relative_error_law(impl, a, b)


@pytest.mark.clause("GRAD-8")
@given(in_precision(st.floats(-1.7e308, 1.7e308)), in_precision(st.floats(-1.7e308, 1.7e308)))
def test_relative_error_of_scalars_holds_at_the_extremes_of_float64(impl, a, b):
    """rel(a, b) = |a − b| / max(|a|, |b|) for every finite a, b, even where a² overflows or underflows."""
    scalar_relative_error_law(impl, a, b)


@pytest.mark.clause("GRAD-8")
def test_relative_error_against_zero_is_one_down_to_the_smallest_subnormal(impl):
    """rel(0, b) = 1 for every b ≠ 0, the judged precision's smallest subnormal and largest number included
    (`thorough` once found GRAD-8's own oracle wrong at rel(0, 5e-324))."""
    finfo = np.finfo(input_dtype())
    for b in (float(finfo.smallest_subnormal), -float(finfo.smallest_subnormal), float(finfo.max)):
        assert_close(impl.relative_error(0.0, b), 1.0, atol(1.0, terms=4), b)


@pytest.mark.clause("GRAD-7")
def test_relative_error_reads_a_correct_gradient_as_good_and_a_broken_one_as_wrong(impl):
    """The reading: a correct softmax gradient checks at ≤ 1e-7; a gradient missing its 1/N is > 1e-2."""
    rng = np.random.default_rng(7)
    W, X, y = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    loss_fn = lambda V: ref.softmax_loss(V, X, y, 0.1)[0]  # noqa: E731
    numeric = ref.numerical_gradient(loss_fn, W)
    dW = ref.softmax_loss(W, X, y, 0.1)[1]
    assert_at_most(impl.relative_error(dW, numeric), 1e-7, "relative_error of a correct gradient")
    unaveraged = ref.cross_entropy_grad(X @ W.T, y).T @ X * len(y) + 0.2 * W
    assert impl.relative_error(unaveraged, numeric) > 1e-2
