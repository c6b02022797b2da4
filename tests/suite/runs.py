"""Running the property suite against an implementation in a child pytest, as the suite's own tests need.

Each run is a subprocess (a fresh interpreter, as a user's run would be) over the property modules
only (tests/suite is left out, so runs never nest), with the conformance summary written as JSON
for the caller to inspect. Runs are started together, as many at a time as there are cores.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Run:
    spec: str
    returncode: int
    output: str
    summary: dict

    def statuses(self) -> dict[str, dict[str, str]]:
        """{implementation label: {function: status}}."""
        return {e["label"]: {f: v["status"] for f, v in e["functions"].items()} for e in self.summary["implementations"]}


def run_suite(spec: str, *options: str, paths: tuple[str, ...] = ("tests", "--ignore=tests/suite"),
              timeout: float = 900) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "conformance.json"
        command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider",
                   "--no-header", f"--impl={spec}", f"--conformance-json={report}", *options]
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
        env.pop("LCSPEC_IMPL", None)
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        summary = json.loads(report.read_text()) if report.is_file() else {"implementations": []}
    return Run(spec, done.returncode, done.stdout + done.stderr, summary)


def run_all(jobs: dict[str, tuple[str, ...]]) -> dict[str, Run]:
    """{spec: options} -> {spec: Run}, run in parallel on every core."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {spec: pool.submit(run_suite, spec, *options) for spec, options in jobs.items()}
        return {spec: f.result() for spec, f in futures.items()}
