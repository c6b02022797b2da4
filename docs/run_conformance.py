"""Run the property suite on each implementation, for the conformance page.

The implementations are those of docs/conformance.toml, then every library adapter in tests/adapters/
(each with its `<adapter>.deviations` file when there is one). Each is run at the conformance level
it claims (`level` in docs/conformance.toml, an adapter's `LEVEL = "..."`; core by default), so with
--strict an implementation that does not meet its claim fails the run.

    python docs/run_conformance.py [--strict] [OUT_DIR]      (default build/conformance)

With --strict (CI) it is also the pass/fail check: an implementation that fails a clause it has not
declared as a deviation, or one that cannot be run here, fails the whole run, so CI runs the suite
once per implementation for both the verdict and the page.

Writes OUT_DIR/<n>.json per implementation (`lcspec check --json`, schema in lcspec/harness/verdict.py)
and OUT_DIR/skipped.json for those that could not be run and why. It also makes the validation
guide's failing report (docs/hooks/conformance_runs.py, cached under build/docs-runs/), so that the
build that follows runs nothing. Without it, `mkdocs build` runs the suite itself on the implementations
of docs/conformance.toml, with fewer examples (the `docs` Hypothesis profile). An implementation that fails
clauses is a result, not an error; a run that does not get through the suite (collection error,
usage error) is an error.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from hooks import conformance_runs  # docs/hooks, beside this script: the guide's failing report, as the build makes it

ROOT = Path(__file__).resolve().parents[1]

CONFIG = ROOT / "docs" / "conformance.toml"


def implementations() -> list[dict]:
    listed = tomllib.loads(CONFIG.read_text())["implementation"]
    adapters = sorted(p for p in (ROOT / "tests" / "adapters").glob("*.py") if p.name != "__init__.py")
    for path in adapters:
        entry = {"impl": f"lcspec.tests.adapters.{path.stem}", "file": str(path.relative_to(ROOT)), "level": claimed_level(path)}
        if path.with_suffix(".deviations").is_file():
            entry["deviations"] = str(path.with_suffix(".deviations").relative_to(ROOT))
        listed.append(entry)
    return listed


def claimed_level(path: Path) -> str:
    """The conformance level an adapter says it meets: its module's `LEVEL = "..."` line (read, not imported:
    the adapter's library need not be installed to list it)."""
    found = re.search(r'^LEVEL = "(core|strict)"', path.read_text(), re.MULTILINE)
    if not found:
        raise SystemExit(f"run_conformance: {path} does not say which level it meets (LEVEL = \"core\" or \"strict\")")
    return found.group(1)


def why_not(entry: dict) -> str | None:
    """Why an implementation cannot be run here (its file is absent, its library not installed), or None."""
    if "file" in entry and not (ROOT / entry["file"]).is_file():
        return f"{entry['file']} is not in this checkout"
    if entry["impl"].startswith("lcspec.tests."):
        imported = subprocess.run(
            [sys.executable, "-c", f"import {entry['impl']}"], cwd=ROOT, capture_output=True, text=True
        )
        if imported.returncode:
            return "cannot be imported here: " + (imported.stderr.strip().splitlines() or ["?"])[-1]
    return None


def _command(entry: dict, report: Path) -> list[str]:
    # A library that compiles per shape (JAX's XLA) may take seconds on a call when the machine is busy: the
    # per-call limit is for hangs, so the libraries get a generous one.
    cmd = [sys.executable, "-m", "lcspec", "check", entry["impl"], f"--json={report}",
           f"--level={entry.get('level', 'core')}", "--call-timeout=60"]
    if "deviations" in entry:
        cmd.append(f"--deviations={entry['deviations']}")
    return cmd + ["--", "-q"]


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    print("run_conformance:", " ".join(cmd[2:]), flush=True)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def main(out: Path, strict: bool = False) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    skipped, jobs = {}, []
    for n, entry in enumerate(implementations()):
        reason = why_not(entry)
        if reason:
            if strict:
                print(f"run_conformance: {entry['impl']} {reason}", file=sys.stderr)
                return 1
            skipped[entry["impl"]] = reason
            continue
        jobs.append((entry, out / f"{n:02d}.json"))
    # One judge per core: each is a process of its own (and its implementation another), and the libraries'
    # runs are long; every implementation is run, and all that fail are shown, not only the first.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        finished = list(pool.map(_run, [_command(entry, report) for entry, report in jobs]))
    failed = False
    for (entry, report), done in zip(jobs, finished):
        if strict and done.returncode == 1:
            print(done.stdout[-8000:], done.stderr[-4000:], sep="\n")
            print(f"run_conformance: {entry['impl']} does not conform (see above)", file=sys.stderr)
            failed = True
        elif done.returncode not in (0, 1) or not report.is_file():  # 1: some test failed, a result to show
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
            print(f"run_conformance: the suite did not run through on {entry['impl']} (exit {done.returncode})",
                  file=sys.stderr)
            failed = True
    if failed:
        return 1
    (out / "skipped.json").write_text(json.dumps(skipped, indent=2) + "\n")
    print("run_conformance: the validation guide's failing report (docs profile)", flush=True)
    conformance_runs.start(with_page_runs=False)
    conformance_runs.results()
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    strict = "--strict" in args
    paths = [a for a in args if a != "--strict"]
    sys.exit(main(Path(paths[0]) if paths else ROOT / "build" / "conformance", strict))
