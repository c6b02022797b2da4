"""MkDocs hook: the page "Check your CS231n assignment", its reports made by real runs of `lcspec check`.

The page shows what a student sees: the report on the bundled correct example, and for each of the five
mistakes students make most (docs/mistakes/, each the example with one mistake), the lines that differ
from the correct code and the report `lcspec check cs231n:FILE` printed on it. The runs are
conformance_runs.py's (started when the build is configured, cached under build/docs-runs/), so the
page follows whatever the report becomes.
"""

from __future__ import annotations

import ast
import difflib

import conformance_runs  # a sibling hook module: MkDocs loads hooks with their folder on sys.path

PAGE = "assignment.md"
EXAMPLE_MARKER = "<!-- assignment: a passing report -->"
MISTAKES_MARKER = "<!-- assignment: the five mistakes -->"
EXAMPLE = conformance_runs.ROOT / "examples" / "cs231n_linear_classifier.py"

# The mistakes in the order students meet them in the assignment, each under its heading (the file's
# docstring says what it is). The anchors are the files' names.
MISTAKES = {
    "kink_counted": "A margin of exactly 0 counted as violated",
    "global_max_shift": "The max-shift taken over the whole batch",
    "half_reg": "Half the regularisation: 0.5 · reg",
    "missing_mean": "The gradient not divided by N",
    "missing_reg_grad": "The penalty's gradient 2 · reg · W left out",
}


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    for marker in (EXAMPLE_MARKER, MISTAKES_MARKER):
        if marker not in markdown:
            raise ValueError(f"{PAGE} must contain {marker!r}")
    example = conformance_runs.summary("example", conformance_runs.EXAMPLE_IMPL)[1]
    return (markdown.replace(EXAMPLE_MARKER, f"```text\n{example}\n```")
            .replace(MISTAKES_MARKER, mistakes_section()))


def mistakes_section() -> str:
    files = {p.stem: p for p in conformance_runs.mistake_files()}
    if set(files) != set(MISTAKES):
        raise ValueError(f"docs/mistakes/ holds {sorted(files)}, the page describes {sorted(MISTAKES)}")
    out = []
    for n, (stem, title) in enumerate(MISTAKES.items(), 1):
        path = files[stem]
        what = ast.get_docstring(ast.parse(path.read_text())).split("\n\n")[1]
        out.append(f"### {n}. {title} {{#{stem.replace('_', '-')}}}")
        out.append(" ".join(what.split()))
        out.append(f"The lines of `docs/mistakes/{path.name}` that differ from the correct example:")
        out.append(f"```diff\n{code_diff(path)}\n```")
        out.append(f"`lcspec check cs231n:docs/mistakes/{path.name}` reports:")
        out.append(f"```text\n{conformance_runs.mistake_report(path)}\n```")
    return "\n\n".join(out)


def code_diff(path) -> str:
    """The changed lines of the mistake's code against the correct example's (docstrings left out), with the
    name of the function each change is in."""
    def code(p):
        lines = p.read_text().splitlines()
        end = next(i for i, line in enumerate(lines) if line.startswith("import "))
        return lines[end:]

    correct, wrong = code(EXAMPLE), code(path)
    out = []
    for group in difflib.SequenceMatcher(None, correct, wrong).get_grouped_opcodes(0):
        i1 = group[0][1]
        where = next((line for line in reversed(correct[: i1 + 1]) if line.startswith("def ")), "")
        out.append(f"@@ {where.removesuffix(':')}")
        for tag, a1, a2, b1, b2 in group:
            out += [f"-{line}" for line in correct[a1:a2]] + [f"+{line}" for line in wrong[b1:b2]]
    return "\n".join(out)
