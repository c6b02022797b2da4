"""Hostile implementations: nothing an implementation does changes the verdict or the exit status.

Each case is a module that gets a softmax wrong (by 3e-5, or by answering float16 on its first call
only) while attacking the judge, or gets it right while doing something a correct implementation may
do (set numpy's error state, print, start a thread). The implementation runs in a supervised child
process (lcspec/harness/isolation.py), so each attack must end with the verdict it deserves: exit 1,
a fresh JSON that says so, and a message naming what the implementation did; exit 0 for the correct
ones. They run the softmax laws only (-k softmax), with a short per-call time limit, in child runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


WRONG = "def softmax(S):\n    return reference.softmax(S) + 3e-5\n"
CORRECT = "def softmax(S):\n    with np.errstate(all='ignore'):\n        return reference.softmax(S)\n"
HEADER = "import atexit, ctypes, os, signal, sys, threading, time\nimport numpy as np\nfrom lcspec import reference\n"

CASES = {  # name: (module body, expected exit status, what the report must say)
    "patches_the_report_and_the_deviations_reader": (
        "import lcspec.plugin, lcspec.harness.deviations\n"
        "lcspec.plugin.Conformance.pytest_sessionfinish = lambda self, session: None\n"
        "lcspec.harness.deviations.read = lambda path: {'SOFTMAX-1': 'mine', 'differential': 'mine'}\n" + WRONG,
        1, "differs from the reference"),
    "exits_0_at_exit": ("atexit.register(lambda: os._exit(0))\n" + WRONG, 1, "differs from the reference"),
    "exits_0_inside_a_call": ("def softmax(S):\n    os._exit(0)\n", 1, "exited with status 0 during the call"),
    "answers_float16_on_its_first_call_only": (
        "calls = []\ndef softmax(S):\n    calls.append(1)\n"
        "    return reference.softmax(S).astype(np.float16) if len(calls) == 1 else reference.softmax(S) + 3e-5\n",
        1, "differs from the reference"),
    "cancels_the_alarm_and_sleeps": (
        "def softmax(S):\n    signal.setitimer(signal.ITIMER_REAL, 0)\n    time.sleep(25)\n    return reference.softmax(S)\n",
        1, "did not return within the per-call time limit"),
    "catches_the_hang_and_goes_on": (
        "def softmax(S):\n    end = time.time() + 25\n    while time.time() < end:\n        try:\n            time.sleep(0.1)\n"
        "        except BaseException:\n            pass\n    return reference.softmax(S)\n",
        1, "did not return within the per-call time limit"),
    "sleeps_with_signals_blocked": (
        "def softmax(S):\n    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGTERM, signal.SIGINT})\n"
        "    time.sleep(25)\n    return reference.softmax(S)\n", 1, "did not return within the per-call time limit"),
    "raises_keyboard_interrupt": ("def softmax(S):\n    raise KeyboardInterrupt\n", 1, "raised KeyboardInterrupt"),
    "raises_system_exit": ("def softmax(S):\n    raise SystemExit(0)\n", 1, "raised SystemExit"),
    "segfaults": ("def softmax(S):\n    ctypes.string_at(0)\n", 1, "SIGSEGV"),
    "closes_stdout": ("sys.stdout.close()\n" + WRONG, 1, "differs from the reference"),
    # Correct implementations that do what correct code may do:
    "leaves_a_thread_running": (
        "threading.Thread(target=lambda: time.sleep(3600)).start()\n" + CORRECT, 0, "conforms"),
    "prints_a_megabyte_per_call": ("def softmax(S):\n    print('x' * 1_000_000)\n    return reference.softmax(S)\n",
                                   0, "conforms"),
    "sets_numpy_to_raise": ("np.seterr(all='raise')\n" + CORRECT, 0, "conforms"),
}


def judge(module: Path, report: Path, *extra: str, wait: bool = True):
    command = [sys.executable, "-m", "lcspec", "check", str(module), f"--json={report}", "--call-timeout=2",
               *extra, "--", "-q", "-k", "softmax and not loss", "-p", "no:cacheprovider"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if not wait:
        return subprocess.Popen(command, cwd=module.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    return subprocess.run(command, cwd=module.parent, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.child_runs
@pytest.mark.parametrize("case", list(CASES))
def test_the_verdict_is_the_judges_whatever_the_implementation_does(case, tmp_path):
    body, status, said = CASES[case]
    module = tmp_path / f"{case}.py"
    module.write_text(HEADER + body)
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"exit_ok": True, "stale": True}))  # a stale report must not survive the run
    started = time.monotonic()
    done = judge(module, report)
    output = done.stdout + done.stderr
    assert done.returncode == status, output[-3000:]
    data = json.loads(report.read_text())
    assert "stale" not in data and data["exit_ok"] is (status == 0) and data["isolated"] is True
    assert said in output or said in json.dumps(data), output[-3000:]
    assert len(output) < 200_000, "the implementation's output reached the report"  # captured and capped
    assert time.monotonic() - started < 240


@pytest.mark.child_runs
def test_an_interrupted_run_writes_a_report_that_never_says_exit_ok(tmp_path):
    module = tmp_path / "slow.py"
    module.write_text(HEADER + "def softmax(S):\n    time.sleep(0.3)\n    return reference.softmax(S)\n")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"exit_ok": True}))
    run = judge(module, report, wait=False)
    time.sleep(8)
    run.send_signal(signal.SIGINT)
    output, _ = run.communicate(timeout=60)
    assert run.returncode == 2, output[-2000:]
    data = json.loads(report.read_text())
    assert data["exit_ok"] is False and data["stopped"] == "interrupted"


@pytest.mark.child_runs
def test_a_slow_implementation_gets_its_verdict_within_the_time_budget(tmp_path):
    module = tmp_path / "slow.py"
    module.write_text(HEADER + "def softmax(S):\n    time.sleep(0.2)\n    return reference.softmax(S)\n")
    report = tmp_path / "report.json"
    started = time.monotonic()
    done = judge(module, report, "--time-budget=5")
    assert done.returncode == 1 and time.monotonic() - started < 60, done.stdout[-2000:]
    assert "time budget of 5 s is spent (too slow)" in done.stdout
