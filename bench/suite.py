"""Wall time of the conformance suite run against the reference, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from .results import Figure

ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool, progress) -> tuple[list[Figure], list[str]]:
    """Time `pytest tests -q -p no:cacheprovider` (with --quick, only the suite's self-tests in tests/suite)."""
    target = "tests/suite" if quick else "tests"
    progress(f"suite: pytest {target}")
    command = [sys.executable, "-m", "pytest", target, "-q", "-p", "no:cacheprovider", "--example-cache=off"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    notes = [f"pytest {target}: {summary}"]
    name = "suite.self_tests.wall_time" if quick else "suite.conformance.wall_time"
    return [Figure(name, seconds, "s", f"{' '.join(command[1:])} against the reference, ci profile")], notes
