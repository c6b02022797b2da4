"""Hypothesis strategies for the contract's inputs, shared by every property test.

Sizes are mostly small (N <= 6, K <= 6, D <= 5): the laws are about structure, not size, and small
draws keep the default run fast and the shrunk counterexamples readable. Now and then (about one
draw in sixteen, see `rarely`) an input is of the kind real code gets wrong, each derived from what
a law can tell apart:

* a large batch (64 to 320 rows, half of them beyond 256, up to 12 classes): real code has blocked
  or special-cased paths for large batches (a switch to float32 above 256 rows, say);
* rows of very different magnitudes (each row scaled by its own power of ten): code with one
  batch-wide constant goes wrong there;
* a wrong class's margin at Δ = 1 placed at or just around the kink (0, ±1e-12, ±1e-8, ± a few
  ulps): a gradient that counts a margin only above some small threshold, or from 0 on, differs
  from the exact one only there (the hinge laws judge it in exact arithmetic);
* integer data of integer dtype (pixels 0 to 255, uint8 for the scores, int64 for the losses) with
  float weights: code that allocates its result with X's dtype truncates the scores;
* for the functions of any shape (`sgd_step`, `numerical_gradient`), arrays of 0 to 3 dimensions:
  code that unpacks `rows, cols = W.shape` or calls `np.atleast_2d` breaks there.

Shrinking leads away from all of them, so a counterexample is only unusual when it must be. Every float drawn here is a number of the implementation's precision (lcspec/harness/precision.py): for
a float32 port, a float32 value in float32's range; for everything else, any float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference
from lcspec.harness.precision import in_precision, representable

MAX_N, MAX_K, MAX_D = 6, 6, 5
LARGE_N, LARGE_K = 320, 12
BLOCK = 256
"""The batch size beyond which real code switches paths (a block, a precision): large batches straddle it."""
KINK_OFFSETS = (0.0, 1e-12, -1e-12, 1e-8, -1e-8, 2.0**-52, -(2.0**-53), 4 * 2.0**-52, -4 * 2.0**-53)
"""Where a margin s_j − s_y + 1 is put near its kink: exactly on it, at the thresholds code uses, a few ulps of 1 off."""


POOL = 16
"""Entries of a large array are drawn as a pool of this many values, spread over the array by a drawn seed."""


def arrays(dtype, shape, elements) -> st.SearchStrategy[np.ndarray]:
    """`hnp.arrays(dtype, shape, elements=elements)`, except that an array of more than 64 entries takes its entries
    from a pool of POOL values drawn from `elements`, placed by a drawn seed: drawing each of a 320 x 12 batch's
    entries would run past Hypothesis's budget of random bytes per example, which then silently never draws it."""
    if int(np.prod(shape)) <= 64:
        return hnp.arrays(dtype, shape, elements=elements)
    return st.builds(lambda pool, seed: np.random.default_rng(seed).choice(pool, size=shape),
                     hnp.arrays(dtype, (POOL,), elements=elements), st.integers(0, 2**32 - 1))


def rarely(draw, label: str) -> bool:
    """True for about one draw in eight (often more); shrinks to False (Hypothesis shrinks integers towards 0).

    The byte's last three bits: Hypothesis favours a range's ends, and 255 is one of them, so this comes up often
    enough for a test's sixty examples to see it (`integers(0, 15) == 15` came up in none of one test's sixty).
    """
    return draw(st.integers(0, 255), label=label) % 8 == 7


def batch_shape(draw, min_n: int = 1, k=None) -> tuple[int, int]:
    """(N, K): mostly small, rarely a large batch with more classes."""
    if rarely(draw, "large batch"):
        n = draw(st.one_of(st.integers(max(min_n, 64), BLOCK), st.integers(BLOCK + 1, LARGE_N)), label="N")
        return n, k or draw(st.integers(2, LARGE_K), label="K")
    return draw(st.integers(min_n, MAX_N), label="N"), k or draw(st.integers(2, MAX_K), label="K")


def rows_of_mixed_magnitude(draw, M: np.ndarray) -> np.ndarray:
    """M, or rarely M with each row scaled by its own power of ten (1 down to 1e-8): one batch, many magnitudes."""
    if len(M) < 2 or not rarely(draw, "rows of mixed magnitude"):
        return M
    powers = draw(arrays(np.intp, (len(M),), elements=st.integers(0, 8)), label="row scale (powers of ten)")
    return representable(M * 10.0 ** -powers[:, None])


def reals(bound: float = 1e3) -> st.SearchStrategy[float]:
    """Finite float64 values in [-bound, bound], with small integers mixed in so exact ties occur."""
    return st.one_of(
        in_precision(st.floats(-bound, bound, allow_nan=False, allow_infinity=False)),
        st.integers(-3, 3).map(float),
    )


def moderate(low: float, high: float) -> st.SearchStrategy[float]:
    """0, or a magnitude from `low` to `high` of either sign: away from the extremes, where a norm's squares would
    leave float64 (those are GRAD-8's)."""
    return st.one_of(st.just(0.0), in_precision(st.floats(low, high)).flatmap(lambda v: st.sampled_from([v, -v])))


def matrices(rows, cols, bound: float = 1e3) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, (rows, cols), elements=reals(bound))


def margins_near_the_kink(draw, S: np.ndarray, y: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """S, or rarely S with one wrong class per row put where its margin at Δ is 0 or just off it (KINK_OFFSETS)."""
    if not rarely(draw, "margins near the kink"):
        return S
    rows = np.arange(len(y))
    offsets = draw(arrays(np.float64, (len(y),), elements=st.sampled_from(KINK_OFFSETS)), label="margin offsets")
    S = S.copy()
    S[rows, (y + 1) % S.shape[1]] = representable(S[rows, y] - delta + offsets)
    return S


@st.composite
def labelled_scores(draw, bound: float = 1e3, min_n: int = 1, k=None):
    """(S, y): an (N, K) score matrix and labels in [0, K)."""
    n, k = batch_shape(draw, min_n, k)
    S = rows_of_mixed_magnitude(draw, draw(matrices(n, k, bound), label="S"))
    y = draw(arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return margins_near_the_kink(draw, S, y), y


@st.composite
def hinge_cases(draw, bound: float = 1e3):
    """(S, y, Δ): labelled scores and a margin, rarely with margins at or just around the kink at that Δ."""
    S, y = draw(labelled_scores(bound), label="case")
    delta = draw(deltas, label="delta")
    return margins_near_the_kink(draw, S, y, delta), y, delta


def integer_pixels(draw, X: np.ndarray, dtypes=(np.int64,)) -> np.ndarray:
    """X, or rarely integer data of X's shape and one of `dtypes`, pixel values 0 to 255 as images come.

    uint8 only where every law's own arithmetic on X is safe from it (NumPy keeps uint8 through `|X|.max() * K` and
    wraps around): the score laws; the losses' laws take int64.
    """
    if not rarely(draw, "integer pixels"):
        return X
    dtype = draw(st.sampled_from(dtypes), label="integer dtype")
    return draw(arrays(dtype, X.shape, elements=st.integers(0, 255)), label="X (integers)")


def any_shape(max_size: int = 8) -> st.SearchStrategy[tuple]:
    """Shapes of 0 to 3 dimensions (2-D most often, as the contract uses them), at most `max_size` entries."""
    return st.one_of(st.tuples(st.integers(1, 4), st.integers(1, 3)),
                     hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)).filter(
                         lambda shape: int(np.prod(shape)) <= max_size)


@st.composite
def problems(draw, bound: float = 10.0):
    """(W, X, y): weights (K, D), data (N, D) and labels, all of moderate size."""
    n, k = batch_shape(draw)
    d = draw(st.integers(1, MAX_D), label="D")
    W = draw(matrices(k, d, bound), label="W")
    X = integer_pixels(draw, rows_of_mixed_magnitude(draw, draw(matrices(n, d, bound), label="X")))
    y = draw(arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return W, X, y


deltas = st.one_of(st.just(1.0), in_precision(st.floats(0.0, 20.0)), st.integers(0, 5).map(float))
regs = st.one_of(st.just(0.0), in_precision(st.floats(0.0, 1.0)))


@st.composite
def smooth_problems(draw, bound: float = 1.0, min_n: int = 1, large: bool = False):
    """(W, X, y) with continuous entries in [-bound, bound]: no built-in ties, for finite-difference checks.

    Small unless `large`: a finite-difference check calls the loss 2·K·D times per example, and large
    batches are tried by every law that calls the loss once.
    """
    n, k = batch_shape(draw, min_n) if large else (draw(st.integers(min_n, MAX_N), label="N"), draw(st.integers(2, MAX_K), label="K"))
    d = draw(st.integers(1, MAX_D), label="D")
    entries = in_precision(st.floats(-bound, bound, allow_nan=False, allow_subnormal=False))
    W = draw(arrays(np.float64, (k, d), elements=entries), label="W")
    X = draw(arrays(np.float64, (n, d), elements=entries), label="X")
    y = draw(arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return W, X, y


def full_loss_call(name: str, W, X, y, reg, delta=1.0) -> tuple[str, tuple]:
    """The function full_loss calls and its arguments: svm_loss or softmax_loss, with the arguments each takes."""
    if name == "svm_loss":
        return "svm_loss", (W, X, y, reg, delta)
    return "softmax_loss", (W, X, y, reg)


def full_loss(impl, name: str, W, X, y, reg, delta=1.0):
    """Call impl.svm_loss or impl.softmax_loss with the arguments each takes."""
    function, args = full_loss_call(name, W, X, y, reg, delta)
    return getattr(impl, function)(*args)


def announce_full_losses(impl, name: str, Ws, X, y, reg, delta=1.0) -> None:
    """Tell `impl` that full_loss is called next at each W of `Ws`, in order (`Implementation.announce`: a child may
    compute each while the judge checks the one before); each call is still made, and judged, by the law."""
    calls = [full_loss_call(name, W, X, y, reg, delta) for W in Ws]
    if calls:
        impl.announce(calls[0][0], [(args, {}) for _, args in calls])


FULL_LOSSES = ["svm_loss", "softmax_loss"]


class Alone:
    """The implementation's `judged` function, with the reference standing in for every other contract function.

    A law that combines functions (a loss with the update step, a loss with its score gradient, two hinge
    variants) is run once per function it judges, each time through `Alone(impl, judged)`: only the judged
    function is the implementation's, so a failure is that function's alone (a broken step never fails a
    correct loss, nor a broken loss a correct step). The judged function not being provided skips at once.
    """

    def __init__(self, impl, judged: str):
        self._impl, self._judged = impl, judged
        getattr(impl, judged)  # the guard skips the test here when the implementation does not provide it

    def __getattr__(self, name: str):
        if name != self._judged and name in reference.CONTRACT:
            return getattr(reference, name)
        return getattr(self._impl, name)


def judging(*cases):
    """Cases for `@pytest.mark.parametrize("judged, name", ...)`: each a function judged through the law of `name`
    (a name alone judges itself), with the id `judged` or `judged-name`."""
    pairs = [(case, case) if isinstance(case, str) else case for case in cases]
    return [pytest.param(judged, name, id="-".join(dict.fromkeys((judged, name)))) for judged, name in pairs]


LEVELS = [0.0, 1e2, 7e2, 1e3, 2e3, 5e3, 9e3]
"""Row levels of the magnitudes of practice (SOFTMAX-11): scores in the thousands."""
SPREAD = 300.0
"""The largest |score - level| within a row: a spread of at most 600 keeps every probability above e^-600 ≈ 1e-261,
a normal float64, so -log p is finite however it is computed from p (the notes' way); spreads whose probabilities
underflow are SOFTMAX-4's, a strict clause."""


def row_levels(draw, n: int) -> np.ndarray:
    """A level per row, row 0 at 0 and row 1 at ±1e3 to ±9e3: a shift by the batch's largest score sends one of the
    two below exp's underflow, and raw exponentials of the higher overflow."""
    levels = draw(arrays(np.float64, (n,), elements=st.sampled_from(LEVELS).flatmap(lambda v: st.sampled_from([v, -v]))),
                  label="row levels")
    levels[0] = 0.0
    levels[1] = draw(st.sampled_from([1e3, 2e3, 5e3, 9e3, -1e3, -2e3, -5e3, -9e3]), label="row 1 level")
    return levels


@st.composite
def far_apart_scores(draw):
    """(S, y) at the magnitudes of practice (SOFTMAX-11): |s| <= 1e4, rows far apart, each row's spread <= 600.

    A label is often far below its row's maximum, so its probability is far below 1e-12 (but normal).
    """
    n, k = batch_shape(draw, min_n=2)
    S = representable(row_levels(draw, n)[:, None] + draw(matrices(n, k, SPREAD), label="within rows"))
    y = draw(arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    return S, y


@st.composite
def far_apart_problems(draw, spreads=(1.0, 30.0, SPREAD)):
    """(W, X, y) whose scores X Wᵀ reach the thousands with rows far apart (SOFTMAX-11 through softmax_loss).

    The bias trick sets each row's level: X's last column holds the row's level and W's last column is all
    ones, so every score of row i is its level plus x_i·w_k, the latter scaled to one of `spreads` (by default
    at most 300 either way, as far_apart_scores; wider ones make probabilities underflow, SOFTMAX-4's matter).
    """
    W, X, y = draw(smooth_problems(bound=1.0, min_n=2, large=True))
    spread = np.abs(X @ W.T).max()
    if spread > 0:
        X = X * (draw(st.sampled_from(spreads), label="spread") / spread)
    X = representable(np.column_stack([X, row_levels(draw, len(X))]))
    W = np.column_stack([W, np.ones(len(W))])
    return W, X, y


@st.composite
def integer_problems_with_a_tie(draw):
    """(W_tied, W_met, X, y, (i, j)): integer entries, and example i's wrong class j exactly on its margin at Δ = 1
    (s_ij = s_iy − 1, an exact tie in float64) under W_tied, and clearly met (s_ij = s_iy − 2) under W_met.

    X's last column is 1 for example i alone, so the entry W[j, -1] moves s_ij and no other score: the
    two problems differ in that one margin, 0 against −1, both met.
    """
    n, k = batch_shape(draw)
    d = draw(st.integers(1, MAX_D), label="D")
    small = st.integers(-3, 3).map(float)
    i = draw(st.integers(0, n - 1), label="tied example")
    X = np.column_stack([draw(arrays(np.float64, (n, d - 1), elements=small), label="X"), np.eye(n)[i]])
    W = draw(arrays(np.float64, (k, d), elements=small), label="W")
    y = draw(arrays(np.intp, (n,), elements=st.integers(0, k - 1)), label="y")
    j = draw(st.sampled_from([c for c in range(k) if c != y[i]]), label="tied class")
    S = X @ W.T
    W[j, -1] += (S[i, y[i]] - 1.0) - S[i, j]
    W_met = W.copy()
    W_met[j, -1] -= 1.0
    return W, W_met, X, y, (i, j)
