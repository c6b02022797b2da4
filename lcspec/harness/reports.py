"""The report files of a run: the JSON report and JUnit XML, both made from the verdict, each written once.

The JUnit XML is made here from the verdict (lcspec/harness/verdict.py), not by pytest's --junitxml, so
that every run that owes a report writes one: a run that judged (one test case per law and variant,
its clauses as properties, and one per provided function with its verdict), a run that could not
load the implementation (one error naming why), and an interrupted one (an error naming the
interruption). Every file is written to a temporary file in its folder and renamed onto its name
(`os.replace`): a reader sees the old file or the whole new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from lcspec.harness.clauses import within
from lcspec.harness.deviations import DIFFERENTIAL
from lcspec.harness.verdict import GREEN, NOT_EXERCISED, NOT_PROVIDED, SCHEMA, UNFINISHED, one_line

_RANK = {"failed": 0, "deviates": 1, "not judged": 2, "passed": 3, "skipped": 4}


def error_report(message: str) -> dict:
    """The report of a run that could judge nothing (schema: verdict.ErrorReport; exit status 2)."""
    return {"schema": SCHEMA, "exit_ok": False, "error": one_line(message)}


def write_atomically(path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it, renamed onto it once complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(data: dict, json_path=None, junit_path=None) -> None:
    """Write the JSON report and the JUnit XML of `data` (a verdict, or an error report) where asked.

    A stopped run's data (verdict() of a Run with `stopped` set) gives a JSON with `exit_ok` and every verdict
    false and a JUnit with an error naming the interruption; an error report, a JUnit with that error.
    """
    if json_path:
        write_atomically(json_path, json.dumps(data, indent=2) + "\n")
    if junit_path:
        write_atomically(junit_path, junit_xml(data))


def _case(suite, classname: str, name: str, kind: str | None = None, message: str = "", text: str = "",
          properties: dict | None = None):
    case = ET.SubElement(suite, "testcase", classname=classname, name=name, time="0")
    if properties:
        props = ET.SubElement(case, "properties")
        for key, value in properties.items():
            ET.SubElement(props, "property", name=key, value=value)
    if kind:
        element = ET.SubElement(case, kind, message=one_line(message))
        if kind == "skipped" and message.startswith(("deviates", "beyond")):
            element.set("type", "pytest.xfail")
        element.text = text or None
    return case


def _tests(entry: dict) -> dict[str, dict]:
    """Every test of an implementation once: its worst outcome over the clauses it is listed under, and its clauses."""
    found: dict[str, dict] = {}
    listed = [(DIFFERENTIAL, t) for t in entry["differential"]["tests"]]
    listed += [(cid, t) for cid, c in entry["clauses"].items() for t in c["tests"]]
    for cid, test in listed:
        known = found.setdefault(test["id"], dict(test, clauses=[], blamed=[]))
        known["clauses"].append(cid)
        if test["outcome"] in ("failed", "deviates"):
            known["blamed"].append(cid)
        if _RANK.get(test["outcome"], 9) < _RANK.get(known["outcome"], 9):
            known.update(outcome=test["outcome"], message=test["message"], reproduction=test["reproduction"])
    return found


def junit_xml(data: dict) -> str:
    """JUnit XML of a report (see the module docstring); every text in it is one line, control characters escaped."""
    root = ET.Element("testsuites", name="lcspec")
    if "error" in data:
        suite = ET.SubElement(root, "testsuite", name="lcspec", tests="1", failures="0", errors="1", skipped="0")
        _case(suite, "lcspec", "load", "error", f"nothing was judged: {data['error']}")
        return _serialised(root)
    level = data["level"]
    for entry in data["implementations"]:
        suite = ET.SubElement(root, "testsuite", name=one_line(entry["label"]))
        props = ET.SubElement(suite, "properties")
        for key, value in (("spec_version", data["spec_version"]), ("level", level),
                           ("verdict", entry["verdicts"][level]), ("status", data["status"])):
            ET.SubElement(props, "property", name=key, value=one_line(value))
        if data["stopped"]:
            _case(suite, "lcspec", "run", "error", f"the run stopped ({data['stopped']}): no verdict")
        for name, f in entry["functions"].items():
            if f["status"] == NOT_PROVIDED:
                continue
            shown = f.get("name", name)
            reasons = [r for r in f["reasons"] if within(r["level"], level)]
            if f["status"] in GREEN:
                kind, message = None, ""
            elif f["status"] in (NOT_EXERCISED, UNFINISHED):
                kind, message = "error", f"{shown}: {f['status']}: no verdict on it (a run that judged part of it)"
            else:
                kind = "failure"
                message = f"{shown}: fails " + ", ".join(r["clause"] for r in reasons) if reasons else f"{shown}: fails"
            _case(suite, f"{one_line(entry['label'])}.functions", one_line(shown), kind, message,
                  "\n".join(f"{r['clause']} {r['title']}: {r['message']}" for r in reasons),
                  {"lcspec_function": name, "lcspec_status": f["status"]})
        for test in _tests(entry).values():
            module, _, name = test["id"].partition("::")
            kind, message, text = None, "", ""
            if test["outcome"] == "failed" and within(test["level"], level):
                kind, message, text = "failure", test["message"], test["reproduction"]
            elif test["outcome"] == "failed":
                kind = "skipped"
                message = (f"beyond --level={level}: fails {', '.join(test['blamed'])} at level {test['level']}, "
                           f"which --level={level} does not require")
            elif test["outcome"] == "deviates":
                kind, message = "skipped", f"deviates: {test['message']}"
            elif test["outcome"] == "skipped":
                kind, message = "skipped", test["message"]
            _case(suite, module.removesuffix(".py").replace("/", "."), name, kind, message, text,
                  {"lcspec_clauses": " ".join(c for c in test["clauses"] if c != DIFFERENTIAL),
                   "lcspec_fails": " ".join(test["functions"]), "lcspec_blamed": " ".join(test["blamed"])})
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counts = {kind: sum(c.find(kind) is not None for c in cases) for kind in ("failure", "error", "skipped")}
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", str(counts["skipped"]))
    return _serialised(root)


def _serialised(root) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
