"""The reproduction of a failing call: the call, both values, and a snippet to paste into Python.

An implementation in a layout of its own (the CS231n layout) says it in its own terms: its function,
its argument shapes, pasteable where its code is (`reproduce` of lcspec/harness/loading/cs231n_layout.py).

A function argument (numerical_gradient's `f`) is named, and given: imported where it is a module's
own function, else as the table of values it returned at the points the call asked for (the guard
records them), so the snippet replays the call exactly; the protocol lines answer its call-backs in
the order the server asked for them, and the reference's value is computed on the same table.
"""

from __future__ import annotations

import sys

import numpy as np

from lcspec.harness.contract import entry
from lcspec.harness.guard import Call


def format_value(value) -> str:
    """`repr` with every digit a float needs to round-trip, and whole arrays."""
    with np.printoptions(floatmode="unique", threshold=sys.maxsize, linewidth=110):
        return repr(value)


def call_text(call: Call) -> str:
    return f"{call.name}({_arguments(call)})"


def _arguments(call: Call) -> str:
    """The call's arguments as Python source, a function argument by its parameter's name (defined by `_functions`)."""
    names = _function_names(call)
    shown = lambda value: names.get(id(value)) or format_value(value)  # noqa: E731
    return ", ".join([shown(a) for a in call.args] + [f"{k}={shown(v)}" for k, v in call.kwargs.items()])


def _function_names(call: Call) -> dict[int, str]:
    bound = entry(call.name).bind(call.args, call.kwargs) or {}
    return {id(v): k for k, v in bound.items() if callable(v)}


def _table(call: Call) -> dict:
    """{point as a tuple of floats: value} of every call-back the call made."""
    return {tuple(np.ravel(args[0]).tolist()): value for args, value in call.callbacks if len(args) == 1}


def _functions(call: Call) -> list[str]:
    """Python lines that define each function argument of the call under its parameter's name."""
    lines = []
    for ident, name in _function_names(call).items():
        function = next(v for v in (*call.args, *call.kwargs.values()) if id(v) == ident)
        module, qualname = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
        if module and qualname and "<" not in qualname:
            lines.append(f"from {module} import {qualname} as {name}")
            continue
        table = ", ".join(f"{point!r}: {format_value(value)}" for point, value in _table(call).items())
        lines += [f"{name}_values = {{{table}}}  # what {qualname or name} returned at the points this call asked for",
                  f"def {name}(x):",
                  f"    return {name}_values[tuple(np.ravel(x).tolist())]"]
    return lines


def _replayed_reference(call: Call):
    """The reference's value with every function argument replayed from its table, or None where it asks for a point
    the implementation did not (or the table is empty)."""
    table = _table(call)
    if not table:
        return None
    replay = lambda x: table[tuple(np.ravel(x).tolist())]  # noqa: E731
    names = _function_names(call)
    args = [replay if id(a) in names else a for a in call.args]
    kwargs = {k: replay if id(v) in names else v for k, v in call.kwargs.items()}
    try:
        return entry(call.name).reference(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a point the implementation never asked for, or bad input: nothing to show
        return None


def agrees(call: Call) -> bool:
    """Whether a call returned what the reference returns on it (to the last bits: this only chooses which
    call a reproduction shows, the verdict is the laws' and the differential check's)."""
    if call.problem or call.wrong_value or call.reference_error is not None or call.result is None:
        return False
    got = call.result if isinstance(call.result, tuple) else (call.result,)
    want = call.expected if isinstance(call.expected, tuple) else (call.expected,)
    try:
        return len(got) == len(want) and all(
            np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True)
            for a, b in zip(got, want))
    except (TypeError, ValueError):
        return True  # not numbers: nothing to prefer


def reproduction(call: Call) -> str:
    """The call, both values, and a snippet that repeats it in a Python prompt (where --impl was given)."""
    impl = call.impl
    if call.reference_error is None:
        bound = entry(call.name).bind(call.args, call.kwargs)
        text = impl.layout.reproduce(call.name, bound, call.result, call.expected, format_value) if bound else None
        if text:
            return text
    got = f"raised: {call.problem}" if call.problem and call.result is None else format_value(call.result)
    replayed = None if entry(call.name).compared or call.reference_error else _replayed_reference(call)
    want = (f"raises {type(call.reference_error).__name__}: {call.reference_error}" if call.reference_error
            else format_value(replayed) + "  (on the same values of f; not compared by the guard)" if replayed is not None
            else "(not compared)" if not entry(call.name).compared else format_value(call.expected))
    if impl.spec.startswith("cmd:"):
        return "\n".join([f"call:            {call_text(call)}", *(f"  where          {line}" for line in _functions(call)),
                           f"implementation:  {got}", f"reference:       {want}",
                           *_protocol_lines(impl.spec[len("cmd:"):], call)])
    variant = f", {impl.variant!r}" if impl.variant else ""
    args = _arguments(call)
    return "\n".join([
        f"call:            {call_text(call)}",
        f"implementation:  {got}",
        f"reference:       {want}",
        "reproduce (python, where you ran lcspec):",
        "    import numpy as np",
        "    from numpy import array, inf, nan, float16, float32, float64, int32, int64",
        "    from lcspec import reference",
        "    from lcspec.harness.loading import unguarded",
        f"    impl = unguarded({impl.spec!r}{variant})",
        *(f"    {line}" for line in _functions(call)),
        f"    print(impl.{call.name}({args}))",
        f"    print(reference.{call.name}({args}))",
    ])


def _protocol_lines(command: str, call: Call) -> list[str]:
    """The call as the protocol carries it (spec/protocol.md): lines to send the server, to see its answer."""
    from lcspec.harness.clauses import spec_version
    from lcspec.protocol import PROTOCOL, wire

    bound = entry(call.name).bind(call.args, call.kwargs)
    if bound is None:
        return []
    # A function argument travels as a handle; its call-backs are answered, in the order the server asked for them,
    # with the values it returned then (spec/protocol.md §4): the server reads each answer as the next line.
    args = {k: {"$function": 1} if callable(v) else wire.encode(v) for k, v in bound.items()}
    hello = wire.dumps({"op": "hello", "protocol": PROTOCOL, "spec": spec_version(), "contract": [call.name]}).decode()
    request = wire.dumps({"op": "call", "id": 1, "function": call.name, "args": args}).decode()
    answers = [wire.dumps({"result": wire.encode(value)}).decode().strip() for _, value in call.callbacks]
    lines = " ".join(f"'{line}'" for line in (hello.strip(), request.strip(), *answers, '{"op": "bye"}'))
    said = ("its call-backs are answered in order; the server's answer to the call is its last line" if answers
            else "the server's answer is its second line")
    return [f"reproduce (a shell; {said}):",
            f"    printf '%s\\n' {lines} | {command}"]
