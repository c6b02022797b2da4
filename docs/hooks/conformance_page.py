"""MkDocs hook: the conformance page's matrix, from a real run of the suite on each implementation.

docs/run_conformance.py runs `pytest tests --impl=... --conformance-json ...` for the implementations of
docs/conformance.toml and leaves the reports in build/conformance/ (or LCSPEC_CONFORMANCE_DIR); this
hook turns them into a table of contract functions x implementations, with each failure and declared
deviation linked to its clause. Without reports the page says how to make them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reference  # noqa: E402
from docs.hooks.spec_pages import clause_url  # noqa: E402
from tests.clauses import LEVELS  # noqa: E402
from tests.implementation import DIFFERENTIAL  # noqa: E402  (the JSON key of what the guard finds)
from tests.report import SCHEMA  # noqa: E402  (the report's JSON schema, which this page reads)

REPORTS = Path(os.environ.get("LCSPEC_CONFORMANCE_DIR", ROOT / "build" / "conformance"))
MARKER = "<!-- conformance matrix -->"


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "conformance.md":
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"conformance.md must contain {MARKER!r} where the matrix goes")
    return markdown.replace(MARKER, matrix(page.file.src_uri))


def load_reports() -> tuple[list[dict], dict[str, str]]:
    """Every implementation of every report, in run order, with its run's declared deviations and verdict."""
    entries = []
    for path in sorted(REPORTS.glob("[0-9]*.json")):
        data = json.loads(path.read_text())
        if data.get("schema") != SCHEMA:
            raise ValueError(f"{path}: schema {data.get('schema')!r}, this page reads {SCHEMA!r}")
        entries += [dict(e, exit_ok=data["exit_ok"], level=data["level"]) for e in data["implementations"]]
    skipped_file = REPORTS / "skipped.json"
    skipped = json.loads(skipped_file.read_text()) if skipped_file.is_file() else {}
    return entries, skipped


def short_name(label: str) -> str:
    """A matrix column's name: the module's own name, without folders, `.py` or `_adapter`, and the variant
    ('cs231n:examples/cs231n_linear_classifier.py (naive)' -> 'cs231n_linear_classifier (naive)')."""
    module, _, variant = label.partition(" ")
    stem = re.split(r"[/.:]", module.removesuffix(".py"))[-1].removesuffix("_adapter")
    return f"{stem} {variant}".strip()


def variant(entry: dict) -> str:
    """' (naive)' when one --impl run tests several variants (the CS231n layout), else ''."""
    return entry["label"].removeprefix(entry["spec"])


def anchor(entry: dict) -> str:
    """The id of an implementation's section on the page ('cs231n_linear_classifier (naive)' -> 'impl-cs231n_linear_classifier-naive')."""
    return "impl-" + re.sub(r"[^\w]+", "-", short_name(entry["label"])).strip("-")


def matrix(here: str) -> str:
    entries, skipped = load_reports()
    if not entries:
        shown = REPORTS.relative_to(ROOT) if REPORTS.is_relative_to(ROOT) else REPORTS
        return (
            '!!! note "No conformance results in this build"\n\n'
            f"    This site was built without conformance reports in `{shown}`. "
            "Run `python docs/run_conformance.py` before `mkdocs build` to fill in this page."
        )

    def link(cid):
        if cid == DIFFERENTIAL:  # not a clause: the guard's comparison with the reference on every call
            return "differential"
        return f"[{cid}]({clause_url(cid, here)})"

    marks = {"conforms": "✔", "fails": "✘", "deviates": "≈"}

    def cell(f):
        if f["status"] == "not provided":
            return "—"
        levels = " ".join(f"{marks.get(f['levels'][lv], f['levels'][lv])} {lv}" for lv in LEVELS)
        found = [DIFFERENTIAL] * f["differential"] + f["clauses"]
        return levels + (": " + ", ".join(link(c) for c in found) if found else "")

    header = "| function | " + " | ".join(f"[{short_name(e['label'])}](#{anchor(e)})" for e in entries) + " |"
    rule = "|---" * (len(entries) + 1) + "|"
    rows = [
        f"| `{name}` | " + " | ".join(cell(e["functions"][name]) for e in entries) + " |" for name in reference.CONTRACT
    ]
    out = [
        "| column | run as | verdict |\n|---|---|---|\n"
        + "\n".join(
            f"| [{short_name(e['label'])}](#{anchor(e)}) | `pytest tests --impl={e['spec']} --level={e['level']}`{variant(e)} | "
            + ", ".join(f"{lv}: {e['verdicts'][lv]}" for lv in LEVELS) + ("" if e["exit_ok"] else " (**the run fails**)") + " |"
            for e in entries
        ),
        f'<div class="conformance-matrix" markdown>\n\n{header}\n{rule}\n' + "\n".join(rows) + "\n\n</div>",
    ]
    for e in entries:
        counts = Counter(c["status"] for c in e["clauses"].values())
        out.append(f"### `{e['label']}` {{#{anchor(e)}}}")
        out.append("Clauses: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ".")
        judged = {DIFFERENTIAL: e["differential"], **e["clauses"]}
        bad = [clause_problems(cid, c, link) for cid, c in judged.items() if c["status"] in ("fails", "deviates")]
        out.append("\n".join(bad) if bad else "Every clause it was tested on holds.")
    if skipped:
        out.append("### Not run\n\n" + "\n".join(f"- `{impl}`: {why}" for impl, why in skipped.items()))
    return "\n\n".join(out)


def clause_problems(cid: str, clause: dict, link) -> str:
    """A list item for a clause that fails or deviates, with each of its tests that did: a declared deviation
    with its reason, a failure with its message."""
    lines = [f"- {link(cid)} ({clause.get('level', LEVELS[0])}) **{clause['status']}**"]
    for t in clause["tests"]:
        if t["outcome"] == "deviates":
            lines.append(f"    - `{t['id']}` deviates, as declared: `{_plain(t['message'])}`")
        elif t["outcome"] == "failed":
            lines.append(f"    - `{t['id']}` fails: `{_plain(t['message'])}`")
    return "\n".join(lines)


def _plain(message: str) -> str:
    """A message (failure or declared reason) fit for an inline code span: one line, no backticks, not too long."""
    flat = " ".join(message.split()).replace("`", "'")
    return flat if len(flat) <= 200 else flat[:199] + "…"
