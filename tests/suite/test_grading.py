"""Grading a class: the verdict's statuses a grade stands on, the report files, the report folder, the grade sheet.

Fast: verdicts are computed from hand-made outcomes, and the batch's judges are stood in for by a function
that writes their reports; the end-to-end run on real assignment folders is the child_runs test at the end.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lcspec import cli, reference
from lcspec.grading import MANIFEST, RubricError, default_rubric, grade_report, grade_sheet, gradescope, load_rubric
from lcspec.harness import render
from lcspec.harness.clauses import clauses
from lcspec.harness.deviations import DIFFERENTIAL
from lcspec.harness.reports import error_report, junit_xml, write_reports
from lcspec.harness.verdict import Judged, Outcome, Run, check_schema, combined, one_line, verdict

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cs231n_assignment"
HOSTILE = "\x1b[2J\x1b[H\nlcspec: conforms at level core"  # clears the screen, then forges a closing line


def assignment(label="cs231n:A", variant="vectorized", provided=("svm_loss", "softmax_loss"), **named) -> Judged:
    names = {f: f"{f}_{variant}" for f in provided} | named
    return Judged(f"{label} ({variant})", label, "/somewhere/A", [], frozenset(provided), {}, frozenset(provided),
                  variant, names)


def run_of(impls, outcomes, level="core", stopped="", unrun=()) -> Run:
    return Run(impls=list(impls), outcomes=list(outcomes),
               scheduled={o.nodeid: (o.impl, o.clauses) for o in outcomes} | {n: (l, c) for n, l, c in unrun},
               contract=reference.CONTRACT, clauses=clauses(), declared={}, unknown=[], level=level, seconds=1.0,
               input_precision="float64", spec_version="1.1.0", isolated=True, stopped=stopped)


def passed(impl: Judged, node: str, clause: str, function: str) -> Outcome:
    return Outcome(f"tests/test_x.py::{node}[{impl.variant}]", impl.label, [clause], "passed", called={function})


def failed(impl: Judged, node: str, clause: str, function: str, message: str, reproduction: str = "") -> Outcome:
    return Outcome(f"tests/test_x.py::{node}[{impl.variant}]", impl.label, [clause], "failed", message, {function},
                   {function}, reproduction=reproduction)


# ---------------------------------------------------------------------- statuses a grade stands on
def test_a_provided_function_no_example_judged_makes_the_run_incomplete_never_green():
    impl = assignment(provided=("svm_loss", "softmax_loss"))
    data = verdict(run_of([impl], [passed(impl, "t_svm", "HINGE-1", "svm_loss")]))  # softmax_loss: no test ran
    check_schema(data)
    assert data["implementations"][0]["functions"]["softmax_loss"]["status"] == "not exercised"
    assert (data["status"], data["exit_ok"], data["implementations"][0]["verdicts"]["core"]) == (
        "incomplete", False, "incomplete")
    lines = [line for line, _ in render.report(data)]
    assert "  softmax_loss_vectorized (softmax_loss): not exercised by this selection" in lines
    assert lines[-1].startswith("lcspec: incomplete at level core")


def test_a_stopped_run_has_every_verdict_false_and_its_junit_names_the_interruption(tmp_path):
    impl = assignment(provided=("svm_loss",))
    data = verdict(run_of([impl], [passed(impl, "t_svm", "HINGE-1", "svm_loss")], stopped="interrupted"))
    check_schema(data)
    assert (data["status"], data["exit_ok"], data["verdicts"]) == ("stopped", False, {"core": False, "strict": False})
    write_reports(data, tmp_path / "r.json", tmp_path / "r.xml")
    assert json.loads((tmp_path / "r.json").read_text()) == data
    errors = [e.get("message") for e in ET.parse(tmp_path / "r.xml").iter("error")]
    assert "the run stopped (interrupted): no verdict" in errors
    assert [p.name for p in tmp_path.iterdir()] and not list(tmp_path.glob(".*"))  # no temporary file left


def test_a_load_error_gets_a_junit_error_too():
    root = ET.fromstring(junit_xml(error_report("linear_svm.py is Python 2 code (line 3: 'print x')")))
    (error,) = root.iter("error")
    assert "Python 2 code" in error.get("message") and root.find("testsuite").get("errors") == "1"


def test_a_passing_report_says_conforms_and_never_fails():
    impl = assignment(provided=("svm_loss",))
    data = verdict(run_of([impl], [passed(impl, "t_svm", "HINGE-1", "svm_loss"),
                                   failed(impl, "t_bad", "CONV-3", "svm_loss", "DID NOT RAISE ValueError")]))
    assert (data["status"], data["exit_ok"]) == ("conforms", True)
    text = "\n".join(line for line, _ in render.report(data))
    assert "fails" not in text and "conforms at level core" in text
    assert "strict: not met" in text and "not required" in text


def test_a_reason_is_the_first_failure_at_the_level_it_counts_and_a_hang_says_how_it_hung():
    impl = assignment(provided=("softmax_loss",))
    hang = "softmax_loss_vectorized: did not return within the per-call time limit of 10 s"
    outcomes = [Outcome("t::bad-input", impl.label, ["CONV-3"], "failed", hang, {"softmax_loss"}, {"softmax_loss"},
                        blamed=[DIFFERENTIAL]),
                Outcome("t::law", impl.label, ["SOFTMAX-1"], "failed", "softmax_loss_vectorized: hung on an earlier call",
                        {"softmax_loss"}, {"softmax_loss"}, blamed=[DIFFERENTIAL])]
    (reason,) = verdict(run_of([impl], outcomes))["implementations"][0]["functions"]["softmax_loss"]["reasons"]
    assert (reason["clause"], reason["level"], reason["test"], reason["message"]) == (DIFFERENTIAL, "core", "t::law", hang)


@pytest.mark.parametrize("stopped", ["", "interrupted by SIGTERM"])
def test_variants_judged_apart_combine_into_the_report_one_run_of_both_gives(stopped):
    """`lcspec check` judges a folder's variants in processes of their own; their reports, combined, must be the
    report of one run: the verdicts, and a deviation stale only where no variant uses it."""
    naive = assignment(variant="naive")
    vectorized = assignment(variant="vectorized", provided=("svm_loss", "softmax_loss", "sgd_step"),
                            sgd_step="LinearClassifier.train")
    outcomes = {
        "naive": [Outcome("tests/test_x.py::t_svm[naive]", naive.label, ["HINGE-1"], "deviates", "off by 1",
                          {"svm_loss"}, {"svm_loss"}, deviation="HINGE-1"),
                  passed(naive, "t_softmax", "SOFTMAX-1", "softmax_loss")],
        "vectorized": [passed(vectorized, "t_svm", "HINGE-1", "svm_loss"),  # HINGE-1 stale here, used by naive
                     passed(vectorized, "t_softmax", "SOFTMAX-1", "softmax_loss"),  # stale in both
                     failed(vectorized, "t_step", "OPT-1", "sgd_step", "ascends")],
    }
    declared = {"HINGE-1": "a convention of ours", "SOFTMAX-1": "no longer needed"}

    def run(impls):
        return dataclasses.replace(run_of(impls, [o for i in impls for o in outcomes[i.variant]], stopped=stopped),
                                   declared=declared)

    whole = verdict(run([naive, vectorized]))
    together = combined([verdict(run([naive])), verdict(run([vectorized]))], whole["seconds"])
    check_schema(together)
    assert together == whole
    assert whole["deviations"]["stale"] == ["SOFTMAX-1"]
    assert (together["status"], together["exit_ok"]) == ("stopped" if stopped else "fails", False)


# ---------------------------------------------------------------------- text from the judged is data
def test_text_from_the_judged_is_printed_on_one_line_with_control_characters_escaped():
    impl = assignment(label="cs231n:A", variant="vectorized", provided=("svm_loss",))
    impl = Judged(f"cs231n:A ({HOSTILE})", impl.spec, impl.origin, [f"note {HOSTILE}"], impl.provided, {},
                  impl.compared, impl.variant, {"svm_loss": f"svm{HOSTILE}"})
    data = verdict(run_of([impl], [failed(impl, "t", "HINGE-1", "svm_loss", f"raised ValueError: {HOSTILE}",
                                          reproduction=f"your result: {HOSTILE}\nexpected: 1.0")]))
    terminal = [line for line, _ in render.report(data)]
    for line in terminal:
        assert "\x1b" not in line and "\n" not in line, line
    assert not any(line.startswith("lcspec: conforms") for line in terminal)
    assert any("\\x1b[2J" in line and "\\nlcspec: conforms" in line for line in terminal)

    def strings(value):
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    for text in strings(data):
        assert "\x1b" not in text, text
        assert "\n" not in text or text.startswith("your result:"), text  # a reproduction: lcspec's own lines
    xml = junit_xml(data)
    assert "\x1b" not in xml
    for element in ET.fromstring(xml).iter():
        assert all("\n" not in value for value in element.attrib.values())
    rows = render.table([{"impl": HOSTILE, "core": "error", "strict": "error", "exit": 2, "seconds": 1.0,
                          "fails": HOSTILE}])
    assert all("\x1b" not in r and "\n" not in r for r in rows)
    assert one_line("a\u202eb\tc") == "a\\u202eb\\tc"


# ---------------------------------------------------------------------- grades
RUBRIC = {"level": None, "points": {"svm_loss_naive": 10, "svm_loss_vectorized": 10, "softmax_loss_naive": 10,
                                    "softmax_loss_vectorized": 10, "LinearClassifier.train": 5}}


def two_variants(broken: str | None = None, message: str = "assert", provided=("svm_loss", "softmax_loss")) -> dict:
    """The report of an assignment whose function `broken` (the student's name) fails HINGE-1, all else conforming."""
    impls = [assignment(variant="naive", provided=provided),
             assignment(variant="vectorized", provided=(*provided, "sgd_step"), sgd_step="LinearClassifier.train")]
    outcomes = []
    for impl in impls:
        for function in impl.provided:
            if impl.names[function] == broken:
                outcomes.append(failed(impl, f"t_{function}", "HINGE-1", function, message, "your function: ..."))
            else:
                outcomes.append(passed(impl, f"t_{function}", "HINGE-1", function))
    return verdict(run_of(impls, outcomes))


def test_each_function_gets_its_points_and_a_lost_point_its_reason_in_the_students_names():
    grades = {g["name"]: g for g in grade_report(two_variants("svm_loss_vectorized", "svm_loss_vectorized: wrong"),
                                                  RUBRIC)}
    assert {n: g["score"] for n, g in grades.items()} == {
        "svm_loss_naive": 10, "svm_loss_vectorized": 0, "softmax_loss_naive": 10, "softmax_loss_vectorized": 10,
        "LinearClassifier.train": 5}
    lost = grades["svm_loss_vectorized"]
    assert lost["status"] == "fails" and lost["detail"] == "your function: ..."
    assert lost["reason"].startswith("HINGE-1 (") and "svm_loss_vectorized: wrong" in lost["reason"]


def test_a_lost_points_counterexample_is_from_a_clause_the_level_requires():
    """A strict bad-input test that fails first (correct CS231n code fails those too) does not stand for a core
    failure's counterexample: the grade shows the one the text report shows."""
    impl = assignment(variant="vectorized", provided=("svm_loss",))
    outcomes = [failed(impl, "t_bad_input", "CONV-3", "svm_loss", "W-3d: no ValueError", "your function: 3-d W"),
                failed(impl, "t_hinge", "HINGE-1", "svm_loss", "wrong", "your function: the hinge example")]
    report = verdict(run_of([impl], outcomes))
    (grade,) = grade_report(report, {"level": None, "points": {"svm_loss": 10}})
    assert grade["score"] == 0 and grade["detail"] == "your function: the hinge example"
    shown = "\n".join(line for line, _ in render.report(report))
    assert "the hinge example" in shown and "3-d W" not in shown


def test_a_function_not_found_a_load_error_and_a_stopped_run_lose_their_points_with_the_reason():
    missing = {g["name"]: g for g in grade_report(two_variants(provided=("svm_loss",)), RUBRIC)}
    assert missing["softmax_loss_naive"]["score"] == 0
    assert missing["softmax_loss_naive"]["reason"] == "not found: the submission has no function softmax_loss_naive"
    error = grade_report(error_report("cannot import torch_utils"), RUBRIC)
    assert all(g["score"] == 0 and "could not be loaded: cannot import torch_utils" in g["reason"] for g in error)
    stopped = dict(two_variants(), stopped="interrupted")
    assert all(g["score"] == 0 and "the run stopped" in g["reason"] for g in grade_report(stopped, RUBRIC))


def test_a_contract_name_in_the_rubric_needs_every_variant_and_the_default_rubric_takes_what_is_provided():
    report = two_variants("softmax_loss_naive")
    (grade,) = grade_report(report, {"level": None, "points": {"softmax_loss": 4}})
    assert grade["score"] == 0 and grade["reason"].startswith("softmax_loss_naive (softmax_loss): HINGE-1")
    assert list(default_rubric([report])["points"]) == [
        "svm_loss_naive", "softmax_loss_naive", "svm_loss_vectorized", "softmax_loss_vectorized",
        "LinearClassifier.train"]


def test_the_grade_sheet_has_a_row_per_submission_and_a_column_per_function():
    rows = [("cs231n:good", grade_report(two_variants(), RUBRIC)),
            ("cs231n:bad", grade_report(two_variants("softmax_loss_naive"), RUBRIC))]
    sheet = list(csv.reader(io.StringIO(grade_sheet(rows, RUBRIC))))
    assert sheet[0] == ["submission", *RUBRIC["points"], "total", "max", "reasons"]
    assert sheet[1] == ["cs231n:good", "10", "10", "10", "10", "5", "45", "45", ""]
    assert sheet[2][:8] == ["cs231n:bad", "10", "10", "0", "10", "5", "35", "45"]
    assert sheet[2][8].startswith("softmax_loss_naive (-10): HINGE-1 (")


def test_gradescope_results_have_a_test_per_function_with_score_max_score_and_the_reason():
    report = two_variants("svm_loss_naive")
    results = gradescope(report, grade_report(report, RUBRIC), "cs231n:bad")
    assert results["score"] == 35 and results["output"].startswith("lcspec judged cs231n:bad at level core: fails")
    tests = {t["name"]: t for t in results["tests"]}
    assert set(tests) == set(RUBRIC["points"])
    assert {k: tests["svm_loss_naive"][k] for k in ("score", "max_score", "status")} == {
        "score": 0, "max_score": 10, "status": "failed"}
    assert "HINGE-1" in tests["svm_loss_naive"]["output"] and "in your layout" in tests["svm_loss_naive"]["output"]
    assert tests["softmax_loss_naive"] == {"name": "softmax_loss_naive", "score": 10, "max_score": 10,
                                           "status": "passed", "output": "conforms", "visibility": "visible"}


def test_a_rubric_file_is_read_and_a_bad_one_refused_in_one_line(tmp_path):
    good = tmp_path / "rubric.toml"
    good.write_text('level = "core"\n[points]\nsvm_loss_naive = 10\n"LinearClassifier.train" = 2.5\n')
    assert load_rubric(good) == {"level": "core", "points": {"svm_loss_naive": 10, "LinearClassifier.train": 2.5}}
    for text in ("[points]\n", "[points]\nx = -1\n", "[points]\nx = 1\nlevel = 3\n[other]\n", 'level = "x"\n[points]\nx=1'):
        (tmp_path / "bad.toml").write_text(text)
        with pytest.raises(RubricError):
            load_rubric(tmp_path / "bad.toml")


# ---------------------------------------------------------------------- the report folder
@pytest.fixture
def stand_in_judges(monkeypatch):
    """`lcspec check A B ...` with every judge stood in for: A-like names conform, `bad` fails softmax_loss_naive,
    `silent` writes no report at all (a judge killed before it could)."""
    judged = []

    def judge(impl, stem, args, extra, out, cores):
        judged.append(impl)
        log = out / f"{stem}.log"
        log.write_text("lcspec: killed\n")
        if "silent" in impl:
            return {"impl": impl, "exit": -9, "seconds": 1.0, "data": {"exit_ok": False, "error": "no report written"},
                    "log": str(log)}
        data = two_variants("softmax_loss_naive" if "bad" in impl else None)
        write_reports(data, out / f"{stem}.json", out / f"{stem}.xml")
        return {"impl": impl, "exit": 0 if data["exit_ok"] else 1, "seconds": 1.0, "data": data, "log": str(log)}

    monkeypatch.setattr(cli, "_judge_apart", judge)
    return judged


def test_a_batch_writes_a_manifest_judges_each_submission_once_and_grades_it(tmp_path, monkeypatch, capsys,
                                                                              stand_in_judges):
    monkeypatch.chdir(tmp_path)
    for name in ("good", "bad", "silent"):
        (tmp_path / name).mkdir()
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('[points]\nsvm_loss_naive = 1\nsoftmax_loss_naive = 1\n')
    status = cli.main(["check", "cs231n:good", "cs231n:bad", "cs231n:./good/", "cs231n:silent", "--report-dir=out",
                       "--grades=out/grades.csv", f"--rubric={rubric}"])
    said = capsys.readouterr().out
    assert status == 1 and stand_in_judges == ["cs231n:good", "cs231n:bad", "cs231n:silent"]
    assert "cs231n:./good/ names the same submission as cs231n:good: judged once" in said
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["profile"] == "ci" and manifest["level"] == "core"  # what the run used, defaults named
    assert [(s["impl"], s["status"]) for s in manifest["submissions"]] == [
        ("cs231n:good", "conforms"), ("cs231n:bad", "fails"), ("cs231n:silent", "error")]
    for s in manifest["submissions"]:
        assert all((tmp_path / "out" / s[kind]).is_file() for kind in ("json", "junit", "log"))
    silent = json.loads((tmp_path / "out" / manifest["submissions"][2]["json"]).read_text())
    assert silent["error"] == "the judge stopped with exit status -9 and wrote no report; its log ends: lcspec: killed"
    sheet = list(csv.reader((tmp_path / "out" / "grades.csv").open()))
    assert [row[:4] for row in sheet] == [["submission", "svm_loss_naive", "softmax_loss_naive", "total"],
                                          ["cs231n:good", "1", "1", "2"], ["cs231n:bad", "1", "0", "1"],
                                          ["cs231n:silent", "0", "0", "0"]]
    scope = json.loads((tmp_path / "out" / "gradescope" / f"{manifest['submissions'][1]['name']}.json").read_text())
    assert scope["score"] == 1 and [t["score"] for t in scope["tests"]] == [1, 0]
    # lcspec grade reads the same folder again, with another rubric, the Gradescope file of one submission refused
    assert cli.main(["grade", "out", "--csv=again.csv"]) == 0
    assert next(csv.reader((tmp_path / "again.csv").open()))[1:3] == ["svm_loss_naive", "softmax_loss_naive"]
    assert cli.main(["grade", "out", "--gradescope=results.json"]) == 2


def test_a_report_folder_holds_one_run_a_second_is_refused_and_the_default_is_fresh(tmp_path, monkeypatch, capsys,
                                                                                   stand_in_judges):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "a.py", "b.py", "--report-dir=out"]) == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert cli.main(["check", "c.py", "d.py", "--report-dir=out"]) == 2
    assert "--report-dir out is not empty" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert cli.main(["check", "a.py", "b.py"]) == 0 and cli.main(["check", "a.py", "b.py"]) == 0
    runs = sorted((tmp_path / "lcspec-reports").iterdir())
    assert len(runs) == 2 and all((run / MANIFEST).is_file() for run in runs)


# ---------------------------------------------------------------------- end to end
def copy_with(tmp_path: Path, name: str, file: str = "", old: str = "", new: str = "") -> str:
    """A copy of the CS231n fixture folder, with one change in one of its files."""
    folder = tmp_path / name
    shutil.copytree(FIXTURE, folder)
    if file:
        path = folder / "cs231n" / file
        text = path.read_text()
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1))
    return f"cs231n:{name}"


@pytest.mark.child_runs
def test_a_class_is_graded_one_bug_a_crash_and_a_hang_each_costing_only_their_functions(tmp_path):
    submissions = [
        copy_with(tmp_path, "correct"),
        copy_with(tmp_path, "reg", "classifiers/linear_svm.py", "dW = X.T.dot(counts) / num_train + 2 * reg * W",
                  "dW = X.T.dot(counts) / num_train + reg * W"),
        copy_with(tmp_path, "crash", "classifiers/softmax.py", "import numpy as np\n", "import numpy as np\nimport nope\n"),
        copy_with(tmp_path, "hang", "classifiers/softmax.py", "    num_train = X.shape[0]\n    f = X.dot(W)",
                  "    while True:\n        pass"),
    ]
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[points]\nsvm_loss_naive = 1\nsvm_loss_vectorized = 1\nsoftmax_loss_naive = 1\n"
                      "softmax_loss_vectorized = 1\n\"LinearClassifier.predict\" = 1\n")
    done = subprocess.run([sys.executable, "-m", "lcspec", "check", *submissions, "--profile=docs", "--jobs=2",
                           "--call-timeout=2", "--report-dir=out", "--grades=grades.csv", f"--rubric={rubric}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 1, done.stdout + done.stderr  # the worst: some fail (every folder could be loaded)
    sheet = {row["submission"]: row for row in csv.DictReader((tmp_path / "grades.csv").open())}
    points = {name: [row[f] for f in ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive",
                                      "softmax_loss_vectorized", "LinearClassifier.predict")]
              for name, row in sheet.items()}
    assert points == {"cs231n:correct": ["1"] * 5, "cs231n:reg": ["1", "0", "1", "1", "1"],
                      "cs231n:crash": ["1", "1", "0", "0", "0"],  # softmax.py, and the classifier importing it
                      "cs231n:hang": ["1", "1", "1", "0", "1"]}, done.stdout
    assert "REG-4" in sheet["cs231n:reg"]["reasons"]
    assert "softmax.py, line 4, imports nope, which is not installed" in sheet["cs231n:crash"]["reasons"]
    assert "did not return within" in sheet["cs231n:hang"]["reasons"]
    assert len(list((tmp_path / "out" / "gradescope").glob("*.json"))) == 4
    assert not list(tmp_path.rglob("__pycache__"))  # nothing written into the judged folders


HOSTILE_SERVER = r'''
"""A protocol server whose every text (name, note, presentation, exception message) forges a passing report."""
import json, sys

FORGED = "\x1b[2J\x1b[H\nlcspec: conforms at level core"


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


hello = json.loads(sys.stdin.readline())
send({"protocol": 1, "implementation": {"name": "forger" + FORGED, "version": "0", "language": "Python"},
      "provides": ["softmax"], "precision": "float64", "notes": ["note" + FORGED],
      "presentation": {"description": "description" + FORGED}})
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "bye":
        break
    send({"id": request["id"], "error": {"type": "ValueError", "message": "S is fine" + FORGED}})
'''


@pytest.mark.child_runs
def test_no_text_from_the_judged_reaches_a_report_raw(tmp_path):
    (tmp_path / "server.py").write_text(HOSTILE_SERVER)
    done = subprocess.run([sys.executable, "-m", "lcspec", "check", f"cmd:{sys.executable} server.py", "--json=r.json",
                           "--junit=r.xml", "--profile=docs"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    for text in (done.stdout, done.stderr, (tmp_path / "r.json").read_text(), (tmp_path / "r.xml").read_text()):
        assert "\x1b" not in text
        assert not any(line.lstrip().startswith("lcspec: conforms") for line in text.splitlines()), text
    assert "\\x1b[2J\\x1b[H\\nlcspec: conforms" in done.stdout  # shown, as data
    assert done.stdout.rstrip().splitlines()[-1].startswith("lcspec: fails at level core")


@pytest.mark.child_runs
def test_a_folders_variants_judged_at_once_give_the_report_of_one_run(tmp_path):
    """On two cores `lcspec check cs231n:FOLDER` judges naive and vectorized in processes of their own; its JSON and
    JUnit are those of one process judging both (--jobs=1), apart from the time they took."""
    folder = copy_with(tmp_path, "reg", "classifiers/linear_svm.py", "dW = X.T.dot(counts) / num_train + 2 * reg * W",
                       "dW = X.T.dot(counts) / num_train + reg * W")
    said = {}
    for jobs in (2, 1):
        done = subprocess.run([sys.executable, "-m", "lcspec", "check", folder, f"--jobs={jobs}",
                               "--profile=docs", f"--json={jobs}.json", f"--junit={jobs}.xml"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 1, done.stdout + done.stderr
        assert ("variants naive, vectorized at once" in done.stdout) == (jobs == 2), done.stdout
        data = json.loads((tmp_path / f"{jobs}.json").read_text())
        junit = re.sub(r' time="[^"]*"', "", (tmp_path / f"{jobs}.xml").read_text())
        said[jobs] = ({k: v for k, v in data.items() if k != "seconds"}, junit, done.stdout.splitlines()[-1])
    assert said[2][0] == said[1][0] and said[2][1] == said[1][1]
    assert said[2][2].split("; run time")[0] == said[1][2].split("; run time")[0]
    assert said[2][0]["implementations"][0]["functions"]["svm_loss"]["status"] == "conforms"  # naive is right
