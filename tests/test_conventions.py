"""Conventions every contract function keeps: dtypes, no mutation, and clear errors for bad input (chapter 00).

One table, `VALID`, holds a small valid call of every contract function; every bad-input case below
is derived from it by changing one argument, so each rule is checked for every function it applies to.
Values are small integers so that int64 and float32 copies are exact.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import reference as ref
from reference.tolerances import atol
from tests.clauses import clauses

# No margin of these (S, y), nor of (X Wᵀ, y), is exactly 0, so CONV-1 judges dtypes, not kinks.
X = np.array([[1.0, 2.0, -1.0], [0.0, 3.0, 1.0]])
W = np.array([[1.0, 0.0, -2.0], [2.0, 1.0, 0.0], [-1.0, 1.0, 1.0]])
S = np.array([[2.0, -2.0, 0.0], [3.0, 1.0, 1.0]])
y = np.array([0, 1])


def square(x):
    return float(np.sum(x ** 2))


VALID = {
    "scores": dict(X=X, W=W, b=np.array([1.0, 0.0, -1.0])),
    "append_ones": dict(X=X),
    "fold_bias": dict(W=W, b=np.array([1.0, 0.0, -1.0])),
    "hinge_losses": dict(S=S, y=y, delta=1.0),
    "squared_hinge_losses": dict(S=S, y=y, delta=1.0),
    "crammer_singer_losses": dict(S=S, y=y, delta=1.0),
    "softmax": dict(S=S),
    "log_softmax": dict(S=S),
    "cross_entropy_losses": dict(S=S, y=y),
    "l2_penalty": dict(W=W),
    "hinge_grad": dict(S=S, y=y, delta=1.0),
    "cross_entropy_grad": dict(S=S, y=y),
    "svm_loss": dict(W=W, X=X, y=y, reg=0.5, delta=1.0),
    "softmax_loss": dict(W=W, X=X, y=y, reg=0.5),
    "numerical_gradient": dict(f=square, x=np.array([[1.0, -2.0], [0.0, 3.0]]), h=1e-5),
    "relative_error": dict(a=np.array([1.0, 2.0]), b=np.array([1.0, 3.0])),
    "sgd_step": dict(W=W, dW=np.ones_like(W), learning_rate=0.5),
    "predict": dict(S=S),
    "accuracy": dict(S=S, y=y),
}
assert set(VALID) == set(ref.CONTRACT)
for _S in (S, X @ W.T):
    _margins = _S - _S[np.arange(len(y)), y][:, None] + 1.0
    assert np.count_nonzero(_margins == 0.0) == 0, "the CONV-1 table must stay away from kinks"

MATRICES = {"X", "W", "S"}  # arguments that must be 2-D
LABELS = "y"
SCALARS = {"delta": "non-negative", "reg": "non-negative", "learning_rate": "non-negative", "h": "positive"}


def applies(clause_id: str, function: str) -> bool:
    return function in clauses()[clause_id]["functions"]


def case(clause_id, function, change, error, argument, label):
    kwargs = dict(VALID[function], **change)
    return pytest.param(function, kwargs, error, argument,
                        id=f"{function}-{label}", marks=pytest.mark.clause(clause_id))


def array_arguments(function):
    return [name for name, v in VALID[function].items() if isinstance(v, np.ndarray) and name != LABELS]


def bad_inputs():
    cases = []
    for fn, valid in VALID.items():
        for name in array_arguments(fn):
            value = valid[name]
            if applies("CONV-7", fn):
                for bad in (np.nan, np.inf, -np.inf):
                    broken = value.copy()
                    broken.flat[-1] = bad
                    cases.append(case("CONV-7", fn, {name: broken}, ValueError, name, f"{name}-{bad}"))
            if applies("CONV-9", fn):
                for dtype in (bool, complex, object, str):
                    cases.append(case("CONV-9", fn, {name: value.astype(dtype)}, TypeError, name, f"{name}-{dtype.__name__}"))
            if applies("CONV-3", fn) and name in MATRICES:
                cases.append(case("CONV-3", fn, {name: value[None]}, ValueError, name, f"{name}-3d"))
                cases.append(case("CONV-3", fn, {name: value[0]}, ValueError, name, f"{name}-1d"))
            if applies("CONV-5", fn) and name in ("S", "W") and fn not in ("l2_penalty", "sgd_step"):
                one_class = value[:, :1] if name == "S" else value[:1]
                cases.append(case("CONV-5", fn, {name: one_class}, ValueError, name, f"{name}-one-class"))
        if LABELS in valid:
            if applies("CONV-4", fn):
                labels = valid[LABELS]
                cases += [
                    case("CONV-4", fn, {LABELS: labels.astype(float)}, TypeError, LABELS, "y-float"),
                    case("CONV-4", fn, {LABELS: labels.astype(bool)}, TypeError, LABELS, "y-bool"),
                    case("CONV-4", fn, {LABELS: np.array([0, -1])}, ValueError, LABELS, "y-negative"),
                    case("CONV-4", fn, {LABELS: np.array([0, 3])}, ValueError, LABELS, "y-equals-K"),
                    case("CONV-3", fn, {LABELS: labels[:1]}, ValueError, LABELS, "y-short"),
                    case("CONV-3", fn, {LABELS: labels[None]}, ValueError, LABELS, "y-2d"),
                ]
            if applies("CONV-6", fn):
                empty = {k: v[:0] for k, v in valid.items() if k in ("S", "X", LABELS)}
                argument = "S" if "S" in valid else "X"
                cases.append(case("CONV-6", fn, empty, ValueError, argument, "empty-batch"))
        for name, rule in SCALARS.items():
            if name in valid and applies("CONV-8", fn):
                cases.append(case("CONV-8", fn, {name: -1.0}, ValueError, name, f"{name}-negative"))
                cases.append(case("CONV-8", fn, {name: float("nan")}, ValueError, name, f"{name}-nan"))
                cases.append(case("CONV-8", fn, {name: "1.0"}, TypeError, name, f"{name}-string"))
                if rule == "positive":
                    cases.append(case("CONV-8", fn, {name: 0.0}, ValueError, name, f"{name}-zero"))
    # Shapes that disagree with each other (CONV-3).
    cases += [
        case("CONV-3", "scores", {"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W"),
        case("CONV-3", "scores", {"b": np.zeros(2)}, ValueError, "b", "b-length"),
        case("CONV-3", "scores", {"b": np.zeros((3, 1))}, ValueError, "b", "b-2d"),
        case("CONV-3", "fold_bias", {"b": np.zeros(4)}, ValueError, "b", "b-length"),
        case("CONV-3", "svm_loss", {"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W"),
        case("CONV-3", "softmax_loss", {"X": X[:, :2]}, ValueError, "X", "X-columns-vs-W"),
        case("CONV-3", "sgd_step", {"dW": np.ones((3, 1))}, ValueError, "dW", "dW-broadcastable"),
        case("CONV-3", "relative_error", {"b": np.ones((2, 2))}, ValueError, "b", "b-broadcastable"),
        case("CONV-3", "l2_penalty", {"W": np.ones(3)}, ValueError, "W", "W-1d"),
        case("CONV-3", "append_ones", {"X": np.ones(3)}, ValueError, "X", "X-1d"),
    ]
    return cases


@pytest.mark.parametrize("function, kwargs, error, argument", bad_inputs())
def test_bad_input_raises_a_clear_error(impl, function, kwargs, error, argument):
    """Bad input raises the documented exception type, and the message names the offending argument."""
    with pytest.raises(error) as raised:
        getattr(impl, function)(**kwargs)
    assert re.search(rf"\b{re.escape(argument)}\b", str(raised.value)), (
        f"{function}: the {error.__name__} message should name {argument!r}: {raised.value}"
    )


def float64_results(result):
    """Every array in a result (a tuple's too), for dtype checks."""
    parts = result if isinstance(result, tuple) else (result,)
    return [p for p in parts if isinstance(p, np.ndarray)]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32])
@pytest.mark.parametrize(
    "function", [pytest.param(f, marks=pytest.mark.clause("CONV-1")) for f in VALID if applies("CONV-1", f)]
)
def test_integer_and_float32_inputs_are_computed_in_float64(impl, function, dtype):
    """Integer and float32 arrays are accepted; results are float64 and equal the float64 computation."""
    converted = {k: v.astype(dtype) if isinstance(v, np.ndarray) and k != LABELS else v for k, v in VALID[function].items()}
    expected = getattr(ref, function)(**VALID[function])
    got = getattr(impl, function)(**converted)
    for part in float64_results(got):
        assert part.dtype == np.float64, f"{function} returned {part.dtype} for {np.dtype(dtype)} input"
    for g, e in zip(got if isinstance(got, tuple) else (got,), expected if isinstance(expected, tuple) else (expected,)):
        g, e = np.asarray(g, dtype=np.float64), np.asarray(e, dtype=np.float64)
        assert np.all(np.abs(g - e) <= atol(np.abs(e) + 10, terms=16))


@pytest.mark.parametrize(
    "function", [pytest.param(f, marks=pytest.mark.clause("CONV-2")) for f in VALID if applies("CONV-2", f)]
)
def test_no_function_modifies_its_arguments(impl, function):
    """Every array argument is bit-identical after the call (the guard checks this on every call of the suite)."""
    kwargs = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in VALID[function].items()}
    before = {k: v.copy() for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    getattr(impl, function)(**kwargs)
    for name, original in before.items():
        assert kwargs[name].tobytes() == original.tobytes(), f"{function} modified {name}"


@pytest.mark.clause("CONV-10")
def test_the_tolerance_is_sixteen_ulps_per_term_with_a_floor_of_one():
    """atol(m, t) = 16·t·ε·max(1, m) with ε the dtype's machine epsilon, as CONV-10 states."""
    eps64, eps32 = np.finfo(np.float64).eps, np.finfo(np.float32).eps
    assert atol(1e6, terms=3) == 16 * 3 * eps64 * 1e6
    assert atol(1e-9) == 16 * eps64
    assert atol(2.0, dtype=np.float32) == 16 * eps32 * 2.0
