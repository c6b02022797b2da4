"""The judge's side of lcspec-protocol/1: an implementation server in a supervised child process.

`Child` starts the server (any language, any command), does the handshake and sends calls. It owns
everything that can go wrong on the way: a call that does not return within the time limit, a
process that exits or crashes during a call, a server that breaks the protocol. Each is raised as a
`ChildError` with a one-line message naming what happened, the process group is killed, and the
next call starts a fresh server. Nothing the child does can hang the judge: every read and write on
its pipes waits in poll() against a deadline, its stderr is drained by a background thread into a
capped tail, and it is killed with SIGKILL on its whole process group.

    with Child([sys.executable, "-m", "lcspec.protocol.pyserver", "my_impl.py"], timeout=10) as child:
        child.info.provides                      # ('softmax', ...)
        child.call("softmax", {"S": S})          # the decoded result

A call that returns no value raises a ChildError:

* the server answered an error named after a builtin Exception: that builtin (a subclass of it and of
  ChildError, same name) with the server's message; any other name: RemoteError ("f raised SystemExit:
  0"); "Unsupported": Refused (a refusal the handshake did not declare). The server lives on.
* Declined: the arguments are among those the handshake declined; nothing was sent.
* CallTimeout ("f did not return within 10 s"), ChildDied ("the implementation's process was killed by
  SIGSEGV during the call to f; its stderr ends: ..."), ProtocolError ("protocol error during the call
  to f: ..."): the server has been killed; the next call starts a new one (counted in `restarts`).
* StartError: the server could not be started or refused the handshake.
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import math
import os
import resource
import select
import shlex
import signal
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import DEFAULT_CALL_TIMEOUT, PROTOCOL, RESULTS_KEPT, wire
from .sandbox import Sandbox, SandboxWatch

PRECISIONS = ("float64", "float32")
"""The precisions a handshake may declare, for the whole implementation or per function."""
DEFAULT_START_TIMEOUT = 60.0
"""Seconds from starting the process to its handshake answer: importing a framework can take a while."""
DEFAULT_MEMORY_LIMIT = 8 << 30
"""Bytes of RLIMIT_DATA (not RLIMIT_AS): Node.js reserves ~720 MB of address space before running a line
(1.6 GB with one worker thread), so an address-space limit that stops a runaway allocation also stops Node;
RLIMIT_DATA counts private data mappings (Node starts at 54 MB, Python with numpy 90 MB, torch 220 MB; JAX's XLA
maps about 2.5 GB after a few calls, and aborts with std::bad_alloc under a 2 GiB limit: hence 8)."""
DEFAULT_STDERR_CAP = 64 << 10
"""Bytes of the child's stderr kept (the tail: a traceback's last lines say most); all bytes are counted."""
DEFAULT_LINE_CAP = 16 << 20
"""Bytes one protocol line may have: ample for the suite's arrays, and a bound on a runaway server."""
CLOSE_GRACE = 0.5
"""Seconds a server has to exit after bye before its process group is killed."""
EXIT_GRACE = 1.0
"""Seconds to wait for the exit status after the child closed its stdout (a dying process closes it first)."""
AHEAD_BYTES = 32 << 10
"""Bytes of announced calls sent with the first of them (Child.announce): half a Linux pipe's 64 KiB, so the judge's
write never waits for the server to read, which it does only between calls (a wait that would count against the
first call's time limit)."""


class ChildError(Exception):
    """A call to the implementation did not return a value; the message says why, in one line."""


class RemoteError(ChildError):
    """The server answered an error that is not a builtin Exception (SystemExit, a library's own class).

    Never re-raised as such: a judge catching Exception must not be stopped by the child's SystemExit.
    """

    def __init__(self, message: str, type_name: str = "", remote_message: str = ""):
        super().__init__(message)
        self.type_name = type_name
        self.remote_message = remote_message


class Refused(ChildError):
    """The server answered "Unsupported": it declines these argument values (the judge's side of the answer; the
    Python server's functions raise lcspec.protocol.Unsupported to give it). The judge sends only inputs the
    handshake did not decline, so this answer is the implementation's failure there, never a discarded input."""


class Declined(ChildError):
    """The call was not sent: its arguments are among those the handshake declined (constraints, declines)."""


class CallTimeout(ChildError):
    """No answer within the time limit; the server was killed."""


class ChildDied(ChildError):
    """The server's process exited or was killed by a signal during a call or the handshake."""

    def __init__(self, message: str, returncode: int | None = None, stderr: str = ""):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class ProtocolError(ChildError):
    """The server broke the protocol (not JSON, wrong id, oversized line, unknown tag...); it was killed."""


class StartError(ChildError):
    """The server could not be started, or refused the handshake (wrong protocol, implementation failed to load)."""


_REMOTE_BUILTINS: dict[str, type] = {}


def _remote_builtin(name: str) -> type | None:
    """The class raised for a server error named after a builtin Exception: a subclass of that builtin and of
    ChildError, of the same name, so `except ValueError` and `except ChildError` both see it."""
    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)) or issubclass(cls, ChildError):
        return None
    if issubclass(cls, (StopIteration, StopAsyncIteration, getattr(builtins, "BaseExceptionGroup", StopIteration))):
        return None  # would change control flow (generators) or need other constructor arguments
    if name not in _REMOTE_BUILTINS:
        _REMOTE_BUILTINS[name] = type(name, (cls, ChildError), {"__module__": __name__, "__qualname__": name})
    return _REMOTE_BUILTINS[name]


def remote_exception(function: str, type_name: str, message: str) -> ChildError:
    """The exception for a server's error answer {"type": type_name, "message": message}; both are the
    implementation's text, shown on one line with control characters escaped (wire.printable)."""
    type_name, message = wire.printable(type_name, 100), wire.printable(message, 2000)
    if type_name == "Unsupported":
        return Refused(f"{function}: {message}" if message else f"{function}: unsupported arguments")
    cls = _remote_builtin(type_name)
    if cls is not None:
        try:
            return cls(message)
        except TypeError:  # a builtin whose constructor wants more (UnicodeDecodeError)
            pass
    said = f"{function} raised {type_name}" + (f": {message}" if message else "")
    return RemoteError(said, type_name, message)


@dataclasses.dataclass(frozen=True)
class ServerInfo:
    """What the server said about itself in the handshake, its text made printable (wire.printable).

    `constraints` and `declines` are the only inputs it may refuse, said before any call: a parameter fixed
    at one value ({function: {parameter: value}}), or values of a parameter it cannot take ({function:
    {parameter: [values]}}). The judge sends no call outside them, and an "Unsupported" answer to a call
    inside them is a failure of that call.
    """

    name: str
    version: str
    language: str
    provides: tuple[str, ...]
    precision: str | dict | None = None
    constraints: Mapping[str, Mapping[str, object]] = dataclasses.field(default_factory=dict)
    declines: Mapping[str, Mapping[str, tuple]] = dataclasses.field(default_factory=dict)
    notes: tuple[str, ...] = ()
    presentation: Mapping | None = None
    """Optional: how to show results in the implementation's own layout (spec/protocol.md, the handshake)."""
    encodings: tuple[str, ...] = ()
    """The array forms beyond lists of numbers it reads (wire.BINARY: base64 bytes), so the judge may send them."""
    pipelining: bool = False
    """It reads requests as they come, so the judge may send one before the answer to the one before (spec §1)."""


def _printable_strings(value):
    """`value` (decoded JSON) with every string in it, keys included, made printable."""
    if isinstance(value, str):
        return wire.printable(value)
    if isinstance(value, dict):
        return {wire.printable(k): _printable_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable_strings(v) for v in value]
    return value


class _Tail(threading.Thread):
    """Drains a pipe (the child's stderr) so the child never blocks on it; keeps the last `cap` bytes."""

    def __init__(self, file, cap: int):
        super().__init__(daemon=True, name="lcspec-child-stderr")
        self._file, self._cap = file, cap
        self._lock = threading.Lock()
        self._tail = bytearray()
        self.total = 0
        self._stopping = False

    def run(self):
        fd = self._file.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        try:
            while True:
                if not poller.poll(100):
                    if self._stopping:  # an escaped grandchild may hold the pipe open forever
                        break
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                with self._lock:
                    self.total += len(chunk)
                    self._tail += chunk
                    if len(self._tail) > self._cap:
                        del self._tail[: len(self._tail) - self._cap]
        finally:
            self._file.close()

    def stop(self, wait: float) -> None:
        self._stopping = True
        self.join(wait)

    def text(self) -> str:
        with self._lock:
            return self._tail.decode("utf-8", "replace")


def _ends(text: str, lines: int = 3, width: int = 300) -> str:
    """The last non-empty lines of `text` (the implementation's stderr), on one printable line."""
    last = [wire.printable(line.strip()) for line in text.splitlines() if line.strip()][-lines:]
    joined = " / ".join(last)
    return joined if len(joined) <= width else "..." + joined[-width:]


def _limit_memory(limit: int | None):
    """The preexec function that caps the child's RLIMIT_DATA (both limits, so it cannot raise them)."""
    if limit is None:
        return None
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)

    def preexec():
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))

    return preexec


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class Child:
    """An implementation server in a child process, started on demand and restarted after a failure.

    Args:
        command: the server's command line, a list of strings or one string (split with shlex).
        cwd, env: the child's working directory and environment (None: the judge's).
        timeout: seconds one call may take (a call may pass its own).
        start_timeout: seconds the server has to answer the handshake.
        memory_limit: bytes of RLIMIT_DATA in the child, None for no limit.
        stderr_cap: bytes of the child's stderr kept (the tail).
        line_cap: bytes one protocol line may have; a longer one is a protocol error.
        contract: the contract's function names, sent in the hello.
        spec: the spec version, sent in the hello.
        sandbox: run the server inside this bubblewrap sandbox (lcspec/protocol/sandbox.py); `memory_limit` then
            holds for the whole sandbox (every process and its temporary files together), not per process.

    Not for concurrent use from several threads (calls are serialised by a lock).
    """

    def __init__(self, command: Sequence[str] | str, *, cwd=None, env: Mapping[str, str] | None = None,
                 timeout: float = DEFAULT_CALL_TIMEOUT, start_timeout: float = DEFAULT_START_TIMEOUT,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT, stderr_cap: int = DEFAULT_STDERR_CAP,
                 line_cap: int = DEFAULT_LINE_CAP, contract: Sequence[str] = (), spec: str = "",
                 sandbox: Sandbox | None = None):
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self.cwd, self.env = cwd, None if env is None else dict(env)
        self.timeout, self.start_timeout = timeout, start_timeout
        self.memory_limit, self.stderr_cap, self.line_cap = memory_limit, stderr_cap, line_cap
        self.contract, self.spec = tuple(contract), spec
        self.sandbox = sandbox
        self.info: ServerInfo | None = None
        self.starts = 0
        self.restarts = 0
        """Servers started after a failure killed the previous one."""
        self.log: list[str] = []
        """What happened, one line per event, with seconds since this Child was made."""
        self._t0 = time.monotonic()
        self._lock = threading.RLock()
        self._proc: subprocess.Popen | None = None
        self._tail: _Tail | None = None
        self._watch: SandboxWatch | None = None
        self._watch_lock = threading.Lock()  # the watch kills from its own thread: never a process already reaped
        self._killed_because = ""  # what the watch killed the sandbox for, said when the call fails
        self._buffer = bytearray()
        self._scanned = 0
        self._failed = False
        self._next_id = 0
        self.modified: dict = {}
        """The arguments the last call changed in place, as the server sent them back ("modified")."""
        self.shares: dict = {}
        """The parts of the last call's result that are views of an argument there ("shares": part -> argument)."""
        self._returned: dict[int, object] = {}  # recent results as returned here, for the server's "changed"
        self._announced: collections.deque = collections.deque()  # (function, args) the judge makes next, not yet sent
        self._in_flight: collections.deque = collections.deque()  # (id, function, args) sent ahead: answers owed, in order
        self.sent_ahead = 0
        """Calls sent before the answer to the one before (announce), and made as sent."""

    # --- life cycle ------------------------------------------------------------------------------

    def __enter__(self) -> Child:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f"pid {self._proc.pid}" if self._proc else "not running"
        return f"Child({shlex.join(self.command)!r}, {state}, {self.restarts} restarts)"

    @property
    def alive(self) -> bool:
        return self._proc is not None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def stderr(self) -> str:
        """The tail of the current (or last) server's stderr."""
        return self._tail.text() if self._tail else ""

    @property
    def stderr_bytes(self) -> int:
        """How many bytes the current (or last) server wrote to stderr, all of them counted."""
        return self._tail.total if self._tail else 0

    def _note(self, text: str) -> None:
        self.log.append(f"{time.monotonic() - self._t0:8.3f}s {text}")

    def start(self) -> ServerInfo:
        """Start the server unless it runs, and do the handshake; returns (and keeps) what it said about itself."""
        with self._lock:
            if self._proc is not None:
                return self.info
            self.starts += 1
            self._returned = {}  # a new server holds none of the old one's results
            if self._failed:
                self.restarts += 1
            self._failed = False
            command = self.sandbox.wrap(self.command) if self.sandbox else self.command
            try:
                self._proc = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    cwd=self.cwd, env=self.env, bufsize=0, close_fds=True,
                    start_new_session=True,  # its own process group: killing the group kills its children too
                    preexec_fn=_limit_memory(self.memory_limit))
            except OSError as exc:
                self._failed = True
                raise StartError(f"cannot start {shlex.join(self.command)}: {exc}") from None
            os.set_blocking(self._proc.stdin.fileno(), False)
            os.set_blocking(self._proc.stdout.fileno(), False)
            self._buffer.clear()
            self._scanned = 0
            self._tail = _Tail(self._proc.stderr, self.stderr_cap)
            self._tail.start()
            self._killed_because = ""
            if self.sandbox is not None:
                self._watch = SandboxWatch(self._proc.pid, self.memory_limit, self._kill_sandbox)
                self._watch.start()
            self._note(f"started pid {self._proc.pid}: {shlex.join(self.command)}")
            deadline = time.monotonic() + self.start_timeout
            what = "the handshake"
            try:
                self._send({"op": "hello", "protocol": PROTOCOL, "spec": self.spec, "contract": list(self.contract),
                            "encodings": [wire.BINARY]}, deadline, what)
                answer = self._receive(deadline, what, f"did not answer the handshake within {self.start_timeout:g} s")
                self.info = self._server_info(answer)
            except BaseException as exc:
                if self._proc is not None:
                    self._kill(f"handshake failed: {exc}")
                raise
            self._note(f"handshake: {self.info.name} {self.info.version} ({self.info.language}), "
                       f"provides {', '.join(self.info.provides) or 'nothing'}")
            return self.info

    def _server_info(self, answer: dict) -> ServerInfo:
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            raise StartError(f"the implementation server refused to start: "
                             f"{wire.printable(error.get('type', '?'), 100)}: {wire.printable(error.get('message', ''))}")
        if answer.get("protocol") != PROTOCOL:
            raise self._violation(f"the handshake answer speaks protocol {wire.printable(answer.get('protocol'), 80)}, "
                                  f"not {PROTOCOL}")
        impl, provides = answer.get("implementation"), answer.get("provides")
        if not isinstance(impl, dict) or not isinstance(provides, list) \
                or not all(isinstance(p, str) for p in provides):
            raise self._violation("the handshake answer needs an implementation object and a provides list of names")
        provides = [p for p in provides if p in self.contract] if self.contract else [wire.printable(p) for p in provides]
        precision = answer.get("precision")
        if isinstance(precision, dict):  # per function: {"softmax": "float32"}; the others are float64
            wrong = [f for f, p in precision.items() if f not in provides or p not in PRECISIONS]
            if wrong:
                raise self._violation(f"precision of {wire.printable(wrong[0], 40)}: each entry must name a function "
                                      "it provides and be float64 or float32")
        elif precision is not None and precision not in PRECISIONS:
            raise self._violation(f"precision {wire.printable(precision, 40)} is not float64, float32, an object of "
                                  "them per function, or null")
        notes = answer.get("notes") or []
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise self._violation("notes must be a list of strings")
        presentation = answer.get("presentation")
        if presentation is not None and not isinstance(presentation, dict):
            raise self._violation("presentation must be an object")
        encodings = answer.get("encodings") or []
        if not isinstance(encodings, list) or not all(isinstance(e, str) for e in encodings):
            raise self._violation("encodings must be a list of strings")
        pipelining = answer.get("pipelining", False)
        if not isinstance(pipelining, bool):
            raise self._violation("pipelining must be true or false")
        return ServerInfo(name=wire.printable(impl.get("name", ""), 200),
                          version=wire.printable(impl.get("version", ""), 100),
                          language=wire.printable(impl.get("language", ""), 100), provides=tuple(provides),
                          precision=precision, constraints=self._refusals(answer, "constraints", provides, False),
                          declines=self._refusals(answer, "declines", provides, True),
                          notes=tuple(wire.printable(n, 1000) for n in notes),
                          presentation=None if presentation is None else _printable_strings(presentation),
                          encodings=tuple(e for e in encodings if e == wire.BINARY), pipelining=pipelining)

    def _refusals(self, answer: dict, field: str, provides: list, listed: bool) -> dict:
        """The handshake's `constraints` ({function: {parameter: value}}) or `declines` ({function: {parameter:
        [values]}}), decoded; only for functions it provides (parameter names are the judge's to check)."""
        found = answer.get(field) or {}
        shape = "[values]" if listed else "value"
        if not isinstance(found, dict) or not all(f in provides and isinstance(c, dict) for f, c in found.items()) \
                or (listed and not all(isinstance(v, list) for c in found.values() for v in c.values())):
            raise self._violation(f"{field} must map functions it provides to objects of parameter: {shape}")
        try:
            return {f: {p: tuple(map(wire.decode, v)) if listed else wire.decode(v) for p, v in c.items()}
                    for f, c in found.items()}
        except wire.WireError as exc:
            raise self._violation(f"{field}: {exc}") from None

    def close(self) -> None:
        """Say bye, give the server CLOSE_GRACE seconds to exit, then kill its process group whatever it does."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            try:
                self._send({"op": "bye"}, time.monotonic() + CLOSE_GRACE, "bye")
            except ChildError:
                pass  # it is going away either way
            if self._proc is None:  # _send found it dead and cleaned up
                return
            exited = self._await_exit(time.monotonic() + CLOSE_GRACE)
            self._kill("closed" if exited else f"still running {CLOSE_GRACE:g} s after bye: killed", failed=False)
            self._failed = False  # a later call starts a server again, which is not a restart after a failure

    def _await_exit(self, deadline: float) -> bool:
        """Wait until the server exits or the deadline passes, without reaping it (so its group id stays its)."""
        while True:
            try:
                if os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    return True
            except ChildProcessError:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    def _kill_sandbox(self, reason: str) -> None:
        """The watch's verdict (another thread): kill the sandbox now; the call under way fails saying why."""
        with self._watch_lock:
            if self._proc is not None:
                self._killed_because = reason
                self._note(f"sandbox {reason}: killed")
                os.killpg(self._proc.pid, signal.SIGKILL)

    def _kill(self, reason: str, failed: bool = True) -> int:
        """SIGKILL the server's process group (in a sandbox: its PID namespace, everything in it dies), reap it,
        stop reading its stderr; returns its exit status."""
        with self._watch_lock:
            proc, self._proc = self._proc, None
            if self._watch is not None:
                self._watch.stop()
        self._announced.clear()
        self._in_flight.clear()  # their answers die with the server
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        returncode = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self._tail.stop(wait=0.5)
        self._failed = failed
        self._note(f"pid {proc.pid} {reason} (status {returncode}; stderr {self._tail.total} bytes)")
        return returncode

    # --- the pipes ---------------------------------------------------------------------------------

    def _violation(self, detail: str, what: str = "the handshake") -> ProtocolError:
        error = ProtocolError(f"protocol error during {what}: {detail}")
        if self._proc is not None:
            self._kill(str(error))
        return error

    def _died(self, what: str) -> ChildError:
        """The server closed its stdout: wait briefly for its exit status and make the exception that says it."""
        if not self._await_exit(time.monotonic() + EXIT_GRACE):
            return self._violation("the implementation closed its standard output", what)
        returncode = self._kill(f"exited during {what}")
        if self.sandbox is not None and returncode > 128:  # bubblewrap exits 128 + N for a command killed by signal N
            returncode = 128 - returncode
        how = (f"was killed by {_signal_name(-returncode)}" if returncode < 0
               else f"exited with status {returncode}")
        if self._killed_because:
            how = f"was killed by the judge: it {self._killed_because}"
        stderr = self.stderr
        ends = _ends(stderr)
        message = f"the implementation's process {how} during {what}" + (f"; its stderr ends: {ends}" if ends else "")
        return ChildDied(message, returncode, stderr)

    def _timed_out(self, message: str) -> CallTimeout:
        self._kill(message)
        return CallTimeout(message)

    def _read_some(self, what: str) -> None:
        try:
            chunk = os.read(self._proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return
        if not chunk:
            raise self._died(what)
        self._buffer += chunk

    def _send(self, message: dict | bytes, deadline: float, what: str) -> None:
        """Write one message (or lines already made), reading stdout meanwhile (a server may write while the judge
        writes)."""
        data = memoryview(message if isinstance(message, bytes) else wire.dumps(message))
        stdin, stdout = self._proc.stdin.fileno(), self._proc.stdout.fileno()
        try:  # most messages fit the pipe at once: no poll needed (the pipe is non-blocking)
            data = data[os.write(stdin, data):]
        except BlockingIOError:
            pass
        except (BrokenPipeError, ConnectionResetError):
            raise self._died(what) from None
        if not data:
            return
        poller = select.poll()
        poller.register(stdin, select.POLLOUT)
        poller.register(stdout, select.POLLIN)
        while data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timed_out(f"did not read its input within the time limit during {what}")
            for fd, events in poller.poll(math.ceil(remaining * 1000)):
                if fd == stdout:
                    self._read_some(what)
                    if len(self._buffer) > self.line_cap:
                        raise self._violation(f"sent more than {self.line_cap} bytes while the judge wrote", what)
                elif events & select.POLLOUT:
                    try:
                        data = data[os.write(stdin, data):]
                    except BlockingIOError:
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        raise self._died(what) from None
                elif events & (select.POLLERR | select.POLLHUP):
                    raise self._died(what)

    def _receive(self, deadline: float, what: str, late: str) -> dict:
        """The next message, waiting until `deadline`; `late` is the CallTimeout's message."""
        poller, read_once = None, False
        while True:
            end = self._buffer.find(b"\n", self._scanned)
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                self._scanned = 0
                if len(line) > self.line_cap:
                    raise self._violation(f"sent a line longer than {self.line_cap} bytes", what)
                try:
                    return wire.loads(line)
                except wire.WireError as exc:
                    raise self._violation(str(exc), what) from None
            self._scanned = len(self._buffer)
            if len(self._buffer) > self.line_cap:
                raise self._violation(f"sent a line longer than {self.line_cap} bytes", what)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timed_out(late)
            if not read_once:  # often the answer is in already (the judge's own work came first): no poll needed
                read_once = True
                self._read_some(what)
                continue
            if poller is None:
                poller = select.poll()
                poller.register(self._proc.stdout.fileno(), select.POLLIN)
            if poller.poll(math.ceil(remaining * 1000)):
                self._read_some(what)

    # --- calls -------------------------------------------------------------------------------------

    def call(self, function: str, args: Mapping[str, object], timeout: float | None = None,
             meanwhile: Callable[[], object] | None = None):
        """Call `function` with `args` (every parameter by name, in signature order) and return its result.

        Python callables in `args` travel as `$function` handles; the server's call-backs on them are
        answered here by calling them (their exceptions go back as errors). `meanwhile` runs once the
        request is sent, while the server computes; its time does not count against the call's. Raises a
        ChildError subclass when no value comes back; see the module's docstring.
        """
        with self._lock:
            if self._proc is None:
                self.start()
            declined = self.declined(function, args)
            if declined:
                raise Declined(declined)
            limit = self.timeout if timeout is None else timeout
            self.modified, self.shares = {}, {}
            handles: dict[int, Callable] = {}

            def register(fn: Callable) -> int:
                handles[len(handles) + 1] = fn
                return len(handles)

            what = f"the call to {function}"
            late = f"{function} did not return within {limit:g} s"
            try:
                call_id = self._sent_ahead(function, args, limit)
                deadline = time.monotonic() + limit
                if call_id is None:
                    self._next_id += 1
                    call_id = self._next_id
                    message = wire.dumps({"op": "call", "id": call_id, "function": function, "args": {
                        name: wire.encode(value, register, self._binary) for name, value in args.items()}})
                    self._send(message + (b"" if handles else self._ahead_of(function, args, len(message))),
                               deadline, what)
                if meanwhile is not None:
                    paused = time.monotonic()
                    meanwhile()
                    deadline += time.monotonic() - paused  # the judge's own time does not count
                while True:
                    answer = self._receive(deadline, what, late)
                    if "callback" in answer:
                        paused = time.monotonic()
                        reply = self._callback(answer, handles, what)
                        deadline += time.monotonic() - paused  # the judge's own time does not count
                        self._send(reply, deadline, what)
                        continue
                    return self._result(answer, call_id, function, what, handles)
            except ChildError:
                raise
            except BaseException as exc:  # KeyboardInterrupt in the judge: the server is mid-call, start afresh
                if self._proc is not None:
                    self._kill(f"interrupted during {what}: {type(exc).__name__}")
                raise

    # --- calls sent ahead --------------------------------------------------------------------------

    def announce(self, function: str, calls: Sequence[Mapping[str, object]]) -> None:
        """The calls of `function` the judge makes next, in this order, each `args` as call() takes them.

        Nothing is sent here. Where the server said it reads requests as they come (its handshake's
        `pipelining`), the first of them that call() makes sends the others with it (up to AHEAD_BYTES), so the
        server computes each while the judge checks the answer before. Each is still a call of its own, made and
        judged when call() makes it, with its own time limit from then. A call that is not the next one sent
        first takes, and drops, the answers still owed. Only for calls that do not depend on each other's answers
        and take no function argument; a later announce replaces an earlier one.
        """
        with self._lock:
            self._announced = collections.deque(
                (function, {k: _copied(v) for k, v in args.items()}) for args in calls
                if not any(map(callable, args.values())))

    def _ahead_of(self, function: str, args: Mapping[str, object], size: int) -> bytes:
        """The announced calls after this one, as lines to send with it, if this is the next one announced."""
        if not (self._announced and self.info.pipelining and self._announced[0][0] == function
                and _identical(self._announced[0][1], args)):
            self._announced.clear()
            return b""
        self._announced.popleft()
        lines = []
        while self._announced and not self.declined(*self._announced[0]):
            name, sent = self._announced[0]
            line = wire.dumps({"op": "call", "id": self._next_id + 1, "function": name, "args": {
                k: wire.encode(v, binary=self._binary) for k, v in sent.items()}})
            if size + len(line) > AHEAD_BYTES:
                break
            self._announced.popleft()
            self._next_id += 1
            self._in_flight.append((self._next_id, name, sent))
            lines.append(line)
            size += len(line)
        return b"".join(lines)

    def _sent_ahead(self, function: str, args: Mapping[str, object], limit: float) -> int | None:
        """The id of this call if it was sent ahead as it is now; else None, once the answers owed to calls sent
        ahead and not made are taken and dropped (a server that fails on one of those is killed, and the call
        starts a new one: it was not a call the judge made)."""
        if not self._in_flight:
            return None
        call_id, name, sent = self._in_flight[0]
        if name == function and _identical(sent, args):
            self._in_flight.popleft()
            self.sent_ahead += 1
            return call_id
        dropped, self._in_flight = self._in_flight, collections.deque()
        self._announced.clear()
        for call_id, name, _ in dropped:
            what = f"the call to {name} sent ahead and not made"
            try:
                answer = self._receive(time.monotonic() + limit, what, f"{name} (sent ahead, not made) did not "
                                       f"return within {limit:g} s")
            except ChildError:
                break  # killed already
            if answer.get("id") != call_id:
                self._violation(f"answered id {wire.printable(answer.get('id'), 40)} to the call with id {call_id}",
                                what)
                break
        if self._proc is None:
            self.start()
        return None

    @property
    def _binary(self) -> bool:
        """Whether the server said in its handshake that it reads base64 arrays (the cheaper form, spec §5)."""
        return self.info is not None and wire.BINARY in self.info.encodings

    def declined(self, function: str, args: Mapping[str, object]) -> str | None:
        """Which of the handshake's declared refusals covers these arguments (None: none, the call is owed)."""
        for name, fixed in self.info.constraints.get(function, {}).items():
            if name in args and not wire.same_value(args[name], fixed):
                return f"{function}: this implementation is fixed at {name}={fixed!r}, got {args[name]!r}"
        for name, values in self.info.declines.get(function, {}).items():
            if name in args and any(wire.same_value(args[name], v) for v in values):
                return f"{function}: this implementation declines {name}={args[name]!r} (said in its handshake)"
        return None

    def _callback(self, request: dict, handles: Mapping[int, Callable], what: str) -> dict:
        handle, args = request.get("callback"), request.get("args")
        if set(request) != {"callback", "args"} or handle not in handles or not isinstance(args, list):
            raise self._violation(f"a call-back needs a handle this call gave out and a list of args: "
                                  f"{str(request)[:80]}", what)
        try:
            args = [wire.decode(a, handles.__getitem__) for a in args]
        except (wire.WireError, KeyError) as exc:
            raise self._violation(f"call-back args: {exc}", what) from None
        try:
            result = handles[handle](*args)
        except Exception as exc:  # noqa: BLE001 - the server's business: it is sent to it as an error
            return {"error": {"type": type(exc).__name__, "message": str(exc)}}
        return {"result": wire.encode(result, binary=self._binary)}

    def _apply_changed(self, changed) -> None:
        """An earlier result the server says a later call overwrote (its buffer reused): this process's copy takes the
        new contents, so a law holding it sees what a caller in process would (protocol §3, "changed")."""
        if not isinstance(changed, list):
            raise wire.WireError(f"changed must be a list, got {type(changed).__name__}")
        for item in changed:
            if not isinstance(item, dict) or set(item) != {"id", "part", "value"}:
                raise wire.WireError(f"each entry of changed needs id, part and value: {str(item)[:80]}")
            held = result_part(self._returned.get(item["id"]), item["part"])
            value = wire.decode(item["value"])
            if isinstance(held, np.ndarray) and isinstance(value, np.ndarray) and value.shape == held.shape:
                np.copyto(held, value, casting="unsafe")  # one older than the judge keeps, or reshaped: nothing held

    def _result(self, answer: dict, call_id: int, function: str, what: str, handles):
        if answer.get("id") != call_id:
            raise self._violation(f"answered id {answer.get('id')!r} to the call with id {call_id}", what)
        if "result" in answer and set(answer) <= {"id", "result", "modified", "shares", "changed"}:
            try:
                modified = answer.get("modified") or {}
                self.modified = {k: wire.decode(v) for k, v in modified.items()} if isinstance(modified, dict) else {}
                self.shares = _shares(answer.get("shares") or {})
                self._apply_changed(answer.get("changed") or [])
                result = wire.decode(answer["result"], handles.__getitem__)
            except (wire.WireError, KeyError) as exc:
                raise self._violation(f"result: {exc}", what) from None
            self._returned[call_id] = result
            for old in sorted(self._returned)[:-RESULTS_KEPT]:
                del self._returned[old]
            return result
        error = answer.get("error")
        if set(answer) != {"id", "error"} or not isinstance(error, dict) \
                or not isinstance(error.get("type"), str) or not isinstance(error.get("message", ""), str):
            raise self._violation(f"an answer needs exactly one of result and error {{type, message}}: "
                                  f"{str(answer)[:80]}", what)
        self._note(f"{function} answered {error['type']}: {error.get('message', '')[:120]}")
        raise remote_exception(function, error["type"], error.get("message", ""))


def _copied(value):
    """An argument as it was when announced: arrays copied, everything else as it is (numbers, strings)."""
    return value.copy() if isinstance(value, np.ndarray) else value


def _identical(sent: Mapping[str, object], args: Mapping[str, object]) -> bool:
    """Whether a call's arguments are bit for bit those sent ahead: the same names, types, dtypes, shapes and bytes."""
    if sent.keys() != args.keys():
        return False
    for name, value in args.items():
        other = sent[name]
        if type(other) is not type(value):
            return False
        if isinstance(value, (np.ndarray, np.generic)):
            if value.dtype != other.dtype or value.shape != other.shape or value.tobytes() != other.tobytes():
                return False
        elif type(value) is float:
            if struct.pack("<d", value) != struct.pack("<d", other):  # -0.0 is not 0.0, and a NaN is itself
                return False
        elif wire.encode(value) != wire.encode(other):
            return False
    return True


def result_part(result, part):
    """The array `part` names in a result ("" the result itself, "0", "1", ... a tuple's); None if there is none."""
    if not isinstance(part, str):
        return None
    if part == "":
        return result
    if isinstance(result, (tuple, list)) and part.isdigit() and int(part) < len(result):
        return result[int(part)]
    return None


def _shares(shares) -> dict[str, str]:
    """The server's "shares" (result part -> the argument it is a view of), checked."""
    if not isinstance(shares, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in shares.items()):
        raise wire.WireError(f"shares must map result parts to argument names: {str(shares)[:80]}")
    return dict(shares)
