"""The judge's side of the process boundary: what a server says at the start is checked before anything is
judged, refusals count only when declared, and the sandbox is chosen as asked."""

from __future__ import annotations

import sys
import textwrap
import time

import numpy as np
import pytest
from hypothesis.errors import UnsatisfiedAssumption

from lcspec import reference
from lcspec.harness.isolation import close, remote_implementations
from lcspec.harness.loading import LoadError
from lcspec.protocol import sandbox
from lcspec.protocol.child import ProtocolError, RemoteError

HELLO = "import json, sys\nhello = sys.stdin.readline()\n"
REUSES_BUFFER = "tests.suite.catalogue:softmax_loss_reuses_its_buffer"
RETURNS_W = "tests.suite.catalogue:sgd_step_returns_w_at_rate_zero"


def server(tmp_path, body: str) -> str:
    script = tmp_path / "server.py"
    script.write_text(HELLO + textwrap.dedent(body))
    return f"cmd:{sys.executable} {script}"


def test_a_server_that_never_answers_the_handshake_cannot_be_judged(tmp_path):
    spec = server(tmp_path, "import time\ntime.sleep(60)\n")
    with pytest.raises(LoadError, match="did not answer the handshake within 1 s"):
        remote_implementations(spec, call_timeout=2, start_timeout=1)


def test_a_banner_before_the_handshake_is_a_protocol_error_not_a_crash(tmp_path):
    spec = server(tmp_path, "print('mylib v1 ready')\nsys.stdout.flush()\nimport time; time.sleep(5)\n")
    with pytest.raises(LoadError, match="protocol error during the handshake"):
        remote_implementations(spec, call_timeout=2, start_timeout=5)


@pytest.mark.parametrize("field, value, said", [
    ("notes", 7, "notes must be a list of strings"),
    ("declines", {"softmax": {"temperature": [0.0]}}, "softmax has no parameter of"),
    ("constraints", {"softmax": {"axis": 1}}, "softmax has no parameter of"),
    ("declines", {"softmax": {"S": 0.0}}, "declines must map"),
    ("presentation", {"names": {"softmax": "__import__('os').system('id')"}}, "presentation.names"),
    ("presentation", {"reproduce": {"softmax": {"function": "softmax"}}}, "presentation.reproduce.softmax needs"),
])
def test_a_malformed_handshake_cannot_be_judged_and_says_why(tmp_path, field, value, said):
    answer = {"protocol": 1, "implementation": {"name": "n"}, "provides": ["softmax"], field: value}
    spec = server(tmp_path, f"print(json.dumps({answer!r}), flush=True)\nimport time; time.sleep(5)\n")
    with pytest.raises(LoadError, match=said.replace("(", r"\(")):
        remote_implementations(spec, call_timeout=2, start_timeout=5)


@pytest.mark.filterwarnings("ignore:Using `reject` outside:DeprecationWarning")
def test_only_declared_refusals_discard_an_input_and_an_undeclared_one_fails_the_call(tmp_path):
    spec = server(tmp_path, """
        answer = {"protocol": 1, "implementation": {"name": "n"}, "provides": ["hinge_losses"],
                  "declines": {"hinge_losses": {"delta": [0.0]}}}
        print(json.dumps(answer), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("op") != "call":
                break
            error = {"type": "Unsupported", "message": "not today"}
            print(json.dumps({"id": request["id"], "error": error}), flush=True)
    """)
    [impl] = remote_implementations(spec, call_timeout=5)
    try:
        S, y = np.ones((2, 3)), np.array([0, 1])
        with pytest.raises(UnsatisfiedAssumption):
            impl.module.hinge_losses(S, y, 0.0)  # declared: discarded, never sent
        assert "declines delta=0.0" in impl.module.unexpressed
        assert not impl.module.expresses("hinge_losses", delta=0.0) and impl.module.expresses("hinge_losses", delta=1.0)
        with pytest.raises(RemoteError, match="did not decline"):
            impl.module.hinge_losses(S, y, 1.0)  # not declared: the refusal is a failure
    finally:
        impl.module.child.close()


def test_the_sandbox_is_used_as_asked(monkeypatch):
    assert sandbox.probe("off", "/", 1 << 20)[0] is None
    with pytest.raises(ValueError, match="sandbox must be one of"):
        sandbox.probe("sometimes", "/", 1 << 20)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert sandbox.probe("auto", "/", 1 << 20) == (None, "none (bubblewrap (bwrap) is not installed): the "
                                                          "implementation runs with your user's permissions")
    with pytest.raises(sandbox.SandboxUnavailable, match="required, but bubblewrap"):
        sandbox.probe("required", "/", 1 << 20)


def test_the_memory_watch_reads_pss_only_where_its_rss_bound_passes_the_limit():
    import subprocess

    alone = subprocess.Popen([sys.executable, "-c", "import numpy, time; time.sleep(60)"])  # a tree of one process
    try:
        time.sleep(0.5)
        bound, count = sandbox.SandboxWatch(alone.pid, 1 << 50, lambda why: None).measure()
        pss, _ = sandbox.SandboxWatch(alone.pid, 1, lambda why: None).measure()  # over a limit of one byte: PSS
        assert count == 1 and pss == sandbox._pss_bytes(alone.pid) and 0 < pss < bound  # numpy's pages are shared
        killed = []
        watch = sandbox.SandboxWatch(alone.pid, pss // 2, killed.append)
        watch.start()
        watch.join(timeout=5)
        assert not watch.is_alive() and killed and "over the memory limit" in killed[0]
    finally:
        alone.kill()
        alone.wait()


def test_a_path_under_a_private_tmpfs_is_bound_back_read_only():
    box = sandbox.Sandbox("bwrap", "/tmp", 1 << 20, keep=(sys.prefix,))
    command = box.wrap(["true"])
    assert command[:7] == ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc"]
    at = command.index("--chdir")
    assert command[at + 1] == "/tmp" and command[-2:] == ["--", "true"]
    assert "--unshare-pid" in command and "--unshare-net" in command and "--die-with-parent" in command


def test_a_declared_boolean_is_matched_as_a_boolean():
    from lcspec.protocol.wire import same_value

    assert same_value(False, False) and same_value(np.bool_(True), True)
    assert not same_value(0, False) and not same_value(True, 1) and same_value(1, 1.0)


def test_a_result_the_implementation_overwrites_later_changes_here_as_it_would_for_a_caller():
    """protocol §3 "changed": a dW buffer reused by the next call is seen reused through the process boundary."""
    (impl,) = remote_implementations(REUSES_BUFFER, call_timeout=10)
    try:
        rng = np.random.default_rng(0)
        W, X, y = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), np.array([0, 1, 2, 0, 1])
        _, first = impl.module.softmax_loss(W, X, y, 0.1)
        _, second = impl.module.softmax_loss(2 * W, X, y, 0.1)
        assert np.array_equal(first, second)  # the buffer now holds the second call's gradient, as in process
        assert not np.array_equal(first, reference.softmax_loss(W, X, y, 0.1)[1])
    finally:
        close([impl])


def test_a_result_that_is_an_argument_there_is_the_callers_own_array_here():
    """protocol §3 "shares": sgd_step returning W itself returns the judge's W, so OPT-1's no-sharing check sees it."""
    (impl,) = remote_implementations(RETURNS_W, call_timeout=10)
    try:
        W, dW = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
        assert impl.module.sgd_step(W, dW, 0.0) is W
        stepped = impl.module.sgd_step(W, dW, 0.5)
        assert not np.shares_memory(stepped, W) and np.array_equal(stepped, W - 0.5)
    finally:
        close([impl])


@pytest.mark.parametrize("extra, said", [
    ({"changed": {"id": 1}}, "changed must be a list"),
    ({"changed": [{"id": 1, "part": "", "value": 0, "more": 1}]}, "needs id, part and value"),
    ({"shares": {"": 3}}, "shares must map"),
])
def test_a_malformed_shares_or_changed_is_a_protocol_violation(tmp_path, extra, said):
    spec = server(tmp_path, f"""
        answer = {{"protocol": 1, "implementation": {{"name": "n"}}, "provides": ["softmax"]}}
        print(json.dumps(answer), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("op") != "call":
                break
            print(json.dumps({{"id": request["id"], "result": 1.0, **{extra!r}}}), flush=True)
    """)
    [impl] = remote_implementations(spec, call_timeout=5)
    try:
        with pytest.raises(ProtocolError, match=said):
            impl.module.softmax(np.ones((2, 3)))
    finally:
        impl.module.child.close()
