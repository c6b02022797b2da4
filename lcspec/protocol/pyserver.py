"""The lcspec-protocol/1 server for implementations written in Python.

    python -m lcspec.protocol.pyserver TARGET     # TARGET: a dotted module name or a path to a .py file

serves TARGET's functions over stdin/stdout; `serve(functions, info)` does the same for functions a
hand-written server script already has. Before the implementation is loaded, `isolate` keeps the
protocol's pipes on private file descriptors and points fd 1 (and sys.stdout) at stderr and fd 0 at
/dev/null, so nothing the implementation prints, from Python or from C, can corrupt a message, and it
cannot read the judge's requests. Every call is answered, whatever it raises (SystemExit and
KeyboardInterrupt included). After "bye" the process ends with os._exit(0): an implementation's
non-daemon threads or atexit handlers cannot keep it alive.

Needs only the standard library and numpy.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO, NoReturn

import numpy as np

from . import PROTOCOL, RESULTS_KEPT, Unsupported, wire

USAGE = ("usage: python -m lcspec.protocol.pyserver TARGET [--variant NAME | --all-callables]   (TARGET: what "
         "--impl takes, a dotted module name, a path to a .py file, module:attribute, cs231n:PATH; --all-callables "
         "serves every public callable of a module or file, not only the contract's)")


def isolate() -> tuple[BinaryIO, BinaryIO]:
    """Take the protocol's pipes for the server alone; returns them (requests, responses).

    fd 0 and fd 1 are duplicated onto private descriptors (not inherited by the implementation's own
    child processes), then fd 1 is pointed at fd 2 and fd 0 at /dev/null. sys.stdout becomes a stream
    of its own on the new fd 1 (so an implementation closing sys.stdout closes neither stderr nor the
    protocol), sys.stdin reads /dev/null.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    requests = os.fdopen(os.dup(0), "rb")
    responses = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="backslashreplace")  # noqa: SIM115
    return requests, responses


def load(target: str) -> tuple[dict[str, Callable], dict]:
    """The implementation's functions (its module's public callables) and what the handshake says about it.

    A minimal loader, kept in this one function so the suite's own loader can replace it.
    """
    if target.endswith(".py") or os.sep in target:
        path = Path(target).resolve()
        sys.path.insert(0, str(path.parent))  # its sibling modules import as they would when run as a script
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None:
            raise ImportError(f"cannot load {target}: not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    functions = {name: value for name, value in vars(module).items()
                 if not name.startswith("_") and callable(value) and not isinstance(value, type)}
    info = {"name": module.__name__, "version": str(getattr(module, "__version__", "")),
            "language": f"Python {platform.python_version()}"}
    return functions, info


def _error(exc: BaseException) -> dict:
    """An exception as an error value: a subclass of a builtin error named by that builtin (numpy's AxisError is a
    ValueError, as the contract names its errors), its own class's name kept in the message; anything else
    (SystemExit, a library's own Exception subclass) by its own name."""
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose str fails still has a type
        message = ""
    cls = type(exc)
    builtin = next((c for c in cls.__mro__ if c.__module__ == "builtins" and issubclass(c, Exception)), None)
    if isinstance(exc, Unsupported):  # the protocol's own marker, by class: a library's "Unsupported" is not it
        return {"type": "Unsupported", "message": message}
    if builtin in (None, cls, Exception):  # a class of its own
        name = f"{cls.__module__}.{cls.__qualname__}" if cls.__name__ == "Unsupported" else cls.__name__
        return {"type": name, "message": message}
    return {"type": builtin.__name__, "message": f"{message} ({cls.__name__})"}


def _judge_error(error: Mapping) -> Exception:
    """The exception a call-back raises when the judge's function raised: the builtin of that name if there is one."""
    name, message = str(error.get("type", "Exception")), str(error.get("message", ""))
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except TypeError:
            pass
    return RuntimeError(f"{name}: {message}")


class _Channel:
    """The server's side of the pipes: whole messages out, whole lines in, one exchange at a time."""

    def __init__(self, requests: BinaryIO, responses: BinaryIO):
        self.requests, self.responses = requests, responses
        self.lock = threading.Lock()
        self.calling = False  # call-backs are valid only while their call runs
        self.returned = _Returned()
        self.binary = False  # whether the judge said in its hello that it reads base64 arrays

    def write(self, message: dict) -> None:
        self.responses.write(wire.dumps(message))
        self.responses.flush()

    def read(self) -> dict | None:
        line = self.requests.readline()
        return wire.loads(line) if line else None

    def callback(self, handle: int) -> Callable:
        def judge_function(*args, **kwargs):
            if kwargs:
                raise TypeError("the judge's functions take positional arguments only")
            with self.lock:
                if not self.calling:
                    raise RuntimeError("a judge's function called after its call returned")
                self.write({"callback": handle, "args": [wire.encode(a, binary=self.binary) for a in args]})
                reply = self.read()
            if reply is None:  # the judge has gone: nothing left to serve
                os._exit(0)
            if set(reply) == {"result"}:
                return wire.decode(reply["result"])
            if set(reply) == {"error"} and isinstance(reply["error"], dict):
                raise _judge_error(reply["error"])
            raise wire.WireError(f"a call-back's reply needs exactly one of result and error: {str(reply)[:80]}")

        judge_function.__name__ = judge_function.__qualname__ = f"judge_function_{handle}"
        return judge_function


def _array_parts(result) -> dict[str, np.ndarray]:
    """The arrays a result is made of, by part: "" for an array, "0", "1", ... for a tuple's (a loss's dW)."""
    if isinstance(result, np.ndarray):
        return {"": result}
    if isinstance(result, (tuple, list)):
        return {str(i): part for i, part in enumerate(result) if isinstance(part, np.ndarray)}
    return {}


_TOO_HARD = getattr(np, "exceptions", np).TooHardError  # numpy < 1.25 has it at the top


def _shares(part: np.ndarray, argument) -> bool:
    if not isinstance(argument, np.ndarray):
        return False
    try:
        return bool(np.shares_memory(part, argument, max_work=10_000))
    except _TOO_HARD:  # an overlap too costly to decide exactly: said only when certain
        return False


class _Returned:
    """The arrays the last few calls returned, as the implementation still holds them.

    A caller in the implementation's language keeps the very objects a call returned; one that an implementation
    reuses (a dW buffer overwritten by the next call) changes under the caller's hands. The judge only ever has
    copies, so after each call the server sends the new contents of every earlier result that changed
    ("changed"), and names the arguments a result is a view of ("shares"): the judge then sees what a caller in
    process would (spec/protocol.md §3).
    """

    def __init__(self):
        self.kept: list[tuple[int, str, np.ndarray, bytes]] = []

    def changed(self, binary: bool = False) -> list[dict]:
        found = []
        for i, (call_id, part, array, seen) in enumerate(self.kept):
            now = array.tobytes()
            if now != seen:
                found.append({"id": call_id, "part": part, "value": wire.encode(array, binary=binary)})
                self.kept[i] = (call_id, part, array, now)
        return found

    def keep(self, call_id: int, parts: Mapping[str, np.ndarray]) -> None:
        self.kept += [(call_id, part, array, array.tobytes()) for part, array in parts.items()]
        calls = sorted({c for c, *_ in self.kept})[-RESULTS_KEPT:]
        self.kept = [k for k in self.kept if k[0] in calls]


def _answer(channel: _Channel, functions: Mapping[str, Callable], constraints: Mapping, request: dict) -> dict:
    """The answer to one call: its result, or the error it raised (any BaseException)."""
    call_id, name, args = request.get("id"), request.get("function"), request.get("args")
    if type(call_id) is not int or not isinstance(name, str) or not isinstance(args, dict):
        return {"id": call_id, "error": {"type": "ProtocolError", "message": "a call needs an int id, a function "
                                         "name and an args object"}}
    if name not in functions:
        return {"id": call_id, "error": {"type": "NotImplementedError", "message": f"{name} is not provided"}}
    try:
        args = {k: wire.decode(v, channel.callback) for k, v in args.items()}
    except (wire.WireError, RecursionError) as exc:
        return {"id": call_id, "error": {"type": "ProtocolError", "message": f"args: {exc}"}}
    for param, fixed in constraints.get(name, {}).items():  # the value is fixed, the function has no such parameter
        value = args.pop(param, fixed)
        if not wire.same_value(value, fixed):
            return {"id": call_id, "error": {"type": "Unsupported", "message": f"{param} is fixed at {fixed!r}"}}
    before = {k: v.copy() for k, v in args.items() if isinstance(v, np.ndarray)}
    channel.calling = True
    try:
        result = functions[name](*args.values())  # positionally: an implementation may name its parameters otherwise
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too: every call is answered
        return {"id": call_id, "error": _error(exc)}
    finally:
        channel.calling = False
    answer = {"id": call_id, "result": wire.encode(result, binary=channel.binary)}
    # An argument the implementation changed in place is sent back, so the judge sees what its caller would.
    modified = {k: v for k, v in before.items() if not (isinstance(args[k], np.ndarray) and args[k].dtype == v.dtype
                                                       and args[k].shape == v.shape and args[k].tobytes() == v.tobytes())}
    if modified:
        answer["modified"] = {k: wire.encode(args[k], binary=channel.binary) for k in modified}
    # So is a result that is a view of an argument, and an earlier result this call overwrote (see _Returned).
    parts = _array_parts(result)
    shares = {part: k for part, array in parts.items() for k in args if _shares(array, args[k])}
    if shares:
        answer["shares"] = shares
    changed = channel.returned.changed(channel.binary)
    if changed:
        answer["changed"] = changed
    channel.returned.keep(call_id, parts)
    return answer


def serve(functions: Mapping[str, Callable], info: Mapping, *, streams: tuple[BinaryIO, BinaryIO] | None = None,
          load_error: BaseException | None = None) -> NoReturn:
    """Serve `functions` over the protocol until bye or the end of input, then os._exit.

    Args:
        functions: contract function name -> the implementation's function.
        info: name, version, language; optionally precision, constraints ({function: {param: value}};
            a fixed parameter is not passed to the function), declines ({function: {param: [values]}}: values
            it cannot take; the judge sends none of them) and notes (lines for the report).
        streams: (requests, responses) from `isolate`; by default `isolate` is called here.
        load_error: the implementation failed to load: the handshake is answered with it, and the server exits.
    """
    channel = _Channel(*(streams or isolate()))
    constraints = info.get("constraints") or {}
    hello = _read_or_exit(channel)
    if hello.get("op") != "hello" or hello.get("protocol") != PROTOCOL:
        channel.write({"error": {"type": "ProtocolError",
                                 "message": f"this server speaks lcspec-protocol/{PROTOCOL}; got {str(hello)[:80]}"}})
        os._exit(1)
    if load_error is not None:
        channel.write({"error": _error(load_error)})
        os._exit(1)
    contract = hello.get("contract") or []
    encodings = hello.get("encodings")
    channel.binary = isinstance(encodings, list) and wire.BINARY in encodings
    channel.write({
        "protocol": PROTOCOL,
        "implementation": {k: str(info.get(k, "")) for k in ("name", "version", "language")},
        "provides": [n for n in contract if n in functions] if contract else sorted(functions),
        "precision": info.get("precision"),
        "constraints": {f: {k: wire.encode(v) for k, v in c.items()} for f, c in constraints.items()},
        "declines": {f: {k: [wire.encode(v) for v in values] for k, values in c.items()}
                     for f, c in (info.get("declines") or {}).items()},
        "notes": [str(n) for n in info.get("notes", ())],
        "encodings": [wire.BINARY],  # it reads base64 arrays (and writes them if the hello said the judge reads them)
        "pipelining": True,  # it reads its requests from a buffered stream, one line at a time, as they come
        **({"presentation": info["presentation"]} if info.get("presentation") else {}),
    })
    while True:
        request = _read_or_exit(channel)
        if request.get("op") == "bye":
            os._exit(0)
        if request.get("op") != "call":
            channel.write({"error": {"type": "ProtocolError", "message": f"unknown op: {str(request)[:80]}"}})
            os._exit(1)
        answer = _answer(channel, functions, constraints, request)
        try:
            line = wire.dumps(answer)
        except (ValueError, TypeError, RecursionError) as exc:  # encode gave $object for anything; belt and braces
            line = wire.dumps({"id": answer["id"], "error": _error(exc)})
        channel.responses.write(line)
        channel.responses.flush()


def _read_or_exit(channel: _Channel) -> dict:
    try:
        message = channel.read()
    except wire.WireError as exc:
        channel.write({"error": {"type": "ProtocolError", "message": str(exc)}})
        os._exit(1)
    if message is None:  # stdin closed: the same as bye
        os._exit(0)
    return message


def main(argv: list[str] | None = None) -> NoReturn:
    argv = sys.argv[1:] if argv is None else argv
    variant, loader = None, None
    if len(argv) == 3 and argv[1] == "--variant":
        argv, variant = argv[:1], argv[2]
    if len(argv) == 2 and argv[1] == "--all-callables":  # every public callable, not only the contract's
        argv, loader = argv[:1], load
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    streams = isolate()  # before the implementation runs a line
    try:
        if loader is None:
            from lcspec.harness.loading.served import load as lcspec_load  # lcspec's own loader: every --impl form

            functions, info = lcspec_load(argv[0], variant)
        else:
            functions, info = loader(argv[0])
        error = None
    except BaseException as exc:  # noqa: BLE001 - a SystemExit at import is a load failure too
        traceback.print_exc()
        functions, info, error = {}, {}, exc
    serve(functions, info, streams=streams, load_error=error)


if __name__ == "__main__":
    main()
