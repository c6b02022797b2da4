"""The CS231n assignment layout, mapped onto the contract.

A CS231n file or folder (lcspec/harness/loading/cs231n_files.py finds its functions) provides any of
`svm_loss_naive`, `svm_loss_vectorized`, `softmax_loss_naive` and `softmax_loss_vectorized`, each
`(W, X, y, reg) -> (loss, dW)` with W of shape (D, C) — one class per *column* — and loss including
reg·ΣW². The contract's W is (K, D), so the mapping transposes W on the way in and dW on the way
out. Naive and vectorized are different code, so each becomes an implementation of its own
(`Cs231nLayout(assignment, "naive")` and `(assignment, "vectorized")`).

An assignment folder may also hold `LinearClassifier` (linear_classifier.py) and
`eval_numerical_gradient` (gradient_check.py), mapped onto `predict`, `sgd_step` and
`numerical_gradient` by lcspec/harness/loading/cs231n_classifier.py. They join the *vectorized* implementation, as
the notebook trains with the vectorized losses. The laws that combine a loss with an update step (OPT-2,
OPT-3) judge each alone, the reference standing in for the other, so `train` is judged with the
reference's loss and a loss with the reference's step: a bug in one never fails the other. Judging the
three functions twice (with naive too) would add run time and no verdict.

The layout fixes the SVM margin at Δ = 1. Other margins Δ > 0 are reached through positive
homogeneity (HINGE-5): with W' = W/Δ,  Δ·svm(W', reg·Δ) = L(W; Δ) + reg·ΣW² and its gradient is
that of the contract, so a student's Δ = 1 code is tested on every Δ > 0. Inputs the layout cannot
express (Δ = 0, one-sided differences) raise `CannotExpress` (the judge discards them), and `unexpressed`
says which was discarded last: a test whose every example is discarded is reported as skipped,
with that reason.

**The 2015 layout.** The assignment of 2015 had W of shape (C, D) and X of shape (D, N), one example
per column. Which layout a file uses is found by running its losses once on a small problem (D, C
and N all different) in each layout: a function that runs, and returns dW shaped like its W, in the
2015 layout only is 2015 code, and then X is transposed on the way in and W and dW are passed as
they are (the contract's own orientation). The labels say "2015 layout".

Assignment code does not validate its input, and is not asked to at the `core` level. The mapping
checks nothing either: it hands the file the caller's arrays (transposed views), so the `strict`
clauses on bad input (CONV-1, CONV-3 to CONV-9) judge the file as it is, and a run says honestly that
it meets `core` and not `strict` (spec/00-conventions.md, §0.7).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import warnings
from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np

from lcspec.reference import _checks
from lcspec.timelimit import Hang, time_limit
from lcspec.harness.loading import cs231n_classifier
from lcspec.harness.loading.cs231n_files import UNLOADABLE, Assignment
from lcspec.harness.loading.importer import CannotExpress, LoadError
from lcspec.harness.loading.python2 import REPRODUCTION_STAND_IN
from lcspec.protocol.wire import printable

VARIANTS = ("naive", "vectorized")
LOSSES = ("svm", "softmax")
CLASSIFIER_VARIANT = "vectorized"
MARGIN = "Δ = 0 (the layout fixes the SVM margin at Δ = 1)"
CLASSIFIER_NAMES = {"predict": "LinearClassifier.predict", "sgd_step": "LinearClassifier.train",
                    "numerical_gradient": "eval_numerical_gradient"}
"""The assignment's own names for the contract functions mapped from its classifier and gradient check."""


@dataclasses.dataclass(frozen=True)
class Orientation:
    """Where a CS231n layout puts classes and examples, relative to the contract's W (K, D) and X (N, D)."""

    description: str
    classes_in_rows: bool  # the 2015 layout: W is (C, D) as in the contract, X is (D, N)

    def weights(self, W):
        """The contract's W as the layout's (or back: transposing is its own inverse); a view, never a copy."""
        return W if self.classes_in_rows else W.T

    def data(self, X):
        """The contract's X (N, D) as the layout's; a view."""
        return X.T if self.classes_in_rows else X


CURRENT = Orientation("W is D x C, X is N x D", classes_in_rows=False)
LAYOUT_2015 = Orientation("2015 layout: W is C x D, X is D x N", classes_in_rows=True)


PROBE_SECONDS = 5.0
"""Time a loss may take on the layout probe's tiny problem; one that takes longer says nothing of its layout, and
the layout says it hung (`Cs231nLayout.hangs`): the judge fails its calls at once rather than wait for each server
it starts to find it again (the other functions are judged as usual)."""


def _runs(fn, orientation: Orientation) -> bool | None:
    """Whether the loss `fn` runs on a small problem in `orientation` and returns a dW shaped like its W (None:
    it did not return within PROBE_SECONDS)."""
    rng = np.random.default_rng(0)
    W, X, y = rng.standard_normal((3, 5)), rng.standard_normal((4, 5)), np.array([0, 1, 2, 1])  # K, D, N differ
    W_layout = orientation.weights(W).copy()
    try:
        with (time_limit(PROBE_SECONDS), contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"),
              warnings.catch_warnings()):
            warnings.simplefilter("ignore")
            _, dW = fn(W_layout, orientation.data(X).copy(), y, 0.1)
    except Hang:
        return None
    except Exception:  # noqa: BLE001 - a shape error says "not this layout"; anything else, the suite reports
        return False
    return np.shape(dW) == W_layout.shape


def _probe(fn) -> tuple[bool, bool] | None:
    """(runs in today's layout, runs in 2015's), or None: it hung in today's (and is not tried twice)."""
    current = _runs(fn, CURRENT)
    return None if current is None else (current, bool(_runs(fn, LAYOUT_2015)))


def probed(assignment: Assignment) -> tuple[Orientation, set[str]]:
    """The layout the assignment's losses are written in (2015 if some run only in it and none only in today's), and
    the losses that hung on the probe's problem (which tell neither)."""
    probes = {name: _probe(fn) for name, fn in assignment.losses.items()}
    runs = {name: found for name, found in probes.items() if found is not None}
    today = [name for name, (current, old) in runs.items() if current and not old]
    of_2015 = [name for name, (current, old) in runs.items() if old and not current]
    if today and of_2015:
        raise LoadError(f"the losses mix two layouts: {', '.join(today)} run with W of shape (D, C) and X "
                        f"(N, D) only, {', '.join(of_2015)} with W (C, D) and X (D, N) only (the 2015 "
                        "layout); write them all in one")
    return LAYOUT_2015 if of_2015 else CURRENT, set(probes) - set(runs)


class Cs231nLayout:
    """One variant (naive or vectorized) of a CS231n assignment, seen as a contract implementation.

    `notes` says what was mapped from what, and what could not be; `unexpressed` names the input the
    last discarded example had that the layout cannot express.
    """

    DECLINES = {"svm_loss": {"delta": (0.0,)}, "numerical_gradient": {"centered": (False,)}}
    """The inputs the layout has no counterpart for, as the protocol's handshake declares them (`declines`):
    Δ = 0 (the file's margin is 1, reached from any Δ > 0 by scaling), one-sided differences."""

    def __init__(self, assignment: Assignment, variant: str, orientation: Orientation = CURRENT,
                 hung: Collection[str] = ()):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        self.variant, self.orientation = variant, orientation
        self.__name__ = f"CS231n layout ({variant})"
        self.unexpressed = MARGIN
        self.notes = list(assignment.notes)
        self._sources: dict[str, Callable] = {}  # contract name -> the file's function it calls
        self._names: dict[str, str] = {}  # contract name -> the assignment's name for it, where not a function's
        self._hung: dict[str, float] = {}  # contract name -> the seconds its loss did not return within on the probe
        self._unloadable: dict[str, str] = {}  # contract name -> why its file could not be imported (a stand-in's)
        for loss in LOSSES:
            fn = assignment.losses.get(f"{loss}_loss_{variant}")
            if fn is not None:
                setattr(self, f"{loss}_loss", getattr(self, f"_{loss}")(fn))
                self._sources[f"{loss}_loss"] = fn
                if f"{loss}_loss_{variant}" in hung:
                    self._hung[f"{loss}_loss"] = PROBE_SECONDS
                if hasattr(fn, UNLOADABLE):
                    self._unloadable[f"{loss}_loss"] = getattr(fn, UNLOADABLE)
        self._classifier = None  # the assignment's classifier class, where predict or sgd_step is mapped from it
        if variant == CLASSIFIER_VARIANT:
            functions, notes = cs231n_classifier.mapped(assignment, orientation, self.cannot_express)
            for name, fn in functions.items():
                setattr(self, name, fn)
                self._names[name] = CLASSIFIER_NAMES[name]
                source = assignment.gradient_check if name == "numerical_gradient" else assignment.classifier
                if hasattr(source, UNLOADABLE):
                    self._unloadable[name] = getattr(source, UNLOADABLE)
            if {"predict", "sgd_step"} & set(functions):
                self._classifier = assignment.classifier
            self.notes += notes

    @property
    def description(self) -> str:
        """The variant, and the layout when it is not today's: "naive" or "vectorized, 2015 layout: ..."."""
        return self.variant if self.orientation is CURRENT else f"{self.variant}, {self.orientation.description}"

    @staticmethod
    def expresses(name: str, **arguments) -> bool:
        """Whether a call can be expressed in the layout at all: none of its DECLINES (Δ = 0, one-sided differences)."""
        return not any(arguments.get(p, object()) in values for p, values in Cs231nLayout.DECLINES.get(name, {}).items())

    @staticmethod
    def variants(assignment: Assignment) -> list[str]:
        """The variants the assignment provides a function for (its classifier and gradient check: vectorized)."""
        extra = assignment.classifier is not None or assignment.gradient_check is not None
        return [v for v in VARIANTS if any(f"{l}_loss_{v}" in assignment.losses for l in LOSSES)
                or (v == CLASSIFIER_VARIANT and extra)]

    @property
    def hangs(self) -> dict[str, str]:
        """The losses that hung on the layout probe, each with where (see :func:`hangs_in`)."""
        return hangs_in(self.presentation())

    @property
    def unloadable(self) -> dict[str, str]:
        """The functions whose file could not be imported, each with why (see :func:`unloadable_in`)."""
        return unloadable_in(self.presentation())

    def cannot_express(self, what: str) -> None:
        """Refuse the call: its input `what` has no counterpart in the layout (the judge discards the example)."""
        self.unexpressed = what
        raise CannotExpress(what)

    def student_name(self, name: str) -> str:
        """The file's own name for the contract function `name` (svm_loss -> svm_loss_vectorized), else `name`."""
        fn = self._sources.get(name)
        return getattr(fn, "__name__", name) if fn is not None else self._names.get(name, name)

    def student_index(self, name: str, part: str, index: tuple) -> tuple:
        """An index into the contract's dW (K, D), as an index into the file's dW (D x C, or 2015's C x D)."""
        return index_in_layout(self.presentation(), name, part, index)

    def reproduce(self, name: str, arguments: dict, result, expected, fmt) -> str | None:
        """A failing call as the student would make it (see :func:`reproduce_in_layout`); None for what is not a loss."""
        where = self.presentation()["reproduce"].get(name)
        return reproduce_in_layout(where, arguments, result, expected, fmt) if where else None

    def presentation(self) -> dict:
        """How to show this layout's results in the student's terms, as plain data: what a judge in another
        process needs (the handshake's `presentation`, lcspec/harness/isolation.py), with no student code to run."""
        stand_in = any("past.builtins" in note for note in self.notes)
        found = {}
        unloadable = {name: fn.__name__ for name, fn in self._sources.items() if hasattr(fn, UNLOADABLE)}
        layout = {"orientation": self.orientation.description, "classes_in_rows": self.orientation.classes_in_rows,
                  "stand_in": stand_in}
        for name, fn in self._sources.items():
            if name in unloadable:
                continue  # a stand-in for a function whose file could not be imported: nothing to reproduce
            found[name] = {"function": fn.__name__, **_located(fn.__code__.co_filename), **layout}
        driven = {}  # the classifier's: its methods, driven as the mapping drives them
        if self._classifier is not None:
            cls = self._classifier
            for name in ("predict", "sgd_step"):
                method = getattr(cls, CLASSIFIER_NAMES[name].split(".")[1], None)
                if callable(getattr(self, name, None)) and hasattr(method, "__code__") and name not in self._unloadable:
                    driven[name] = {"function": method.__name__, "class": cls.__name__,
                                    **_located(method.__code__.co_filename), **layout,
                                    "keywords": cs231n_classifier.train_keywords(cls) if name == "sgd_step" else []}
        return {"layout": "cs231n", "variant": self.variant, "description": self.description,
                "names": {**self._names, **unloadable, **{name: info["function"] for name, info in found.items()}},
                "transposed": [] if self.orientation.classes_in_rows else sorted(found),
                "reproduce": found | driven, "hung": dict(self._hung), "unloadable": dict(self._unloadable)}

    def _svm(self, fn):
        orientation = self.orientation

        def svm_loss(W, X, y, reg, delta=1.0):
            W, X = np.asarray(W), np.asarray(X)  # no checks, no conversion: the file gets what the caller gave
            # Δ is the mapping's own argument (the file has none), so the mapping checks it as the reference does.
            delta = _checks.nonnegative("delta", delta)
            if delta == 0:
                self.cannot_express(MARGIN)
            # No copies: the layout's W and X are views, so an in-place change by the file shows in the
            # caller's arrays (CONV-2).
            loss, dW = fn(orientation.weights(W if delta == 1 else W / delta), orientation.data(X), y, reg * delta)
            return delta * loss, orientation.weights(np.asarray(dW))

        return svm_loss

    def _softmax(self, fn):
        orientation = self.orientation

        def softmax_loss(W, X, y, reg):
            W, X = np.asarray(W), np.asarray(X)
            loss, dW = fn(orientation.weights(W), orientation.data(X), y, reg)
            return loss, orientation.weights(np.asarray(dW))

        return softmax_loss


def layouts(assignment: Assignment) -> list[Cs231nLayout]:
    """One Cs231nLayout per variant the assignment provides, in the layout its losses are written in."""
    orientation, hung = probed(assignment)
    return [Cs231nLayout(assignment, v, orientation, hung) for v in Cs231nLayout.variants(assignment)]


def _located(filename: str) -> dict:
    """Where a reproduction of a function defined in `filename` runs from, and the module it imports."""
    source = Path(filename)
    if source.parent.name == "classifiers" and source.parent.parent.name == "cs231n":
        # an assignment folder: run from the folder that holds cs231n/, as the notebook does
        where, module = source.parents[2], f"cs231n.classifiers.{source.stem}"
    else:
        where, module = source.parent, source.stem
    return {"source": str(source), "where": str(where), "module": module}


def reproduce_in_layout(where: dict, arguments: dict, result, expected, fmt) -> str:
    """A failing call as the student would make it: their function, their layout, pasteable where their code is.

    `where` is an entry of :meth:`Cs231nLayout.presentation`'s `reproduce` (its function, file, module,
    orientation); `arguments` are the contract call's (for a loss W, X, y, reg and, for the SVM, delta); `result`
    and `expected` the contract's values of the file and of the reference. A classifier's method (an entry with a
    `class`) is shown driven as the mapping drives it (lcspec/harness/loading/cs231n_classifier.py).
    """
    orientation = Orientation(where["orientation"], where["classes_in_rows"])
    if "class" in where:
        return cs231n_classifier.reproduce(where, orientation, arguments, result, expected, fmt)
    function = where["function"]
    delta = float(arguments.get("delta", 1.0))
    W = orientation.weights(np.asarray(arguments["W"], dtype=np.float64) / delta)
    X, y, reg = orientation.data(np.asarray(arguments["X"])), np.asarray(arguments["y"]), arguments["reg"] * delta

    def theirs(value):  # a contract (loss, dW) as the file's: loss/Δ, dW in its layout
        if not (isinstance(value, tuple) and len(value) == 2):
            return fmt(value)
        loss, dW = value
        loss = float(loss) / delta if np.ndim(loss) == 0 else loss
        return f"loss = {fmt(loss)}, dW = {fmt(orientation.weights(np.asarray(dW)))}"

    scaled = (f"  (the contract's Δ = {delta:g}: your Δ = 1 code gets W/Δ and reg·Δ, and its loss times Δ "
              "is compared)") if delta != 1 else ""
    stand_in = REPRODUCTION_STAND_IN if where["stand_in"] else []
    return "\n".join([
        f"your function:   {function} in {where['source']}, your layout ({orientation.description}){scaled}",
        f"call:            {function}(W, X, y, reg={fmt(reg)})",
        f"your result:     {theirs(result)}",
        f"expected:        {theirs(expected)}",
        f"reproduce (python, in {where['where']}):",
        "    import numpy as np",
        "    from numpy import array, inf, nan, float32, float64, int32, int64",
        *stand_in,
        f"    from {where['module']} import {function}",
        f"    W = {fmt(W)}",
        f"    X = {fmt(X)}",
        f"    y = {fmt(y)}",
        f"    loss, dW = {function}(W, X, y, {fmt(reg)})",
        "    print(loss)",
        "    print(dW)",
    ])


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_REPRODUCE_FIELDS = {"function": str, "source": str, "where": str, "module": str, "orientation": str,
                     "classes_in_rows": bool, "stand_in": bool}


def _reproduce_problem(where) -> str | None:
    """What is wrong with one entry of a presentation's `reproduce`, after its path (None: nothing)."""
    if not isinstance(where, dict) or any(not isinstance(where.get(k), t) for k, t in _REPRODUCE_FIELDS.items()):
        return f" needs {', '.join(_REPRODUCE_FIELDS)}"
    if not (_IDENTIFIER.match(where["function"]) and _IDENTIFIER.match(where["module"])):
        return ": function and module must be Python names"
    if where["orientation"] not in {o.description for o in (CURRENT, LAYOUT_2015)}:
        return ".orientation names no layout"
    if "class" in where and not (isinstance(where["class"], str) and _IDENTIFIER.match(where["class"])
                                 and isinstance(where.get("keywords"), list)
                                 and set(where["keywords"]) <= set(cs231n_classifier.TRAIN_DEFAULTS)):
        return f": a class must be a Python name, its keywords some of {', '.join(cs231n_classifier.TRAIN_DEFAULTS)}"
    return None


def check_presentation(presentation) -> str | None:
    """What is wrong with a handshake's `presentation` (None: nothing), checked before the judge relies on it.

    It is the implementation's data: its names end up in the report and in a reproduction the reader may
    paste, so a function or module name must be a Python identifier, not code.
    """
    if presentation is None:
        return None
    if not isinstance(presentation, dict):
        return "presentation must be an object"
    for key in ("layout", "variant", "description"):
        if not isinstance(presentation.get(key, ""), (str, type(None))):
            return f"presentation.{key} must be a string"
    variants, names = presentation.get("variants", []), presentation.get("names", {})
    if not isinstance(variants, list) or not all(isinstance(v, (str, type(None))) for v in variants):
        return "presentation.variants must be a list of strings"
    if not isinstance(names, dict) or not all(isinstance(v, str) and _IDENTIFIER.match(v) for v in names.values()):
        return "presentation.names must map contract functions to identifiers"
    transposed, reproduce = presentation.get("transposed", []), presentation.get("reproduce", {})
    if not isinstance(transposed, list) or not all(isinstance(t, str) for t in transposed):
        return "presentation.transposed must be a list of function names"
    if not isinstance(reproduce, dict):
        return "presentation.reproduce must be an object"
    for name, where in reproduce.items():
        if problem := _reproduce_problem(where):
            return f"presentation.reproduce.{name}{problem}"
    unloadable = presentation.get("unloadable", {})
    if not isinstance(unloadable, dict) or not all(isinstance(why, str) for why in unloadable.values()):
        return "presentation.unloadable must map function names to reasons"
    hung = presentation.get("hung", {})
    if not isinstance(hung, dict) or not all(isinstance(s, (int, float)) and not isinstance(s, bool)
                                             and 0 < s < float("inf") for s in hung.values()):
        return "presentation.hung must map function names to seconds"
    return None


def hangs_in(presentation: dict) -> dict[str, str]:
    """The functions a presentation says hung before any law called them (its `hung`: a loss that did not return
    on the layout probe's problem within so many seconds), each with where it hung, for the failure of each call."""
    return {name: f"the layout probe's on a small problem (W 5 x 3, X 4 x 5): it did not return within {seconds:g} s"
            for name, seconds in presentation.get("hung", {}).items()}


def unloadable_in(presentation: dict) -> dict[str, str]:
    """The functions a presentation says cannot run at all (its `unloadable`: the file that holds them, or one it
    imports, could not be imported), each with why, as one line of the implementation's text."""
    return {name: printable(why, 400) for name, why in presentation.get("unloadable", {}).items()}


def index_in_layout(presentation: dict, name: str, part: str, index: tuple) -> tuple:
    """An index into the contract's dW, as one into the layout's, whose `transposed` functions hold dW transposed
    (the same rule for a layout loaded here and for one described by a server's handshake)."""
    if name in presentation.get("transposed", ()) and part == "dW" and len(index) == 2:
        return tuple(reversed(index))
    return index
