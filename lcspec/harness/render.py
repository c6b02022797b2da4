"""The report on the terminal: verdicts first, one line per function, details only for what fails.

Everything here reads the JSON report (lcspec/harness/verdict.py), so a report read back from a file
renders the same as the run's own; `table` is the summary of several runs (`lcspec check A B C`).
"""

from __future__ import annotations

from lcspec.harness.clauses import LEVELS, clauses, within
from lcspec.harness.deviations import DIFFERENTIAL
from lcspec.harness.verdict import NOT_PROVIDED


def _function_line(name: str, f: dict) -> str:
    """`svm_loss   core: conforms   strict: fails (CONV-3, REG-6)`: the verdict at each level, with what fails there."""
    parts = []
    for level in LEVELS:
        status = f["levels"][level]
        if status in ("fails", "deviates") and f["found"][level]:
            status += f" ({', '.join(f['found'][level])})"
        parts.append(f"{level}: {status}")
    precision_note = f"   (judged at {f['precision']} precision)" if f.get("precision", "float64") != "float64" else ""
    return f"  {name:<22}" + "   ".join(parts) + precision_note


def render(entry: dict, data: dict, shown=()):
    """The terminal lines, with their styles, for one implementation: verdicts first, details only for what fails.
    Notes in `shown` were printed already."""
    verdicts = " · ".join(f"{level} {entry['verdicts'][level]}" for level in LEVELS)
    yield f"lcspec conformance: {entry['label']}", {"bold": True}
    yield f"  loaded from {entry['origin']}", {}
    if not data.get("isolated", True):
        yield "  not isolated: the implementation ran inside the judge's process (--in-process)", {"yellow": True}
    for note in entry["notes"]:
        if note not in shown:
            yield f"  note: {note}", {}
    if data["input_precision"] != "float64":
        yield f"  inputs drawn as {data['input_precision']} numbers (every result was {data['input_precision']})", {}
    failed = entry["verdicts"][data["level"]] == "fails"
    yield f"  verdict: {verdicts}   (--level={data['level']} sets the exit code)", {"red": failed, "green": not failed}
    registry = clauses()
    provided = {n: f for n, f in entry["functions"].items() if f["status"] != NOT_PROVIDED}
    for name, f in provided.items():
        yield _function_line(name, f), {"red": "fails" in f["levels"].values()}
    missing = [n for n in entry["functions"] if n not in provided]
    if missing:
        yield f"  not provided ({len(missing)}): {', '.join(missing)}", {}
    judged = {DIFFERENTIAL: dict(entry["differential"], level=LEVELS[0]), **entry["clauses"]}
    bad = {cid: c for cid, c in judged.items() if c["status"] in ("fails", "deviates") and within(c["level"], data["level"])}
    above = [cid for cid, c in judged.items() if c["status"] == "fails" and not within(c["level"], data["level"])]
    if above:  # one line: what the selected level does not require does not crowd out what it does
        yield f"  beyond --level={data['level']}, fails {', '.join(above)} (details: --level={LEVELS[-1]})", {}
    if bad:
        yield "  what fails:", {}
    for cid, c in bad.items():
        title = registry[cid]["title"] if cid in registry else "the reference's value on the same inputs"
        culprits = c.get("found", {}).get(data["level"]) or sorted(
            {f for t in c["tests"] if t["outcome"] in ("failed", "deviates") for f in t["functions"]})
        yield f"    {cid} [{c['level']}] {c['status']}: {title} — {', '.join(culprits or c['functions'])}", {"red": c["status"] == "fails"}
        for test in [t for t in c["tests"] if t["outcome"] in ("failed", "deviates")][:3]:
            prefix = "" if test["outcome"] == "failed" else "deviates: "
            yield f"        {test['id'].split('::')[-1]}: {prefix}{test['message'][:200]}", {}
    reasons: dict[str, list[str]] = {}
    for cid, c in entry["clauses"].items():
        if c["status"] == "skipped":
            why = next((t["message"] for t in c["tests"] if t["outcome"] == "skipped" and t["message"]), "no reason given")
            reasons.setdefault(why.removeprefix("Skipped: "), []).append(cid)
    for why, ids in reasons.items():
        yield f"  skipped {', '.join(ids)}: {why}", {}


def closing_line(data: dict) -> str:
    """The run's last line: the verdict at the selected level, then the others, and the time."""
    level = data["level"]
    if data.get("stopped"):
        return (f"lcspec: no verdict at level {level}: the run stopped ({data['stopped']}), so exit_ok is false; "
                f"spec {data['spec_version']}; run time {data['seconds']:.1f} s")
    others = "; ".join(f"at {lv}: {'conforms' if ok else 'fails'}" for lv, ok in data["verdicts"].items() if lv != level)
    verdict = "conforms" if data["exit_ok"] else "fails"
    declared = " apart from declared deviations" if data["deviations"]["declared"] and data["exit_ok"] else ""
    return (f"lcspec: {verdict} at level {level}{declared} (this sets the exit code); {others}; "
            f"spec {data['spec_version']}; run time {data['seconds']:.1f} s")


def table(rows: list[dict]) -> list[str]:
    """The summary of several runs, one line each: {"impl", "core", "strict", "exit", "fails", "seconds", "log"}."""
    width = max([len("implementation")] + [len(r["impl"]) for r in rows])
    lines = [f"{'implementation':<{width}}  {'core':<9} {'strict':<9} {'exit':>4} {'seconds':>7}  fails at the level judged"]
    for r in rows:
        lines.append(f"{r['impl']:<{width}}  {r['core']:<9} {r['strict']:<9} {r['exit']:>4} {r['seconds']:>7.1f}  {r['fails']}")
    return lines
