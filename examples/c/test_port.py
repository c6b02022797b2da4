"""The C port (examples/c/lcspec_c) against the reference, spoken to over lcspec-protocol/1.

Run from the repository root:

    python -m pytest examples/c/test_port.py -q -p no:cacheprovider

The module builds the port with `make -C examples/c` (skipped when gcc or make is missing), starts it
as a child process and talks to it through `Client`, a small protocol client written for this test
only (the judge's client lives in lcspec). Each test sends the same arguments to the port and to
`reference` and compares what comes back: values within CONV-10's tolerance (`reference.tolerances`),
exact where the contract or the arithmetic is exact, the same kind of result (a float64 array, an
int64 array, a float, a (loss, dW) tuple), and for bad input the same error class with a message
that names the argument.
"""

from __future__ import annotations

import json
import math
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lcspec import reference
from lcspec.reference.tolerances import atol

HERE = Path(__file__).resolve().parent
BINARY = HERE / "lcspec_c"
REPLY_TIMEOUT = 30.0  # seconds: a reply slower than this means the port hung
REQUIRED = (
    "scores", "softmax", "log_softmax", "cross_entropy_losses", "cross_entropy_grad", "hinge_losses",
    "hinge_grad", "svm_loss", "softmax_loss", "l2_penalty", "sgd_step", "predict", "accuracy",
    "numerical_gradient",
)


# ---------------------------------------------------------------- the protocol's values

def encode(value, functions):
    """A Python value as the protocol writes it; callables are registered in `functions`."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype.kind == "f":
            data = [float(x) if math.isfinite(x) else str(float(x)) for x in arr.ravel().tolist()]
        elif arr.dtype.kind == "c":
            data = [[z.real, z.imag] for z in arr.ravel().tolist()]
        elif arr.dtype.kind == "O":
            data = [encode(x, functions) for x in arr.ravel().tolist()]
        else:
            data = arr.ravel().tolist()
        dtype = "str" if arr.dtype.kind == "U" else "object" if arr.dtype.kind == "O" else str(arr.dtype)
        return {"$array": {"dtype": dtype, "shape": list(arr.shape), "data": data}}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": str(value)}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, list):
        return [encode(x, functions) for x in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(x, functions) for x in value]}
    if callable(value):
        functions.append(value)
        return {"$function": len(functions) - 1}
    raise AssertionError(f"the test client cannot encode {type(value).__name__}")


def _entry(x):
    return float(x) if isinstance(x, str) else x


def decode(value):
    """A protocol value as a Python one (numpy arrays, tuples, floats)."""
    if isinstance(value, list):
        return [decode(x) for x in value]
    if not isinstance(value, dict):
        return value
    (tag, body), = value.items()
    if tag == "$array":
        data = [_entry(x) for x in body["data"]]
        return np.array(data, dtype=body["dtype"]).reshape(body["shape"])
    if tag == "$tuple":
        return tuple(decode(x) for x in body)
    if tag == "$float":
        return float(body)
    raise AssertionError(f"the port sent an unknown tag {tag}")


class PortError(Exception):
    """An error the port answered a call with."""

    def __init__(self, type_, message):
        super().__init__(f"{type_}: {message}")
        self.type, self.message = type_, message


class Client:
    """lcspec-protocol/1 from the judge's side, for one child process."""

    def __init__(self, contract=reference.CONTRACT, protocol=1):
        self.proc = subprocess.Popen(
            [str(BINARY)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", bufsize=1,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.next_id = 0
        self.callbacks = []  # (handle, decoded args) of every call-back, in order
        self.send({"op": "hello", "protocol": protocol, "spec": "test", "contract": list(contract)})
        self.handshake = self.receive()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, message):
        self.proc.stdin.write(json.dumps(message, allow_nan=False) + "\n")
        self.proc.stdin.flush()

    def receive(self):
        line = self.lines.get(timeout=REPLY_TIMEOUT)
        assert line is not None, f"the port closed stdout (exit status {self.proc.wait()})"
        assert line.endswith("\n"), "every message ends with a newline"
        return json.loads(line)  # a line that is not JSON fails here: stdout is protocol only

    def call(self, function, **args):
        self.next_id += 1
        functions = []
        line = json.dumps({"op": "call", "id": self.next_id, "function": function,
                           "args": {k: encode(v, functions) for k, v in args.items()}}, allow_nan=False)
        start = time.perf_counter()
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        try:
            return self._reply(functions)
        finally:
            self.elapsed = time.perf_counter() - start  # the port's time, the test's encoding left out

    def _reply(self, functions):
        while True:
            message = self.receive()
            if "callback" in message:
                self.callbacks.append((message["callback"], [decode(a) for a in message["args"]]))
                try:
                    reply = {"result": encode(functions[message["callback"]](*self.callbacks[-1][1]), [])}
                except Exception as exc:  # f's own error goes back to the port, which answers with it
                    reply = {"error": {"type": type(exc).__name__, "message": str(exc)}}
                self.send(reply)
                continue
            assert message.get("id") == self.next_id, f"a reply to call {self.next_id} carries id {message.get('id')}"
            if "error" in message:
                raise PortError(message["error"]["type"], message["error"]["message"])
            return decode(message["result"])

    def close(self):
        if self.proc.poll() is None:
            self.send({"op": "bye"})
        status = self.proc.wait(timeout=REPLY_TIMEOUT)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return status


@pytest.fixture(scope="module")
def built():
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build examples/c/lcspec_c; install them to test the C port")
    build = subprocess.run(["make", "-C", str(HERE)], capture_output=True, text=True)
    assert build.returncode == 0, f"make -C examples/c failed:\n{build.stdout}\n{build.stderr}"
    return BINARY


@pytest.fixture(scope="module")
def port(built):
    client = Client(contract=(*reference.CONTRACT, "not_in_the_contract"))
    yield client
    assert client.close() == 0, "the port exits with status 0 after bye"


# ---------------------------------------------------------------- the session

def test_handshake_names_the_c_port_and_provides_the_required_functions(port):
    shake = port.handshake
    assert shake["protocol"] == 1
    assert shake["implementation"]["name"] == "lcspec-c-port"
    assert shake["implementation"]["language"] == "c"
    assert isinstance(shake["implementation"]["version"], str) and shake["implementation"]["version"]
    assert shake["precision"] == "float64"
    assert set(REQUIRED) <= set(shake["provides"]) <= set(reference.CONTRACT)  # a subset of what was asked


def test_an_unknown_function_is_an_error_and_the_session_goes_on(port):
    with pytest.raises(PortError) as info:
        port.call("not_in_the_contract", S=[[1.0, 2.0]])
    assert info.value.type == "ProtocolError" and "not_in_the_contract" in info.value.message
    assert port.call("predict", S=np.array([[0.0, 1.0]])).tolist() == [1]


def test_a_hello_of_another_protocol_is_refused_and_the_port_exits(built):
    client = Client(protocol=2)
    assert client.handshake["error"]["type"] == "ProtocolError"
    assert client.proc.wait(timeout=REPLY_TIMEOUT) != 0


def test_closing_stdin_ends_the_session_with_status_0(built):
    client = Client()
    assert client.handshake["protocol"] == 1
    client.proc.stdin.close()
    assert client.proc.wait(timeout=REPLY_TIMEOUT) == 0
    client.proc.stdout.close()
    client.proc.stderr.close()


# ---------------------------------------------------------------- agreement with the reference

RNG = np.random.default_rng(231)
S_SMALL = RNG.standard_normal((5, 4))
Y_SMALL = RNG.integers(0, 4, 5)
S_1E4 = np.array([[1e4, -1e4, 3.5e3, 0.0], [-1e4, -1e4 + 1.0, -9999.5, -1e4]])  # the notes' magnitudes
S_1E300 = np.array([[1e300, -1e300, 0.0], [-1e300, 5e299, 5e299], [1e300, 1e300, 1e300]])
S_TIES = np.array([[0.2, 0.7, 0.7], [1.0, 1.0, 1.0], [3.0, -1.0, 0.0]])
S_KINK = np.array([[1.0, 0.0, -5.0], [2.0, 2.5, 1.5]])  # margins of exactly 0: met, no gradient
W_SMALL = RNG.standard_normal((3, 6))
X_SMALL = RNG.standard_normal((7, 6))
Y_X = RNG.integers(0, 3, 7)

CASES = [
    ("scores", dict(X=X_SMALL, W=W_SMALL, b=None)),
    ("scores", dict(X=X_SMALL * 1e4, W=W_SMALL, b=np.array([1.0, -2.0, 0.5]))),
    ("scores", dict(X=X_SMALL.astype(np.float32), W=W_SMALL.astype(np.int64), b=None)),  # converted, float64 out
    ("append_ones", dict(X=X_SMALL)),
    ("fold_bias", dict(W=W_SMALL, b=np.array([1.0, -2.0, 0.5]))),
    *[(f, dict(S=S)) for f in ("softmax", "log_softmax", "predict") for S in (S_SMALL, S_1E4, S_1E300, S_TIES)],
    ("softmax", dict(S=S_SMALL.astype(np.float32))),
    ("log_softmax", dict(S=np.array([[0.0, -1000.0], [1000.0, 1.0]]))),
    *[(f, dict(S=S, y=y)) for f in ("cross_entropy_losses", "cross_entropy_grad", "accuracy")
      for S, y in ((S_SMALL, Y_SMALL), (S_1E4, np.array([1, 2])), (S_1E300, np.array([1, 0, 2])),
                   (S_TIES, np.array([1, 0, 0])))],
    *[(f, dict(S=S, y=y, delta=delta)) for f in ("hinge_losses", "hinge_grad", "squared_hinge_losses",
                                                  "crammer_singer_losses")
      for S, y, delta in ((S_SMALL, Y_SMALL, 1.0), (S_1E4, np.array([1, 2]), 1.0), (S_1E300, np.array([1, 0, 2]), 0.0),
                          (S_KINK, np.array([0, 1]), 1.0), (S_KINK, np.array([0, 1]), 0.5))],
    ("hinge_losses", dict(S=np.array([[1.7e308, -1.7e308]]), y=np.array([1]), delta=1.0)),  # inf, as the reference
    ("hinge_losses", dict(S=np.zeros((0, 3)), y=np.zeros(0, dtype=np.int64), delta=1.0)),  # an empty batch is fine
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL, y=Y_X, reg=0.1, delta=1.0)),
    ("svm_loss", dict(W=W_SMALL * 1e2, X=X_SMALL * 1e2, y=Y_X, reg=0.0, delta=5.0)),
    ("softmax_loss", dict(W=W_SMALL, X=X_SMALL, y=Y_X, reg=0.1)),
    ("softmax_loss", dict(W=W_SMALL * 1e2, X=X_SMALL * 1e2, y=Y_X, reg=1e-3)),  # scores in the thousands
    ("softmax_loss", dict(W=np.array([[1e200, 0.0], [0.0, 0.0]]), X=np.array([[0.0, 1.0]]), y=np.array([0]),
                          reg=1e-300)),  # reg * sum(W**2) is finite though sum(W**2) is not
    ("l2_penalty", dict(W=W_SMALL)),
    ("l2_penalty", dict(W=np.array([[1e150, -1e150], [3.0, 0.0]]))),
    ("sgd_step", dict(W=W_SMALL, dW=X_SMALL[:3], learning_rate=0.01)),
    ("sgd_step", dict(W=np.array(2.5), dW=np.array(-1.0), learning_rate=0.5)),  # any shape, 0-d included
    ("relative_error", dict(a=W_SMALL, b=W_SMALL + 1e-9)),
    ("relative_error", dict(a=np.zeros(3), b=np.zeros(3))),
]


def _magnitude(*values):
    arrays = [np.abs(np.asarray(v, dtype=np.float64)) for v in values if isinstance(v, (np.ndarray, float))]
    finite = [a[np.isfinite(a)] for a in arrays]
    return max((float(a.max()) for a in finite if a.size), default=0.0)


def assert_agrees(function, got, want, args):
    """`got` is the reference's `want`: same kind, shape and dtype, values within CONV-10."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), f"{function} returns a {len(want)}-tuple"
        for g, w in zip(got, want):
            assert_agrees(function, g, w, args)
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{function} returns an array, got {type(got).__name__}"
        assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
    else:
        assert type(got) is type(want) is float, f"{function} returns a float, got {type(got).__name__}"
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert np.array_equal(np.isfinite(got), np.isfinite(want)), f"{function}: non-finite entries differ"
    assert np.array_equal(got[~np.isfinite(got)], want[~np.isfinite(want)]), f"{function}: infinities differ"
    scale = max([_magnitude(want), *(_magnitude(v) for v in args.values())])
    if function in ("softmax", "log_softmax", "cross_entropy_losses", "cross_entropy_grad"):
        scale = _magnitude(want)  # the max-shift makes these accurate relative to the result, not the scores
    terms = max((np.asarray(v).size for v in args.values() if isinstance(v, np.ndarray)), default=1)
    finite = np.isfinite(want)
    error = np.abs(got[finite] - want[finite])
    assert error.max(initial=0.0) <= atol(scale, terms), f"{function}: off by {error.max()} (scale {scale})"


@pytest.mark.parametrize("function, args", CASES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(CASES)])
def test_each_function_agrees_with_the_reference(port, function, args):
    want = getattr(reference, function)(**args)
    got = port.call(function, **args)
    assert_agrees(function, got, want, args)


EXACT = [  # results that are exact by construction: bit for bit the reference's
    ("hinge_losses", dict(S=S_KINK, y=np.array([0, 1]), delta=1.0)),
    ("hinge_grad", dict(S=S_KINK, y=np.array([0, 1]), delta=1.0)),
    ("hinge_grad", dict(S=S_1E300, y=np.array([1, 0, 2]), delta=0.0)),
    ("predict", dict(S=S_TIES)),
    ("accuracy", dict(S=S_TIES, y=np.array([1, 0, 0]))),
    ("sgd_step", dict(W=W_SMALL, dW=X_SMALL[:3], learning_rate=0.01)),
    ("cross_entropy_grad", dict(S=np.zeros((2, 4)), y=np.array([3, 0]))),
]


@pytest.mark.parametrize("function, args", EXACT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(EXACT)])
def test_exact_results_are_bit_identical_to_the_reference(port, function, args):
    want = np.atleast_1d(getattr(reference, function)(**args))
    got = np.atleast_1d(port.call(function, **args))
    assert got.dtype == want.dtype and np.array_equal(got.view(np.uint8), want.view(np.uint8)), (got, want)


def test_kinks_are_met_margins_in_loss_and_gradient(port):
    S, y = np.array([[1.0, 0.0, -5.0]]), np.array([0])  # class 1's margin 0 - 1 + 1 is exactly 0
    assert port.call("hinge_losses", S=S, y=y, delta=1.0).tolist() == [0.0]
    assert port.call("hinge_grad", S=S, y=y, delta=1.0).tolist() == [[0.0, 0.0, 0.0]]


def test_predict_breaks_ties_toward_the_lowest_index_and_returns_int64(port):
    got = port.call("predict", S=S_TIES)
    assert got.dtype == np.int64 and got.tolist() == [1, 0, 0]


def test_softmax_is_finite_and_exact_at_1e300(port):
    got = port.call("softmax", S=np.array([[1e300, -1e300, 0.0], [1e300, 1e300, -1.0]]))
    assert got.tolist() == [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]
    assert port.call("log_softmax", S=np.array([[1e300, -1e300]])).tolist() == [[0.0, -2e300]]


EXTREMES = np.array([[-0.0, 5e-324, 1.7976931348623157e308], [-1.7976931348623157e308, 2.2250738585072014e-308, 0.1],
                     [1 / 3, -2.5e-320, 123456789.12345679]])


def test_floats_round_trip_exactly_both_ways(port):
    echoed = port.call("append_ones", X=EXTREMES)[:, :-1]  # a copy: every bit must come back
    assert np.array_equal(echoed.view(np.int64), EXTREMES.view(np.int64))
    assert math.copysign(1.0, echoed[0, 0]) == -1.0  # -0.0 stays negative
    stepped = port.call("sgd_step", W=EXTREMES, dW=np.ones_like(EXTREMES), learning_rate=0.0)
    assert np.array_equal(stepped.view(np.int64), EXTREMES.view(np.int64))


def test_scalars_come_back_as_floats_even_when_integral(port):
    assert port.call("l2_penalty", W=np.array([[1.0, 0.0], [0.0, 0.0]])) == 1.0
    assert type(port.call("l2_penalty", W=np.array([[1, 0], [0, 0]]))) is float  # 1.0, not the integer 1
    assert type(port.call("accuracy", S=S_TIES, y=np.array([1, 0, 0]))) is float


def test_lists_and_integer_arrays_are_taken_as_numpy_would(port):
    assert_agrees("scores", port.call("scores", X=[[1, 2]], W=[[1.0, 0.0], [0.0, 1.0]], b=[0.5, -0.5]),
                  reference.scores([[1, 2]], [[1.0, 0.0], [0.0, 1.0]], [0.5, -0.5]), {})
    assert port.call("hinge_losses", S=[[13, -7, 11]], y=[0], delta=10.0).tolist() == [8.0]


# ---------------------------------------------------------------- bad input

OBJECTS = np.array([[1.0, None]], dtype=object)
BAD = [  # (function, args, the argument the message must name)
    ("softmax", dict(S=np.zeros((2, 2, 2))), "S"),
    ("softmax", dict(S=np.zeros(3)), "S"),
    ("softmax", dict(S=np.zeros((2, 1))), "S"),
    ("softmax", dict(S=np.array([[1.0, np.nan]])), "S"),
    ("log_softmax", dict(S=np.array([[np.inf, 0.0]])), "S"),
    ("softmax", dict(S=np.array([[True, False]])), "S"),
    ("softmax", dict(S=np.array([[1 + 2j, 0j]])), "S"),
    ("softmax", dict(S=np.array([["a", "b"]])), "S"),
    ("softmax", dict(S=OBJECTS), "S"),
    ("predict", dict(S=[[1.0, 2.0], [3.0]]), "S"),  # ragged lists
    ("predict", dict(S="scores"), "S"),
    ("hinge_losses", dict(S=S_SMALL, y=Y_SMALL.astype(np.float64), delta=1.0), "y"),
    ("hinge_losses", dict(S=S_SMALL, y=Y_SMALL.astype(bool), delta=1.0), "y"),
    ("hinge_losses", dict(S=S_SMALL, y=Y_SMALL[:, None], delta=1.0), "y"),
    ("hinge_losses", dict(S=S_SMALL, y=Y_SMALL[:4], delta=1.0), "y"),
    ("hinge_losses", dict(S=S_SMALL, y=np.array([0, 1, 4, 0, 0]), delta=1.0), "y"),
    ("hinge_losses", dict(S=S_SMALL, y=np.array([0, -1, 2, 0, 0]), delta=1.0), "y"),
    ("hinge_losses", dict(S=S_SMALL, y=Y_SMALL, delta=-1.0), "delta"),
    ("hinge_losses", dict(S=S_SMALL, y=Y_SMALL, delta=float("nan")), "delta"),
    ("hinge_grad", dict(S=S_SMALL, y=Y_SMALL, delta="1.0"), "delta"),
    ("hinge_grad", dict(S=S_SMALL, y=Y_SMALL, delta=True), "delta"),
    ("hinge_grad", dict(S=np.zeros((0, 3)), y=np.zeros(0, dtype=np.int64), delta=1.0), "S"),
    ("cross_entropy_grad", dict(S=np.zeros((0, 3)), y=np.zeros(0, dtype=np.int64)), "S"),
    ("accuracy", dict(S=S_SMALL, y=[0, 1, [2], 3, 0]), "y"),
    ("cross_entropy_losses", dict(S=S_SMALL, y=None), "y"),
    ("scores", dict(X=X_SMALL, W=W_SMALL[:, :5], b=None), "X"),
    ("scores", dict(X=X_SMALL, W=W_SMALL[:1], b=None), "W"),
    ("scores", dict(X=X_SMALL, W=W_SMALL, b=np.zeros(4)), "b"),
    ("scores", dict(X=X_SMALL, W=W_SMALL, b=np.zeros((3, 1))), "b"),
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL, y=Y_X, reg=-0.1, delta=1.0), "reg"),
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL, y=Y_X, reg=[0.1], delta=1.0), "reg"),
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL[:0], y=Y_X[:0], reg=0.1, delta=1.0), "X"),
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL[:, :5], y=Y_X, reg=0.1, delta=1.0), "X"),
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL, y=Y_X + 3, reg=0.1, delta=1.0), "y"),
    ("svm_loss", dict(W=W_SMALL, X=X_SMALL, y=Y_X, reg=0.1, delta=-2.0), "delta"),
    ("softmax_loss", dict(W=W_SMALL.astype(np.complex128), X=X_SMALL, y=Y_X, reg=0.1), "W"),
    ("softmax_loss", dict(W=W_SMALL, X=np.where(X_SMALL > 1, np.nan, X_SMALL), y=Y_X, reg=0.1), "X"),
    ("l2_penalty", dict(W=np.zeros(3)), "W"),
    ("sgd_step", dict(W=W_SMALL, dW=W_SMALL.T, learning_rate=0.1), "dW"),
    ("sgd_step", dict(W=W_SMALL, dW=W_SMALL, learning_rate=float("inf")), "learning_rate"),
    ("sgd_step", dict(W=W_SMALL, dW=W_SMALL, learning_rate=np.array([0.1])), "learning_rate"),
    ("numerical_gradient", dict(f=lambda w: 0.0, x=np.zeros(2), h=0.0, centered=True), "h"),
    ("numerical_gradient", dict(f=lambda w: 0.0, x=np.zeros(2), h=1e-5, centered=1), "centered"),
    ("numerical_gradient", dict(f=3.0, x=np.zeros(2), h=1e-5, centered=True), "f"),
    ("numerical_gradient", dict(f=lambda w: 0.0, x=np.array([np.inf]), h=1e-5, centered=True), "x"),
]


@pytest.mark.parametrize("function, args, name", BAD, ids=[f"{f}-{n}-{i}" for i, (f, _, n) in enumerate(BAD)])
def test_bad_input_is_refused_with_the_reference_error_class_naming_the_argument(port, function, args, name):
    with pytest.raises((ValueError, TypeError)) as expected:
        getattr(reference, function)(**args)
    with pytest.raises(PortError) as got:
        port.call(function, **args)
    assert got.value.type == type(expected.value).__name__, (got.value.message, str(expected.value))
    assert re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", got.value.message), got.value.message


def test_overflowing_scores_are_refused_as_the_reference_does(port):
    args = dict(X=np.array([[1e200, 1e200]]), W=np.array([[1e200, 0.0], [0.0, 1.0]]), b=None)
    with pytest.raises(ValueError):
        reference.scores(**args)
    with pytest.raises(PortError) as got:
        port.call("scores", **args)
    assert got.value.type == "ValueError" and "scores" in got.value.message


# ---------------------------------------------------------------- numerical_gradient's call-backs

def _square_sum(w):
    return float((w ** 2).sum())


@pytest.mark.parametrize("centered", [True, False])
def test_numerical_gradient_calls_back_and_matches_the_reference_bit_for_bit(port, centered):
    x = np.array([[3.0, -1.0, 0.5], [2.0, 1e3, -0.0]])
    before = len(port.callbacks)
    got = port.call("numerical_gradient", f=_square_sum, x=x, h=1e-5, centered=centered)
    calls = port.callbacks[before:]
    want = reference.numerical_gradient(_square_sum, x, h=1e-5, centered=centered)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert np.array_equal(got, want)  # the same points, the same f, the same arithmetic
    assert len(calls) == (2 * x.size if centered else x.size + 1)
    first = calls[0][1][0]
    assert first.dtype == np.float64 and first.shape == x.shape
    if not centered:
        assert np.array_equal(first, x)  # one-sided: f(x) first
    else:
        assert first[0, 0] == 3.0 + 1e-5 and np.array_equal(first.ravel()[1:], x.ravel()[1:])


def test_an_error_raised_by_f_is_the_calls_error(port):
    def broken(w):
        raise ZeroDivisionError("f divided by zero")

    with pytest.raises(PortError) as got:
        port.call("numerical_gradient", f=broken, x=np.zeros(2), h=1e-5, centered=True)
    assert (got.value.type, got.value.message) == ("ZeroDivisionError", "f divided by zero")
    assert port.call("predict", S=np.array([[0.0, 1.0]])).tolist() == [1]  # the session goes on


@pytest.mark.parametrize("value, error", [(float("nan"), "ValueError"), ("1.0", "TypeError"), (True, "TypeError"),
                                          (np.array([1.0, 2.0]), "TypeError")])
def test_what_f_returns_is_checked_as_the_reference_checks_it(port, value, error):
    with pytest.raises((ValueError, TypeError)) as expected:
        reference.numerical_gradient(lambda w: value, np.zeros(1))
    assert type(expected.value).__name__ == error
    with pytest.raises(PortError) as got:
        port.call("numerical_gradient", f=lambda w: value, x=np.zeros(1), h=1e-5, centered=True)
    assert got.value.type == error and re.search(r"\bf\b", got.value.message)


def test_f_may_return_a_one_entry_array(port):
    got = port.call("numerical_gradient", f=lambda w: np.array([[w.sum()]]), x=np.array([1.0, 2.0]), h=0.5,
                    centered=True)
    assert got.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------- a CIFAR-10-sized call

def test_a_cifar10_sized_svm_loss_agrees_and_takes_seconds_at_most(port):
    rng = np.random.default_rng(10)
    args = dict(W=rng.standard_normal((10, 3073)) * 1e-3, X=rng.standard_normal((500, 3073)) * 50.0,
                y=rng.integers(0, 10, 500), reg=2.5e4, delta=1.0)
    got = port.call("svm_loss", **args)
    assert_agrees("svm_loss", got, reference.svm_loss(**args), args)
    # about 0.5 s here, most of it strtod reading 1.5 million numbers (31 MB of JSON); 5 s leaves room
    # for a slow machine and still catches anything quadratic in the size of the message
    assert port.elapsed < 5.0, f"one svm_loss call at CIFAR-10 size took {port.elapsed:.2f} s"
