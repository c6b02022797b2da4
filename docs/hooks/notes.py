"""Where each chapter comes from: the sections of the CS231n notes it specifies, and where it goes further.

lcspec specifies the course notes of Stanford's CS231n, "Linear classification" and "Optimization"
(cs231n.github.io). Each chapter page opens with a note that names and links the sections it makes
exact (with their anchors on the notes' pages) and says in a sentence what the chapter adds that the
notes do not have. spec_pages.py puts it under the chapter's title.
"""

from __future__ import annotations

LINEAR = "https://cs231n.github.io/linear-classify/"
OPTIMIZATION = "https://cs231n.github.io/optimization-1/"
NOTES_NAME = "CS231n notes"

# Per chapter key of spec/clauses.toml: [(section title, URL)], and what the chapter adds beyond them.
SOURCES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "conventions": (
        [("Linear classification: Linear score function", LINEAR + "#score"),
         ("Optimization: Computing the gradient", OPTIMIZATION + "#gradcompute")],
        "The notes fix no shapes, dtypes or error behaviour; this chapter adds all of them: row-per-example "
        "layout, float64, no mutation, what must be rejected, the reductions and the tolerance rule.",
    ),
    "scores": (
        [("Linear classification: Linear score function", LINEAR + "#score"),
         ("Interpreting a linear classifier", LINEAR + "#interpret")],
        "Beyond the notes: one example per row (the notes use columns), the bias column placed last, "
        "ties in `predict` broken towards the lowest index, and the zero-loss certificate of SCORE-6.",
    ),
    "hinge": (
        [("Linear classification: Multiclass SVM loss", LINEAR + "#svm")],
        "Beyond the notes: the kink convention at a margin of exactly 0, the squared and Crammer–Singer "
        "variants as contract functions, and the score gradient with its $1/N$.",
    ),
    "softmax": (
        [("Linear classification: Softmax classifier", LINEAR + "#softmax"),
         ("SVM vs. Softmax", LINEAR + "#svmvssoftmax")],
        "Beyond the notes' max-shift: accuracy to a few ulps at any finite score (log1p and a compensated "
        "shift), `log_softmax` as its own function, and limits near the float64 range.",
    ),
    "regularization": (
        [("Linear classification: Multiclass SVM loss, regularization", LINEAR + "#svm")],
        "Beyond the notes: the penalty kept finite at any scale (REG-6), the folded bias penalised like any "
        "weight, and a table that maps other libraries' conventions onto $\\lambda$.",
    ),
    "gradients": (
        [("Optimization: Computing the gradient numerically", OPTIMIZATION + "#numerical"),
         ("Computing the gradient analytically", OPTIMIZATION + "#analytic")],
        "Beyond the notes: a numerical gradient that never touches its argument, a relative error that is "
        "safe at zero, and how kinks spoil a check and how to keep them out.",
    ),
    "optimization": (
        [("Optimization: Visualizing the loss function", OPTIMIZATION + "#vis"),
         ("Optimization", OPTIMIZATION + "#opt"),
         ("Gradient descent", OPTIMIZATION + "#gd")],
        "Beyond the notes: a provably safe step for the softmax loss, the penalty-only dynamics, "
        "the mini-batch identities, and the notes' experiments rerun on real data when this page is built.",
    ),
}


def admonition(key: str) -> str:
    """The note under a chapter's title: which sections of the CS231n notes it specifies, and what it adds."""
    sections, beyond = SOURCES[key]
    links = "; ".join(f"[{title}]({url})" for title, url in sections)
    return f'!!! info "Follows the {NOTES_NAME}"\n\n    Specifies {links}.\n    {beyond}\n'
