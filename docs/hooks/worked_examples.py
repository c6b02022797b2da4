"""Worked examples: per chapter, the golden vectors of spec/golden/ and a few more calls, as tables.

Golden vectors bring their own inputs and expected values (the notes' figures); the reference's value
below each is computed when the site is built. The further examples below add calls the golden
vectors do not cover (whole matrices, gradients, optimisation): each is a line of Python that the page
shows and the build evaluates, so every result is computed by `reference` at build time. The scores of three examples over three classes are
the notes' running example (cat, car, frog).
"""

from __future__ import annotations

import re

import numpy as np

from lcspec import reference as ref
from lcspec.harness.clauses import clauses
from lcspec.tests.golden import GOLDEN_DIR, call_arguments, vectors

# Three images (rows) scored against three classes (cat, car, frog); the labels are cat, car, frog.
S = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
y = np.array([0, 1, 2])
# A 2-D toy problem: four points, three classes, and a weight matrix with its bias.
X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.5], [2.0, 1.0]])
X_labels = np.array([0, 1, 2, 0])
W = np.array([[0.2, -0.5], [1.5, 1.3], [0.0, 0.25]])
b = np.array([1.1, 3.2, -1.2])


# Per chapter, calls written as Python over the inputs above and the reference's public names: each
# string is what the page shows and what is evaluated (`result`), so the two cannot differ.
EXAMPLES = {
    "scores": [
        "scores(x_cat, W_notes, b_notes)",
        "scores(X, W, b)",
        "append_ones(X)",
        "fold_bias(W, b)",
        "scores(append_ones(X), fold_bias(W, b))",
        "predict(S)",
        "accuracy(S, y)",
    ],
    "hinge": [
        "hinge_losses(S, y)",
        "hinge_losses(S, y).mean()",
        "squared_hinge_losses(S, y)",
        "crammer_singer_losses(S, y)",
        "hinge_grad(S, y)",
    ],
    "softmax": [
        "softmax(S)",
        "log_softmax(S)",
        "cross_entropy_losses(S, y)",
        "cross_entropy_grad(S, y)",
        "softmax(S / 10)",
        "cross_entropy_losses(zeros((1, 10)), [3])",
    ],
    "regularization": [
        "l2_penalty(W)",
        "svm_loss(W, X, X_labels, reg=0.1)",
        "softmax_loss(W, X, X_labels, reg=0.1)",
        "svm_loss(zeros((10, 2)), X, X_labels, reg=0.1)[0]",
        "softmax_loss(zeros((10, 2)), X, X_labels, reg=0.1)[0]",
    ],
    "gradients": [
        "svm_loss(W, X, X_labels, reg=0.1)[1]",
        "numerical_gradient(lambda V: svm_loss(V, X, X_labels, reg=0.1)[0], W)",
        "relative_error(svm_loss(W, X, X_labels, reg=0.1)[1], "
        "numerical_gradient(lambda V: svm_loss(V, X, X_labels, reg=0.1)[0], W))",
        "numerical_gradient(lambda V: (V**2).sum(), W)",
        "numerical_gradient(lambda V: (V**2).sum(), W, centered=False) - 2 * W",
    ],
    "optimization": [
        "sgd_step(W, svm_loss(W, X, X_labels, reg=0.1)[1], learning_rate=0.5)",
        "gradient_descent(lambda V: softmax_loss(V, X, X_labels, reg=0.1), W, learning_rate=0.5, num_steps=5)"
        ".loss_history",
    ],
}

# The notes' headline figure (linear classification, "Linear score function"): an image of four pixels
# scored against cat, dog and ship by the figure's W and b. The notes print the scores -96.8, 437.9 and
# 61.95; the figure's own numbers give 60.75 for ship, which the page says.
x_cat = np.array([[56.0, 231.0, 24.0, 2.0]])
W_notes = np.array([[0.2, -0.5, 0.1, 2.0], [1.5, 1.3, 2.1, 0.0], [0.0, 0.25, 0.2, -0.3]])
b_notes = np.array([1.1, 3.2, -1.2])

# Where each input comes from, shown beside it on the page.
SOURCES = {
    "S": "the CS231n lecture on loss functions: three training images (rows: a cat, a car, a frog) scored "
         "against the classes cat, car and frog (columns)",
    "y": "their labels: cat, car, frog",
    "X": "a toy problem of this site: four points in the plane",
    "X_labels": "their labels",
    "W": "the first two columns of the notes' figure's weights (cat, dog, ship)",
    "b": "the notes' figure's biases",
    "x_cat": "the notes' headline figure: a cat image of four pixels",
    "W_notes": "the notes' headline figure's weights, one row per class (cat, dog, ship)",
    "b_notes": "the notes' headline figure's biases",
}

INPUTS = {
    "S": S,
    "y": y,
    "X": X,
    "X_labels": X_labels,
    "W": W,
    "b": b,
    "x_cat": x_cat,
    "W_notes": W_notes,
    "b_notes": b_notes,
}
NAMES = {name: getattr(ref, name) for name in dir(ref) if not name.startswith("_")} | {"zeros": np.zeros} | INPUTS


def result(call: str):
    """The value of an example's call, computed by the reference now."""
    return eval(call, dict(NAMES))  # noqa: S307 - the calls are the literals above


def latex(value) -> str:
    """A value as inline LaTeX: a number, a row vector, a matrix, or a (loss, gradient) pair."""
    if isinstance(value, tuple):
        return ",\\; ".join(latex(v) for v in value)
    a = np.asarray(value)
    if a.ndim == 0:
        return _number(a.item())
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(_number(v) for v in row) for row in rows.tolist())
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def _number(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    mantissa, _, exponent = f"{v:.6g}".partition("e")
    return mantissa + (rf" \times 10^{{{int(exponent)}}}" if exponent else "")


def golden_rows(key: str) -> list[str]:
    """One table row per golden vector of the chapter: the call, and the expected value above the reference's
    (stacked, so that the digits line up and a long vector does not push the table off the page)."""
    rows = []
    for v in vectors():
        if clauses()[v["clause"]]["chapter"] != key:
            continue
        args = call_arguments(v["args"])
        computed = getattr(ref, v["function"])(**args)
        if "result_index" in v:
            computed = computed[v["result_index"]]
        call = r",\; ".join(rf"\mathtt{{{name}}} = {latex(value)}" for name, value in args.items())
        both = rf"\begin{{array}}{{ll}} \text{{expected}} & {latex(v['expected'])} \\ \text{{reference}} & {latex(computed)} \end{{array}}"
        rows.append(f"| [](){{#{golden_anchor(v)}}}`{v['function']}` with ${call}$<br>*source: {v['source'].replace('|', chr(92) + '|')}*<br>"
                    f"`{v['id']}` ([{v['clause']}](#{v['clause']})) | ${both}$ |")
    return rows


def golden_anchor(v: dict) -> str:
    return "golden-" + re.sub(r"[^a-z0-9-]", "-", v["id"].lower())


def example_id(key: str, n: int) -> str:
    return f"example-{key}-{n}"


def example_anchor(clause: dict) -> tuple[str, str] | None:
    """(link, text) of the clause's worked example on its chapter's page: the first golden vector that
    names the clause, else the first further call of one of the functions it constrains; None if neither."""
    for v in vectors():
        if v["clause"] == clause["id"]:
            return f"#{golden_anchor(v)}", f"worked example: golden vector `{v['id']}`"
    for n, call in enumerate(EXAMPLES.get(clause["chapter"], []), 1):
        if any(re.match(rf"{re.escape(f)}\(", call) for f in clause["functions"]):
            return f"#{example_id(clause['chapter'], n)}", f"example call: `{call}`"
    return None


def back_links(key: str, n: int) -> str:
    """The clauses whose example this call is, linked back: ' (HINGE-2, HINGE-3)', or nothing."""
    here = f"#{example_id(key, n)}"
    ids = [cid for cid, c in clauses().items() if c["chapter"] == key and (example_anchor(c) or ("",))[0] == here]
    return "<br>example of " + ", ".join(f"[{i}](#{i})" for i in ids) if ids else ""


def section(key: str) -> str:
    golden, examples = golden_rows(key), EXAMPLES.get(key, [])
    if not golden and not examples:
        return ""
    out = ["## Worked examples {#worked-examples}"]
    if golden:
        out.append(
            "The golden vectors of `spec/golden/` for this chapter ("
            + ", ".join(f"[download `{p.name}`](golden/{p.name})" for p in sorted(GOLDEN_DIR.glob("*.json")))
            + "): the expected value each file gives, and below it the reference's value, computed when this "
            "page was built."
        )
        out.append("| call (golden vector) | expected and computed |\n|---|---|\n" + "\n".join(golden))
    if examples:
        used = [name for name in INPUTS if any(re.search(rf"\b{name}\b", call) for call in examples)]
        out.append(
            "More calls, on inputs from `docs/hooks/worked_examples.py`; every result was computed by the "
            "reference when this page was built."
        )
        out.append("| input | where it comes from | value |\n|---|---|---|\n"
                   + "\n".join(f"| `{n}` | {SOURCES[n]} | ${latex(INPUTS[n])}$ |" for n in used))
        if key == "scores":
            out.append(f"The first call is the notes' headline figure. They print the scores −96.8, 437.9 and 61.95; "
                       f"the figure's own weights and pixels give {_number(result('scores(x_cat, W_notes, b_notes)')[0, 2])} "
                       "for ship (0.25·231 + 0.2·24 − 0.3·2 − 1.2), as the reference computes below.")
        out.append(
            "| call | result |\n|---|---|\n"
            + "\n".join(f"| [](){{#{example_id(key, n)}}}`{call}`{back_links(key, n)} | ${latex(result(call))}$ |"
                        for n, call in enumerate(examples, 1))
        )
    return "\n\n".join(out)
