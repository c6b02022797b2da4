"""The cost of judging an implementation out of process (spec/protocol.md) against judging it in process.

Three figures, taken in one run: the round trip of one small call through the bundled Python server
against the same call made directly; the whole default run of the reference out of process against
`--in-process` (with --quick, the softmax laws only); and how long a broken implementation (a softmax
off by 3e-5, the only function it provides) waits for its verdict out of process.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lcspec import reference
from lcspec.protocol.child import Child

from .results import Figure

BROKEN = "from lcspec import reference\n\ndef softmax(S):\n    return reference.softmax(S) + 3e-5\n"


def _per_call(calls: int) -> tuple[float, float]:
    S = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0], [-4.0, 0.0, 4.0]])
    start = time.perf_counter()
    for _ in range(calls):
        reference.softmax(S)
    direct = (time.perf_counter() - start) / calls
    with Child([sys.executable, "-m", "lcspec.protocol.pyserver", "reference"], contract=reference.CONTRACT) as child:
        child.call("softmax", {"S": S})  # warm
        start = time.perf_counter()
        for _ in range(calls):
            child.call("softmax", {"S": S})
        through = (time.perf_counter() - start) / calls
    return direct, through


def _check(impl: str, *options: str, select: tuple[str, ...] = ()) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "lcspec", "check", impl, *options, "--", "-q", "-p", "no:cacheprovider", *select]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=scratch, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    return seconds, (done.stdout.strip().splitlines() or ["(no output)"])[-1]


def run(quick: bool, progress) -> tuple[list[Figure], list[str]]:
    progress("protocol: per-call round trip")
    direct, through = _per_call(300 if quick else 3000)
    select, what = (), "the default run"  # the whole run in both modes: the target is about it
    progress(f"protocol: {what} of the reference, in process")
    inside, said_inside = _check("reference", "--in-process", select=select)
    progress(f"protocol: {what} of the reference, out of process")
    outside, said_outside = _check("reference", select=select)
    with tempfile.TemporaryDirectory() as scratch:
        broken = Path(scratch) / "broken_softmax.py"
        broken.write_text(BROKEN)
        progress("protocol: a broken softmax, out of process")
        verdict, said_broken = _check(str(broken))
    figures = [
        Figure("protocol.call.direct", direct * 1e6, "µs", "reference.softmax on a 4 x 3 array, called directly"),
        Figure("protocol.call.through_server", through * 1e6, "µs", "the same call through lcspec.protocol.pyserver"),
        Figure("protocol.call.overhead", (through - direct) * 1e6, "µs", "round trip minus the call itself"),
        Figure("protocol.run.in_process", inside, "s", f"lcspec check reference --in-process ({what})"),
        Figure("protocol.run.out_of_process", outside, "s", f"lcspec check reference ({what})"),
        Figure("protocol.run.ratio", outside / inside, "x", "out of process / in process (target: at most 1.5x)"),
        Figure("protocol.broken.verdict", verdict, "s", "lcspec check of a softmax off by 3e-5, out of process"),
    ]
    notes = [f"in process: {said_inside}", f"out of process: {said_outside}", f"broken softmax: {said_broken}"]
    return figures, notes
