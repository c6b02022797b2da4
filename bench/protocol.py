"""The cost of judging an implementation out of process (spec/protocol.md) and in the sandbox.

Taken in one run: the round trip of one small call through the bundled Python server, unsandboxed and
in bubblewrap, against the same call made directly; the CPU a guarded call costs the judge and the server
(on two busy cores, the currency a class is judged in); the whole default run of the reference in
process (`--in-process`), out of process without a sandbox (`--sandbox off`) and in the sandbox
(`--sandbox required`, where bubblewrap works here); and how long a broken implementation (a softmax
off by 3e-5, the only function it provides) waits for its verdict.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from lcspec import reference
from lcspec.protocol import sandbox
from lcspec.protocol.child import Child

from .results import Figure

BROKEN = "from lcspec import reference\n\ndef softmax(S):\n    return reference.softmax(S) + 3e-5\n"


def _per_call(calls: int, box: sandbox.Sandbox | None) -> tuple[float, float]:
    S = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0], [-4.0, 0.0, 4.0]])
    start = time.perf_counter()
    for _ in range(calls):
        reference.softmax(S)
    direct = (time.perf_counter() - start) / calls
    with Child([sys.executable, "-m", "lcspec.protocol.pyserver", "reference"], contract=reference.CONTRACT,
               sandbox=box) as child:
        child.call("softmax", {"S": S})  # warm
        start = time.perf_counter()
        for _ in range(calls):
            child.call("softmax", {"S": S})
        through = (time.perf_counter() - start) / calls
    return direct, through


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of process `pid` so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _guarded_call_cpu(calls: int) -> tuple[float, float]:
    """CPU seconds per guarded svm_loss call (a CS231n-sized problem) out of process, on the judge's side (the guard,
    the reference's answer, the comparison, the wire) and on the server's (the wire and the implementation): what a
    judge and its server cost on two busy cores, where waiting is free and CPU is all that counts."""
    from lcspec.harness.isolation import close, remote_implementations
    from lcspec.harness.session import Session

    rng = np.random.default_rng(0)
    W, X, y = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), np.array([0, 1, 2, 1, 0])
    impls = remote_implementations("reference", 10.0, None, None)
    impl = impls[0]
    impl.session = Session(call_timeout=10.0)
    impl.session.recorder = []
    try:
        for _ in range(max(calls // 10, 1)):  # warm
            impl.svm_loss(W, X, y, 0.1)
        server = impl.module.child.pid
        judge_start, server_start = time.process_time(), _cpu_seconds(server)
        for _ in range(calls):
            impl.session.recorder.clear()
            impl.svm_loss(W, X, y, 0.1)
        return (time.process_time() - judge_start) / calls, (_cpu_seconds(server) - server_start) / calls
    finally:
        close(impls)


def _check(impl: str, *options: str, select: tuple[str, ...] = ()) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as scratch:
        # No example cache: in process there is none, and the modes are compared drawing alike.
        command = [sys.executable, "-m", "lcspec", "check", impl, *options, "--example-cache=off", "--", "-q", "-p",
                   "no:cacheprovider", *select]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=scratch, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    return seconds, (done.stdout.strip().splitlines() or ["(no output)"])[-1]


def run(quick: bool, progress) -> tuple[list[Figure], list[str]]:
    calls = 300 if quick else 3000
    box, said_box = sandbox.probe("auto", tempfile.gettempdir(), 1 << 30, sandbox.interpreter_paths())
    progress("protocol: per-call round trip")
    direct, through = _per_call(calls, None)
    progress("protocol: CPU of a guarded call")
    judge_cpu, server_cpu = _guarded_call_cpu(calls)
    select, what = (), "the default run"  # the whole run in every mode: the targets are about it
    progress(f"protocol: {what} of the reference, in process")
    inside, said_inside = _check("reference", "--in-process", select=select)
    progress(f"protocol: {what} of the reference, out of process, no sandbox")
    outside, said_outside = _check("reference", "--sandbox=off", select=select)
    figures = [
        Figure("protocol.call.direct", direct * 1e6, "µs", "reference.softmax on a 4 x 3 array, called directly"),
        Figure("protocol.call.through_server", through * 1e6, "µs", "the same call through lcspec.protocol.pyserver"),
        Figure("protocol.guarded_call.judge_cpu", judge_cpu * 1e6, "µs",
               "CPU of the judge per guarded svm_loss call out of process (W 3 x 4, X 5 x 4): guard, reference, wire"),
        Figure("protocol.guarded_call.server_cpu", server_cpu * 1e6, "µs",
               "CPU of pyserver for the same call: the wire and the reference's svm_loss"),
        Figure("protocol.call.overhead", (through - direct) * 1e6, "µs", "round trip minus the call itself"),
        Figure("protocol.run.in_process", inside, "s", f"lcspec check reference --in-process ({what})"),
        Figure("protocol.run.out_of_process", outside, "s", f"lcspec check reference --sandbox=off ({what})"),
        Figure("protocol.run.ratio", outside / inside, "x", "out of process / in process (target: at most 1.5x)"),
    ]
    notes = [f"in process: {said_inside}", f"out of process: {said_outside}"]
    if box is not None:
        progress("protocol: per-call round trip in the sandbox")
        _, boxed_call = _per_call(calls, box)
        progress(f"protocol: {what} of the reference in the sandbox")
        boxed, said_boxed = _check("reference", "--sandbox=required", select=select)
        figures += [
            Figure("protocol.call.sandboxed", boxed_call * 1e6, "µs", "the same call through the server in bubblewrap"),
            Figure("protocol.run.sandboxed", boxed, "s", f"lcspec check reference --sandbox=required ({what})"),
            Figure("protocol.sandbox.ratio", boxed / outside, "x",
                   "in the sandbox / out of process without one (target: at most 1.10x)"),
        ]
        notes.append(f"in the sandbox: {said_boxed}")
    else:
        notes.append(f"no sandbox figures: {said_box}")
    with tempfile.TemporaryDirectory() as scratch:
        broken = Path(scratch) / "broken_softmax.py"
        broken.write_text(BROKEN)
        progress("protocol: a broken softmax")
        verdict, said_broken = _check(str(broken))
    figures.append(Figure("protocol.broken.verdict", verdict, "s",
                          f"lcspec check of a softmax off by 3e-5 (sandbox: {said_box})"))
    notes.append(f"broken softmax: {said_broken}")
    return figures, notes
