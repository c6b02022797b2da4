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
import textwrap
import time
from pathlib import Path

import pytest

from tests.suite.runs import run_suite

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


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Python then installs its KeyboardInterrupt handler at startup


def judge(module: Path, report: Path, *extra: str, select: str = "softmax and not loss", cwd: Path | None = None,
          wait: bool = True):
    """`lcspec check` of `module` (or a cmd: target) from its folder, on the laws `select` picks."""
    command = [sys.executable, "-m", "lcspec", "check", str(module), f"--json={report}", "--call-timeout=2",
               *extra, "--", "-q", "-k", select, "-p", "no:cacheprovider"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if not wait:  # SIGINT as a terminal sends it: a suite started from a shell's background job has it ignored,
        # and the run would inherit that (POSIX shells ignore SIGINT in `cmd &`), so an interrupt test would wait
        return subprocess.Popen(command, cwd=cwd or module.parent, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, preexec_fn=_interruptible)
    return subprocess.run(command, cwd=cwd or module.parent, env=env, capture_output=True, text=True, timeout=600)


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
def test_a_ctrl_c_that_pytest_swallows_still_stops_the_run_with_a_report_that_says_so():
    run = run_suite("lcspec.reference", "-p", "tests.suite.swallowed_interrupt", "-k", "softmax and not loss")
    assert run.returncode == 2, run.output[-2000:]
    assert run.summary["exit_ok"] is False and run.summary["stopped"] == "interrupted", run.output[-2000:]


@pytest.mark.child_runs
def test_a_slow_implementation_gets_its_verdict_within_the_time_budget(tmp_path):
    module = tmp_path / "slow.py"
    module.write_text(HEADER + "def softmax(S):\n    time.sleep(0.2)\n    return reference.softmax(S)\n")
    report = tmp_path / "report.json"
    started = time.monotonic()
    done = judge(module, report, "--time-budget=5")
    assert done.returncode == 1 and time.monotonic() - started < 60, done.stdout[-2000:]
    assert "time budget of 5 s is spent (too slow)" in done.stdout


# --- A verdict no submission can forge: attacks on the judge's files, processes, reports and terminal -----------
# Each runs under the sandbox (bubblewrap, where it works here; CI installs it) and, where the attack does no harm
# outside one, without it. `judged_narrowly` runs two softmax laws only: every attack here needs just one verdict.

SANDBOXED, UNSANDBOXED = "--sandbox=required", "--sandbox=off"
NARROW = "test_softmax_rows_are_probability_distributions or test_softmax_is_the_normalised_exponential"


def bubblewrap_works() -> bool:
    from lcspec.protocol.sandbox import probe

    return probe("auto", "/", 1 << 20)[0] is not None


def sandbox_modes(*modes):
    """Parameters for the sandbox modes an attack is tried in; the sandboxed one needs bubblewrap (CI has it)."""
    missing = pytest.mark.skipif(not bubblewrap_works() and not os.environ.get("CI"),
                                 reason="bubblewrap is not installed or refused here (apt-get install bubblewrap)")
    return pytest.mark.parametrize("mode", [pytest.param(m, marks=missing) if m == SANDBOXED else m for m in modes])


def judged_narrowly(module: Path, report: Path, mode: str, *extra: str, cwd: Path | None = None, wait: bool = True):
    return judge(module, report, "--call-timeout=3", mode, *extra, select=NARROW, cwd=cwd, wait=wait)


def survivors(marker: str) -> list[str]:
    """Processes whose command line names `marker` (an attack module's path): none may outlive its run."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmdline and "pytest" not in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found


def installed_files() -> dict[str, float]:
    import lcspec

    root = Path(lcspec.__file__).resolve().parents[1]
    return {str(p): p.stat().st_mtime for p in [*root.glob("tests/*.py"), *root.glob("lcspec/**/*.py")]}


DAEMON = """
def _daemon(report):
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    for _ in range(200):  # 20 s: well past the end of the run
        try:
            with open(report, "w") as f:
                f.write('{"exit_ok": true, "verdicts": {"core": true, "strict": true}, "forged": true}')
        except OSError:
            pass
        time.sleep(0.1)
    os._exit(0)
"""

ATTACKS = {  # name: (module body, the modes it is tried in, expected exit status, what the report or output says)
    "writes_into_the_judges_installation": (
        "import lcspec, site\nroot = os.path.dirname(os.path.dirname(lcspec.__file__))\n"
        "for target in [os.path.join(root, 'tests', 'test_softmax_cross_entropy.py'), os.path.join(root, 'tests', "
        "'test_zz_forged.py'), os.path.join(root, 'conftest.py'), *[os.path.join(p, 'zz_forged.pth') for p in "
        "site.getsitepackages()], os.path.join(os.path.dirname(sys.executable), 'pytest.py')]:\n"
        "    try:\n        open(target, 'a').write('\\nimport os; os._exit(0)\\n')\n    except OSError:\n        pass\n"
        + WRONG, (SANDBOXED,), 1, "differs from the reference"),
    "plants_modules_where_the_judge_runs": (
        "for name in ('numpy', 'pytest', 'hypothesis', '_pytest', 'pluggy', 'json'):\n    try:\n"
        "        open(os.path.join(os.getcwd(), name + '.py'), 'w').write('import os; os._exit(0)\\n')\n"
        "    except OSError:\n        pass\n" + WRONG, (SANDBOXED, UNSANDBOXED), 1, "differs from the reference"),
    "refuses_every_input_but_the_smallest": (
        "class Unsupported(Exception):\n    pass\n"
        "def softmax(S):\n    if np.size(S) > 2:\n        raise Unsupported('this input cannot be expressed')\n"
        "    return reference.softmax(S)\n", (SANDBOXED, UNSANDBOXED), 1, "Unsupported"),
    "a_daemon_rewrites_the_report_after_the_run": (
        DAEMON + "def softmax(S):\n    _daemon(REPORT)\n    return reference.softmax(S) + 3e-5\n",
        (SANDBOXED, UNSANDBOXED), 1, "differs from the reference"),
    "fifty_processes_ignore_sigterm": (
        "def softmax(S):\n    for _ in range(50):\n        if os.fork() == 0:\n"
        "            signal.signal(signal.SIGTERM, signal.SIG_IGN)\n            time.sleep(3600)\n"
        "    return reference.softmax(S) + 3e-5\n", (SANDBOXED, UNSANDBOXED), 1, "differs from the reference"),
    "shares_a_mapping_across_forks_past_the_memory_limit": (
        "import mmap\ndef softmax(S):\n    for _ in range(4):\n        if os.fork() == 0:\n"
        "            m = mmap.mmap(-1, 512 << 20, flags=mmap.MAP_SHARED)\n"
        "            for i in range(0, 512 << 20, 4096):\n                m[i] = 1\n            time.sleep(3600)\n"
        "    time.sleep(2.5)\n    return reference.softmax(S)\n",
        (SANDBOXED,), 1, "over the memory limit"),
    "stops_its_parent_and_the_group": (
        "def softmax(S):\n    for pid in (os.getppid(), 1, 0):\n        try:\n            os.kill(pid, signal.SIGSTOP)\n"
        "        except OSError:\n            pass\n    return reference.softmax(S) + 3e-5\n",
        (SANDBOXED,), 1, "did not return within the per-call time limit"),
    "writes_a_fake_verdict_to_every_terminal_it_can_open": (  # /proc/PID/fd/1 of the judge, of CI, of your shell
        "def softmax(S):\n    for pid in filter(str.isdigit, os.listdir('/proc')):\n        for fd in ('1', '2'):\n"
        "            try:\n                with open(f'/proc/{pid}/fd/{fd}', 'w') as out:\n"
        "                    out.write('\\nlcspec: conforms at level core\\n')\n            except OSError:\n"
        "                pass\n    return reference.softmax(S) + 3e-5\n", (SANDBOXED,), 1, "protocol error"),  # its own pipe too
    "writes_escape_sequences_and_fake_verdict_lines": (
        "def softmax(S):\n    raise ValueError('\\x1b[2J\\x1b[H\\x1b[1;1r\\nlcspec: conforms at level core\\n\\r')\n",
        (SANDBOXED, UNSANDBOXED), 1, "x1b[2J"),
}


@pytest.mark.child_runs
@pytest.mark.parametrize("attack", list(ATTACKS))
@sandbox_modes(SANDBOXED, UNSANDBOXED)
def test_no_attack_forges_the_verdict_or_outlives_the_run(attack, mode, tmp_path):
    body, modes, status, said = ATTACKS[attack]
    if mode not in modes:
        pytest.skip(f"{attack} is tried only {'in' if modes == (SANDBOXED,) else 'out of'} the sandbox: "
                    "without it the attack would change this machine (the validation guide's threat model)")
    report = tmp_path / "report.json"
    module = tmp_path / f"{attack}.py"
    module.write_text(HEADER + f"REPORT = {str(report)!r}\n" + body)
    before = installed_files()
    extra = ("--memory-limit=1",) if "memory" in attack else ()
    done = judged_narrowly(module, report, mode, *extra)
    output = done.stdout + done.stderr
    assert done.returncode == status, output[-3000:]
    time.sleep(1.5)  # a survivor would write now
    data = json.loads(report.read_text())
    assert "forged" not in data and data["exit_ok"] is False, data
    assert data["sandbox"].startswith("bubblewrap" if mode == SANDBOXED else "off")
    assert said in output or said in json.dumps(data), output[-3000:]
    assert "\x1b" not in output and not any(line.startswith("lcspec: conforms") for line in output.splitlines())
    assert not survivors(str(module)), survivors(str(module))
    assert installed_files() == before
    if mode == SANDBOXED:  # nothing it wrote is left: its cwd was read-only, its /tmp private
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([module.name, report.name])


@pytest.mark.child_runs
@sandbox_modes(SANDBOXED, UNSANDBOXED)
def test_a_correct_implementation_that_prints_forks_uses_threads_and_temporary_files_conforms(mode, tmp_path):
    module = tmp_path / "busy_but_correct.py"
    module.write_text(HEADER + textwrap.dedent("""
        import tempfile
        threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()
        def softmax(S):
            print("computing softmax of", np.shape(S))
            with tempfile.NamedTemporaryFile() as scratch:
                np.save(scratch, S)
            if os.fork() == 0:
                os._exit(0)
            os.wait()
            with np.errstate(all="ignore"):
                return reference.softmax(S)
    """))
    report = tmp_path / "report.json"
    done = judged_narrowly(module, report, mode)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert json.loads(report.read_text())["exit_ok"] is True


@pytest.mark.child_runs
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_the_run_with_a_report_that_says_so(signal_name, tmp_path):
    module = tmp_path / "slow.py"
    module.write_text(HEADER + "def softmax(S):\n    time.sleep(0.3)\n    return reference.softmax(S)\n")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"exit_ok": True}))
    run = judged_narrowly(module, report, "--sandbox=auto", wait=False)
    time.sleep(8)
    run.send_signal(getattr(signal, signal_name))
    output, _ = run.communicate(timeout=60)
    assert run.returncode not in (0, 3), output[-2000:]
    data = json.loads(report.read_text())
    assert data["exit_ok"] is False and data["stopped"] == f"interrupted by {signal_name}", data
    assert not any(data["verdicts"].values()), data["verdicts"]
    assert not survivors(str(module))


SERVER = HEADER + textwrap.dedent("""
    import json
    def say(message):
        sys.__stdout__.write(json.dumps(message) + "\\n")
        sys.__stdout__.flush()
    hello = json.loads(sys.stdin.readline())
""")

MISBEHAVING_SERVERS = {  # name: (what it does after reading the hello, exit status, what the report's error says)
    "prints_a_banner_first": ("print('Welcome to my port v1.0')\n", 2, "protocol error during the handshake"),
    "sends_notes_as_a_number": (
        "say({'protocol': 1, 'implementation': {'name': 'n'}, 'provides': ['softmax'], 'notes': 7})\n",
        2, "notes must be a list of strings"),
    "sends_a_malformed_presentation": (
        "say({'protocol': 1, 'implementation': {'name': 'n'}, 'provides': ['softmax'], "
        "'presentation': {'names': {'softmax': 'os.system(\"id\")'}}})\n", 2, "presentation.names"),
    "declines_a_parameter_the_contract_does_not_have": (
        "say({'protocol': 1, 'implementation': {'name': 'n'}, 'provides': ['softmax'], "
        "'declines': {'softmax': {'temperature': [0.0]}}})\n", 2, "softmax has no parameter of"),
    "answers_unsupported_to_every_call": (
        "say({'protocol': 1, 'implementation': {'name': 'n\\x1b[2J\\nlcspec: conforms'}, 'provides': ['softmax']})\n"
        "for line in sys.stdin:\n    request = json.loads(line)\n    if request.get('op') != 'call':\n        break\n"
        "    say({'id': request['id'], 'error': {'type': 'Unsupported', 'message': 'not in this port'}})\n",
        1, "Unsupported"),
}


@pytest.mark.child_runs
@pytest.mark.parametrize("server", list(MISBEHAVING_SERVERS))
def test_a_misbehaving_command_server_gets_a_verdict_and_a_report_never_an_internal_error(server, tmp_path):
    body, status, said = MISBEHAVING_SERVERS[server]
    script = tmp_path / f"{server}.py"
    script.write_text(SERVER + body)
    report = tmp_path / "report.json"
    done = judged_narrowly(Path(f"cmd:{sys.executable} {script}"), report, "--sandbox=auto", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == status and "INTERNALERROR" not in output, output[-3000:]
    data = json.loads(report.read_text())
    assert data["exit_ok"] is False and said in json.dumps(data) + output, (data, output[-2000:])
    assert "\x1b" not in output and not any(line.startswith("lcspec: conforms") for line in output.splitlines())


@pytest.mark.child_runs
def test_a_correct_command_server_conforms_in_the_sandbox(tmp_path):
    module = tmp_path / "correct.py"
    module.write_text("from lcspec.reference import softmax\n")
    report = tmp_path / "report.json"
    done = judged_narrowly(Path(f"cmd:{sys.executable} -m lcspec.protocol.pyserver {module}"), report,
                           "--sandbox=auto", cwd=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert json.loads(report.read_text())["exit_ok"] is True


@pytest.mark.child_runs
def test_a_selection_that_leaves_a_provided_function_unexercised_is_incomplete_never_green(tmp_path):
    module = tmp_path / "two_functions.py"
    module.write_text(HEADER + WRONG + "from lcspec.reference import l2_penalty\n")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "lcspec", "check", str(module), f"--json={report}", "--", "-q", "-k",
               "l2_penalty", "-p", "no:cacheprovider"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, (done.stdout + done.stderr)[-3000:]
    assert "softmax: not exercised by this selection" in done.stdout
    assert json.loads(report.read_text())["exit_ok"] is False
