"""The `lcspec` command: its version, the clauses, and several implementations judged at once."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lcspec import __version__
from lcspec import cli
from lcspec.cli import main
from lcspec.harness.clauses import clauses, spec_version


def test_the_version_names_the_spec_it_checks(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"lcspec {__version__} (spec {spec_version()})"


def test_clauses_are_listed_filtered_and_shown(capsys):
    assert main(["clauses", "--function", "softmax", "--level", "strict"]) == 0
    listed = capsys.readouterr().out
    wanted = [cid for cid, c in clauses().items() if "softmax" in c["functions"] and c["level"] == "strict"]
    assert wanted and all(f"{cid} " in listed for cid in wanted)
    assert "HINGE-1 " not in listed
    assert main(["clauses", "HINGE-2"]) == 0
    assert "kink" in capsys.readouterr().out.lower()
    assert main(["clauses", "NO-SUCH-1"]) == 2
    assert "no clause NO-SUCH-1" in capsys.readouterr().err


def test_one_json_and_one_junit_name_one_implementation(capsys):
    assert main(["check", "a.py", "b.py", "--json", "x.json"]) == 2
    assert "--report-dir" in capsys.readouterr().err


@pytest.mark.child_runs
def test_several_implementations_are_judged_apart_with_a_table_and_the_worst_exit_status(tmp_path):
    (tmp_path / "good.py").write_text("from lcspec.reference import softmax\n")
    (tmp_path / "bad.py").write_text("from lcspec import reference\n\ndef softmax(S):\n    return reference.softmax(S) + 3e-5\n")
    (tmp_path / "py2.py").write_text("def softmax(S):\n    print S\n")
    reports = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-m", "lcspec", "check", "good.py", "bad.py", "py2.py", "--jobs=2",
                           f"--report-dir={reports}", "--", "-q", "-k", "softmax"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stdout + done.stderr  # the worst: one could not be judged
    table = done.stdout[done.stdout.index("implementation "):].splitlines()
    starts = [table[0].index(column) for column in ("core", "strict", "exit", "seconds")]  # cells may hold spaces

    def cells(line):
        return [line[:starts[0]].strip()] + [line[a:b].strip() for a, b in zip(starts, starts[1:])]

    rows = {cells(line)[0]: cells(line) for line in table[1:] if line.strip()}
    assert rows["good.py"][1:4] == ["conforms", "conforms", "0"]
    assert rows["bad.py"][1:4] == ["fails", "not met", "1"]  # strict, above the level judged: information
    assert rows["py2.py"][1:4] == ["error", "error", "2"]
    verdicts = {p.name: json.loads(p.read_text()) for p in reports.glob("*.json") if p.name != "manifest.json"}
    assert len(verdicts) == 3 and sum(v["exit_ok"] for v in verdicts.values()) == 1
    assert all((reports / name.replace(".json", ".log")).is_file() for name in verdicts)
    assert all((reports / name.replace(".json", ".xml")).is_file() for name in verdicts)  # the load error's too
    manifest = json.loads((reports / "manifest.json").read_text())
    assert sorted(s["json"] for s in manifest["submissions"]) == sorted(verdicts)


def test_a_cs231n_wildcard_stands_for_every_folder_it_matches_in_order(tmp_path):
    """As a shell leaves `cs231n:submissions/*` (no file's name starts with `cs231n:`), or as it is quoted."""
    for name in ("bob", "alice", "carol"):
        (tmp_path / "submissions" / name).mkdir(parents=True)
    (tmp_path / "submissions" / "notes.txt").write_text("not a submission")
    pattern = f"cs231n:{tmp_path}/submissions/*"
    assert cli.expanded(pattern) == [f"cs231n:{tmp_path}/submissions/{n}" for n in ("alice", "bob", "carol")]
    assert cli.expanded(f"cs231n:{tmp_path}/nothing/*") == [f"cs231n:{tmp_path}/nothing/*"]  # then said missing
    assert cli.expanded(f"{tmp_path}/submissions/*") == [f"{tmp_path}/submissions/*"]  # only the cs231n: layout
