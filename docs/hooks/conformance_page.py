"""MkDocs hook: the conformance page, and the validation guide's failing report, from real runs of the suite.

docs/run_conformance.py runs `lcspec check IMPL --json ...` for the implementations of
docs/conformance.toml and every library adapter, and leaves the reports in build/conformance/ (or
LCSPEC_CONFORMANCE_DIR). Without such reports the build makes its own, for the implementations of
docs/conformance.toml, with a smaller Hypothesis budget (conformance_runs.py). This hook turns the
reports into each implementation's verdict per level, a table of contract functions x implementations
and one of clauses x implementations, with each failure and declared deviation linked to its clause.

The validation guide's "Reading a report" shows the real terminal report of a broken CS231n-layout
file, run by the build (conformance_runs.py) and placed at the guide's markers.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout the site is built from

from lcspec import reference
import conformance_runs, markers  # a sibling hook module: MkDocs loads hooks with their folder on sys.path
from spec_pages import clause_url
from lcspec.harness.clauses import LEVELS, clauses
from lcspec.harness.deviations import DIFFERENTIAL  # the JSON key of what the guard finds
from lcspec.harness.verdict import SCHEMA, check_schema  # the report's JSON schema, which this page reads

REPORTS = Path(os.environ.get("LCSPEC_CONFORMANCE_DIR", ROOT / "build" / "conformance"))
MARKER = "<!-- conformance matrix -->"
GUIDE = "guides/validate.md"
GUIDE_SUMMARY = "<!-- conformance: failing report -->"
GUIDE_REPRODUCTION = "<!-- conformance: failing reproduction -->"


def on_config(config):
    """Start the suite runs this build needs and has not cached, so that they overlap the rest of the build."""
    conformance_runs.start(with_page_runs=not given_reports())
    return config


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == GUIDE:
        for marker in (GUIDE_SUMMARY, GUIDE_REPRODUCTION):
            if marker not in markdown:
                raise ValueError(f"{GUIDE} must contain {marker!r} where the failing report goes")
        summary, reproduction = conformance_runs.guide_report()
        markdown = markers.fill(markdown, GUIDE_SUMMARY, f"```text\n{summary}\n```", GUIDE)
        return markers.fill(markdown, GUIDE_REPRODUCTION, f"```text\n{reproduction}\n```", GUIDE)
    if page.file.src_uri != "conformance.md":
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"conformance.md must contain {MARKER!r} where the matrix goes")
    return markers.fill(markdown, MARKER, matrix(page.file.src_uri), page.file.src_uri)


def given_reports() -> list[Path]:
    """The reports of `python docs/run_conformance.py`, when it was run before the build."""
    return sorted(REPORTS.glob("[0-9]*.json"))


def load_reports() -> tuple[list[dict], dict[str, str]]:
    """Every implementation of every report, in run order, with its run's declared deviations and verdict:
    run_conformance.py's when there are any, else the build's own runs'."""
    entries = []
    for path in given_reports() or conformance_runs.page_reports():
        data = json.loads(path.read_text())
        if data.get("schema") != SCHEMA:
            raise ValueError(f"{path}: schema {data.get('schema')!r}, this page reads {SCHEMA!r}")
        check_schema(data)  # a report this page cannot read fails the build, not the reader
        entries += [dict(e, exit_ok=data["exit_ok"], level=data["level"]) for e in data["implementations"]]
    skipped_file = REPORTS / "skipped.json"
    if given_reports():
        skipped = json.loads(skipped_file.read_text()) if skipped_file.is_file() else {}
    else:
        skipped = conformance_runs.page_skipped()
    return entries, skipped


def short_name(label: str) -> str:
    """A matrix column's name: the module's own name, without folders, `.py` or `_adapter`, and the variant
    ('cs231n:examples/cs231n_linear_classifier.py (naive)' -> 'cs231n_linear_classifier (naive)')."""
    label = re.sub(r" \(cmd:[^)]*\)$", "", label)  # a program's own name says enough; the command is in its details
    module, _, variant = label.partition(" ")
    stem = re.split(r"[/.:]", module.removesuffix(".py"))[-1].removesuffix("_adapter")
    return f"{stem} {variant}".strip()


def variant(entry: dict) -> str:
    """' (naive)' when one --impl run tests several variants (the CS231n layout), else ''."""
    return entry["label"].removeprefix(entry["spec"])


def anchor(entry: dict) -> str:
    """The id of an implementation's section on the page ('cs231n_linear_classifier (naive)' -> 'impl-cs231n_linear_classifier-naive')."""
    return "impl-" + re.sub(r"[^\w]+", "-", short_name(entry["label"])).strip("-")


MARKS = {"conforms": "✔", "fails": "✘", "deviates": "≈"}


ADAPTERS = ROOT / "tests" / "adapters"  # library adapters: run by docs/run_conformance.py only


def adapter_columns() -> list[str]:
    """The columns of the library adapters (tests/adapters/*.py), by the name the matrix gives them."""
    return [short_name(p.name) for p in sorted(ADAPTERS.glob("*_adapter.py"))]


def source_note() -> str:
    """Where the results come from: run_conformance.py's full runs, or the build's own quicker ones; and which
    columns a page built without run_conformance.py's reports lacks."""
    if given_reports():
        return ("These results are from `python docs/run_conformance.py`, run before this site was built: every "
                "implementation it could run, with the suite's `ci` Hypothesis profile (60 examples per test). "
                "Any it could not run is listed, with the reason, under *Not run* at the end of the page.")
    adapters = ", ".join(f"`{name}`" for name in adapter_columns())
    return (
        '!!! note "Conformance as this build ran it"\n\n'
        "    This site's build ran the suite itself on the implementations of `docs/conformance.toml`, each at the "
        "level it claims, with the `docs` Hypothesis profile: 10 examples per test instead of the `ci` profile's 60, "
        "derandomized, so the build stays quick and the same commit builds the same page.\n\n"
        "    **Columns only a full run has.** The library adapters "
        f"({adapters}: PyTorch, JAX/optax and scikit-learn mapped onto the contract) have a column only when "
        "`python docs/run_conformance.py` ran before `mkdocs build` (CI does, with those libraries installed): it "
        "runs every implementation with the `ci` profile, and its reports fill this page instead. The C and "
        "JavaScript ports have a column only where they were built (`make -C examples/c`, "
        "`npm ci --prefix examples/js`); those not built here are listed under *Not run* at the end of the page."
    )


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

    def mark(status):
        return f"{MARKS[status]} {status}" if status in MARKS else status

    def cell(f):
        if f["status"] == "not provided":
            return "—"
        levels = " ".join(f"{MARKS.get(f['levels'][lv], f['levels'][lv])} {lv}" for lv in LEVELS)
        found = [DIFFERENTIAL] * f["differential"] + f["clauses"]
        return levels + (": " + ", ".join(link(c) for c in found) if found else "")

    def clause_cell(c, e, cid):
        """A dashboard cell: coloured by the clause's status in this run and by whether its level is within what
        the implementation claims; a failure or deviation links to its tests and messages below."""
        if c is None:  # the run had no test of it (another report's schema or selection)
            return ""
        status = c["status"]
        if status == "not provided":
            return '<span class="cv cv--none" title="not provided">—</span>'
        kind = status.replace(" ", "-")
        level = c.get("level", LEVELS[0])
        if status == "fails" and LEVELS.index(level) > LEVELS.index(e["level"]):
            kind = "fails-beyond"  # a stricter level than the implementation claims: not a failure of its claim
        title = f"{status} ({level})" + (f", beyond the {e['level']} it claims" if kind == "fails-beyond" else "")
        mark = MARKS.get(status, status)
        if status in ("fails", "deviates"):
            return f'<a class="cv cv--{kind}" href="#{failure_anchor(e, cid)}" title="{title}">{mark}</a>'
        return f'<span class="cv cv--{kind}" title="{title}">{mark}</span>'

    columns = " | ".join(f"[{short_name(e['label'])}](#{anchor(e)})" for e in entries)
    verdicts = ["## Verdicts", "| implementation | run as | " + " | ".join(LEVELS) + " |",
                "|---|---|" + "---|" * len(LEVELS)]
    verdicts += [
        f"| [{short_name(e['label'])}](#{anchor(e)}) | `lcspec check {e['spec']} --level={e['level']}`{variant(e)}"
        + ("" if e["exit_ok"] else " (**the run fails**)") + " | "
        + " | ".join(mark(e["verdicts"][lv]) for lv in LEVELS) + " |"
        for e in entries
    ]
    by_function = ["## By function",
                   "Each cell: the function's status at each level, and the clauses it fails or deviates on.",
                   f'<div class="conformance-matrix" markdown>\n\n| function | {columns} |\n'
                   + "|---" * (len(entries) + 1) + "|\n"
                   + "\n".join(f"| `{name}` | " + " | ".join(cell(e["functions"][name]) for e in entries) + " |"
                                for name in reference.CONTRACT)
                   + "\n\n</div>"]
    judged = [cid for cid in clauses() if any(cid in e["clauses"] for e in entries)]
    rows = ["| differential | — | " + " | ".join(clause_cell(e["differential"], e, DIFFERENTIAL) for e in entries) + " |"]
    rows += [f"| {link(cid)} | <span class=\"cv-level cv-level--{clauses()[cid]['level']}\">{clauses()[cid]['level']}</span> | "
             + " | ".join(clause_cell(e["clauses"].get(cid), e, cid) for e in entries) + " |" for cid in judged]
    by_clause = ["## By clause",
                 "The dashboard: a row per clause with its level, a column per implementation, each cell its status "
                 "in that implementation's run: "
                 '<span class="cv cv--conforms">✔</span> conforms, <span class="cv cv--fails">✘</span> fails at a '
                 'level the implementation claims, <span class="cv cv--fails-beyond">✘</span> fails only a clause '
                 'stricter than it claims, <span class="cv cv--deviates">≈</span> deviates as declared, '
                 '<span class="cv cv--none">—</span> on functions it does not provide, or why it was not judged. '
                 "A ✘ or ≈ links to the failing tests and their messages below; *differential* is the comparison "
                 "with the reference on every call.",
                 f'<div class="conformance-matrix conformance-clauses" markdown>\n\n| clause | level | {columns} |\n'
                 + "|---" * (len(entries) + 2) + "|\n" + "\n".join(rows) + "\n\n</div>"]
    out = [source_note(), "\n".join(verdicts), "\n\n".join(by_function), "\n\n".join(by_clause),
           "## Each implementation", '<div class="conformance-details" markdown>']
    for e in entries:
        counts = Counter(c["status"] for c in e["clauses"].values())
        out.append(f"### `{e['label']}` {{#{anchor(e)}}}")
        out.append("Verdict: " + " · ".join(f"{lv} {mark(e['verdicts'][lv])}" for lv in LEVELS)
                   + f" (run at `--level={e['level']}`).")
        out.append("Clauses: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ".")
        judged_here = {DIFFERENTIAL: e["differential"], **e["clauses"]}
        bad = [clause_problems(cid, c, link, failure_anchor(e, cid))
               for cid, c in judged_here.items() if c["status"] in ("fails", "deviates")]
        out.append("\n".join(bad) if bad else "Every clause it was tested on holds.")
    if skipped:
        out.append("### Not run\n\n" + "\n".join(f"- `{impl}`: {why}" for impl, why in skipped.items()))
    out.append("</div>")
    return "\n\n".join(out)


def failure_anchor(entry: dict, cid: str) -> str:
    """The id of an implementation's list item for a clause it fails or deviates on (the dashboard links to it)."""
    return f"{anchor(entry)}-{cid}"


def clause_problems(cid: str, clause: dict, link, anchor_id: str) -> str:
    """A list item for a clause that fails or deviates, with each of its tests that did: a declared deviation
    with its reason, a failure with its message."""
    lines = [f"- <span id=\"{anchor_id}\"></span>{link(cid)} ({clause.get('level', LEVELS[0])}) **{clause['status']}**"]
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
