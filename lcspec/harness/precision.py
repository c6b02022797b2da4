"""The precision an implementation is judged at: its own, as its results show (CONV-10, §0.5).

Two things follow the implementation's precision, so that a port that computes in float32 is held to
float32's standard and not to one it cannot meet:

* **Inputs.** Each provided function's precision is the dtype it returns on its valid call (the
  probe of lcspec/harness/guard.py, when the run starts), or what the implementation declared: the
  session's `precisions` hold those coarser than float64, and its `precision` is the run's, float64
  unless every function agrees on a coarser one. A law draws its inputs in its functions' precision
  when they share one, else in the run's: the strategies pass every drawn float through
  `representable`, so for a float32 function they draw float32 values in float32's range (a law that
  holds exactly holds exactly there too, and "near the limit" means its limit), while the laws of a
  float64 function of the same library draw any float64.
* **Tolerances.** The laws take them from here, not from `lcspec.reference.tolerances` directly.
  The rule is the same (16 ulps per term times the magnitude), but the unit is the epsilon of the
  judged dtype: the coarsest floating dtype the implementation returned in the running example, or
  the session's precision where its results have none (a float32 port's Python-float scalars are
  float32 numbers too).
  The differential check uses the same floor. Call `atol`, `eps` and `largest` *after* the
  implementation: before its first call in an example there is no result to read.

Everything here reads the active session (lcspec/harness/session.py) when it is called, so the
strategies built when a law module is imported draw in the precision of whichever run uses them.
For the reference and every float64 implementation nothing changes: the precision is float64,
`representable` is the identity, and `atol` is `lcspec.reference.tolerances.atol`.
"""

from __future__ import annotations

import numpy as np

from lcspec.harness.differential import coarsest, float_dtypes
from lcspec.harness.session import active
from lcspec.protocol.child import PRECISIONS
from lcspec.reference import tolerances


def input_dtype() -> np.dtype:
    """The dtype inputs are drawn representable in: the running law's functions' precision (Session.input_precision)."""
    return active().input_precision()


def representable(value):
    """`value` (a float or a float64 array) rounded to the session's precision, clipped into its finite range.

    The result is still float64 (the contract's input type), but every entry is a number of that precision.
    """
    dtype = input_dtype()
    if dtype == np.float64:
        return value
    top = float(np.finfo(dtype).max)
    rounded = np.clip(np.asarray(value, dtype=np.float64), -top, top).astype(dtype).astype(np.float64)
    return rounded if isinstance(value, np.ndarray) else float(rounded)


def range_power(p: float) -> float:
    """The largest number of the session's precision to the power `p`: sizes that scale with its range."""
    return float(np.finfo(input_dtype()).max) ** p


def in_precision(floats):
    """`floats` mapped through `representable`: the same draws as ever in a float64 session (a map draws nothing)."""
    return floats.map(representable)


def judged_dtype() -> np.dtype:
    """The coarsest floating dtype of the results of the example's calls so far, or the session's precision when
    none has one (Python floats): each result at its own precision, never at one an earlier call showed."""
    session = active()
    found = [d for call in session.recorder or () for d in float_dtypes(call.result)]
    return coarsest(*found) if found else session.input_precision()


def largest() -> float:
    """The largest finite number of the judged dtype."""
    return float(np.finfo(judged_dtype()).max)


def fits(value) -> bool:
    """Whether the exact `value` rounds to a finite number of the judged dtype (the float64 limit, for float64)."""
    with np.errstate(over="ignore"):
        return bool(np.isfinite(np.asarray(float(value)).astype(judged_dtype())))


def eps() -> float:
    """Machine epsilon of the judged dtype."""
    return tolerances.eps(judged_dtype())


def atol(scale, terms: int = 1) -> float:
    """`lcspec.reference.tolerances.atol` at the judged dtype (see the module docstring)."""
    return tolerances.atol(scale, terms, judged_dtype())


def declared_precision(text) -> tuple[np.dtype | None, dict[str, np.dtype]]:
    """A precision declaration (`--precision`, or the handshake's `precision`) as (the run's, {function: its own}).

    A dtype name declares the run's; `FUNCTION=DTYPE[,FUNCTION=DTYPE...]` (or the handshake's object) declares some
    functions' own, the rest keeping the run's. ValueError names what is wrong.

    >>> declared_precision("softmax=float32,log_softmax=float32")[1]["softmax"]
    dtype('float32')
    """
    from lcspec import reference

    if text is None:
        return None, {}
    if isinstance(text, str) and "=" not in text:
        if text not in PRECISIONS:
            raise ValueError(f"precision {text!r} is not one of {', '.join(PRECISIONS)}")
        return np.dtype(text), {}
    pairs = text.items() if isinstance(text, dict) else (part.partition("=")[::2] for part in text.split(","))
    own = {}
    for function, dtype in pairs:
        function, dtype = str(function).strip(), str(dtype).strip()
        if function in own:
            raise ValueError(f"precision: {function} is named twice")
        if function not in reference.CONTRACT:
            raise ValueError(f"precision: {function!r} is not a contract function")
        if dtype not in PRECISIONS:
            raise ValueError(f"precision of {function}: {dtype!r} is not one of {', '.join(PRECISIONS)}")
        own[function] = np.dtype(dtype)
    return None, own
