"""lcspec-protocol/1: values survive the wire exactly, and no server can hang, crash or fool the judge.

The wire tests round-trip values through `encode`, one JSON line and `decode`. The supervision tests
run small servers written to a temporary folder: Python implementations behind `pyserver`, and a raw
hostile server speaking the protocol by hand, which misbehaves in the way each call's name says.
Time limits are short (0.5 s) so the whole file runs in seconds.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec.protocol import wire
from lcspec.protocol.child import (
    DEFAULT_MEMORY_LIMIT,
    CallTimeout,
    Child,
    ChildDied,
    ChildError,
    ProtocolError,
    RemoteError,
    StartError,
    Declined,
    Refused,
)

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
LIMIT = 0.5
S = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [-0.0, 5e-324, 1e300], [2.0, 2.0, 2.0]])


def round_trip(value):
    """`value` through the wire as lists of numbers and as base64 bytes (spec/protocol.md §5): both forms come back
    as the same value, of the same type, bit for bit."""
    listed, binary = (wire.decode(wire.loads(wire.dumps({"v": wire.encode(value, binary=b)}))["v"]) for b in (False, True))
    assert type(listed) is type(binary) and getattr(listed, "dtype", None) == getattr(binary, "dtype", None)
    assert wire.dumps({"v": wire.encode(listed)}) == wire.dumps({"v": wire.encode(binary)})
    return binary


def bits(x) -> bytes:
    return struct.pack("<d", x)


def softmax(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --- values on the wire -----------------------------------------------------------------------------

with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)  # np.matrix is deprecated: that is the point
    MATRIX = np.matrix([[1.0]])

SPECIAL = [-0.0, 0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
           0.1, 1 / 3, 1e16, math.inf, -math.inf]


@pytest.mark.parametrize("x", SPECIAL, ids=repr)
def test_a_float_comes_back_bit_for_bit_alone_and_in_an_array(x):
    back = round_trip(x)
    assert type(back) is float and bits(back) == bits(x)
    array = round_trip(np.array([x, x]))
    assert array.dtype == np.float64 and [bits(v) for v in array.tolist()] == [bits(x)] * 2


def test_nan_comes_back_as_nan():
    assert math.isnan(round_trip(math.nan))
    assert np.isnan(round_trip(np.array([1.0, np.nan]))[1])


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                  elements=st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)))
def test_a_float64_array_round_trips_exactly(a):
    back = round_trip(a)
    back = np.asarray(back)  # a 0-d array comes back as a numpy scalar
    assert back.dtype == np.float64 and back.shape == a.shape
    assert np.array_equal(back, a, equal_nan=True)
    finite = ~np.isnan(a)
    assert (np.signbit(back[finite]) == np.signbit(a[finite])).all()  # -0.0 stays -0.0


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_a_narrow_float_array_keeps_its_dtype_and_every_bit(dtype):
    info = np.finfo(dtype)
    a = np.array([info.max, -info.max, info.tiny, info.smallest_subnormal, -0.0, 1.1, np.inf, -np.inf], dtype=dtype)
    back = round_trip(a)
    assert back.dtype == a.dtype and back.tobytes() == a.tobytes()


@pytest.mark.parametrize("dtype", wire.INT_DTYPES)
def test_an_integer_array_keeps_its_dtype_and_extremes(dtype):
    info = np.iinfo(dtype)
    a = np.array([[info.min, info.max], [0, 1]], dtype=dtype)
    back = round_trip(a)
    assert back.dtype == a.dtype and back.shape == (2, 2) and (back == a).all()


@pytest.mark.parametrize("a", [
    np.array([True, False]),
    np.array([1 + 2j, complex(-0.0, np.inf), complex(np.nan, 5e-324)]),
    np.array([1 + 2j], dtype=np.complex64),
    np.array([["a", "βγ"], ["", "x\ny"]]),
    np.array([1, "a", None, [2.5, -0.0], (1,)], dtype=object),
], ids=["bool", "complex128", "complex64", "str", "object"])
def test_other_arrays_a_test_may_pass_on_purpose_round_trip(a):
    back = round_trip(a)
    assert back.dtype.kind == a.dtype.kind and back.dtype == (a.dtype if a.dtype.kind != "U" else back.dtype)
    assert back.shape == a.shape
    assert [repr(v) for v in back.ravel().tolist()] == [repr(v) for v in a.ravel().tolist()]


@pytest.mark.parametrize("x", [np.float64(-0.0), np.float32(0.1), np.int64(-2**63), np.bool_(True), np.complex128(1j)],
                         ids=repr)
def test_a_numpy_scalar_comes_back_as_the_same_numpy_scalar(x):
    back = round_trip(x)
    assert type(back) is type(x) and back.tobytes() == x.tobytes()


@pytest.mark.parametrize("value", [None, True, False, 0, -2**70, "", "naïve\n\"q\"\u2028\ud800", [1, [2.5, None]],
                                   (1.0, np.zeros((2, 0))), {"a": (1, [True])}, []], ids=repr)
def test_plain_values_and_containers_come_back_equal_and_of_the_same_types(value):
    back = round_trip(value)
    assert repr(back) == repr(value)


def test_a_loss_and_gradient_pair_is_a_tuple_of_a_float_and_an_array():
    loss, grad = round_trip((np.float64(2.5), np.eye(2)))
    assert type(loss) is np.float64 and loss == 2.5 and grad.dtype == np.float64 and (grad == np.eye(2)).all()


@pytest.mark.parametrize("value, type_name", [
    (object(), "object"),
    (MATRIX, "numpy.matrix"),
    (np.array(["2020"], dtype="datetime64[Y]"), "numpy.ndarray"),
    ({1: 2}, "dict"),
    (len, "builtin_function_or_method"),
], ids=["object", "matrix", "datetime", "int-keyed dict", "function without handles"])
def test_what_the_wire_cannot_carry_comes_back_opaque_naming_its_type(value, type_name):
    back = round_trip(value)
    assert isinstance(back, wire.Opaque) and back.type == type_name and type_name in repr(back)


def test_an_opaque_repr_is_cut_to_the_limit():
    back = round_trip(["x" * 10_000])
    assert back == ["x" * 10_000]  # a string is a string, however long
    assert len(round_trip(np.array([1], dtype="datetime64[D]").repeat(1000)).repr) == wire.REPR_LIMIT


@pytest.mark.parametrize("line", [
    b'{"v": {"$quaternion": [1, 0, 0, 0]}}',
    b'{"v": {"a": 1}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [2], "data": [1.0]}}}',
    b'{"v": {"$array": {"dtype": "float128", "shape": [1], "data": [1.0]}}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [1], "data": [true]}}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [1], "data": ["Infinity"]}}}',
    b'{"v": {"$array": {"dtype": "int8", "shape": [1], "data": [300]}}}',
    b'{"v": {"$array": {"dtype": "int64", "shape": [1], "data": [1.0]}}}',
    b'{"v": {"$float": "NaN"}}',
    b'{"v": NaN}',
    b'{"v": 1e999}',
    b'{"v": {"$function": 1}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [2], "base64": "AAAAAAAA8D8="}}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [1], "base64": "AAAAAAAA8D8"}}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [1], "base64": "AAAAAAAA8D!="}}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [1], "base64": 1.0}}}',
    b'{"v": {"$array": {"dtype": "bool", "shape": [1], "base64": "Ag=="}}}',
    b'{"v": {"$array": {"dtype": "object", "shape": [1], "base64": "AAAAAAAA8D8="}}}',
    b'{"v": {"$array": {"dtype": "float64", "shape": [1], "base64": "AAAAAAAA8D8=", "data": [1.0]}}}',
    b'not json',
    b'[1, 2]',
    b'\xff\xfe',
])
def test_a_value_that_breaks_the_rules_is_a_wire_error(line):
    with pytest.raises(wire.WireError):
        wire.decode(wire.loads(line)["v"])


def test_a_message_is_one_ascii_line():
    line = wire.dumps({"v": wire.encode(["a\nb", "π", np.array([np.nan])])})
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.isascii()


# --- servers for the supervision tests ------------------------------------------------------------

IMPLEMENTATION = '''
"""A Python implementation that misbehaves in the ways the function names say."""
import os, sys, threading, time
import numpy as np

__version__ = "1.2"


def softmax(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def chatty(S):
    print("o" * 3_000_000)                  # Python-level stdout
    sys.stderr.write("e" * 3_000_000)
    os.write(1, b"c" * 2_000_000)           # C-level fd 1
    sys.stderr.write("\\nlast words\\n")
    return softmax(S)


def close_stdout(S):
    sys.stdout.close()
    os.close(1)
    return softmax(S)


def system_exit(S):
    sys.exit(0)


def keyboard_interrupt(S):
    raise KeyboardInterrupt


def divide(S):
    return 1 / 0


def library_error(S):
    class LibraryError(Exception):
        pass
    raise LibraryError("no such thing")


def forever_thread(S):
    threading.Thread(target=time.sleep, args=(3600,)).start()   # non-daemon: would hold a normal exit
    return 1.0


def read_stdin(S):
    return sys.stdin.read()


def allocate(n):
    return float(np.ones(n).sum())


def tensor(S):
    class Tensor:
        def __repr__(self):
            return "tensor([1.])"
    return Tensor()


def numerical_gradient(f, x, h=1e-5, centered=True):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x.copy())
        x[i] = old - h
        minus = f(x.copy())
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def hinge_losses(S, y):
    return np.zeros(len(y))
'''

HOSTILE = r'''
"""A raw protocol server (no pyserver) that misbehaves in the way each call's function name says."""
import ctypes, json, os, signal, subprocess, sys, threading, time

out = sys.stdout


def send(message):
    out.write(json.dumps(message) + "\n")
    out.flush()


hello = json.loads(sys.stdin.readline())
send({"protocol": 1, "implementation": {"name": "hostile", "version": "0", "language": "Python"},
      "provides": hello["contract"], "precision": "float64",
      "constraints": {"hinge_losses": {"delta": 1.0}}, "notes": ["hand-written"],
      **({"pipelining": True} if os.environ.get("PIPELINING") else {})})
held = []
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "bye":
        if os.environ.get("LINGER"):
            continue  # ignores bye: only a kill ends it
        break
    f, args, i = request["function"], request["args"], request["id"]
    if f == "hold":  # answered only after the request that follows it: out of order
        held.append(i)
    elif f == "echo":
        send({"id": i, "result": args["x"]})
        for late in held:
            send({"id": late, "result": "late"})
        held.clear()
    elif f == "raw":  # the arguments as they came, as text
        send({"id": i, "result": json.dumps(args)})
    elif f == "sleep":
        time.sleep(60)
    elif f == "sleep_deaf":
        for sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
        time.sleep(60)
    elif f == "grandchild":
        p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        sys.stderr.write(f"grandchild {p.pid}\n")
        sys.stderr.flush()
        time.sleep(60)
    elif f == "exit0":
        os._exit(0)
    elif f == "segfault":
        ctypes.string_at(0)
    elif f == "close_stdout":
        os.close(1)
        time.sleep(60)
    elif f == "garbage":
        out.write("this is not JSON\n")
        out.flush()
    elif f == "wrong_id":
        send({"id": i + 1, "result": 1})
    elif f == "unknown_tag":
        send({"id": i, "result": {"$quaternion": [1, 0, 0, 0]}})
    elif f == "two_fields":
        send({"id": i, "result": 1, "error": {"type": "ValueError", "message": ""}})
    elif f == "long_line":
        send({"id": i, "result": "x" * 100_000})
    elif f == "no_newline":
        out.write("x" * 100_000)
        out.flush()
        time.sleep(60)
    elif f == "bad_callback":
        send({"callback": 99, "args": []})
    elif f == "error":
        send({"id": i, "error": args["error"]["$dict"]})
'''


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("servers")
    (folder / "impl.py").write_text(IMPLEMENTATION)
    (folder / "hostile.py").write_text(HOSTILE)
    (folder / "broken_impl.py").write_text("raise SystemExit('cannot load')\n")
    return folder


def pyserved(servers, **kwargs) -> Child:
    command = [sys.executable, "-m", "lcspec.protocol.pyserver", str(servers / "impl.py"), "--all-callables"]
    return Child(command, env=ENV, timeout=LIMIT, contract=["softmax", "numerical_gradient", "hinge_losses"], **kwargs)


def hostile(servers, env=(), **kwargs) -> Child:
    return Child([sys.executable, str(servers / "hostile.py")], env={**ENV, **dict(env)}, timeout=LIMIT,
                 contract=["echo", "hinge_losses"], **kwargs)


def recovers(child: Child, restarts: int) -> None:
    """The next call starts a fresh server, which answers."""
    assert not child.alive
    assert child.call("echo", {"x": [1.5, -0.0]}) == [1.5, -0.0]
    assert child.restarts == restarts


# --- supervision: a correct server -------------------------------------------------------------------


def test_a_correct_python_implementation_answers_exactly_what_it_computes(servers):
    with pyserved(servers) as child:
        assert (child.info.name, child.info.version, child.info.language[:6]) == ("impl", "1.2", "Python")
        assert child.info.provides == ("softmax", "numerical_gradient", "hinge_losses")
        pid = child.pid
        for _ in range(3):
            P = child.call("softmax", {"S": S})
            assert P.dtype == np.float64 and P.tobytes() == softmax(S).tobytes()
        assert child.pid == pid and child.restarts == 0


def test_arrays_travel_as_bytes_only_to_a_server_that_said_it_reads_them(servers):
    """The judge's hello says it reads base64 arrays; pyserver's handshake says it does too, so both sides write them.
    A server that says nothing gets lists of numbers."""
    with pyserved(servers) as child:
        assert child.info.encodings == ("base64",)
        assert child.call("softmax", {"S": S}).tobytes() == softmax(S).tobytes()
    with hostile(servers) as child:
        assert child.info.encodings == ()
        sent = json.loads(child.call("raw", {"x": np.array([1.5, -0.0])}))
        assert sent == {"x": {"$array": {"dtype": "float64", "shape": [2], "data": [1.5, -0.0]}}}


def test_the_handshake_reports_precision_constraints_and_notes(servers):
    with hostile(servers) as child:
        assert child.info.precision == "float64"
        assert child.info.constraints == {"hinge_losses": {"delta": 1.0}}
        assert child.info.notes == ("hand-written",)


def test_a_call_outside_a_declared_constraint_is_declined_without_being_sent(servers):
    with hostile(servers) as child:
        with pytest.raises(Declined, match="fixed at delta=1.0"):
            child.call("hinge_losses", {"S": S, "y": [0, 1, 2, 0], "delta": 2.0})
        assert child.alive and child.call("echo", {"x": 1}) == 1  # nothing was sent: the server is in step


def test_pyserver_drops_a_fixed_argument_and_the_judge_sends_no_other_value(servers, tmp_path):
    script = tmp_path / "fixed.py"
    script.write_text(textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(servers)!r})
        import impl
        from lcspec.protocol.pyserver import serve
        serve({{"hinge_losses": impl.hinge_losses}}, {{"name": "fixed", "constraints": {{"hinge_losses": {{"delta": 1.0}}}}}})
    """))
    with Child([sys.executable, str(script)], env=ENV, timeout=LIMIT, contract=["hinge_losses"]) as child:
        assert child.info.constraints == {"hinge_losses": {"delta": 1.0}}
        for delta in (1, 1.0, np.float64(1.0)):  # one value, however it is typed
            assert child.call("hinge_losses", {"S": S, "y": [0, 1, 2, 0], "delta": delta}).tolist() == [0.0] * 4
        with pytest.raises(Declined):
            child.call("hinge_losses", {"S": S, "y": [0, 1, 2, 0], "delta": True})


def test_declined_values_are_declared_in_the_handshake_and_never_sent(servers, tmp_path):
    script = tmp_path / "declines.py"
    script.write_text(textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(servers)!r})
        import impl
        from lcspec.protocol.pyserver import serve
        serve({{"hinge_losses": lambda S, y, delta: impl.hinge_losses(S, y)}},
              {{"name": "d", "declines": {{"hinge_losses": {{"delta": [0.0]}}}}}})
    """))
    with Child([sys.executable, str(script)], env=ENV, timeout=LIMIT, contract=["hinge_losses"]) as child:
        assert child.info.declines == {"hinge_losses": {"delta": (0.0,)}}
        assert child.call("hinge_losses", {"S": S, "y": [0, 1, 2, 0], "delta": 2.0}).shape == (4,)
        with pytest.raises(Declined, match="declines delta=0"):
            child.call("hinge_losses", {"S": S, "y": [0, 1, 2, 0], "delta": 0})


@pytest.mark.parametrize("precision, refused", [({"softmax": "float32"}, False), ({"svm_loss": "float32"}, True),
                                                  ({"softmax": "float16"}, True), ("float16", True)])
def test_a_precision_is_declared_for_all_or_per_function_it_provides(servers, tmp_path, precision, refused):
    script = tmp_path / "precision.py"
    script.write_text(textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(servers)!r})
        import impl
        from lcspec.protocol.pyserver import serve
        serve({{"softmax": impl.softmax}}, {{"name": "p", "precision": {precision!r}}})
    """))
    child = Child([sys.executable, str(script)], env=ENV, timeout=LIMIT, contract=["softmax", "svm_loss"])
    if refused:  # a function it does not provide, or a dtype the protocol does not know
        with pytest.raises(ProtocolError, match="precision"):
            child.start()
        return
    with child:
        assert child.info.precision == precision


def test_an_implementation_that_fails_to_load_refuses_the_handshake_with_its_exception(servers):
    command = [sys.executable, "-m", "lcspec.protocol.pyserver", str(servers / "broken_impl.py"), "--all-callables"]
    with pytest.raises(StartError, match="SystemExit: cannot load"):
        Child(command, env=ENV, timeout=LIMIT).start()


def test_a_command_that_does_not_exist_is_a_start_error():
    with pytest.raises(StartError, match="cannot start"):
        Child("/nonexistent/server --flag").start()


# --- supervision: errors the server answers -------------------------------------------------------


def test_a_builtin_error_is_raised_as_that_builtin_with_the_servers_message(servers):
    with pyserved(servers) as child:
        with pytest.raises(ZeroDivisionError, match="division by zero") as raised:
            child.call("divide", {"S": S})
        assert isinstance(raised.value, ChildError)
        with pytest.raises(AttributeError, match="'str' object has no attribute 'max'"):
            child.call("softmax", {"S": "abc"})  # a bad input the implementation does not check
        assert child.restarts == 0 and child.alive  # an answered error is not a failure of the server


@pytest.mark.parametrize("function, message", [
    ("system_exit", "system_exit raised SystemExit: 0"),
    ("keyboard_interrupt", "keyboard_interrupt raised KeyboardInterrupt"),
    ("library_error", "library_error raised LibraryError: no such thing"),
])
def test_an_error_that_is_no_builtin_exception_is_a_remote_error_and_the_server_carries_on(servers, function, message):
    with pyserved(servers) as child:
        pid = child.pid
        with pytest.raises(RemoteError) as raised:
            child.call(function, {"S": S})
        assert str(raised.value) == message
        assert child.call("softmax", {"S": S}).shape == S.shape and child.pid == pid


def test_an_unsupported_answer_raises_unsupported_a_failure_not_a_declined_input(servers):
    with hostile(servers) as child:
        with pytest.raises(Refused, match="cannot express"):
            child.call("error", {"error": {"type": "Unsupported", "message": "cannot express delta=0"}})


def test_a_result_the_wire_cannot_carry_arrives_opaque_naming_its_type(servers):
    with pyserved(servers) as child:
        result = child.call("tensor", {"S": S})
        assert isinstance(result, wire.Opaque) and result.type == "impl.tensor.<locals>.Tensor"
        assert result.repr == "tensor([1.])"


def test_the_implementation_reads_dev_null_not_the_judges_requests(servers):
    with pyserved(servers) as child:
        assert child.call("read_stdin", {"S": S}) == ""
        assert child.call("softmax", {"S": S}).shape == S.shape


# --- supervision: call-backs ----------------------------------------------------------------------


def test_a_numerical_gradient_calls_back_into_the_judge_for_each_evaluation(servers):
    seen = []

    def f(w):
        seen.append(w)
        return float((w ** 2).sum())

    with pyserved(servers) as child:
        x = np.array([[3.0, -1.0], [0.5, 2.0]])
        grad = child.call("numerical_gradient", {"f": f, "x": x, "h": 1e-5, "centered": True})
        assert np.allclose(grad, 2 * x, atol=1e-6)
        assert len(seen) == 2 * x.size and all(isinstance(w, np.ndarray) and w.shape == x.shape for w in seen)


def test_an_exception_in_a_call_back_goes_to_the_server_and_comes_back_as_the_calls_error(servers):
    def f(w):
        raise ValueError("f refuses")

    with pyserved(servers) as child:
        with pytest.raises(ValueError, match="f refuses"):
            child.call("numerical_gradient", {"f": f, "x": np.ones(2), "h": 1e-5, "centered": True})
        assert child.restarts == 0


def test_time_spent_in_the_judges_call_back_does_not_count_against_the_implementation(servers):
    def slow(w):
        time.sleep(0.2)
        return 0.0

    with pyserved(servers) as child:  # 4 call-backs of 0.2 s > the 0.5 s limit
        grad = child.call("numerical_gradient", {"f": slow, "x": np.ones(2), "h": 1e-5, "centered": True})
        assert grad.tolist() == [0.0, 0.0]


def test_a_call_back_to_a_handle_never_given_is_a_protocol_error(servers):
    with hostile(servers) as child:
        with pytest.raises(ProtocolError, match="handle"):
            child.call("bad_callback", {})
        recovers(child, restarts=1)


# --- calls sent ahead (spec/protocol.md §1) -------------------------------------------------------


def test_announced_calls_go_ahead_in_one_write_and_each_answers_as_if_called_alone(servers):
    points = [S + k for k in range(5)]
    with pyserved(servers) as child:
        assert child.info.pipelining  # pyserver says it reads its requests as they come
        child.announce("softmax", [{"S": P} for P in points])
        results = [child.call("softmax", {"S": points[0]})]
        assert len(child._in_flight) == 4  # the other four went with the first, before its answer was read
        results += [child.call("softmax", {"S": P}) for P in points[1:]]
        assert [r.tobytes() for r in results] == [softmax(P).tobytes() for P in points]
        assert child.sent_ahead == 4 and child.restarts == 0


def test_a_call_other_than_the_next_announced_drops_the_answers_owed_and_gets_its_own(servers):
    with pyserved(servers) as child:
        child.announce("softmax", [{"S": S}, {"S": S + 1}, {"S": S + 2}])
        child.call("softmax", {"S": S})
        other = S.copy()
        other[0, 0] = np.nextafter(other[0, 0], 2.0)  # one ulp away from what was sent: not that call
        assert child.call("softmax", {"S": other}).tobytes() == softmax(other).tobytes()
        assert child.sent_ahead == 0 and not child._in_flight and child.restarts == 0
        assert child.call("softmax", {"S": S + 2}).tobytes() == softmax(S + 2).tobytes()  # no longer announced


def test_a_negative_zero_is_not_the_zero_sent_ahead(servers):
    with hostile(servers, env={"PIPELINING": "1"}) as child:
        child.announce("echo", [{"x": 0.0}, {"x": 0.0}])
        assert bits(child.call("echo", {"x": 0.0})) == bits(0.0)
        assert bits(child.call("echo", {"x": -0.0})) == bits(-0.0)
        assert child.sent_ahead == 0


def test_nothing_goes_ahead_to_a_server_that_did_not_say_it_reads_requests_as_they_come(servers):
    with hostile(servers) as child:
        assert not child.info.pipelining
        child.announce("echo", [{"x": [1.0]}, {"x": [2.0]}])
        assert child.call("echo", {"x": [1.0]}) == [1.0] and not child._in_flight
        assert child.call("echo", {"x": [2.0]}) == [2.0] and child.sent_ahead == 0


def test_a_call_sent_ahead_has_its_own_time_limit_from_when_the_judge_makes_it(servers):
    """The hang is the sleeping call's, not the call it was sent with; the call after it gets a fresh server."""
    with hostile(servers, env={"PIPELINING": "1"}) as child:
        child.announce("echo", [{"x": [1.0]}])
        child.announce("sleep", [])  # a later announce replaces the earlier one
        calls = [("echo", {"x": [1.0]}), ("sleep", {}), ("echo", {"x": [2.0]})]
        child._announced.extend(calls)  # two functions in one queue, as a law's calls may be
        assert child.call(*calls[0]) == [1.0]
        time.sleep(LIMIT)  # the server sleeps meanwhile: the judge's own time
        start = time.monotonic()
        with pytest.raises(CallTimeout, match="^sleep did not return within 0.5 s$"):
            child.call(*calls[1])
        assert LIMIT <= time.monotonic() - start < LIMIT + 1.0
        assert child.call(*calls[2]) == [2.0] and child.restarts == 1


def test_a_server_that_breaks_the_protocol_on_a_call_sent_ahead_and_not_made_is_restarted_for_the_next(servers):
    with hostile(servers, env={"PIPELINING": "1"}) as child:
        child.announce("echo", [{"x": [1.0]}])
        child._announced.append(("wrong_id", {}))
        assert child.call("echo", {"x": [1.0]}) == [1.0]
        assert child.call("echo", {"x": [3.0]}) == [3.0]  # not the call sent ahead: its wrong answer is dropped
        assert child.restarts == 1 and "answered id" in "".join(child.log)


def test_a_server_that_answers_calls_sent_ahead_out_of_order_fails_the_call_it_owes(servers):
    """Answers go with ids: a server that answers the second call first has broken the protocol on the first, and the
    second gets a fresh server, never the answer meant for the other."""
    with hostile(servers, env={"PIPELINING": "1"}) as child:
        child.announce("hold", [{}])
        child._announced.append(("echo", {"x": [2.0]}))
        with pytest.raises(ProtocolError, match="answered id"):
            child.call("hold", {})
        assert child.call("echo", {"x": [2.0]}) == [2.0] and child.restarts == 1


# --- supervision: hangs, deaths and protocol violations ------------------------------------------


@pytest.mark.parametrize("function", ["sleep", "sleep_deaf"])
def test_a_hang_is_killed_at_the_time_limit_and_the_next_call_restarts(servers, function):
    with hostile(servers) as child:
        start = time.monotonic()
        with pytest.raises(CallTimeout, match=f"^{function} did not return within 0.5 s$"):
            child.call(function, {})
        assert time.monotonic() - start < LIMIT + 1.0
        recovers(child, restarts=1)


def test_a_per_call_time_limit_overrides_the_default(servers):
    with hostile(servers) as child:
        start = time.monotonic()
        with pytest.raises(CallTimeout, match="within 0.2 s"):
            child.call("sleep", {}, timeout=0.2)
        assert time.monotonic() - start < 0.2 + 1.0


def test_the_judges_own_work_meanwhile_runs_after_the_request_and_does_not_count_against_the_limit(servers):
    """The guard computes the reference while the server computes (lcspec/harness/guard.py): the request is sent
    first, and however long the judge takes, the server's answer is within the limit."""
    with pyserved(servers) as child:
        child.call("softmax", {"S": S})  # started
        seen = []

        def meanwhile():
            seen.append(child._buffer.count(b"\n"))  # nothing read yet: the answer is not taken before this runs
            time.sleep(0.6)  # twice the call's limit

        P = child.call("softmax", {"S": S}, timeout=0.3, meanwhile=meanwhile)
        assert seen == [0] and P.tobytes() == softmax(S).tobytes() and child.restarts == 0


def test_killing_a_hung_server_kills_its_children_too(servers):
    with hostile(servers) as child:
        with pytest.raises(CallTimeout):
            child.call("grandchild", {})
        pid = int(child.stderr.split("grandchild ")[1].split()[0])
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _running(pid):
            time.sleep(0.01)
        assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie awaiting its reaper is dead
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("function, message", [
    ("exit0", r"process exited with status 0 during the call to exit0"),
    ("segfault", r"process was killed by SIGSEGV during the call to segfault"),
])
def test_a_server_that_dies_during_a_call_fails_it_with_its_status_and_restarts(servers, function, message):
    with hostile(servers) as child:
        with pytest.raises(ChildDied, match=message) as died:
            child.call(function, {})
        assert "\n" not in str(died.value)
        recovers(child, restarts=1)


@pytest.mark.parametrize("function, message", [
    ("garbage", "not a line of JSON"),
    ("wrong_id", "answered id 2 to the call with id 1"),
    ("unknown_tag", "unknown tag '\\$quaternion'"),
    ("two_fields", "exactly one of result and error"),
    ("long_line", "longer than 65536 bytes"),
    ("no_newline", "longer than 65536 bytes"),
    ("close_stdout", "closed its standard output"),
])
def test_a_protocol_violation_fails_the_call_kills_the_server_and_restarts(servers, function, message):
    with hostile(servers, line_cap=1 << 16) as child:
        with pytest.raises(ProtocolError, match=message) as violation:
            child.call(function, {})
        assert str(violation.value).startswith(f"protocol error during the call to {function}:")
        recovers(child, restarts=1)


def test_restarts_are_counted_and_logged(servers):
    with hostile(servers) as child:
        for function in ("exit0", "garbage"):
            with pytest.raises(ChildError):
                child.call(function, {})
            child.call("echo", {"x": 0})
        assert child.restarts == 2 and child.starts == 3
        log = "\n".join(child.log)
        assert "exited during the call to exit0" in log and "not a line of JSON" in log
        assert sum("started pid" in line for line in child.log) == 3


# --- supervision: what the implementation does to its own streams and threads ----------------------


def test_megabytes_printed_by_the_implementation_reach_stderr_capped_and_the_call_still_answers(servers):
    with pyserved(servers, stderr_cap=4096) as child:
        P = child.call("chatty", {"S": S})
        assert P.tobytes() == softmax(S).tobytes()
        deadline = time.monotonic() + 2  # the reader thread may be a moment behind
        while child.stderr_bytes < 8_000_000 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.stderr_bytes >= 8_000_000
        assert len(child.stderr) <= 4096 and child.stderr.endswith("last words\n")


def test_an_implementation_closing_its_stdout_does_not_close_the_protocol(servers):
    with pyserved(servers) as child:
        assert child.call("close_stdout", {"S": S}).shape == S.shape
        assert child.call("softmax", {"S": S}).shape == S.shape and child.restarts == 0


def test_a_never_ending_non_daemon_thread_does_not_hold_the_judge_at_close(servers):
    child = pyserved(servers)
    child.call("forever_thread", {"S": S})
    pid = child.pid
    start = time.monotonic()
    child.close()
    assert time.monotonic() - start < 0.4  # pyserver exits at bye: no grace period used
    assert not child.alive and not _running(pid)


def test_a_server_ignoring_bye_is_killed_after_the_grace_period(servers):
    child = hostile(servers, env={"LINGER": "1"})
    child.start()
    pid = child.pid
    start = time.monotonic()
    child.close()
    assert time.monotonic() - start < 1.5 and not _running(pid)
    assert "still running" in child.log[-1]


def test_the_memory_limit_turns_a_huge_allocation_into_a_memory_error(servers):
    with pyserved(servers, memory_limit=512 << 20) as child:
        with pytest.raises(MemoryError):
            child.call("allocate", {"n": 2 ** 27})  # 1 GiB
        assert child.call("allocate", {"n": 10}) == 10.0


NODE_SERVER = r"""
const readline = require("readline");
const rl = readline.createInterface({input: process.stdin});
// JSON.stringify writes -0 as 0: mark it, then write it as -0.0 (spec/protocol.md, "Numbers").
const NEG0 = "__negative_zero__";
const send = (m) => process.stdout.write(
  JSON.stringify(m, (k, v) => (Object.is(v, -0) ? NEG0 : v)).replaceAll(`"${NEG0}"`, "-0.0") + "\n");
const NEGATED = {"inf": "-inf", "-inf": "inf", "nan": "nan"};
let hello = true;
rl.on("line", (line) => {
  const m = JSON.parse(line);
  if (hello) {
    hello = false;
    send({protocol: 1, implementation: {name: "negate", version: "0", language: "JavaScript " + process.version},
          provides: m.contract.filter((n) => n === "negate")});
  } else if (m.op === "bye") {
    process.exit(0);
  } else {
    const a = m.args.x.$array;
    const data = a.data.map((v) => (typeof v === "string" ? NEGATED[v] : -v));
    send({id: m.id, result: {$array: {dtype: a.dtype, shape: a.shape, data: data}}});
  }
});
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_a_node_server_starts_under_the_default_memory_limit_and_keeps_every_bit(tmp_path):
    (tmp_path / "server.js").write_text(NODE_SERVER)
    x = np.array([[1.5, -0.0, 0.0, 5e-324], [1.7976931348623157e308, np.inf, -np.inf, 0.1]])
    with Child(["node", str(tmp_path / "server.js")], timeout=5, contract=["negate"]) as child:
        assert child.info.provides == ("negate",) and child.info.language.startswith("JavaScript")
        assert child.memory_limit == DEFAULT_MEMORY_LIMIT
        assert child.call("negate", {"x": x}).tobytes() == (-x).tobytes()


def test_the_per_call_overhead_of_pyserver_is_well_under_the_time_limit(servers):
    with pyserved(servers) as child:
        child.call("softmax", {"S": S})
        start = time.perf_counter()
        for _ in range(50):
            child.call("softmax", {"S": S})
        assert (time.perf_counter() - start) / 50 < 0.05


def test_a_bare_negative_zero_from_a_writer_that_drops_the_fraction_is_the_float_negative_zero():
    value = wire.decode(wire.loads(b'{"v": {"$array": {"dtype": "float64", "shape": [2], "data": [-0, 0]}}}')["v"])
    assert np.signbit(value).tolist() == [True, False]
    assert bits(wire.decode(wire.loads(b'{"v": -0}')["v"])) == bits(-0.0)
