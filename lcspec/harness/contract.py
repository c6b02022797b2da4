"""The registry: what the suite knows about each contract function, in one entry per function.

An entry holds everything the harness needs besides the reference function itself (whose signature
it reads) and the laws (which name their clauses): a small valid call, a smoke call, the bound of
the differential check with its derivation, whether results are compared with the reference's and
whether they say what precision the implementation computes in, how a wrapper checks the
function's arguments, and, where the suite's catalogue has no hand-written one, a classic mistake the
laws must catch. `tests/suite/test_registry.py` fails when a contract function has no entry or
an entry is incomplete. Adding a contract function touches this registry, the reference, the laws
and the spec, and nothing else (see CONTRIBUTING.md).

The bound of a result part is `(scale, terms)`: the differential check allows
`lcspec.reference.tolerances.atol(scale, terms, dtype)`, CONV-10's rule (16 ulps per rounded term,
times the magnitude the formula accumulates), at the dtype the result is judged at; `None` means
the part must equal the reference's exactly (an index, a copy).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable

import numpy as np

from lcspec import reference
from lcspec.harness.clauses import clauses


# ---------------------------------------------------------------------- magnitudes the bounds use
def magnitude(a) -> float:
    """max |a| over its entries, 0 for an empty array (the method, not np.max: a third of the time on small arrays)."""
    magnitudes = np.abs(np.asarray(a, dtype=np.float64))
    return float(magnitudes.max()) if magnitudes.size else 0.0


def score_size(X, W, b=None) -> float:
    """A bound on |X Wᵀ + b|: the magnitude every score's rounding error is relative to."""
    S = np.abs(np.asarray(X, dtype=np.float64)) @ np.abs(np.asarray(W, dtype=np.float64)).T
    return magnitude(S) + (magnitude(b) if b is not None else 0.0)


def _penalty(a) -> float:
    with np.errstate(over="ignore"):
        return float(np.sum(np.square(np.sqrt(a["reg"]) * np.asarray(a["W"], dtype=np.float64))))


def margin_scale(S, delta) -> float:
    return 2.0 * magnitude(S) + float(delta)


def _squared_margin_scale(S, y, delta) -> float:
    """(largest violated margin) x (margin scale): squaring a margin m computed with error e gives about
    2·m·e, and e is of the order of eps times the margin scale (scale² would overflow long before the loss)."""
    S = np.asarray(S, dtype=np.float64)
    rows = np.arange(S.shape[0])
    with np.errstate(over="ignore"):
        m = S - S[rows, np.asarray(y)][:, None] + float(delta)
    return max(magnitude(np.maximum(m, 0.0)), 1.0) * margin_scale(S, delta)


def _sum_of_squares(W) -> float:
    """ΣW², the scale of its own rounding error (every term is >= 0); inf when it overflows."""
    with np.errstate(over="ignore"):
        return float(np.sum(np.square(np.asarray(W, dtype=np.float64))))


def _classes(a) -> int:
    return int(np.shape(a["S"])[1])


# ---------------------------------------------------------------------- the entry
@dataclasses.dataclass(frozen=True)
class ContractFunction:
    """What the suite knows about one contract function (see the module docstring)."""

    name: str
    valid: dict
    """A small valid call: the bad-input tests change one argument of it, CONV-1 varies its dtypes, and
    the precision probe reads the dtype of its result. No margin of it lies on a kink."""
    smoke: dict
    """A call away from every kink and limit, on which any implementation must agree with the reference."""
    bound: Callable[[dict], list] | None
    """The bound arguments -> one (scale, terms) or None (exact) per part of the result; None if not compared."""
    derivation: str
    """Why the bound is what it is (or why there is none)."""
    parts: tuple[str, ...] = ("the result",)
    """The parts of the result, as messages name them: ("the loss", "dW") for a loss and its gradient."""
    probed: bool = True
    """Whether the dtype of its result on `valid` shows the precision the implementation computes in."""
    check_arguments: Callable[..., None] | None = None
    """How a wrapper (lcspec/harness/adapting.py) checks the arguments without computing the function;
    None: the reference is called on copies and its result discarded."""
    mistake: Callable | None = None
    """A classic mistake in computing it (its docstring says which), that the laws must catch: the suite's
    catalogue of broken implementations (tests/suite/catalogue.py) runs them against it. A function the
    catalogue has no hand-written entry for needs one here."""

    @property
    def compared(self) -> bool:
        """Whether the guard compares each result with the reference's on the same inputs."""
        return self.bound is not None

    @property
    def reference(self) -> Callable:
        return getattr(reference, self.name)

    @functools.cached_property  # inspect unwraps the reference's decorators: ~50 µs, on every guarded call
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.reference)

    @functools.cached_property
    def _parameters(self) -> tuple[tuple[str, ...], dict]:
        """The reference's parameter names in order, and the defaults of those that have one."""
        parameters = self.signature.parameters.values()
        if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters):
            raise TypeError(f"{self.name}: bind() knows only positional-or-keyword parameters, the reference has "
                            f"{self.signature}")
        return tuple(p.name for p in parameters), {p.name: p.default for p in parameters if p.default is not p.empty}

    def bind(self, args: tuple, kwargs: dict) -> dict | None:
        """`args` and `kwargs` by the reference's parameter names, defaults filled in, in the signature's order
        (`inspect.Signature.bind` with `apply_defaults`); None where the reference could not take them. Every guarded
        call binds, and inspect's takes ~20 µs where this takes ~2.

        >>> entry("svm_loss").bind(("W", "X"), {"y": "y", "reg": 0.5})
        {'W': 'W', 'X': 'X', 'y': 'y', 'reg': 0.5, 'delta': 1.0}
        >>> entry("svm_loss").bind(("W",), {"W": "W"}) is None
        True
        """
        names, defaults = self._parameters
        if len(args) > len(names):
            return None
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key in given or key not in names:
                return None
            given[key] = value
        if len(given) + len(defaults) < len(names):
            return None
        try:
            return {name: given[name] if name in given else defaults[name] for name in names}
        except KeyError:  # a parameter without a default, not given
            return None

    @functools.cached_property
    def clauses(self) -> list[str]:
        """The clauses that constrain it (spec/clauses.toml's `functions`)."""
        return [cid for cid, c in clauses().items() if self.name in c["functions"]]


def _ones_first(X):
    """append_ones puts the column of ones first instead of last."""
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([np.ones(X.shape[0]), X])


# ---------------------------------------------------------------------- shared inputs
# No margin of these (S, y), nor of (X Wᵀ, y), is exactly 0, so CONV-1 judges dtypes, not kinks.
X = np.array([[1.0, 2.0, -1.0], [0.0, 3.0, 1.0]])
W = np.array([[1.0, 0.0, -2.0], [2.0, 1.0, 0.0], [-1.0, 1.0, 1.0]])
S = np.array([[2.0, -2.0, 0.0], [3.0, 1.0, 1.0]])
y = np.array([0, 1])
b = np.array([1.0, 0.0, -1.0])

# The smoke problem: four examples, three classes, every margin at least 0.03 from 0 (far beyond rounding).
_W = np.array([[0.2, -0.5, 0.1], [1.5, 1.3, 2.1], [0.0, 0.25, 0.2]])
_X = np.array([[0.5, -1.0, 2.0], [1.0, 0.3, -0.7], [-0.4, 0.9, 1.1], [2.0, 0.1, 0.0]])
_y = np.array([0, 1, 2, 1])
_S = _X @ _W.T


def square(x):
    """f(x) = Σx², the function numerical_gradient's calls differentiate (gradient 2x)."""
    return float(np.sum(x ** 2))


_MEAN_OF_ROWS = "a per-row formula over C classes: C + 2 rounded terms of the scores' magnitude"

ENTRIES = [
    ContractFunction(
        "scores", dict(X=X, W=W, b=b), dict(X=_X, W=_W, b=np.array([0.1, -0.2, 0.3])),
        lambda a: [(score_size(a["X"], a["W"], a["b"]), np.shape(a["X"])[1] + 1)],
        "D products and the bias: D + 1 terms of |X||W|ᵀ + |b|"),
    ContractFunction("append_ones", dict(X=X), dict(X=_X), lambda a: [None], "a copy with a column of ones: exact",
                     mistake=_ones_first),
    ContractFunction("fold_bias", dict(W=W, b=b), dict(W=_W, b=np.ones(3)), lambda a: [None],
                     "a copy with b as a column: exact"),
    ContractFunction(
        "hinge_losses", dict(S=S, y=y, delta=1.0), dict(S=_S, y=_y, delta=0.9),
        lambda a: [(margin_scale(a["S"], a["delta"]), _classes(a) + 1)],
        "a sum of C - 1 margins s_j - s_y + Δ, each of magnitude at most 2|S| + Δ"),
    ContractFunction(
        "squared_hinge_losses", dict(S=S, y=y, delta=1.0), dict(S=_S, y=_y, delta=0.9),
        lambda a: [(_squared_margin_scale(a["S"], a["y"], a["delta"]), 2 * _classes(a) + 2)],
        "squares of margins: the error of m² is about 2·m·e, with e the margin's own error"),
    ContractFunction(
        "crammer_singer_losses", dict(S=S, y=y, delta=1.0), dict(S=_S, y=_y, delta=0.9),
        lambda a: [(margin_scale(a["S"], a["delta"]), 3)],
        "one margin, the largest: three rounded terms of 2|S| + Δ"),
    ContractFunction("softmax", dict(S=S), dict(S=_S), lambda a: [(magnitude(a["S"]), _classes(a) + 2)], _MEAN_OF_ROWS),
    ContractFunction("log_softmax", dict(S=S), dict(S=_S), lambda a: [(magnitude(a["S"]), _classes(a) + 2)], _MEAN_OF_ROWS),
    ContractFunction("cross_entropy_losses", dict(S=S, y=y), dict(S=_S, y=_y),
                     lambda a: [(magnitude(a["S"]), _classes(a) + 2)], _MEAN_OF_ROWS),
    ContractFunction("l2_penalty", dict(W=W), dict(W=_W),
                     lambda a: [(_sum_of_squares(a["W"]), np.size(a["W"]) + 1)],
                     "a sum of non-negative squares: its own magnitude, one term per entry"),
    ContractFunction("hinge_grad", dict(S=S, y=y, delta=1.0), dict(S=_S, y=_y, delta=0.9), lambda a: [(1.0, 2)],
                     "counts of violated margins divided by N: entries of magnitude at most C, exact up to the division; "
                     "entries whose margin is within rounding of 0 are not compared"),
    ContractFunction("cross_entropy_grad", dict(S=S, y=y), dict(S=_S, y=_y),
                     lambda a: [(magnitude(a["S"]) + 1.0, _classes(a) + 2)],
                     "softmax minus the one-hot labels, over N: softmax's bound plus the subtraction"),
    ContractFunction(
        "svm_loss", dict(W=W, X=X, y=y, reg=0.5, delta=1.0), dict(W=_W, X=_X, y=_y, reg=0.1, delta=0.9),
        lambda a: [
            (margin_scale(score_size(a["X"], a["W"]), a["delta"]) + _penalty(a),
             np.shape(a["W"])[0] * (np.shape(a["W"])[1] + 2) + np.size(a["W"])),
            (np.shape(a["W"])[0] * magnitude(a["X"]) + 2.0 * a["reg"] * magnitude(a["W"]), np.shape(a["X"])[0] + 2),
        ],
        "loss: the scores' products, C margins and the penalty's squares; dW: N rows of X, each added up to C "
        "times, plus 2·reg·W. dW is not compared where a margin is within rounding of 0 (a kink anywhere moves every entry)",
        parts=("the loss", "dW")),
    ContractFunction(
        "softmax_loss", dict(W=W, X=X, y=y, reg=0.5), dict(W=_W, X=_X, y=_y, reg=0.1),
        lambda a: [
            (score_size(a["X"], a["W"]) + np.log(np.shape(a["W"])[0]) + _penalty(a),
             sum(np.shape(a["W"])) + 2 + np.size(a["W"])),
            ((score_size(a["X"], a["W"]) + 1.0) * magnitude(a["X"]) + 2.0 * a["reg"] * magnitude(a["W"]),
             sum(np.shape(a["W"])) + np.shape(a["X"])[0] + 2),
        ],
        "loss: the scores, a log-sum-exp (at most log C above the largest score) and the penalty; dW: "
        "(softmax - one-hot)ᵀ X over N rows, plus 2·reg·W",
        parts=("the loss", "dW")),
    ContractFunction(
        "numerical_gradient", dict(f=square, x=np.array([[1.0, -2.0], [0.0, 3.0]]), h=1e-5),
        dict(f=square, x=_W), None,
        "not compared: its `f` may count or record its calls, and calling it again on the reference's behalf "
        "would change what the test observes; the laws of GRAD-* judge it",
        probed=False, check_arguments=reference.gradcheck.numerical_gradient_arguments),
    ContractFunction("relative_error", dict(a=np.array([1.0, 2.0]), b=np.array([1.0, 3.0])),
                     dict(a=_W, b=_W + 0.5), lambda a: [(1.0, np.size(a["a"]) + 2)],
                     "a ratio of norms: relative, so of magnitude 1, with one term per entry"),
    ContractFunction("sgd_step", dict(W=W, dW=np.ones_like(W), learning_rate=0.5),
                     dict(W=_W, dW=_W[::-1], learning_rate=0.3),
                     lambda a: [(magnitude(a["W"]) + float(a["learning_rate"]) * magnitude(a["dW"]), 2)],
                     "W - η·dW: two rounded terms of |W| + η|dW|"),
    ContractFunction("predict", dict(S=S), dict(S=_S), lambda a: [None], "indices: exact"),
    ContractFunction("accuracy", dict(S=S, y=y), dict(S=_S, y=_y), lambda a: [(1.0, 1)],
                     "a count divided by N: one rounding"),
]

SPECIFIED_BY = {
    "scores": "SCORE-1", "append_ones": "SCORE-4", "fold_bias": "SCORE-4", "hinge_losses": "HINGE-1",
    "squared_hinge_losses": "HINGE-10", "crammer_singer_losses": "HINGE-11", "softmax": "SOFTMAX-1",
    "log_softmax": "SOFTMAX-6", "cross_entropy_losses": "SOFTMAX-7", "l2_penalty": "REG-1", "hinge_grad": "HINGE-12",
    "cross_entropy_grad": "SOFTMAX-10", "svm_loss": "REG-4", "softmax_loss": "REG-4", "numerical_gradient": "GRAD-5",
    "relative_error": "GRAD-7", "sgd_step": "OPT-1", "predict": "SCORE-5", "accuracy": "SCORE-5",
}
"""The clause that states each function's result: its shape, its kind (real numbers, indices, a (loss, dW) pair) and
its value. A result of the wrong type, shape or kind is laid there, before any law or the differential check has
judged a value (tests/suite/test_registry.py checks that each clause names its function)."""

REGISTRY: dict[str, ContractFunction] = {entry.name: entry for entry in ENTRIES}
"""The entries by name, in the order of `lcspec.reference.CONTRACT`."""

VALID = {name: entry.valid for name, entry in REGISTRY.items()}
"""Each function's valid call (a view of the registry, for the laws that vary one argument of it)."""


def entry(name: str) -> ContractFunction:
    """The registry's entry for contract function `name` (a KeyError names what is missing)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"{name!r} has no entry in the contract registry (lcspec/harness/contract.py)") from None
