"""MkDocs hook: the page "Check your CS231n assignment", its reports made by real runs of `lcspec check`.

The page shows what a student sees: the report on the bundled correct example, and for each of the five
mistakes students make most (docs/mistakes.toml: each the example with one mistake, as edits), the lines
that differ from the correct code and the report `lcspec check cs231n:FILE` printed on it. When the build
is configured (before conformance_page.py starts the runs, so mkdocs.yml lists this hook first) each
mistaken file is written to docs/mistakes/NAME.py (not committed). The runs are conformance_runs.py's
(cached under build/docs-runs/), so the page follows whatever the report becomes.
"""

from __future__ import annotations

import difflib
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import conformance_runs, markers  # a sibling hook module: MkDocs loads hooks with their folder on sys.path

PAGE = "assignment.md"
EXAMPLE_MARKER = "<!-- assignment: a passing report -->"
MISTAKES_MARKER = "<!-- assignment: the five mistakes -->"
EXAMPLE = conformance_runs.ROOT / "examples" / "cs231n_linear_classifier.py"
MISTAKES_FILE = conformance_runs.ROOT / "docs" / "mistakes.toml"


def mistakes() -> list[dict]:
    """The mistakes of docs/mistakes.toml, in the page's order."""
    return tomllib.loads(MISTAKES_FILE.read_text(encoding="utf-8"))["mistake"]


def mistaken_source(mistake: dict) -> str:
    """The example's code with the mistake's edits, under a docstring that says what the mistake is."""
    example = EXAMPLE.read_text()
    code = example[example.index("import numpy as np"):]
    for old, new in mistake["edits"]:
        if old not in code:
            raise ValueError(f"docs/mistakes.toml: {mistake['name']}: {old!r} is not in {EXAMPLE.name}")
        code = code.replace(old, new)
    return ('"""A CS231n linear classifier with one mistake students make.\n\n' + mistake["what"] + "\n\n"
            "Everything else is examples/cs231n_linear_classifier.py. docs/hooks/conformance_runs.py runs\n"
            "`lcspec check cs231n:` on this file when the site is built, and the page \"Check your CS231n\n"
            'assignment" shows the report.\n"""\n\n' + code)


def on_config(config):
    """Write docs/mistakes/NAME.py for each mistake (and nothing else there), before the runs start."""
    conformance_runs.MISTAKES.mkdir(exist_ok=True)
    wanted = {f"{m['name']}.py": mistaken_source(m) for m in mistakes()}
    for old in conformance_runs.MISTAKES.glob("*.py"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        path = conformance_runs.MISTAKES / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
    return config


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    for marker in (EXAMPLE_MARKER, MISTAKES_MARKER):
        if marker not in markdown:
            raise ValueError(f"{PAGE} must contain {marker!r}")
    example = conformance_runs.summary("example", conformance_runs.EXAMPLE_IMPL)[1]
    markdown = markers.fill(markdown, EXAMPLE_MARKER, f"```text\n{example}\n```", PAGE)
    return markers.fill(markdown, MISTAKES_MARKER, mistakes_section(), PAGE)


def mistakes_section() -> str:
    out = []
    for n, mistake in enumerate(mistakes(), 1):
        path = conformance_runs.MISTAKES / f"{mistake['name']}.py"
        out.append(f"### {n}. {mistake['title']} {{#{mistake['name'].replace('_', '-')}}}")
        out.append(" ".join(mistake["what"].split()))
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
