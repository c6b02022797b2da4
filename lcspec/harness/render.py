"""The report on the terminal: verdicts first, one line per function, details only for what fails.

Everything here reads the JSON report (lcspec/harness/verdict.py), so a report read back from a file
renders the same as the run's own; `table` is the summary of several runs (`lcspec check A B C`).
Text that came from the implementation (its names, notes, exception messages, the values in a
reproduction) is printed through :func:`~lcspec.harness.verdict.one_line`: never a raw control
character, never a line of its own. What a stricter level than the selected one would add is said
as information ("not required"), not as a failure.
"""

from __future__ import annotations

import os
import sys

from lcspec.harness.clauses import LEVELS, clauses, within
from lcspec.harness.deviations import DIFFERENTIAL
from lcspec.harness.verdict import GREEN, INCOMPLETE, NOT_EXERCISED, NOT_PROVIDED, UNFINISHED, lines_of, one_line

NOT_REQUIRED = "not met"
"""What a level above the selected one says of a clause the implementation does not meet: information only."""


def _status_at(status: str, level: str, selected: str) -> str:
    return NOT_REQUIRED if status == "fails" and not within(level, selected) else status


def shown_name(name: str, f: dict) -> str:
    """`svm_loss_vectorized (svm_loss)`: the implementation's own name, and the contract's where they differ."""
    own = one_line(f.get("name", name))
    return own if own == name else f"{own} ({name})"


def _function_line(name: str, f: dict, selected: str) -> str:
    """`svm_loss   core: conforms   strict: not met (CONV-3, REG-6)`: the status at each level, with its clauses."""
    parts = []
    for level in LEVELS:
        status = _status_at(f["levels"][level], level, selected)
        if status in ("fails", "deviates", NOT_REQUIRED) and f["found"][level]:
            status += f" ({', '.join(f['found'][level])})"
        parts.append(f"{level}: {status}")
    precision_note = f"   (judged at {f['precision']} precision)" if f.get("precision", "float64") != "float64" else ""
    return f"  {shown_name(name, f):<40} " + "   ".join(parts) + precision_note


def render(entry: dict, data: dict, shown=(), reproductions: bool = True):
    """The terminal lines, with their styles, for one implementation: verdicts first, details only for what fails,
    with one counterexample per function unless pytest's own output showed them (`reproductions` false). Notes in
    `shown` were printed already."""
    yield from _header(entry, data, shown)
    yield from _functions(entry, data["level"])
    yield from _failures(entry, data["level"], reproductions)
    yield from _skips(entry)


def _header(entry: dict, data: dict, shown):
    level = data["level"]
    yield f"lcspec conformance: {one_line(entry['label'])}", {"bold": True}
    yield f"  loaded from {one_line(entry['origin'])}", {}
    if not data.get("isolated", True):
        yield "  not isolated: the implementation ran inside the judge's process (--in-process)", {"yellow": True}
    elif data.get("sandbox") and not data["sandbox"].startswith("bubblewrap"):
        yield f"  sandbox: {data['sandbox']}", {"yellow": True}
    for note in entry["notes"]:
        if note not in shown:
            yield f"  note: {one_line(note)}", {}
    if data["input_precision"] != "float64":
        yield f"  inputs drawn as {data['input_precision']} numbers (every result was {data['input_precision']})", {}
    verdict = entry["verdicts"][level]
    stricter = [lv for lv in LEVELS if not within(lv, level) and entry["verdicts"][lv] == "fails"]
    extra = f"; {', '.join(stricter)}: {NOT_REQUIRED}, which --level={level} does not require" if stricter else ""
    yield (f"  verdict: {verdict} at level {level}   (--level={level} sets the exit code{extra})",
           {"red": verdict not in GREEN, "green": verdict in GREEN})


def _functions(entry: dict, level: str):
    provided = {n: f for n, f in entry["functions"].items() if f["status"] != NOT_PROVIDED}
    for name, f in provided.items():
        yield _function_line(name, f, level), {"red": f["status"] not in GREEN}
    for name, f in provided.items():
        if f["status"] == NOT_EXERCISED:
            yield f"  {shown_name(name, f)}: not exercised by this selection", {"red": True}
        elif f["status"] == UNFINISHED:
            yield f"  {shown_name(name, f)}: unfinished: the run stopped before all of its tests", {"red": True}
    missing = [n for n in entry["functions"] if n not in provided]
    if missing and not entry.get("variant"):  # a CS231n variant: the rest of the contract is not the assignment's
        yield f"  not provided ({len(missing)}): {', '.join(missing)}", {}


def judged_in_order(entry: dict) -> dict:
    """An implementation's verdicts by clause, in the report's order: the differential check (at the lowest level),
    then the clauses. A function's counterexample, here and in its grade, is the first failing test's among them."""
    return {DIFFERENTIAL: dict(entry["differential"], level=LEVELS[0]), **entry["clauses"]}


def _failures(entry: dict, level: str, reproductions: bool):
    judged = judged_in_order(entry)
    bad = {cid: c for cid, c in judged.items() if c["status"] in ("fails", "deviates") and within(c["level"], level)}
    above = [cid for cid, c in judged.items() if c["status"] == "fails" and not within(c["level"], level)]
    if above:  # one line of information: what the selected level does not require does not crowd out what it does
        yield (f"  not required at --level={level}: {', '.join(above)} ({LEVELS[-1]} clauses it does not meet; "
               f"details: --level={LEVELS[-1]})"), {}
    if bad:
        yield "  what fails:", {}
    registry = clauses()
    reproduced: set[str] = set()  # one counterexample per function: the first failing test's
    for cid, c in bad.items():
        title = registry[cid]["title"] if cid in registry else "the reference's value on the same inputs"
        culprits = c.get("found", {}).get(level) or sorted(
            {f for t in c["tests"] if t["outcome"] in ("failed", "deviates") for f in t["functions"]})
        names = [shown_name(f, entry["functions"][f]) if f in entry["functions"] else f
                 for f in culprits or c["functions"]]
        yield f"    {cid} [{c['level']}] {c['status']}: {title} — {', '.join(names)}", {"red": c["status"] == "fails"}
        for test in [t for t in c["tests"] if t["outcome"] in ("failed", "deviates")][:3]:
            prefix = "" if test["outcome"] == "failed" else "deviates: "
            yield f"        {one_line(test['id'].split('::')[-1])}: {prefix}{one_line(test['message'])}", {}
            fresh = [f for f in test["functions"] if f not in reproduced]
            if reproductions and test["outcome"] == "failed" and test.get("reproduction") and fresh:
                reproduced.update(test["functions"])
                for line in lines_of(test["reproduction"]).splitlines():
                    yield f"          {line}", {}


def _skips(entry: dict):
    reasons: dict[str, list[str]] = {}
    for cid, c in entry["clauses"].items():
        if c["status"] == "skipped":
            why = next((t["message"] for t in c["tests"] if t["outcome"] == "skipped" and t["message"]), "no reason given")
            if ": not provided by " not in why:  # the functions not provided are listed once, above
                reasons.setdefault(one_line(why.removeprefix("Skipped: ")), []).append(cid)
    for why, ids in reasons.items():
        yield f"  skipped {', '.join(ids)}: {why}", {}


def report(data: dict, reproductions: bool = True):
    """The whole report of a run, with styles: the notes every implementation shares (once), each
    implementation's lines, what the deviations file says of itself, and the closing line, last. Under pytest's
    own output, which shows each failure's reproduction, `reproductions` false leaves them out here."""
    entries = data["implementations"]
    shared = [n for n in entries[0]["notes"] if all(n in e["notes"] for e in entries)] if entries else []
    for note in shared:  # said once, not once per variant
        yield f"lcspec note: {one_line(note)}", {}
    for entry in entries:
        yield from render(entry, data, shown=shared, reproductions=reproductions)
    dev = data["deviations"]
    for ident in dev["unknown"]:
        yield f"deviation {ident!r} matches no clause or test (check the id)", {"yellow": True}
    for ident in dev["stale"]:
        yield f"stale deviation {ident!r}: declared, but its tests pass now", {"yellow": True}
    yield closing_line(data), {"bold": True}


_STYLES = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}


def print_report(data: dict, file=None) -> None:
    """Print :func:`report` to `file` (stdout), in colour where it is a terminal and NO_COLOR is not set."""
    file = file or sys.stdout
    colour = (file.isatty() and not os.environ.get("NO_COLOR")) or bool(os.environ.get("FORCE_COLOR"))
    for line, style in report(data):
        codes = ";".join(_STYLES[s] for s, on in style.items() if on and s in _STYLES)
        file.write(f"\x1b[{codes}m{line}\x1b[0m\n" if colour and codes else f"{line}\n")
    file.flush()


def closing_line(data: dict) -> str:
    """The run's last line: the verdict at the selected level, what other levels say, and the time."""
    level = data["level"]
    tail = f"spec {data['spec_version']}; run time {data['seconds']:.1f} s"
    if data.get("stopped"):
        return (f"lcspec: no verdict at level {level}: the run stopped ({one_line(data['stopped'])}), so exit_ok is "
                f"false; {tail}")
    status = data.get("status") or ("conforms" if data["exit_ok"] else "fails")
    if status == INCOMPLETE:
        unjudged = sorted({shown_name(n, f) for e in data["implementations"] for n, f in e["functions"].items()
                           if f["status"] in (NOT_EXERCISED, UNFINISHED)})
        return (f"lcspec: incomplete at level {level}: no verdict on {', '.join(unjudged) or 'some functions'}, so "
                f"exit_ok is false; {tail}")
    others = []
    for lv, ok in data["verdicts"].items():
        if lv != level:
            said = "met" if ok else NOT_REQUIRED if not within(lv, level) else "fails"
            others.append(f"at {lv}: {said}" + (" (not required)" if not within(lv, level) else ""))
    verdict = "conforms" if data["exit_ok"] else "fails"
    declared = " apart from declared deviations" if data["deviations"]["declared"] and data["exit_ok"] else ""
    return f"lcspec: {verdict} at level {level}{declared} (this sets the exit code); {'; '.join(others)}; {tail}"


def table(rows: list[dict]) -> list[str]:
    """The summary of several runs, one line each: {"impl", "core", "strict", "exit", "fails", "seconds"}; the last
    column is never cut (a load error's whole sentence)."""
    width = max([len("implementation")] + [len(r["impl"]) for r in rows])
    lines = [f"{'implementation':<{width}}  {'core':<10} {'strict':<10} {'exit':>4} {'seconds':>7}  "
             "what fails at the level judged"]
    for r in rows:
        lines.append(f"{one_line(r['impl']):<{width}}  {r['core']:<10} {r['strict']:<10} {r['exit']:>4} "
                     f"{r['seconds']:>7.1f}  {one_line(r['fails'])}")
    return lines
