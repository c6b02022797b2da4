"""The reproduction of a failing call: the call, both values, and a snippet to paste into Python.

An implementation in a layout of its own (the CS231n layout) says it in its own terms: its function,
its argument shapes, pasteable where its code is (`reproduce` of lcspec/harness/loading/cs231n_layout.py).
"""

from __future__ import annotations

import sys

import numpy as np

from lcspec.harness.contract import entry
from lcspec.harness.guard import Call, bind


def format_value(value) -> str:
    """`repr` with every digit a float needs to round-trip, and whole arrays."""
    with np.printoptions(floatmode="unique", threshold=sys.maxsize, linewidth=110):
        return repr(value)


def call_text(call: Call) -> str:
    parts = [format_value(a) for a in call.args] + [f"{k}={format_value(v)}" for k, v in call.kwargs.items()]
    return f"{call.name}({', '.join(parts)})"


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
    own = getattr(impl.module, "reproduce", None)
    if callable(own) and call.reference_error is None:
        bound = bind(entry(call.name).signature, call.args, call.kwargs)
        text = own(call.name, bound, call.result, call.expected, format_value) if bound else None
        if text:
            return text
    got = f"raised: {call.problem}" if call.problem and call.result is None else format_value(call.result)
    want = (f"raises {type(call.reference_error).__name__}: {call.reference_error}" if call.reference_error
            else "(not compared)" if not entry(call.name).compared else format_value(call.expected))
    if impl.spec.startswith("cmd:"):
        return "\n".join([f"call:            {call_text(call)}", f"implementation:  {got}", f"reference:       {want}",
                           *_protocol_lines(impl.spec[len("cmd:"):], call)])
    variant = f", {impl.variant!r}" if impl.variant else ""
    args = ", ".join([format_value(a) for a in call.args] + [f"{k}={format_value(v)}" for k, v in call.kwargs.items()])
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
        f"    print(impl.{call.name}({args}))",
        f"    print(reference.{call.name}({args}))",
    ])


def _protocol_lines(command: str, call: Call) -> list[str]:
    """The call as the protocol carries it (spec/protocol.md): lines to send the server, to see its answer."""
    from lcspec.harness.clauses import spec_version
    from lcspec.protocol import PROTOCOL, wire

    bound = bind(entry(call.name).signature, call.args, call.kwargs)
    if bound is None or any(callable(v) for v in bound.values()):
        return []  # a call-back cannot be typed in
    hello = wire.dumps({"op": "hello", "protocol": PROTOCOL, "spec": spec_version(), "contract": [call.name]}).decode()
    request = wire.dumps({"op": "call", "id": 1, "function": call.name,
                          "args": {k: wire.encode(v) for k, v in bound.items()}}).decode()
    return ["reproduce (a shell; the server's answer is its second line):",
            f"    printf '%s\\n' '{hello.strip()}' '{request.strip()}' '{{\"op\": \"bye\"}}' | {command}"]
