"""Conventions every public function keeps: dtypes, no mutation, and clear errors for bad input (chapter 00).

One table, `VALID` (lcspec/harness/adapting.py), holds a small valid call of every contract function,
and `STRATEGY_VALID` one of every optimisation strategy; every bad-input case below is derived from
them by changing one argument, so each rule is checked for every function it applies to. Values are
small integers so that int64 and float32 copies are exact.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from lcspec import reference as ref
from lcspec.reference import tolerances
from lcspec.harness.clauses import clauses
from lcspec.harness.contract import VALID, W, X, y
from lcspec.harness.guard import ConformanceFailure
from lcspec.harness.session import active

MATRICES = {"X", "W", "S"}  # arguments that must be 2-D (sgd_step's W and dW may have any shape, as long as they match)
LABELS = "y"
SCALARS = {"delta": "non-negative", "reg": "non-negative", "learning_rate": "non-negative", "h": "positive",
           "scale": "positive", "step_size": "positive"}


def applies(clause_id: str, function: str) -> bool:
    return function in clauses()[clause_id]["functions"]


def rule_cases(valid: dict, matrices: set, applies_here):
    """Every rule of chapter 0 that applies to the call `valid`, as (clause, change, error, argument, label).

    Each case changes one argument of a valid call; `applies_here(clause)` says which clauses constrain
    the function and `matrices` which of its arguments must be 2-D.
    """
    cases = []

    def add(clause_id, change, error, argument, label):
        if applies_here(clause_id):
            cases.append((clause_id, change, error, argument, label))

    for name, value in valid.items():
        if not isinstance(value, np.ndarray) or name == LABELS:
            continue
        for bad in (np.nan, np.inf, -np.inf):
            broken = value.copy()
            broken.flat[-1] = bad
            add("CONV-7", {name: broken}, ValueError, name, f"{name}-{bad}")
        for dtype in (bool, complex, object, str):
            add("CONV-9", {name: value.astype(dtype)}, TypeError, name, f"{name}-{dtype.__name__}")
        if name in matrices:
            add("CONV-3", {name: value[None]}, ValueError, name, f"{name}-3d")
            add("CONV-3", {name: value[0]}, ValueError, name, f"{name}-1d")
            add("CONV-3", {name: value[0, 0]}, ValueError, name, f"{name}-0d")
            if name in ("S", "W", "W0"):  # the class axis: columns of S, rows of W
                one_class = value[:, :1] if name == "S" else value[:1]
                add("CONV-5", {name: one_class}, ValueError, name, f"{name}-one-class")
    if LABELS in valid:
        labels = valid[LABELS]
        k = max(v.shape[1] if n == "S" else v.shape[0] for n, v in valid.items() if n in ("S", "W", "W0"))
        add("CONV-4", {LABELS: labels.astype(float)}, TypeError, LABELS, "y-float")
        add("CONV-4", {LABELS: labels.astype(bool)}, TypeError, LABELS, "y-bool")
        add("CONV-4", {LABELS: labels.astype(str)}, TypeError, LABELS, "y-str")
        add("CONV-4", {LABELS: np.where(labels == labels[0], -1, labels)}, ValueError, LABELS, "y-negative")
        add("CONV-4", {LABELS: np.where(labels == labels[0], k, labels)}, ValueError, LABELS, "y-equals-K")
        add("CONV-3", {LABELS: labels[:1]}, ValueError, LABELS, "y-short")
        add("CONV-3", {LABELS: labels[None]}, ValueError, LABELS, "y-row")
        add("CONV-3", {LABELS: labels[:, None]}, ValueError, LABELS, "y-column")  # (N, 1): the classic broadcast
        empty = {n: v[:0] for n, v in valid.items() if n in ("S", "X", LABELS)}
        add("CONV-6", empty, ValueError, "S" if "S" in valid else "X", "empty-batch")
    for name, rule in SCALARS.items():
        if name in valid:
            add("CONV-8", {name: -1.0}, ValueError, name, f"{name}-negative")
            add("CONV-8", {name: float("nan")}, ValueError, name, f"{name}-nan")
            add("CONV-8", {name: float("inf")}, ValueError, name, f"{name}-inf")
            add("CONV-8", {name: "1.0"}, TypeError, name, f"{name}-string")
            if rule == "positive":
                add("CONV-8", {name: 0.0}, ValueError, name, f"{name}-zero")
    return cases


def bad_inputs():
    cases = [
        pytest.param(fn, dict(VALID[fn], **change), error, argument, id=f"{fn}-{label}", marks=pytest.mark.clause(c))
        for fn, valid in VALID.items()
        for c, change, error, argument, label in rule_cases(
            valid, MATRICES if fn != "sgd_step" else set(), lambda clause_id, fn=fn: applies(clause_id, fn))
    ]

    def case(clause_id, function, change, error, argument, label):
        return pytest.param(function, dict(VALID[function], **change), error, argument,
                            id=f"{function}-{label}", marks=pytest.mark.clause(clause_id))

    # Shapes that disagree with each other (CONV-3).
    cases += [
        case("CONV-3", "scores", {"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W"),
        case("CONV-3", "scores", {"b": np.zeros(2)}, ValueError, "b", "b-length"),
        case("CONV-3", "scores", {"b": np.zeros(1)}, ValueError, "b", "b-broadcastable"),
        case("CONV-3", "scores", {"b": np.zeros((3, 1))}, ValueError, "b", "b-2d"),
        case("CONV-3", "scores", {"b": np.array(1.0)}, ValueError, "b", "b-0d"),
        case("CONV-3", "fold_bias", {"b": np.zeros(4)}, ValueError, "b", "b-length"),
        case("CONV-3", "fold_bias", {"b": np.zeros(1)}, ValueError, "b", "b-broadcastable"),
        case("CONV-3", "fold_bias", {"b": np.zeros((3, 1))}, ValueError, "b", "b-2d"),
        case("CONV-3", "fold_bias", {"b": np.array(1.0)}, ValueError, "b", "b-0d"),
        case("CONV-3", "svm_loss", {"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W"),
        case("CONV-3", "softmax_loss", {"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W"),
        case("CONV-3", "sgd_step", {"dW": np.ones((3, 1))}, ValueError, "dW", "dW-broadcastable"),
        case("CONV-3", "sgd_step", {"W": W[:, :1]}, ValueError, "W", "W-broadcastable"),
        case("CONV-3", "relative_error", {"b": np.ones((2, 2))}, ValueError, "b", "b-broadcastable"),
    ]
    return cases


def assert_rejected(function, kwargs, error, argument):
    """function(**kwargs) raises `error` with a message that names `argument`."""
    with pytest.raises(error) as raised:
        function(**kwargs)
    assert re.search(rf"\b{re.escape(argument)}\b", str(raised.value)), (
        f"{function.__name__}: the {error.__name__} message should name {argument!r}: {raised.value}"
    )


@pytest.mark.parametrize("function, kwargs, error, argument", bad_inputs())
def test_bad_input_raises_a_clear_error(impl, function, kwargs, error, argument):
    """Bad input raises the documented exception type, and the message names the offending argument."""
    assert_rejected(getattr(impl, function), kwargs, error, argument)


def accepted(function, kwargs):
    """function(**kwargs) on input the clause says must be accepted: raising where the reference returns a value breaks
    this test's clause (CONV-1's dtypes, CONV-6's empty batch), so it is laid there and not at `differential`."""
    try:
        return function(**kwargs)
    except ConformanceFailure as failure:
        if not failure.raised:
            raise
        raise AssertionError(f"{failure}: this input must be accepted") from None


def values_are_the_laws():
    """A test of a convention that is not about values: a wrong value its calls returned is reported by the laws of its
    function, under their clauses, and not here (where it would be the first failure a student reads)."""
    for call in active().recorder or ():
        call.wrong_value = False


def float64_results(result):
    """Every array in a result (a tuple's too), for dtype checks."""
    parts = result if isinstance(result, tuple) else (result,)
    return [p for p in parts if isinstance(p, np.ndarray)]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32])
@pytest.mark.parametrize(
    "function", [pytest.param(f, marks=pytest.mark.clause("CONV-1")) for f in VALID if applies("CONV-1", f)]
)
def test_integer_and_float32_inputs_are_computed_in_float64(impl, function, dtype):
    """Integer and float32 arrays are accepted and give float64 results (their values are the guard's to compare with
    the reference's float64 computation: a wrong value is not a dtype matter)."""
    converted = {k: v.astype(dtype) if isinstance(v, np.ndarray) and k != LABELS else v for k, v in VALID[function].items()}
    got = accepted(getattr(impl, function), converted)
    for part in float64_results(got):
        assert part.dtype == np.float64, f"{function} returned {part.dtype} for {np.dtype(dtype)} input"


PER_EXAMPLE = {  # function -> the shape of its result for an empty batch of K = 3 classes
    "scores": (0, 3), "append_ones": (0, 4), "hinge_losses": (0,), "squared_hinge_losses": (0,),
    "crammer_singer_losses": (0,), "softmax": (0, 3), "log_softmax": (0, 3), "cross_entropy_losses": (0,),
    "predict": (0,),
}


@pytest.mark.clause("CONV-6")
@pytest.mark.parametrize("function", list(PER_EXAMPLE))
def test_per_example_functions_return_an_empty_result_for_an_empty_batch(impl, function):
    """With N = 0 a per-example function returns an empty result of the right shape (only means over examples raise)."""
    empty = {n: v[:0] if n in ("S", "X", LABELS) else v for n, v in VALID[function].items()}
    result = accepted(getattr(impl, function), empty)
    assert np.shape(result) == PER_EXAMPLE[function], f"{function} of an empty batch has shape {np.shape(result)}"


@pytest.mark.parametrize(
    "function", [pytest.param(f, marks=pytest.mark.clause("CONV-2")) for f in VALID if applies("CONV-2", f)]
)
def test_no_function_modifies_its_arguments(impl, function):
    """Every array argument is bit-identical after the call (the guard checks this on every call of the suite)."""
    assert_arguments_unchanged(getattr(impl, function), VALID[function])
    values_are_the_laws()


def assert_arguments_unchanged(function, valid):
    """Call function(**valid) on copies of the arrays and require each copy to be bit-identical afterwards."""
    kwargs = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in valid.items()}
    before = {k: v.copy() for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    function(**kwargs)
    for name, original in before.items():
        assert kwargs[name].tobytes() == original.tobytes(), f"{function.__name__} modified {name}"


# The optimisation strategies are reference-only (OPT-6): these tests call `reference` itself. They
# follow the rules of this chapter too, so their bad-input cases come from the same `rule_cases`.
def softmax_loss_of(W):
    return ref.softmax_loss(W, X, y, 0.1)[0]


def softmax_loss_and_grad(W):
    return ref.softmax_loss(W, X, y, 0.1)


def batch_softmax_loss_and_grad(W, X_batch, y_batch):
    return ref.softmax_loss(W, X_batch, y_batch, 0.1)


def rng():
    return np.random.default_rng(0)


STRATEGY_VALID = {
    "random_search": dict(loss=softmax_loss_of, shape=W.shape, rng=rng(), num_tries=3, scale=0.1),
    "random_local_search": dict(loss=softmax_loss_of, W0=W, rng=rng(), num_tries=3, step_size=0.1),
    "gradient_descent": dict(loss_and_grad=softmax_loss_and_grad, W0=W, learning_rate=0.1, num_steps=3),
    "minibatch_sgd": dict(loss_and_grad=batch_softmax_loss_and_grad, W0=W, X=X, y=y, rng=rng(), learning_rate=0.1,
                          batch_size=1, num_steps=3),
}
assert set(STRATEGY_VALID) == set(ref.STRATEGIES)
STRATEGY_MATRICES = {"minibatch_sgd": {"W0", "X"}}  # the searches and gradient descent take weights of any shape


def fresh(function):
    """The valid call of a strategy, with a generator of its own."""
    valid = STRATEGY_VALID[function]
    return dict(valid, rng=rng()) if "rng" in valid else dict(valid)


def returns(value):
    """A loss function (of any arguments) that returns `value`."""
    return lambda *args: value


def strategy_bad_inputs():
    cases = []
    for fn, valid in STRATEGY_VALID.items():
        changes = [change[1:] for change in rule_cases(valid, STRATEGY_MATRICES.get(fn, set()), lambda c: True)]
        if "rng" in valid:
            changes.append(({"rng": 0}, TypeError, "rng", "rng-seed-not-generator"))
        for name in ("num_tries", "num_steps", "batch_size"):
            if name in valid:
                changes += [({name: 0}, ValueError, name, f"{name}-zero"), ({name: 1.5}, TypeError, name, f"{name}-float"),
                            ({name: True}, TypeError, name, f"{name}-bool")]
        for name in ("loss", "loss_and_grad"):
            if name in valid:
                changes += [({name: 1.0}, TypeError, name, f"{name}-not-callable"),
                            ({name: returns("1.0")}, TypeError, name, f"{name}-returns-a-string")]
        if "loss" in valid:
            changes.append(({"loss": returns(float("nan"))}, ValueError, "loss", "loss-returns-nan"))
        if "loss_and_grad" in valid:
            changes += [({"loss_and_grad": returns(1.0)}, TypeError, "loss_and_grad", "loss_and_grad-returns-no-dW"),
                        ({"loss_and_grad": returns((float("nan"), np.zeros(W.shape)))}, ValueError, "loss_and_grad",
                         "loss_and_grad-returns-nan"),
                        ({"loss_and_grad": returns((1.0, np.zeros(2)))}, ValueError, "loss_and_grad",
                         "loss_and_grad-returns-a-misshapen-dW")]
        if "shape" in valid:
            changes += [({"shape": (3, -1)}, ValueError, "shape", "shape-negative"),
                        ({"shape": (3.0, 3)}, TypeError, "shape", "shape-float"), ({"shape": 3}, TypeError, "shape", "shape-int")]
        if fn == "minibatch_sgd":
            changes += [({"batch_size": len(y) + 1}, ValueError, "batch_size", "batch_size-above-N"),
                        ({"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W0")]
        cases += [pytest.param(fn, dict(valid, **change), error, argument, id=f"{fn}-{label}")
                  for change, error, argument, label in changes]
    return cases


@pytest.mark.clause("OPT-6")
@pytest.mark.parametrize("function, kwargs, error, argument", strategy_bad_inputs())
def test_strategies_reject_bad_input_with_a_clear_error(function, kwargs, error, argument):
    """The optimisation strategies reject bad input by the rules of chapter 0, with a message naming the argument."""
    assert_rejected(getattr(ref, function), kwargs, error, argument)


@pytest.mark.clause("OPT-6")
@pytest.mark.parametrize("function", ref.STRATEGIES)
def test_no_strategy_modifies_its_arguments(function):
    """Every array argument of a strategy (W0, X, y) is bit-identical after the run."""
    assert_arguments_unchanged(getattr(ref, function), fresh(function))


@pytest.mark.clause("OPT-6")
@pytest.mark.parametrize("dtype", [np.int64, np.float32])
@pytest.mark.parametrize("function", ref.STRATEGIES)
def test_strategies_accept_integer_and_float32_inputs_and_return_float64(function, dtype):
    """Integer and float32 starting weights and data are accepted; the weights and history come back float64."""
    converted = {k: v.astype(dtype) if isinstance(v, np.ndarray) and k != LABELS else v for k, v in fresh(function).items()}
    result = getattr(ref, function)(**converted)
    assert result.W.dtype == np.float64 and result.loss_history.dtype == np.float64


@pytest.mark.clause("CONV-10")
def test_the_tolerance_is_sixteen_ulps_per_term_with_a_floor_of_one():
    """atol(m, t) = 16·t·ε·max(1, m) with ε the dtype's machine epsilon, as CONV-10 states."""
    eps64, eps32 = np.finfo(np.float64).eps, np.finfo(np.float32).eps
    assert tolerances.atol(1e6, terms=3) == 16 * 3 * eps64 * 1e6
    assert tolerances.atol(1e-9) == 16 * eps64
    assert tolerances.atol(2.0, dtype=np.float32) == 16 * eps32 * 2.0
