"""Grades from verdicts: a class's submissions, judged by `lcspec check`, as a grade sheet.

A *rubric* gives points per function, by the student's own names (a TOML file):

    level = "core"                  # optional: the level a function must conform at (default: the run's)

    [points]
    svm_loss_naive = 10
    svm_loss_vectorized = 10
    softmax_loss_naive = 10
    softmax_loss_vectorized = 10
    "LinearClassifier.train" = 5    # the assignment's names: LinearClassifier.predict, eval_numerical_gradient

A name may also be a contract function's (`softmax_loss`): then every variant that provides it must
conform. A function earns its points when it conforms (or deviates as declared) at the rubric's
level, and nothing otherwise; every point lost has its reason, in the student's names: the clauses
it fails with the first failing test's message, or why there is no verdict (not found, the code
could not be loaded, the run stopped, no example of it was judged). Without a rubric, every
function some submission of the batch provides is worth one point.

Out: a CSV grade sheet (one row per submission, one column per function, the total, the reasons),
and Gradescope's autograder `results.json` per submission (`score`, `output` and `tests`, each with
`name`, `score`, `max_score`, `status` and `output`). Nothing here runs code: it reads the JSON
reports (lcspec/harness/verdict.py) and the report folder's manifest (lcspec/cli.py).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from lcspec.harness.clauses import LEVELS, within
from lcspec.harness.render import judged_in_order, shown_name
from lcspec.harness.verdict import GREEN, NOT_PROVIDED, one_line

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MANIFEST = "manifest.json"
BATCH_SCHEMA = "lcspec-batch/1"


class RubricError(ValueError):
    """A rubric file that cannot be read, said in one line."""


def load_rubric(path) -> dict:
    """{"level": str | None, "points": {name: points}} from a rubric file (see the module docstring)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(f"rubric {path}: {exc}") from None
    points, level = data.get("points"), data.get("level")
    unknown = sorted(set(data) - {"points", "level"})
    if unknown:
        raise RubricError(f"rubric {path}: unknown keys {', '.join(unknown)} (a rubric has `level` and [points])")
    if not isinstance(points, dict) or not points:
        raise RubricError(f"rubric {path}: no [points] table (name = points, one line per function)")
    bad = [name for name, value in points.items() if isinstance(value, bool) or not isinstance(value, (int, float))
           or value < 0]
    if bad:
        raise RubricError(f"rubric {path}: points must be numbers >= 0 ({', '.join(bad)})")
    if level is not None and level not in LEVELS:
        raise RubricError(f"rubric {path}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    return {"level": level, "points": dict(points)}


def default_rubric(reports: list[dict]) -> dict:
    """One point for every function some report's implementation provides, by its own name, in the order met."""
    names: dict[str, float] = {}
    for data in reports:
        for entry in data.get("implementations", []):
            for name, f in entry["functions"].items():
                if f["status"] != NOT_PROVIDED:
                    names.setdefault(f.get("name", name), 1)
    return {"level": None, "points": names}


def _provided(data: dict, wanted: str) -> list[tuple[dict, str, dict]]:
    """(implementation entry, contract name, function entry) of every variant that provides `wanted` (the student's
    name, or the contract's)."""
    found = []
    for entry in data.get("implementations", []):
        for name, f in entry["functions"].items():
            if f["status"] != NOT_PROVIDED and wanted in (f.get("name", name), name):
                found.append((entry, name, f))
    return found


def _reproduction(entry: dict, name: str, level: str) -> str:
    """The counterexample for contract function `name`, in the implementation's layout, that the text report shows:
    the first failing test's at the level graded (the differential check, then the clauses in order). A clause the
    level does not require (a correct function's strict bad-input tests) never stands for a point lost."""
    for clause in judged_in_order(entry).values():
        if not within(clause["level"], level):
            continue
        for test in clause["tests"]:
            if test["outcome"] == "failed" and name in test["functions"] and test.get("reproduction"):
                return test["reproduction"]
    return ""


def grade_function(data: dict, wanted: str, points: float, level: str | None = None) -> dict:
    """{"name", "score", "max_score", "status", "reason", "detail"} for one rubric line on one report."""
    grade = {"name": wanted, "score": 0, "max_score": points, "status": "", "reason": "", "detail": ""}
    if "error" in data:
        return dict(grade, status="error", reason=f"not judged: the code could not be loaded: {one_line(data['error'])}")
    level = level or data["level"]
    found = _provided(data, wanted)
    if not found:
        return dict(grade, status=NOT_PROVIDED, reason=f"not found: the submission has no function {wanted}")
    if data.get("stopped"):
        return dict(grade, status="stopped", reason=f"no verdict: the run stopped ({one_line(data['stopped'])})")
    reasons, details = [], []
    statuses = [f["levels"][level] for _, _, f in found]
    for entry, name, f in found:
        status = f["levels"][level]
        # which variant, where the rubric's line does not say it already
        own = "" if len(found) == 1 and f.get("name", name) == wanted else f"{shown_name(name, f)}: "
        if status in GREEN:
            continue
        if status == "fails":
            for r in [r for r in f["reasons"] if within(r["level"], level) and r["outcome"] == "failed"]:
                reasons.append(f"{own}{r['clause']} ({r['title']}): {one_line(r['message'])}")
            details.append(_reproduction(entry, name, level))
        else:
            reasons.append(f"{own}no verdict ({status}): none of its examples was judged to the end")
    if all(s in GREEN for s in statuses):
        return dict(grade, score=points, status="conforms" if "conforms" in statuses else "deviates")
    status = "fails" if "fails" in statuses else "incomplete"
    return dict(grade, status=status, reason="; ".join(reasons) or f"{wanted}: {status}",
                detail="\n\n".join(d for d in details if d))


def grade_report(data: dict, rubric: dict) -> list[dict]:
    """Every rubric line's grade on one report."""
    return [grade_function(data, name, points, rubric.get("level")) for name, points in rubric["points"].items()]


def _number(value: float) -> str:
    return f"{value:g}"


def grade_sheet(rows: list[tuple[str, list[dict]]], rubric: dict) -> str:
    """The CSV grade sheet: per submission its name, the points of each rubric line, total, out of, and the
    reasons for every point lost (one line each, joined by " | ")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(rubric["points"])
    writer.writerow(["submission", *names, "total", "max", "reasons"])
    for submission, grades in rows:
        lost = [f"{g['name']} (-{_number(g['max_score'] - g['score'])}): {g['reason']}" for g in grades
                if g["score"] < g["max_score"]]
        writer.writerow([one_line(submission), *(_number(g["score"]) for g in grades),
                         _number(sum(g["score"] for g in grades)), _number(sum(g["max_score"] for g in grades)),
                         " | ".join(lost)])
    return out.getvalue()


def gradescope(data: dict, grades: list[dict], submission: str, level: str | None = None) -> dict:
    """Gradescope's autograder results.json for one submission: a test per rubric line, with its reason."""
    level = level or data.get("level", "core")
    verdict = data.get("status") or ("error" if "error" in data else "")
    head = (f"lcspec judged {one_line(submission)} at level {level}: {verdict}" if "error" not in data
            else f"lcspec could not judge {one_line(submission)}: {one_line(data['error'])}")
    tests = []
    for g in grades:
        output = "conforms" if g["score"] >= g["max_score"] else g["reason"]
        if g["detail"]:
            output += "\n\nA counterexample, in your layout:\n" + g["detail"]
        tests.append({"name": g["name"], "score": g["score"], "max_score": g["max_score"],
                      "status": "passed" if g["score"] >= g["max_score"] else "failed", "output": output,
                      "visibility": "visible"})
    return {"score": sum(g["score"] for g in grades), "output": head, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def read_manifest(folder) -> dict:
    """A report folder's manifest (written by `lcspec check A B ...`), checked."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise RubricError(f"{path}: not a report folder's manifest ({exc})") from None
    if manifest.get("schema") != BATCH_SCHEMA:
        raise RubricError(f"{path}: schema {manifest.get('schema')!r}, this lcspec reads {BATCH_SCHEMA!r}")
    return manifest


def batch_reports(folder) -> list[tuple[dict, dict]]:
    """(manifest entry, JSON report) of every submission of a report folder, in the manifest's order."""
    folder = Path(folder)
    found = []
    for item in read_manifest(folder)["submissions"]:
        path = folder / item["json"]
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            data = {"exit_ok": False, "error": f"its report {path.name} cannot be read ({exc})"}
        found.append((item, data))
    return found


def grade_folder(folder, rubric: dict | None = None, csv_path=None, gradescope_dir=None,
                 results_json=None) -> tuple[str, dict]:
    """Grade a report folder: write the CSV (default FOLDER/grades.csv) and a Gradescope results.json per
    submission (default FOLDER/gradescope/NAME.json; `results_json`: that one file, for a folder of one
    submission, as Gradescope's autograder wants it); returns (the CSV's text, the rubric used)."""
    from lcspec.harness.reports import write_atomically

    folder = Path(folder)
    found = batch_reports(folder)
    if results_json and len(found) != 1:
        raise RubricError(f"{results_json}: one results.json is for a folder of one submission; {folder} has "
                          f"{len(found)} (name a folder for them instead)")
    rubric = rubric or default_rubric([data for _, data in found])
    rows = []
    scope = Path(gradescope_dir) if gradescope_dir else folder / "gradescope"
    for item, data in found:
        grades = grade_report(data, rubric)
        rows.append((item["impl"], grades))
        text = json.dumps(gradescope(data, grades, item["impl"], rubric.get("level")), indent=2) + "\n"
        write_atomically(results_json or scope / f"{item['name']}.json", text)
    sheet = grade_sheet(rows, rubric)
    write_atomically(csv_path or folder / "grades.csv", sheet)
    return sheet, rubric
