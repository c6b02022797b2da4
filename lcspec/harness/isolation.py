"""Implementations in a process of their own, spoken to through lcspec's protocol (spec/protocol.md).

The judge (Hypothesis, the laws, the reference, the report) stays in this process; the implementation
runs in a supervised child (lcspec/protocol/child.py) that the judge can kill and restart, so nothing
it does (exit, crash, hang with signals blocked, patch the judge, change numpy's error state, print)
changes the verdict. Python code (a module, a file, module:attribute, cs231n:PATH) is served by the
bundled Python server (python -m lcspec.protocol.pyserver), one child per variant of a CS231n
assignment; any other program by `cmd:COMMAND`, quoted as a shell would.

A :class:`RemoteModule` is what the guard wraps: an object with one attribute per contract function
the server provides, each a call through the child, plus the presentation the handshake carried (the
student's names, the layout of their dW, a reproduction in their terms), so reports speak the
student's layout without running their code here.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

import numpy as np
from hypothesis import reject

from lcspec import reference
from lcspec.harness.clauses import spec_version
from lcspec.harness.contract import REGISTRY, entry
from lcspec.harness.guard import Implementation
from lcspec.harness.loading import CS231N, LoadError
from lcspec.harness.loading.cs231n_layout import (check_presentation, hangs_in, index_in_layout, reproduce_in_layout,
                                                   unloadable_in)
from lcspec.protocol.child import DEFAULT_MEMORY_LIMIT, DEFAULT_START_TIMEOUT, Child, ChildError, Declined, Refused, RemoteError, ServerInfo, result_part
from lcspec.protocol.sandbox import Sandbox

CMD = "cmd:"


def server_command(spec: str, variant: str | None = None):
    """The command that serves `spec` (the --impl value): the program itself for cmd:, else lcspec's Python server."""
    if spec.startswith(CMD):
        return spec[len(CMD):]
    return [sys.executable, "-B", "-m", "lcspec.protocol.pyserver", spec, *(["--variant", variant] if variant else [])]


class RemoteModule:
    """An implementation in a child process, seen as a module of contract functions (see the module docstring)."""

    def __init__(self, child: Child, info: ServerInfo):
        self.child, self.info = child, info
        self.presentation = dict(info.presentation or {})
        self.__name__ = info.name or "implementation"
        self.unexpressed: str | None = None  # the declared refusal that discarded the last example (see record.py)
        self.hangs = hangs_in(self.presentation)
        self.unloadable = unloadable_in(self.presentation)
        for name in info.provides:
            if name in REGISTRY:
                setattr(self, name, self._function(name))

    def _function(self, name: str):
        def call(*args, **kwargs):
            return self.call(name, args, kwargs)

        call.__name__ = name
        return call

    def call(self, name: str, args, kwargs, meanwhile: Callable[[], object] | None = None):
        """`name(*args, **kwargs)` in the child; `meanwhile` runs here once the request is sent (the judge's own work
        on the call, done while the implementation computes)."""
        bound = entry(name).bind(args, kwargs)  # every parameter by name, defaults filled in (the protocol's call)
        if bound is None:
            raise TypeError(f"{name}() takes {entry(name).signature}, got {len(args)} positional and {sorted(kwargs)} keywords")
        try:
            result = self.child.call(name, bound, meanwhile=meanwhile)
        except Declined as exc:  # declared in the handshake, before any call: a discarded example, not a failure
            self.unexpressed = str(exc)
            reject()
        except Refused as exc:  # a refusal it did not declare is no escape: the call fails
            raise RemoteError(f"{exc} (an \"Unsupported\" answer to an input its handshake did not decline)",
                              "Unsupported", str(exc)) from None
        for argument, value in self.child.modified.items():  # changed in place there: so here, as for a caller
            target = bound.get(argument)
            if isinstance(target, np.ndarray) and np.shape(value) == target.shape:
                np.copyto(target, value, casting="unsafe")
        for part, argument in self.child.shares.items():  # a view of an argument there: the caller's own array
            result = _aliased(result, part, bound.get(argument))
        return result

    def announce(self, name: str, calls) -> None:
        """The calls of `name` the judge makes next, in order, each an (args, kwargs) pair (Child.announce): the child
        may send them ahead, each still made and judged as a call of its own."""
        bound = []
        for args, kwargs in calls:
            arguments = entry(name).bind(args, kwargs)
            if arguments is None:
                break  # not a call: the law gets its TypeError when it makes it
            bound.append(arguments)
        self.child.announce(name, bound)

    def student_name(self, name: str) -> str:
        return self.presentation.get("names", {}).get(name, name)

    def student_index(self, name: str, part: str, index: tuple) -> tuple:
        return index_in_layout(self.presentation, name, part, index)

    def reproduce(self, name: str, arguments: dict, result, expected, fmt) -> str | None:
        where = self.presentation.get("reproduce", {}).get(name)
        return reproduce_in_layout(where, arguments, result, expected, fmt) if where else None

    def expresses(self, name: str, **arguments) -> bool:
        return self.child.declined(name, arguments) is None


def _aliased(result, part: str, argument):
    """`result` with its `part` ("" itself, "0", "1", ... a tuple's) replaced by `argument`, the caller's array the
    server says that part is a view of, where the two hold the same values (so only the identity changes)."""
    held = result_part(result, part)
    if not (isinstance(held, np.ndarray) and isinstance(argument, np.ndarray) and held.shape == argument.shape
            and held.dtype == argument.dtype and np.array_equal(held, argument, equal_nan=held.dtype.kind in "fc")):
        return result
    if part == "":
        return argument
    parts = list(result)
    parts[int(part)] = argument
    return tuple(parts) if isinstance(result, tuple) else parts


def _start(spec: str, variant: str | None, call_timeout: float, memory_limit: int | None,
           sandbox: Sandbox | None, start_timeout: float) -> tuple[Child, ServerInfo]:
    """A started child and its handshake; any fault of the implementation on the way (it cannot be started, breaks
    the protocol, hangs before the handshake, declares what the contract does not have) is a LoadError."""
    child = Child(server_command(spec, variant), cwd=os.getcwd(), timeout=call_timeout, memory_limit=memory_limit,
                  contract=reference.CONTRACT, spec=spec_version(), sandbox=sandbox, start_timeout=start_timeout)
    try:
        info = child.start()
        problem = _undeclarable(info) or check_presentation(info.presentation)
    except ChildError as exc:
        problem = str(exc)
        # The Python server refuses the handshake with the loader's own one-paragraph LoadError: pass that on.
        problem = problem.split("LoadError: ", 1)[1] if "LoadError: " in problem else problem
    if problem:
        child.close()
        raise LoadError(problem)
    return child, info


def _undeclarable(info: ServerInfo) -> str | None:
    """What the handshake's refusals name that the contract does not have (the contract's vocabulary only)."""
    for field in ("constraints", "declines"):
        for function, parameters in getattr(info, field).items():
            unknown = set(parameters) - set(entry(function).signature.parameters)
            if unknown:
                return (f"the handshake's {field} name {', '.join(sorted(map(repr, unknown)))}, which "
                        f"{function} has no parameter of")
    return None


def variants_of(spec: str, call_timeout: float, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                sandbox: Sandbox | None = None, start_timeout: float = DEFAULT_START_TIMEOUT) -> list[str]:
    """The variants `spec` has (a CS231n assignment's naive and vectorized; none for a module), read from its
    server's handshake in a child of its own: the judge never imports the code it judges."""
    child, info = _start(spec, None, call_timeout, memory_limit, sandbox, start_timeout)
    child.close()
    return list((info.presentation or {}).get("variants") or [])


def remote_implementations(spec: str, call_timeout: float, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                           sandbox: Sandbox | None = None, start_timeout: float = DEFAULT_START_TIMEOUT,
                           variant: str | None = None) -> list[Implementation]:
    """The implementations `--impl=spec` selects, each served by a child of its own (started here, in `sandbox`);
    with `variant`, that variant's alone."""
    child, info = _start(spec, variant, call_timeout, memory_limit, sandbox, start_timeout)
    presentation = info.presentation or {}
    variants = presentation.get("variants") or [None]
    if variant is not None:
        if variant not in variants:
            child.close()
            raise LoadError(f"{spec} has no variant {variant!r} (it has: {', '.join(map(str, variants))})")
        variants = [variant]
    found = []
    for variant in variants:
        if variant != variants[0]:
            try:
                child, info = _start(spec, variant, call_timeout, memory_limit, sandbox, start_timeout)
            except LoadError:
                close(found)
                raise
            presentation = info.presentation or {}
        module = RemoteModule(child, info)
        if not any(callable(getattr(module, n, None)) for n in reference.CONTRACT):
            child.close()
            close(found)
            raise LoadError(f"{spec} provides no function of the contract (its server's handshake: "
                            f"{', '.join(info.provides) or 'nothing'})")
        label = f"{spec} ({presentation['description']})" if presentation.get("description") else (
            spec if not spec.startswith(CMD) else f"{info.name or spec} ({spec})")
        notes = list(info.notes)
        if spec.startswith(CMD) and info.version:
            notes.insert(0, f"{info.name} {info.version} ({info.language}), served by {spec[len(CMD):]}")
        impl = Implementation(module, label, spec, variant if spec.startswith(CS231N) else None, call_timeout,
                              notes=notes, isolated=True, layout=module)  # its handshake's presentation
        impl.declared_precision = info.precision
        found.append(impl)
    return found


def close(impls) -> None:
    """End every child of `impls` (bye, then kill: a thread the implementation left running holds nothing)."""
    for impl in impls:
        child = getattr(impl.module, "child", None)
        if child is not None:
            child.close()
