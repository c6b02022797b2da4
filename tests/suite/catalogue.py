"""A catalogue of deliberately broken implementations: classic mistakes the suite must catch.

Each class is one broken implementation, selected with `--impl=tests.suite.catalogue:<name>`. It
provides only the function(s) it gets wrong — every other contract function is "not provided" and
its tests are skipped — so a run against it says precisely whether the suite notices the mistake.
Every contract function has at least one entry, here or as its registry entry's `mistake`. An entry's `breaks` names the clauses its mistake
must be reported under (with `only`, those and no other at its level), and `level` the conformance level at
which it must fail the run (`core` unless it says otherwise). The bodies start from a correct computation and
make exactly the mistake the docstring names; input validation is the reference's (each broken
function first lets the reference check its arguments, on copies), so a run against one shows the
suite catching the mistake itself, not a missing ValueError. tests/suite/test_catalogue.py runs the suite against
each with the default `ci` examples and requires a failure laid at the broken function.
"""

from __future__ import annotations

import numpy as np

from lcspec import reference
from lcspec.reference import _checks
from lcspec.harness.adapting import checked_like_reference
from lcspec.harness.contract import REGISTRY

BROKEN: dict[str, type] = {}


def broken(cls):
    for name in reference.CONTRACT:
        if name in vars(cls):
            setattr(cls, name, staticmethod(checked_like_reference(name)(vars(cls)[name].__func__)))
    BROKEN[cls.__name__] = cls
    return cls


def _margins(S, y, delta):
    S, y = np.asarray(S, dtype=np.float64), np.asarray(y)
    rows = np.arange(S.shape[0])
    return S, y, rows, S - S[rows, y][:, None] + delta


def _softmax(S):
    Z = np.exp(S - S.max(axis=1, keepdims=True))
    return Z / Z.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ score function
@broken
class scores_ignore_bias:
    """scores forgets to add the bias b."""

    @staticmethod
    def scores(X, W, b=None):
        return np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T


@broken
class fold_bias_first:
    """fold_bias puts b in W's first column instead of its last."""

    @staticmethod
    def fold_bias(W, b):
        return np.column_stack([np.asarray(b, dtype=np.float64), np.asarray(W, dtype=np.float64)])


@broken
class predict_last_of_ties:
    """predict breaks ties towards the highest index (argmax of the reversed row)."""

    @staticmethod
    def predict(S):
        S = np.asarray(S, dtype=np.float64)
        return (S.shape[1] - 1 - np.argmax(S[:, ::-1], axis=1)).astype(np.intp)


@broken
class accuracy_in_percent:
    """accuracy returns a percentage instead of a fraction."""

    @staticmethod
    def accuracy(S, y):
        return 100.0 * float(np.mean(np.argmax(np.asarray(S), axis=1) == np.asarray(y)))


# ------------------------------------------------------------------ SVM
@broken
class hinge_counts_correct_class:
    """hinge_losses sums over every class, so the correct class adds Δ to every loss."""

    @staticmethod
    def hinge_losses(S, y, delta=1.0):
        _, _, _, m = _margins(S, y, delta)
        return np.maximum(m, 0.0).sum(axis=1)


@broken
class hinge_ignores_delta:
    """hinge_losses hard-codes the margin Δ = 1."""

    @staticmethod
    def hinge_losses(S, y, delta=1.0):
        _, y, rows, m = _margins(S, y, 1.0)
        m[rows, y] = 0.0
        return np.maximum(m, 0.0).sum(axis=1)


@broken
class squared_hinge_squares_the_sum:
    """squared_hinge_losses squares the summed hinge instead of summing the squared hinges."""

    @staticmethod
    def squared_hinge_losses(S, y, delta=1.0):
        _, y, rows, m = _margins(S, y, delta)
        m[rows, y] = 0.0
        return np.square(np.maximum(m, 0.0).sum(axis=1))


@broken
class crammer_singer_rival_includes_correct:
    """crammer_singer_losses takes the rival max over all classes, the correct one included."""

    @staticmethod
    def crammer_singer_losses(S, y, delta=1.0):
        _, _, _, m = _margins(S, y, delta)
        return np.maximum(m.max(axis=1), 0.0)


@broken
class hinge_grad_counts_kinks:
    """hinge_grad uses m >= 0, so a margin of exactly 0 contributes to the gradient."""

    @staticmethod
    def hinge_grad(S, y, delta=1.0):
        S, y, rows, m = _margins(S, y, delta)
        active = (m >= 0).astype(np.float64)
        active[rows, y] = 0.0
        active[rows, y] = -active.sum(axis=1)
        return active / S.shape[0]


@broken
class hinge_grad_unaveraged:
    """hinge_grad forgets the 1/N of the mean."""

    @staticmethod
    def hinge_grad(S, y, delta=1.0):
        S, y, rows, m = _margins(S, y, delta)
        active = (m > 0).astype(np.float64)
        active[rows, y] = 0.0
        active[rows, y] = -active.sum(axis=1)
        return active


# ------------------------------------------------------------------ softmax
@broken
class softmax_without_max_shift:
    """softmax exponentiates the raw scores: large scores overflow to inf/inf = NaN."""

    @staticmethod
    def softmax(S):
        with np.errstate(over="ignore", invalid="ignore"):
            E = np.exp(np.asarray(S, dtype=np.float64))
            return E / E.sum(axis=1, keepdims=True)


@broken
class softmax_over_wrong_axis:
    """softmax normalises each column (over examples) instead of each row (over classes)."""

    @staticmethod
    def softmax(S):
        S = np.asarray(S, dtype=np.float64)
        E = np.exp(S - S.max(axis=0, keepdims=True))
        return E / E.sum(axis=0, keepdims=True)


@broken
class softmax_shifts_in_place:
    """softmax subtracts the row max from the caller's array in place."""

    @staticmethod
    def softmax(S):
        S -= S.max(axis=1, keepdims=True)
        E = np.exp(S)
        return E / E.sum(axis=1, keepdims=True)


@broken
class log_softmax_as_log_of_softmax:
    """log_softmax takes log(softmax(S)), which is -inf wherever the softmax underflows to 0."""

    breaks = ("SOFTMAX-6",)
    only = True  # wrong the same way before and after a row shift or a permutation: not SOFTMAX-2's or HINGE-8's

    @staticmethod
    def log_softmax(S):
        with np.errstate(divide="ignore"):
            return np.log(_softmax(np.asarray(S, dtype=np.float64)))


@broken
class cross_entropy_as_minus_log_of_softmax:
    """cross_entropy_losses takes −log(softmax(S)[y]), which is +inf wherever p_y underflows to 0 (a spread over 745)."""

    breaks = ("SOFTMAX-7",)
    only = True

    @staticmethod
    def cross_entropy_losses(S, y):
        with np.errstate(divide="ignore"):
            return -np.log(_softmax(np.asarray(S, dtype=np.float64))[np.arange(len(y)), np.asarray(y)])


@broken
class cross_entropy_without_max_shift:
    """cross_entropy_losses computes log(sum(exp(s))) directly, which overflows for large scores."""

    @staticmethod
    def cross_entropy_losses(S, y):
        S = np.asarray(S, dtype=np.float64)
        with np.errstate(over="ignore"):
            return np.log(np.exp(S).sum(axis=1)) - S[np.arange(S.shape[0]), y]


@broken
class cross_entropy_keeps_dims:
    """cross_entropy_losses returns an (N, 1) column instead of an (N,) vector."""

    @staticmethod
    def cross_entropy_losses(S, y):
        S = np.asarray(S, dtype=np.float64)
        top = S.max(axis=1, keepdims=True)
        lse = top + np.log(np.exp(S - top).sum(axis=1, keepdims=True))
        return lse - S[np.arange(S.shape[0]), y][:, None]


@broken
class cross_entropy_grad_forgets_one_hot:
    """cross_entropy_grad returns P/N without subtracting the one-hot labels."""

    @staticmethod
    def cross_entropy_grad(S, y):
        S = np.asarray(S, dtype=np.float64)
        return _softmax(S) / S.shape[0]


# ------------------------------------------------------------------ regularisation and full losses
@broken
class l2_penalty_halved:
    """l2_penalty returns ½ΣW² (the other common convention) instead of ΣW²."""

    @staticmethod
    def l2_penalty(W):
        return 0.5 * float(np.sum(np.square(np.asarray(W, dtype=np.float64))))


@broken
class svm_loss_half_reg_in_loss:
    """svm_loss adds 0.5·reg·ΣW² to the loss but 2·reg·W to the gradient."""

    @staticmethod
    def svm_loss(W, X, y, reg, delta=1.0):
        loss, dW = reference.svm_loss(W, X, y, reg, delta)
        return loss - 0.5 * reg * float(np.sum(np.square(W))), dW


@broken
class svm_loss_half_reg:
    """svm_loss uses 0.5·reg·ΣW² with gradient reg·W: self-consistent, but the spec's penalty is reg·ΣW² (REG-4)."""

    breaks = ("REG-4",)

    @staticmethod
    def svm_loss(W, X, y, reg, delta=1.0):
        W = np.asarray(W, dtype=np.float64)
        loss, dW = reference.svm_loss(W, X, y, 0.0, delta)
        return loss + 0.5 * reg * float(np.sum(W * W)), dW + reg * W


@broken
class svm_loss_naive_loop_counts_kinks:
    """svm_loss as a CS231n-style loop that counts `margin >= 0`: the loss is right, dW is wrong at exact ties."""

    breaks = ("HINGE-2",)

    @staticmethod
    def svm_loss(W, X, y, reg, delta=1.0):
        W, X = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64)
        loss, dW = 0.0, np.zeros_like(W)
        for i in range(X.shape[0]):
            s = W @ X[i]
            for j in range(W.shape[0]):
                margin = s[j] - s[y[i]] + delta
                if j != y[i] and margin >= 0:
                    loss += margin
                    dW[j] += X[i]
                    dW[y[i]] -= X[i]
        return loss / X.shape[0] + reg * float(np.sum(W * W)), dW / X.shape[0] + 2 * reg * W


def _softmax_loss_from(shifted, W, X, y, reg):
    """The softmax loss and gradient from scores `shifted` (however the caller shifted them)."""
    e = np.exp(shifted)
    P = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.mean(np.log(P[rows, y])) + reg * float(np.sum(W * W))
    P[rows, y] -= 1.0
    return float(loss), P.T @ X / len(y) + 2 * reg * W


@broken
class softmax_loss_without_max_shift:
    """softmax_loss exponentiates the raw scores X Wᵀ: beyond s ≈ 709 they overflow to inf/inf = NaN."""

    breaks = ("SOFTMAX-11",)

    @staticmethod
    def softmax_loss(W, X, y, reg):
        W, X = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64)
        return _softmax_loss_from(X @ W.T, W, X, y, reg)


@broken
class softmax_loss_global_max_shift:
    """softmax_loss subtracts the largest score of the whole batch (`scores -= np.max(scores)`), not each row's:
    a row far below it underflows to 0/0."""

    breaks = ("SOFTMAX-11",)

    @staticmethod
    def softmax_loss(W, X, y, reg):
        W, X = np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64)
        S = X @ W.T
        return _softmax_loss_from(S - np.max(S), W, X, y, reg)


@broken
class softmax_loss_unaveraged_gradient:
    """softmax_loss averages the loss over N but not the gradient."""

    @staticmethod
    def softmax_loss(W, X, y, reg):
        loss, dW = reference.softmax_loss(W, X, y, reg)
        return loss, (dW - 2 * reg * np.asarray(W)) * np.shape(X)[0] + 2 * reg * np.asarray(W)


_GRADIENT_BUFFERS: dict = {}  # softmax_loss_reuses_its_buffer's one dW per shape, kept between calls


@broken
class softmax_loss_reuses_its_buffer:
    """softmax_loss fills one dW buffer per shape on every call and returns it, to save allocations: right when
    returned, but the dW a caller holds changes at its next call (the finite differences of a gradient check).
    Judged in a process of its own, only the protocol's "changed" (spec/protocol.md §3) shows it."""

    breaks = ("GRAD-1",)

    @staticmethod
    def softmax_loss(W, X, y, reg):
        loss, dW = reference.softmax_loss(W, X, y, reg)
        buffer = _GRADIENT_BUFFERS.setdefault(dW.shape, np.empty_like(dW))
        buffer[...] = dW
        return loss, buffer


@broken
class svm_loss_hangs_on_ties:
    """svm_loss loops forever when two classes tie (a while loop that never advances)."""

    @staticmethod
    def svm_loss(W, X, y, reg, delta=1.0):
        S = np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T
        while any(len(set(row)) < len(row) for row in S.tolist()):
            pass
        return reference.svm_loss(W, X, y, reg, delta)


# ------------------------------------------------------------------ gradients
@broken
class numerical_gradient_one_sided:
    """numerical_gradient always takes a one-sided difference, even when centered=True is asked for."""

    @staticmethod
    def numerical_gradient(f, x, h=1e-5, centered=True):
        return reference.numerical_gradient(f, x, h, centered=False)


@broken
class numerical_gradient_restores_by_arithmetic:
    """numerical_gradient perturbs x in place and undoes it by arithmetic, which need not restore x bit for bit."""

    @staticmethod
    def numerical_gradient(f, x, h=1e-5, centered=True):
        grad = np.zeros(np.shape(x))
        for i in np.ndindex(grad.shape):
            x[i] += h
            up = float(f(x))
            x[i] -= 2 * h
            down = float(f(x))
            x[i] += h
            grad[i] = (up - down) / (2 * h)
        return grad


@broken
class relative_error_sum_of_norms:
    """relative_error divides by ‖a‖ + ‖b‖ instead of max(‖a‖, ‖b‖)."""

    @staticmethod
    def relative_error(a, b):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        denominator = np.linalg.norm(a) + np.linalg.norm(b)
        return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


# ------------------------------------------------------------------ optimisation
@broken
class sgd_step_ascends:
    """sgd_step moves up the gradient: W + α·dW."""

    @staticmethod
    def sgd_step(W, dW, learning_rate):
        return np.asarray(W, dtype=np.float64) + learning_rate * np.asarray(dW, dtype=np.float64)


@broken
class sgd_step_in_place:
    """sgd_step updates the caller's W in place (W -= α·dW) and returns it."""

    @staticmethod
    def sgd_step(W, dW, learning_rate):
        W -= learning_rate * np.asarray(dW, dtype=np.float64)
        return W


class scores_without_input_checks:
    """scores silently broadcasts a b of the wrong shape instead of raising ValueError (CONV-3)."""

    level = "strict"  # a missing check is an API matter: only --level=strict fails the run for it
    breaks = ("CONV-3",)

    @staticmethod
    def scores(X, W, b=None):
        X, W = _checks.real_array("X", X, ndim=2), _checks.weight_matrix("W", W)
        return X @ W.T + (0.0 if b is None else np.asarray(b, dtype=np.float64))


BROKEN["scores_without_input_checks"] = scores_without_input_checks  # its mistake is the missing check


# The registry's mistakes (lcspec/harness/contract.py): a contract function added with its registry entry is
# broken here without a hand-written entry.
for _name, _function in REGISTRY.items():
    if _function.mistake is not None:  # an attribute of this module too, as --impl=tests.suite.catalogue:NAME needs
        globals()[f"{_name}_registered_mistake"] = broken(type(
            f"{_name}_registered_mistake", (), {"__doc__": _function.mistake.__doc__,
                                                _name: staticmethod(_function.mistake)}))


# ------------------------------------------------------------------ inputs real code gets wrong (issue 18)
# Each mistake shows only on inputs the laws draw rarely (tests/strategies.py): a batch beyond 256 rows, a
# margin within 1e-8 of its kink, integer pixels, a W or x that is not 2-D. Each must fail at core, under the
# clause that states what it gets wrong.
@broken
class cross_entropy_in_float32_beyond_256_rows:
    """cross_entropy_losses switches to float32 above 256 rows, for speed, and hands back float64 arrays."""

    breaks = ("SOFTMAX-7",)

    @staticmethod
    def cross_entropy_losses(S, y):
        S = np.asarray(S, dtype=np.float32 if np.shape(S)[0] > 256 else np.float64)
        shifted = S - S.max(axis=1, keepdims=True)
        losses = np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(y)), np.asarray(y)]
        return losses.astype(np.float64)


@broken
class hinge_grad_above_a_threshold:
    """hinge_grad counts a margin as violated only above 1e-8 (`margins > 1e-8`, "to be safe from rounding")."""

    breaks = ("HINGE-12",)

    @staticmethod
    def hinge_grad(S, y, delta=1.0):
        S, y, rows, margins = _margins(S, y, delta)
        G = (margins > 1e-8).astype(np.float64)
        G[rows, y] = 0.0
        G[rows, y] = -G.sum(axis=1)
        return G / len(y)


@broken
class scores_allocated_like_x:
    """scores allocates its result like X (`np.zeros_like`), so uint8 pixels times float weights give truncated uint8."""

    breaks = ("SCORE-1",)

    @staticmethod
    def scores(X, W, b=None):
        X, W = np.asarray(X), np.asarray(W, dtype=np.float64)
        S = np.zeros((X.shape[0], W.shape[0]), dtype=X.dtype)
        with np.errstate(invalid="ignore", over="ignore"):
            S[...] = X @ W.T + (0.0 if b is None else np.asarray(b, dtype=np.float64))
        return S


@broken
class numerical_gradient_of_matrices_only:
    """numerical_gradient walks `for i in range(rows): for j in range(cols)` after `rows, cols = x.shape`."""

    breaks = ("GRAD-5",)

    @staticmethod
    def numerical_gradient(f, x, h=1e-5, centered=True):
        x = np.array(x, dtype=np.float64)
        rows, cols = x.shape
        grad = np.zeros_like(x)
        for i in range(rows):
            for j in range(cols):
                plus, minus = x.copy(), x.copy()
                plus[i, j] += h
                minus[i, j] -= h
                grad[i, j] = ((f(plus) - f(minus)) / (2 * h) if centered else (f(plus) - f(x)) / h)
        return grad


@broken
class sgd_step_returns_w_at_rate_zero:
    """sgd_step returns W itself when the learning rate is 0 (nothing to do), not a new array: the caller's W and the
    "new" weights are then one object. Judged in a process of its own, only the protocol's "shares" shows it."""

    breaks = ("OPT-1",)

    @staticmethod
    def sgd_step(W, dW, learning_rate):
        return W if learning_rate == 0 else reference.sgd_step(W, dW, learning_rate)


@broken
class sgd_step_at_least_2d:
    """sgd_step calls np.atleast_2d on W and dW first, so a vector comes back (1, n) and a scalar (1, 1)."""

    breaks = ("OPT-1",)

    @staticmethod
    def sgd_step(W, dW, learning_rate):
        W, dW = np.atleast_2d(np.asarray(W, dtype=np.float64)), np.atleast_2d(np.asarray(dW, dtype=np.float64))
        return W - learning_rate * dW
