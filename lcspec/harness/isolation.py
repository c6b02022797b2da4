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

import numpy as np
from hypothesis import reject

from lcspec import reference
from lcspec.harness.clauses import spec_version
from lcspec.harness.contract import REGISTRY, entry
from lcspec.harness.guard import Implementation, bind
from lcspec.harness.loading import CS231N, LoadError
from lcspec.harness.loading.cs231n_layout import index_in_layout, reproduce_in_layout
from lcspec.protocol import wire
from lcspec.protocol.child import DEFAULT_MEMORY_LIMIT, CallTimeout, Child, ServerInfo, StartError, Unsupported

CMD = "cmd:"


def server_command(spec: str, variant: str | None = None):
    """The command that serves `spec` (the --impl value): the program itself for cmd:, else lcspec's Python server."""
    if spec.startswith(CMD):
        return spec[len(CMD):]
    return [sys.executable, "-m", "lcspec.protocol.pyserver", spec, *(["--variant", variant] if variant else [])]


class RemoteModule:
    """An implementation in a child process, seen as a module of contract functions (see the module docstring)."""

    def __init__(self, child: Child, info: ServerInfo):
        self.child, self.info = child, info
        self.presentation = dict(info.presentation or {})
        self.__name__ = info.name or "implementation"
        self.unexpressed: str | None = None  # set when the server answers "Unsupported" (see record.py)
        for name in info.provides:
            if name in REGISTRY:
                setattr(self, name, self._function(name))

    def _function(self, name: str):
        signature = entry(name).signature

        def call(*args, **kwargs):
            bound = bind(signature, args, kwargs)  # every parameter by name, defaults filled in (the protocol's call)
            if bound is None:
                raise TypeError(f"{name}() takes {signature}, got {len(args)} positional and {sorted(kwargs)} keywords")
            try:
                result = self.child.call(name, bound)
            except Unsupported as exc:  # inputs the implementation cannot express: not a failure, a discarded example
                self.unexpressed = str(exc)
                reject()
            for argument, value in self.child.modified.items():  # changed in place there: so here, as for a caller
                target = bound.get(argument)
                if isinstance(target, np.ndarray) and np.shape(value) == target.shape:
                    np.copyto(target, value, casting="unsafe")
            return result

        call.__name__ = name
        return call

    def student_name(self, name: str) -> str:
        return self.presentation.get("names", {}).get(name, name)

    def student_index(self, name: str, part: str, index: tuple) -> tuple:
        return index_in_layout(self.presentation, name, part, index)

    def reproduce(self, name: str, arguments: dict, result, expected, fmt) -> str | None:
        where = self.presentation.get("reproduce", {}).get(name)
        return reproduce_in_layout(where, arguments, result, expected, fmt) if where else None

    def expresses(self, name: str, **arguments) -> bool:
        for function, argument, value in self.presentation.get("unexpressible", ()):
            if function == name and argument in arguments and arguments[argument] == value:
                return False
        fixed = self.info.constraints.get(name, {})
        return all(wire.same_value(arguments[a], v) for a, v in fixed.items() if a in arguments)


def _start(spec: str, variant: str | None, call_timeout: float, memory_limit: int | None) -> tuple[Child, ServerInfo]:
    child = Child(server_command(spec, variant), cwd=os.getcwd(), timeout=call_timeout, memory_limit=memory_limit,
                  contract=reference.CONTRACT, spec=spec_version())
    try:
        return child, child.start()
    except (StartError, CallTimeout) as exc:  # a handshake that never comes (code hanging at import) too
        child.close()
        said = str(exc)
        # The Python server refuses the handshake with the loader's own one-paragraph LoadError: pass that on.
        raise LoadError(said.split("LoadError: ", 1)[1] if "LoadError: " in said else said) from None


def remote_implementations(spec: str, call_timeout: float, memory_limit: int | None = DEFAULT_MEMORY_LIMIT
                           ) -> list[Implementation]:
    """The implementations `--impl=spec` selects, each served by a child of its own (started here)."""
    child, info = _start(spec, None, call_timeout, memory_limit)
    presentation = info.presentation or {}
    variants = presentation.get("variants") or [None]
    found = []
    for variant in variants:
        if variant != variants[0]:
            child, info = _start(spec, variant, call_timeout, memory_limit)
            presentation = info.presentation or {}
        module = RemoteModule(child, info)
        if not any(callable(getattr(module, n, None)) for n in reference.CONTRACT):
            child.close()
            raise LoadError(f"{spec} provides no function of the contract (its server's handshake: "
                            f"{', '.join(info.provides) or 'nothing'})")
        label = f"{spec} ({presentation['description']})" if presentation.get("description") else (
            spec if not spec.startswith(CMD) else f"{info.name or spec} ({spec})")
        notes = list(info.notes)
        if spec.startswith(CMD) and info.version:
            notes.insert(0, f"{info.name} {info.version} ({info.language}), served by {spec[len(CMD):]}")
        impl = Implementation(module, label, spec, variant if spec.startswith(CS231N) else None, call_timeout,
                              notes=notes, isolated=True)
        impl.declared_precision = info.precision
        found.append(impl)
    return found


def close(impls) -> None:
    """End every child of `impls` (bye, then kill: a thread the implementation left running holds nothing)."""
    for impl in impls:
        child = getattr(impl.module, "child", None)
        if child is not None:
            child.close()
