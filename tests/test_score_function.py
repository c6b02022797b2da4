"""Properties of the score function, the bias trick and prediction (spec chapter 01)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference as ref
from lcspec.harness.assertions import assert_close
from lcspec.harness.precision import atol, judged_dtype
from .strategies import BLOCK, LARGE_N, MAX_D, MAX_K, MAX_N, Alone, integer_pixels, labelled_scores, matrices, rarely, reals

shapes = st.tuples(st.integers(0, MAX_N), st.integers(2, MAX_K), st.integers(1, MAX_D))


@st.composite
def linear_models(draw, with_bias=True):
    n, k, d = draw(shapes, label="N, K, D")
    if rarely(draw, "large batch"):
        n = draw(st.integers(BLOCK + 1, LARGE_N), label="N (large)")
    X = integer_pixels(draw, draw(matrices(n, d), label="X"), dtypes=(np.uint8, np.int64))
    W = draw(matrices(k, d), label="W")
    b = draw(hnp.arrays(np.float64, (k,), elements=reals()), label="b") if with_bias else None
    return X, W, b


@pytest.mark.clause("SCORE-1")
@given(linear_models())
def test_scores_are_dot_products_plus_bias(impl, model):
    """Each score is a template's dot product with an example, plus the class bias: S_ik = w_k·x_i + b_k."""
    X, W, b = model
    S = impl.scores(X, W, b)
    assert S.shape == (X.shape[0], W.shape[0])
    for i, k in np.ndindex(S.shape):
        exact = float(np.dot(W[k], X[i])) + b[k]
        assert_close(S[i, k], exact, atol(np.abs(W[k] * X[i]).sum() + abs(b[k]), terms=X.shape[1] + 1))


@pytest.mark.clause("SCORE-1")
@given(linear_models(with_bias=False))
def test_scores_without_bias_equal_scores_with_zero_bias(impl, model):
    """Leaving out b is the same as b = 0."""
    X, W, _ = model
    np.testing.assert_array_equal(impl.scores(X, W), impl.scores(X, W, np.zeros(W.shape[0])))


@pytest.mark.clause("SCORE-2")
@given(linear_models(with_bias=False), st.data())
def test_scores_are_linear_in_the_data(impl, model, data):
    """f(a·X1 + c·X2) = a·f(X1) + c·f(X2) when there is no bias."""
    X1, W, _ = model
    X2 = data.draw(matrices(*X1.shape), label="X2")
    a, c = data.draw(st.floats(-4, 4), label="a"), data.draw(st.floats(-4, 4), label="c")
    lhs = impl.scores(a * X1 + c * X2, W)
    rhs = a * impl.scores(X1, W) + c * impl.scores(X2, W)
    scale = (np.abs(a * X1) + np.abs(c * X2)) @ np.abs(W).T
    assert_close(lhs, rhs, atol(scale, terms=4 * W.shape[1]))


@pytest.mark.clause("SCORE-3")
@given(linear_models())
def test_zero_input_scores_the_bias(impl, model):
    """X = 0 gives b in every row, exactly."""
    X, W, b = model
    S = impl.scores(np.zeros_like(X), W, b)
    np.testing.assert_array_equal(S, np.broadcast_to(b, S.shape))


@pytest.mark.clause("SCORE-4")
@pytest.mark.parametrize("judged", ["append_ones", "fold_bias", "scores"])
@given(linear_models())
def test_bias_trick_gives_the_same_scores(impl, judged, model):
    """scores(append_ones(X), fold_bias(W, b)) equals scores(X, W, b) (each function judged with the reference's
    others)."""
    X, W, b = model
    impl = Alone(impl, judged)
    folded = impl.scores(impl.append_ones(X), impl.fold_bias(W, b))
    scale = np.abs(X) @ np.abs(W).T + np.abs(b)
    assert_close(folded, ref.scores(X, W, b), atol(scale, terms=2 * W.shape[1] + 2))


@pytest.mark.clause("SCORE-4")
@pytest.mark.parametrize("judged", ["append_ones", "fold_bias"])
@given(linear_models())
def test_bias_trick_layout_puts_ones_and_bias_last(impl, judged, model):
    """append_ones adds a last column of ones; fold_bias adds b as W's last column; nothing else moves."""
    X, W, b = model
    if judged == "append_ones":
        np.testing.assert_array_equal(impl.append_ones(X), np.column_stack([X, np.ones(X.shape[0])]))
    else:
        np.testing.assert_array_equal(impl.fold_bias(W, b), np.column_stack([W, b]))


SIGNED_ZERO_TIES = (np.array([[-0.0, 0.0], [0.0, -0.0]]), np.array([0, 1]))
"""−0.0 and 0.0 are one number, so each row is a tie and its first index wins: code that orders by the sign bit
(Keras's argmax replaces −0.0 by −tiny) predicts 1 for the first row."""


@pytest.mark.clause("SCORE-5")
@given(labelled_scores())
@example(SIGNED_ZERO_TIES)
def test_predict_takes_the_first_highest_score(impl, case):
    """predict returns each row's argmax, and of tied maxima the lowest index."""
    S, _ = case
    predicted = impl.predict(S)
    for i, row in enumerate(S):
        assert predicted[i] == min(np.flatnonzero(row == row.max()))


@pytest.mark.clause("SCORE-5")
@given(labelled_scores())
@example(SIGNED_ZERO_TIES)
def test_accuracy_is_the_fraction_predicted_right(impl, case):
    """accuracy(S, y) is the share of rows whose prediction equals the label."""
    S, y = case
    got = impl.accuracy(S, y)
    hits = sum(int(np.argmax(row) == label) for row, label in zip(S, y))
    # Exactly the fraction, correctly rounded in the implementation's precision (2/3 is not a float).
    assert got == pytest.approx(float(np.divide(hits, len(y), dtype=judged_dtype())), abs=0)


@pytest.mark.clause("SCORE-6")
@pytest.mark.parametrize("judged", ["hinge_losses", "accuracy"])
@given(labelled_scores(), st.floats(0.001, 10.0))
def test_zero_hinge_loss_means_perfect_accuracy(impl, judged, case, delta):
    """With Δ > 0, zero SVM loss on every example means every prediction is right (each function judged with the
    reference's other)."""
    S, y = case
    impl = Alone(impl, judged)
    S = S.copy()
    rows = np.arange(len(y))
    S[rows, y] = S.max(axis=1) + 2 * delta + 1  # every margin met, with room to spare for rounding
    assert np.all(impl.hinge_losses(S, y, delta) == 0.0)
    assert impl.accuracy(S, y) == 1.0
