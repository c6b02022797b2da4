"""The CS231n assignment's classifier and gradient check, mapped onto `predict`, `sgd_step` and
`numerical_gradient` as far as their conventions allow.

* `predict(S)`: `LinearClassifier.predict(X)` is the argmax of `X.dot(self.W)`. With `self.W` the
  K x K identity and X = S, its scores are S exactly, so it predicts from S itself.
* `sgd_step(W, dW, learning_rate)`: `LinearClassifier.train` samples a batch, calls
  `self.loss(X_batch, y_batch, reg)` and updates `self.W -= learning_rate * grad`. A subclass whose
  loss returns (0.0, dW in the layout's orientation), with `self.W` preset to a copy of W in that
  orientation, trained for `num_iters=1` with `batch_size=1` on one example (`verbose=False`,
  `reg=0`), takes exactly one step. train samples with `np.random.choice`: NumPy's global random
  state is saved before and restored after, so the step disturbs nothing else. A W of another rank
  than 2 is stepped as one row. train's signature is read first; one that does not take
  `learning_rate`, `num_iters` and `batch_size` cannot be driven, and sgd_step is then not provided
  (the note says why).
* `numerical_gradient(f, x, h, centered=True)`: `eval_numerical_gradient(f, x, verbose=True,
  h=0.00001)`, called with `verbose=False`. It perturbs the x it is given in place and restores it,
  where the contract forbids touching x: it is given a float64 copy, so the caller's x is never
  touched. It calls f with that working array (not a fresh copy each time) and once more at the
  start, as CS231n wrote it. It takes centered differences only: examples with `centered=False`
  cannot be expressed and are discarded.

Arguments are checked with the reference's own checks first (lcspec/harness/adapting.py), as for the
losses, so the code is judged on its maths and not on input validation it was never asked for.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from lcspec.harness.loading.cs231n_files import Assignment
from lcspec.harness.loading.python2 import REPRODUCTION_STAND_IN

ONE_SIDED = "centered=False (eval_numerical_gradient takes centered differences only)"


def mapped(assignment: Assignment, orientation, cannot_express: Callable[[str], None]) -> tuple[dict, list[str]]:
    """({contract name: mapped function}, notes saying what each is mapped from, or why it is not provided)."""
    functions, notes = {}, []
    cls = assignment.classifier
    if cls is not None:
        refusal = _unconstructible(cls)
        if refusal is None and callable(getattr(cls, "predict", None)):
            functions["predict"] = _predict(cls, orientation)
            notes.append("predict(S): LinearClassifier.predict with W = the identity (K x K), whose scores are S")
        train = refusal or _undrivable(cls)
        if isinstance(train, dict):
            functions["sgd_step"] = _sgd_step(cls, orientation, train)
            notes.append("sgd_step(W, dW, learning_rate): one iteration of LinearClassifier.train on one example, "
                         "its loss() returning dW (NumPy's global random state is restored after)")
        else:
            notes.append(f"sgd_step: not provided: {train}")
    if assignment.gradient_check is not None:
        keywords = _gradient_check_keywords(assignment.gradient_check)
        if isinstance(keywords, dict):
            functions["numerical_gradient"] = _numerical_gradient(assignment.gradient_check, keywords, cannot_express)
            notes.append("numerical_gradient(f, x, h): eval_numerical_gradient on a copy of x (it perturbs x in "
                         "place); centered only, so examples with centered=False are discarded")
        else:
            notes.append(f"numerical_gradient: not provided: {keywords}")
    return functions, notes


def _parameters(fn) -> dict[str, inspect.Parameter] | None:
    try:
        return dict(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None


def _unconstructible(cls) -> str | None:
    """Why LinearClassifier() cannot be made, or None."""
    try:
        cls()
    except Exception as exc:  # noqa: BLE001 - the student's constructor; its failure is the reason
        return f"{cls.__name__}() raised {type(exc).__name__}: {exc}"
    return None


def _undrivable(cls) -> dict | str:
    """The keyword arguments that make train take one step on one example, or why it cannot be driven."""
    parameters = _parameters(cls.train)
    if parameters is None:
        return f"{cls.__name__}.train has no signature to read"
    needed = ("learning_rate", "num_iters", "batch_size")
    missing = [name for name in needed if name not in parameters]
    positional = [p for p in parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]
    extra = [p.name for p in list(parameters.values())[3:]  # after self, X, y
             if p.default is p.empty and p.name not in needed and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if missing or len(positional) < 2 or extra:
        why = (f"it takes no {', '.join(missing)}" if missing else "it does not take X and y first" if len(positional) < 2
               else f"it requires {', '.join(extra)}")
        return f"{cls.__name__}.train{inspect.signature(cls.train)} cannot be driven one step: {why}"
    return {"num_iters": 1, "batch_size": 1} | {name: TRAIN_DEFAULTS[name] for name in train_keywords(cls)}


TRAIN_DEFAULTS = {"verbose": False, "reg": 0.0}
"""The optional arguments of train the one step sets where train takes them: quiet, and no penalty of its own."""


def train_keywords(cls) -> list[str]:
    """Those of TRAIN_DEFAULTS that `cls.train` takes."""
    parameters = _parameters(cls.train) or {}
    return [name for name in TRAIN_DEFAULTS if name in parameters]


def _gradient_check_keywords(fn) -> dict | str:
    parameters = _parameters(fn)
    if parameters is None or "h" not in parameters or len(parameters) < 2:
        return f"{getattr(fn, '__name__', 'eval_numerical_gradient')} does not take (f, x, ..., h=...)"
    return {"verbose": False} if "verbose" in parameters else {}


def _predict(cls, orientation):
    def predict(S):
        S = np.asarray(S)
        model = cls()
        model.W = np.eye(S.shape[1])
        return model.predict(orientation.data(S))

    return predict


def _sgd_step(cls, orientation, keywords: dict):
    def sgd_step(W, dW, learning_rate):
        W, dW = np.asarray(W), np.asarray(dW)
        rows, grads = (W, dW) if W.ndim == 2 else (W.reshape(1, -1), dW.reshape(1, -1))
        grad = orientation.weights(grads)  # a view: a file that changes it in place changes dW (CONV-2)

        class OneStep(cls):
            def loss(self, X_batch, y_batch, reg):
                return 0.0, grad

        model = OneStep()
        model.W = orientation.weights(rows).copy()
        X = orientation.data(np.zeros((1, rows.shape[1])))
        state = np.random.get_state()
        try:
            model.train(X, np.zeros(1, dtype=np.intp), learning_rate=learning_rate, **keywords)
        finally:
            np.random.set_state(state)
        return orientation.weights(np.asarray(model.W)).reshape(W.shape)

    return sgd_step


def _numerical_gradient(fn, keywords: dict, cannot_express):
    def numerical_gradient(f, x, h=1e-5, centered=True):
        if not centered:
            cannot_express(ONE_SIDED)
        point = np.array(x, dtype=np.float64, copy=True)  # the file perturbs its x in place: never the caller's
        return fn(f, point, h=h, **keywords)

    return numerical_gradient


def reproduce(where: dict, orientation, arguments: dict, result, expected, fmt) -> str:
    """A failing predict or sgd_step as the student's own class shows it: `LinearClassifier.predict` with W the
    identity, or one iteration of `LinearClassifier.train` whose loss() returns dW, runnable where their code is.
    `where` is the presentation's entry for it (class, method, module, layout, train's keywords)."""
    cls, module = where["class"], where["module"]
    head = [f"your function:   {cls}.{where['function']} in {where['source']}, your layout ({orientation.description})"]
    code = [f"reproduce (python, in {where['where']}):", "    import numpy as np",
            "    from numpy import array, inf, nan, float32, float64, int32, int64",
            *(REPRODUCTION_STAND_IN if where["stand_in"] else []), f"    from {module} import {cls}"]
    if where["function"] == "predict":
        S = np.asarray(arguments["S"])
        return "\n".join([
            *head, f"call:            {cls}.predict(X) with W the identity, so that its scores are X itself",
            f"your result:     {fmt(result)}", f"expected:        {fmt(expected)}", *code,
            f"    X = {fmt(orientation.data(S))}", f"    model = {cls}()", f"    model.W = np.eye({S.shape[1]})",
            "    print(model.predict(X))"])
    W, dW = np.asarray(arguments["W"]), np.asarray(arguments["dW"])
    rows = (lambda a: a) if W.ndim == 2 else (lambda a: np.asarray(a).reshape(1, -1))  # as sgd_step drives it

    def theirs(value):
        value = np.asarray(value)
        return f"W = {fmt(orientation.weights(rows(value)))}" if value.size == W.size else fmt(value)

    X = orientation.data(np.zeros((1, rows(W).shape[1])))
    keywords = "".join(f", {name}={TRAIN_DEFAULTS[name]!r}" for name in where["keywords"])
    rate = fmt(arguments["learning_rate"])
    return "\n".join([
        *head, f"call:            one iteration of {cls}.train with learning_rate={rate}, its loss() returning dW",
        f"your result:     {theirs(result)}", f"expected:        {theirs(expected)}  (W - learning_rate * dW)", *code,
        f"    W = {fmt(orientation.weights(rows(W)))}", f"    dW = {fmt(orientation.weights(rows(dW)))}", "",
        f"    class OneStep({cls}):", "        def loss(self, X_batch, y_batch, reg):", "            return 0.0, dW", "",
        "    model = OneStep()", "    model.W = W.copy()",
        f"    model.train({fmt(X)}, np.zeros(1, dtype=int), learning_rate={rate}, num_iters=1, batch_size=1{keywords})",
        "    print(model.W)"])
