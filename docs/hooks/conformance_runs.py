"""The build's own runs of the conformance suite (imported by conformance_page.py; not a hook itself).

A plain `mkdocs build` needs no command before it: when build/conformance/ (LCSPEC_CONFORMANCE_DIR)
holds no reports from `python docs/run_conformance.py`, the build runs the suite itself on the
implementations of docs/conformance.toml (the reference at strict, the CS231n example at core), and
it always runs it on a broken CS231n-layout file (tests/suite/fixtures/cs231n_student.py) whose real
report the validation guide shows, and on the files of docs/mistakes/ (each the bundled example with one
mistake students make) whose reports the page "Check your CS231n assignment" shows. The runs are child processes started in parallel when the build
is configured (`start`), so they overlap the rest of the build, and waited for where their results
are placed (`results`). They use the `docs` Hypothesis profile (lcspec/harness/profiles.py): ten examples per
test, derandomized, so the build stays quick and the same inputs give the same page.

Results are cached under build/docs-runs/<hash>/, the hash of everything they depend on (spec/,
reference/, tests/, examples/, docs/conformance.toml, this file, the Python and Hypothesis versions),
so a `mkdocs serve` rebuild that changed none of it runs nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hypothesis

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "docs-runs"
PROFILE = "docs"
INPUTS = ("spec", "reference", "tests", "lcspec", "examples", "docs/mistakes")
# The guide's failing report: a student's CS231n file with a `margin >= 0` and a batch-wide max-shift.
GUIDE_IMPL = "cs231n:tests/suite/fixtures/cs231n_student.py"
GUIDE_TEST = "test_svm_loss_meets_an_exact_margin_at_delta_one[naive]"  # whose reproduction the guide shows
GUIDE_FILE = "guide-report.txt"
EXAMPLE_IMPL = "cs231n:examples/cs231n_linear_classifier.py"  # a passing report, on the same page
MISTAKES = ROOT / "docs" / "mistakes"  # one file per mistake, run as `lcspec check cs231n:FILE`

_running: dict[str, tuple[subprocess.Popen, Path]] = {}  # name -> (child, its output file), this build's runs
_started: dict = {}  # "dir": the directory this build's results go to


def inputs_hash() -> str:
    """A hash of every file the runs' results depend on (paths and contents), and of the tools' versions."""
    digest = hashlib.sha256(f"{sys.version}\nhypothesis {hypothesis.__version__}\n".encode())
    files = [ROOT / "docs" / "conformance.toml", Path(__file__).resolve()]
    for top in INPUTS:
        files += sorted(p for p in (ROOT / top).rglob("*") if p.is_file() and not any(
            part.startswith(".") or part == "__pycache__" for part in p.relative_to(ROOT).parts))
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def page_implementations() -> list[dict]:
    """The implementations the build runs for the conformance page: those of docs/conformance.toml."""
    return tomllib.loads((ROOT / "docs" / "conformance.toml").read_text())["implementation"]


def _check(impl: str, *args: str, pytest_args=()) -> list[str]:
    """`lcspec check IMPL`, as a user runs it: the laws only, with the build's Hypothesis profile."""
    return [sys.executable, "-m", "lcspec", "check", impl, f"--profile={PROFILE}", *args, "--", "--color=no",
            *pytest_args]


def start(with_page_runs: bool) -> None:
    """Start whatever this build needs that is not cached: the guide's run, and the page's when asked."""
    final = CACHE / inputs_hash()
    _started["dir"] = final
    _running.clear()
    wanted = {"guide": (GUIDE_IMPL, [], []), "example": (EXAMPLE_IMPL, [], [])}
    for path in mistake_files():
        wanted[f"mistake-{path.stem}"] = (f"cs231n:{path.relative_to(ROOT).as_posix()}", [], [])
    if with_page_runs:
        for n, entry in enumerate(page_implementations()):
            if "file" in entry and not (ROOT / entry["file"]).is_file():
                continue  # not built here: page_skipped() says so
            args = [f"--level={entry.get('level', 'core')}", f"--json={{dir}}/{n:02d}.json"]
            if "deviations" in entry:
                args.append(f"--deviations={entry['deviations']}")
            wanted[f"{n:02d}"] = (entry["impl"], args, ["-q"])
    partial = final.with_name(final.name + ".partial")
    env = dict(os.environ, COLUMNS="100")  # pytest's rule lines, whatever terminal the build runs in
    env.pop("LCSPEC_IMPL", None)
    for name, (impl, args, pytest_args) in wanted.items():
        if (final / f"{name}.txt").is_file():
            continue
        partial.mkdir(parents=True, exist_ok=True)
        out = partial / f"{name}.txt"
        cmd = _check(impl, *(a.replace("{dir}", str(partial)) for a in args), pytest_args=pytest_args)
        with out.open("w") as stream:
            _running[name] = (subprocess.Popen(cmd, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT, env=env), out)


def results() -> Path:
    """Wait for this build's runs and return the directory holding their results: NN.json (the page's runs,
    when made) and NAME.txt (each run's terminal output)."""
    final = _started["dir"]
    for name, (child, out) in list(_running.items()):
        code = child.wait()
        report = out.with_name(f"{name}.json")
        if code not in (0, 1) or (name[0].isdigit() and not report.is_file()):  # 1: some test failed, a result
            tail = "\n".join(out.read_text().splitlines()[-30:])
            raise RuntimeError(f"conformance run {name} did not get through the suite (exit {code}):\n{tail}")
        final.mkdir(parents=True, exist_ok=True)
        for made in (out, report):
            if made.is_file():
                made.replace(final / made.name)
        del _running[name]
    for old in CACHE.glob("*") if CACHE.is_dir() else ():  # keep only the current inputs' results
        if old != final and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return final


def page_skipped() -> dict[str, str]:
    """The implementations of docs/conformance.toml the build did not run, and why (as run_conformance.py's
    skipped.json says it)."""
    return {e["impl"]: f"{e['file']} is not in this checkout (not built here)"
            for e in page_implementations() if "file" in e and not (ROOT / e["file"]).is_file()}


def page_reports() -> list[Path]:
    """The reports of the page's runs made by this build (or found in its cache)."""
    return sorted(results().glob("[0-9]*.json"))


def relative(text: str) -> str:
    """Paths under the repository root written relative to it (the same page wherever it is built)."""
    return text.replace(str(ROOT) + os.sep, "").replace(str(ROOT), ".")


def mistake_files() -> list[Path]:
    """The files of docs/mistakes/, one mistake each, in name order."""
    return sorted(MISTAKES.glob("*.py"))


def summary(name: str, impl: str) -> tuple[list[str], str]:
    """A run's terminal output (its lines, paths relative to the checkout) and its summary as a reader sees
    it: from the first "lcspec conformance:" line to the final "lcspec:" line, its run time left out."""
    text = relative((results() / f"{name}.txt").read_text())
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("lcspec conformance:")), None)
    last = max((i for i, line in enumerate(lines) if line.startswith("lcspec: ") and " at level " in line), default=None)
    if first is None or last is None or last < first:
        raise RuntimeError(f"the run of {impl} printed no conformance summary:\n{text[-3000:]}")
    found = lines[first : last + 1]
    found[-1] = re.sub(r"; run time [\d.]+ s$", "", found[-1])
    return lines, "\n".join(found)


def mistake_report(path: Path) -> str:
    """The summary of `lcspec check cs231n:FILE` on one file of docs/mistakes/."""
    return summary(f"mistake-{path.stem}", f"cs231n:{path.relative_to(ROOT).as_posix()}")[1]


def guide_report() -> tuple[str, str]:
    """The broken file's run as a reader sees it: the terminal summary and the "lcspec reproduction" of
    GUIDE_TEST."""
    lines, text = summary("guide", GUIDE_IMPL)
    header = next((i for i, line in enumerate(lines) if re.fullmatch(rf"_+ {re.escape(GUIDE_TEST)} _+", line)), None)
    if header is None:
        raise RuntimeError(f"the guide's run ({GUIDE_IMPL}) did not fail {GUIDE_TEST}:\n{text[-3000:]}")
    start_at = next(i for i in range(header, len(lines)) if re.fullmatch(r"-+ lcspec reproduction -+", lines[i])) + 1
    end = next(i for i in range(start_at, len(lines))
               if re.fullmatch(r"_+ .+ _+|=+.*=+|-+ .+ -+", lines[i]) or lines[i].startswith("lcspec conformance:"))
    return text, "\n".join(lines[start_at:end]).rstrip()
