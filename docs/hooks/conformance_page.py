"""MkDocs hook: the conformance page's matrix, from a real run of the suite on each implementation.

docs/run_conformance.py runs `pytest tests --impl=... --conformance-json ...` for the implementations of
docs/conformance.toml and leaves the reports in build/conformance/ (or LCSPEC_CONFORMANCE_DIR); this
hook turns them into a table of contract functions x implementations, with each failure and declared
deviation linked to its clause. Without reports the page says how to make them.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reference  # noqa: E402
from docs.hooks.spec_pages import clause_url  # noqa: E402

REPORTS = Path(os.environ.get("LCSPEC_CONFORMANCE_DIR", ROOT / "build" / "conformance"))
SCHEMA = "lcspec-conformance/1"
MARKER = "<!-- conformance matrix -->"


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "conformance.md":
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"conformance.md must contain {MARKER!r} where the matrix goes")
    return markdown.replace(MARKER, matrix(page.file.src_uri))


def load_reports() -> tuple[list[dict], dict[str, str]]:
    entries = []
    for path in sorted(REPORTS.glob("[0-9]*.json")):
        data = json.loads(path.read_text())
        if data.get("schema") != SCHEMA:
            raise ValueError(f"{path}: schema {data.get('schema')!r}, this page reads {SCHEMA!r}")
        entries += [dict(e, deviations=data["deviations"]["declared"]) for e in data["implementations"]]
    skipped_file = REPORTS / "skipped.json"
    skipped = json.loads(skipped_file.read_text()) if skipped_file.is_file() else {}
    return entries, skipped


def matrix(here: str) -> str:
    entries, skipped = load_reports()
    if not entries:
        shown = REPORTS.relative_to(ROOT) if REPORTS.is_relative_to(ROOT) else REPORTS
        return (
            '!!! note "No conformance results in this build"\n\n'
            f"    This site was built without conformance reports in `{shown}`. "
            "Run `python docs/run_conformance.py` before `mkdocs build` to fill in this page (it needs the "
            "suite's `--conformance-json` option)."
        )

    def link(cid):
        return f"[{cid}]({clause_url(cid, here)})"

    def cell(f):
        status = f["status"]
        shown = {"conforms": "✔ conforms", "fails": "✘ fails", "deviates": "≈ deviates"}.get(status, status)
        return shown + (": " + ", ".join(link(c) for c in f["clauses"]) if f["clauses"] else "")

    header = "| function | " + " | ".join(f"`{e['label']}`" for e in entries) + " |"
    rule = "|---" * (len(entries) + 1) + "|"
    rows = [
        f"| `{name}` | " + " | ".join(cell(e["functions"][name]) for e in entries) + " |" for name in reference.CONTRACT
    ]
    out = [
        "| implementation | run as |\n|---|---|\n"
        + "\n".join(f"| `{e['label']}` | `pytest tests --impl={e['spec']}` |" for e in entries),
        "\n".join([header, rule, *rows]),
    ]
    for e in entries:
        bad = {cid: c for cid, c in e["clauses"].items() if c["status"] in ("fails", "deviates")}
        counts = Counter(c["status"] for c in e["clauses"].values())
        out.append(f"### `{e['label']}`")
        out.append("Clauses: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ".")
        if not bad:
            out.append("Every clause it was tested on holds.")
        for cid, c in bad.items():
            reason = e["deviations"].get(cid)
            lines = [f"- {link(cid)} **{c['status']}**" + (f" (declared: {reason})" if reason else "")]
            lines += [
                f"    - `{t['id']}`: `{_plain(t['message'])}`"
                for t in c["tests"]
                if t["outcome"] in ("failed", "deviates")
            ]
            out.append("\n".join(lines))
    if skipped:
        out.append("### Not run\n\n" + "\n".join(f"- `{impl}`: {why}" for impl, why in skipped.items()))
    return "\n\n".join(out)


def _plain(message: str) -> str:
    """A failure message fit for an inline code span: one line, no backticks, not too long."""
    flat = " ".join(message.split()).replace("`", "'")
    return flat if len(flat) <= 200 else flat[:199] + "…"
