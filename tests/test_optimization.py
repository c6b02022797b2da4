"""Properties of the update rule, mini-batches and the optimisation strategies (spec chapter 06)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference as ref
from lcspec.harness.assertions import assert_at_least, assert_at_most, assert_close
from lcspec.harness.precision import atol, judged_dtype
from .strategies import (FULL_LOSSES, MAX_N, Alone, any_shape, full_loss, judging, matrices, problems, reals, regs,
                         smooth_problems)


def weights_of_any_shape(draw):
    """(W, dW) of one shape of 0 to 3 dimensions: sgd_step is specified for any."""
    shape = draw(any_shape(12), label="shape")
    return tuple(draw(hnp.arrays(np.float64, shape, elements=reals()), label=name) for name in ("W", "dW"))


@pytest.mark.clause("OPT-1")
@given(pair=st.composite(weights_of_any_shape)(), alpha=st.floats(0.0, 10.0))
def test_update_rule_steps_against_the_gradient(impl, pair, alpha):
    """sgd_step returns a new array W − α·dW of W's shape, whatever that shape, and leaves W as it was."""
    W, dW = pair
    new = impl.sgd_step(W, dW, alpha)
    assert np.shape(new) == W.shape
    assert not np.shares_memory(new, W)
    assert_close(new, W - alpha * dW, atol(np.abs(W) + alpha * np.abs(dW), terms=2))


@pytest.mark.clause("OPT-1")
@given(W=matrices(3, 4), dW=matrices(3, 4))
def test_a_zero_step_changes_nothing(impl, W, dW):
    """α = 0 returns W exactly."""
    np.testing.assert_array_equal(impl.sgd_step(W, dW, 0.0), W)


@pytest.mark.clause("OPT-2")
@pytest.mark.parametrize("judged", ["softmax_loss", "sgd_step"])
@given(problem=smooth_problems(bound=3.0), reg=regs, fraction=st.floats(0.01, 1.0))
def test_a_step_within_the_smoothness_bound_decreases_the_softmax_loss(impl, judged, problem, reg, fraction):
    """With β = ‖X‖₂²/(2N) + 2λ and 0 < α ≤ 1/β: L(W − α∇L) ≤ L(W) − (α/2)‖∇L‖² (the loss and the step each
    judged with the reference's other)."""
    W, X, y = problem
    fns = Alone(impl, judged)
    beta = np.linalg.norm(X, 2) ** 2 / (2 * len(y)) + 2 * reg
    alpha = fraction / max(beta, 1e-12)
    loss, dW = fns.softmax_loss(W, X, y, reg)
    after = fns.softmax_loss(fns.sgd_step(W, dW, alpha), X, y, reg)[0]
    assert_at_most(after, loss - alpha / 2 * np.vdot(dW, dW) + atol(loss + 10, terms=4 * X.size),
                   f"the softmax loss after a step of α = {alpha:.3g} against the gradient")


@pytest.mark.clause("OPT-3")
@pytest.mark.parametrize("judged, name", judging("svm_loss", "softmax_loss", ("sgd_step", "softmax_loss")))
@given(problem=problems(), reg=regs, alpha=st.floats(1e-6, 10.0))
def test_a_step_along_the_gradient_ascends(impl, judged, name, problem, reg, alpha):
    """By convexity, L(W + α∇L) ≥ L(W) + α‖∇L‖² for every α > 0 (the loss and the step each judged with the
    reference's other)."""
    W, X, y = problem
    fns = Alone(impl, judged)
    loss, dW = full_loss(fns, name, W, X, y, reg)
    uphill = fns.sgd_step(W, -dW, alpha)  # a negative gradient turns the update rule around
    after = full_loss(fns, name, uphill, X, y, reg)[0]
    scale = loss + alpha * np.vdot(dW, dW) + np.abs(X).max() * (np.abs(W).max() + alpha * np.abs(dW).max()) * 4
    assert_at_least(after, loss + alpha * np.vdot(dW, dW) - atol(scale, terms=8 * X.size),
                    f"the {name.split('_')[0]} loss after a step of α = {alpha:.3g} up the gradient")


PENALTY_STEPS = 10
"""Steps of descent on the penalty: each multiplies W by 1 − 2αλ, which ten steps tell from any other factor (a
factor off by 1 % is off by 10 % after them) at a fifth of the calls of fifty, one after another."""


def descend_on_penalty(impl, W, reg, alpha, steps=PENALTY_STEPS):
    """Gradient descent on λΣW² alone (gradient 2λW), with the implementation's update rule."""
    for _ in range(steps):
        W = impl.sgd_step(W, 2 * reg * W, alpha)
    return W


@pytest.mark.clause("OPT-4")
@given(W=matrices(2, 3, bound=10.0), reg=st.floats(0.01, 10.0), fraction=st.floats(0.05, 0.95))
@example(W=np.array([[1.0, -2.0, 3.0], [0.0, 5.0, -6.0]]), reg=1.0, fraction=0.5)  # 2αλ = 1: the factor is 0
def test_penalty_descent_converges_below_one_over_reg(impl, W, reg, fraction):
    """On λΣW² alone each step multiplies W by (1 − 2αλ): for 0 < α < 1/λ, W → 0."""
    alpha = fraction / reg
    factor = abs(1 - 2 * alpha * reg)
    W_end = descend_on_penalty(impl, W, reg, alpha)
    subnormal_rounding = PENALTY_STEPS * np.finfo(judged_dtype()).smallest_subnormal  # half a subnormal a step at most
    # Each step's four roundings (2λW, its α-multiple, the subtraction) err relative to |W|, not to the step's
    # result |W|·factor: a step multiplies |W| by at most factor + 4 roundings, so n steps by (factor + 4ε')^n
    # (when 2αλ is near 1 the subtraction cancels; the reference itself loses that much at W = [[0, 0, 0],
    # [0, 0, 1]], λ = 9, 2αλ ≈ 1.0016). No division: at 2αλ = 1 exactly the factor is 0 (the thorough profile draws it).
    steps = f"|W| after {PENALTY_STEPS} steps of α = {alpha:.3g}, each to multiply W by 1 − 2αλ = {1 - 2 * alpha * reg:.3g}"
    assert_at_most(np.abs(W_end), (factor + atol(1.0, terms=4)) ** PENALTY_STEPS * np.abs(W) + subnormal_rounding, steps)
    assert_at_most(np.abs(W_end).max(), 0.91 ** PENALTY_STEPS * max(np.abs(W).max(), 1.0) + 1e-300, steps)


@pytest.mark.clause("OPT-4")
@given(W=matrices(2, 3, bound=10.0).filter(lambda W: np.abs(W).max() > 1e-3),  # W = 0 is a fixed point: it cannot grow
       reg=st.floats(0.01, 10.0), fraction=st.floats(1.05, 3.0))
def test_penalty_descent_diverges_above_one_over_reg(impl, W, reg, fraction):
    """For α > 1/λ, |1 − 2αλ| > 1 and W grows without bound: by that factor, at least 1.1, every step."""
    alpha = fraction / reg
    factor = abs(1 - 2 * alpha * reg)
    W_end = descend_on_penalty(impl, W, reg, alpha)
    # W's largest entry grows by the factor less four roundings a step (the same roundings as above).
    assert_at_least(np.abs(W_end).max(), (factor - atol(1.0, terms=4)) ** PENALTY_STEPS * np.abs(W).max(),
                    f"max |W| after {PENALTY_STEPS} steps of α = {alpha:.3g}, each to multiply W by 1 − 2αλ = "
                    f"{1 - 2 * alpha * reg:.3g}")


@st.composite
def partitioned(draw):
    """(W, X, y, B): a problem whose N examples split into B equal batches."""
    batches = draw(st.integers(1, 4), label="batches")
    size = draw(st.integers(1, 3), label="batch size")
    W, X, y = draw(problems(), label="problem")
    n = batches * size
    X = draw(matrices(n, X.shape[1], bound=10.0), label="X")
    y = draw(hnp.arrays(np.intp, (n,), elements=st.integers(0, W.shape[0] - 1)), label="y")
    return W, X, y, batches


@pytest.mark.clause("OPT-5")
@pytest.mark.parametrize("name", FULL_LOSSES)
@given(case=partitioned(), reg=regs)
def test_batch_losses_and_gradients_average_to_the_full_ones(impl, name, case, reg):
    """For an equal partition, mean over batches of (loss, dW) equals the full-batch (loss, dW)."""
    W, X, y, batches = case
    full, full_dW = full_loss(impl, name, W, X, y, reg)
    parts = [full_loss(impl, name, W, Xb, yb, reg) for Xb, yb in zip(np.split(X, batches), np.split(y, batches))]
    scale = np.abs(X).max() * np.abs(W).max() * X.shape[1] * W.shape[0] + full + 1
    assert_close(np.mean([p[0] for p in parts]), full, atol(scale, terms=4 * len(y)))
    mean_dW = np.mean([p[1] for p in parts], axis=0)
    assert_close(mean_dW, full_dW, atol(np.abs(X).max() * W.shape[0] + 2 * reg * np.abs(W), terms=4 * len(y)))


@pytest.mark.clause("OPT-5")
@pytest.mark.parametrize("name", FULL_LOSSES)
@given(problem=problems(), reg=regs, copies=st.integers(2, 3))
def test_duplicating_the_data_changes_neither_loss_nor_gradient(impl, name, problem, reg, copies):
    """Stacking the data set on itself leaves the mean loss and its gradient as they were."""
    W, X, y = problem
    loss, dW = full_loss(impl, name, W, X, y, reg)
    loss2, dW2 = full_loss(impl, name, W, np.tile(X, (copies, 1)), np.tile(y, copies), reg)
    scale = np.abs(X).max() * np.abs(W).max() * X.shape[1] * W.shape[0] + loss + 1
    assert_close(loss2, loss, atol(scale, terms=4 * copies * len(y)))
    assert_close(dW2, dW, atol(np.abs(X).max() * W.shape[0] + 2 * reg * np.abs(W), terms=4 * copies * len(y)))


# The strategies are reference-only (not part of the contract), so these tests call `reference`.
def toy_problem(seed=0, n=24, d=3, k=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, rng.integers(0, k, n), (k, d)


@pytest.mark.clause("OPT-6")
@pytest.mark.parametrize("strategy", ["random_search", "random_local_search"])
def test_search_histories_never_increase_and_runs_repeat_from_the_seed(strategy):
    """Both searches keep the best loss so far, and the same seed gives the same run."""
    X, y, shape = toy_problem()
    loss = lambda W: ref.svm_loss(W, X, y, 0.0)[0]  # noqa: E731
    W0 = np.full(shape, 0.5)
    W0_before = W0.copy()

    def run(seed):
        rng = np.random.default_rng(seed)
        if strategy == "random_search":
            return ref.random_search(loss, shape, rng, num_tries=30, scale=1.0)
        return ref.random_local_search(loss, W0, rng, num_tries=30, step_size=0.1)

    first, again = run(3), run(3)
    assert np.all(np.diff(first.loss_history) <= 0)
    assert first.loss_history[-1] == loss(first.W)
    np.testing.assert_array_equal(first.W, again.W)
    np.testing.assert_array_equal(W0, W0_before)


@pytest.mark.clause("OPT-6")
def test_minibatch_sgd_with_the_whole_batch_is_gradient_descent():
    """minibatch_sgd with batch_size = N follows gradient_descent step for step."""
    X, y, shape = toy_problem()
    W0 = np.zeros(shape)
    gd = ref.gradient_descent(lambda W: ref.softmax_loss(W, X, y, 0.01), W0, 0.5, 20)
    sgd = ref.minibatch_sgd(lambda W, Xb, yb: ref.softmax_loss(W, Xb, yb, 0.01), W0, X, y,
                            np.random.default_rng(0), 0.5, batch_size=len(y), num_steps=20)
    np.testing.assert_allclose(sgd.W, gd.W, rtol=0, atol=atol(np.abs(gd.W).max(), terms=20 * len(y)))
    np.testing.assert_allclose(sgd.loss_history, gd.loss_history, rtol=0, atol=atol(2.0, terms=20 * len(y)))
    assert np.all(W0 == 0)


@pytest.mark.clause("OPT-6")
def test_following_the_gradient_beats_searching_on_the_same_budget():
    """On one budget of loss evaluations: random search ≥ random local search ≥ gradient descent (final loss)."""
    X, y, shape = toy_problem(seed=1, n=60, d=4, k=3)
    W0 = np.random.default_rng(2).standard_normal(shape) * 1e-3
    loss = lambda W: ref.softmax_loss(W, X, y, 0.0)[0]  # noqa: E731
    searched = ref.random_search(loss, shape, np.random.default_rng(0), num_tries=100, scale=1.0)
    local = ref.random_local_search(loss, W0, np.random.default_rng(0), num_tries=100, step_size=0.1)
    descended = ref.gradient_descent(lambda W: ref.softmax_loss(W, X, y, 0.0), W0, 1.0, 100)
    final = [loss(searched.W), loss(local.W), loss(descended.W)]
    assert final[0] >= final[1] >= final[2], final
    assert descended.loss_history[0] == loss(W0)


@pytest.mark.clause("OPT-6")
@given(n=st.integers(2, MAX_N), seed=st.integers(0, 2**32 - 1))
def test_minibatch_sgd_is_reproducible_from_its_seed(n, seed):
    """Two runs from the same seed take the same batches and end at the same weights."""
    X, y, shape = toy_problem(n=n)
    step = lambda W, Xb, yb: ref.svm_loss(W, Xb, yb, 0.1)  # noqa: E731

    def run():
        return ref.minibatch_sgd(step, np.zeros(shape), X, y, np.random.default_rng(seed), 0.1, 1, 5)

    a, b = run(), run()
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.loss_history, b.loss_history)


@pytest.mark.clause("OPT-6")
def test_random_local_search_keeps_a_move_only_if_it_strictly_lowers_the_loss():
    """On a flat loss no perturbation lowers it, so none is kept: W stays W0 exactly (a ≤ test would wander)."""
    W0 = np.arange(6.0).reshape(2, 3)
    out = ref.random_local_search(lambda W: 1.0, W0, np.random.default_rng(0), num_tries=20, step_size=0.1)
    np.testing.assert_array_equal(out.W, W0)
    np.testing.assert_array_equal(out.loss_history, np.ones(20))


@pytest.mark.clause("OPT-6")
def test_minibatch_sgd_draws_each_batch_afresh_without_replacement():
    """Every batch has batch_size distinct examples, with their own labels, and the batches vary from step to step."""
    n, batch_size = 6, 3
    X = np.column_stack([np.arange(n, dtype=float), np.ones(n)])  # column 0 names the example
    y = np.arange(n) % 2
    batches = []

    def loss_and_grad(W, Xb, yb):
        batches.append(Xb[:, 0].astype(int))
        np.testing.assert_array_equal(yb, y[Xb[:, 0].astype(int)])
        return ref.softmax_loss(W, Xb, yb, 0.0)

    ref.minibatch_sgd(loss_and_grad, np.zeros((2, 2)), X, y, np.random.default_rng(0), 0.1, batch_size, num_steps=20)
    assert len(batches) == 20
    assert all(len(set(b)) == batch_size for b in batches)
    assert len({tuple(sorted(b)) for b in batches}) > 1
