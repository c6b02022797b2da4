"""The precision an implementation is judged at: its own, as its results show (CONV-10, §0.5).

Two things follow the implementation's precision, so that a port that computes in float32 is held to
float32's standard and not to one it cannot meet:

* **Inputs.** `SESSION` is the dtype every provided function returns on a small valid call (a probe
  when the run starts); float64 unless all of their array and NumPy-scalar results agree on a
  coarser one. The strategies pass every drawn float through `representable`, so for a float32 port
  they draw float32 values in float32's range: a law that holds exactly holds exactly there too, and
  "near the limit" means its limit.
* **Tolerances.** The property tests take them from here, not from `reference.tolerances` directly.
  The rule is the same (16 ulps per term times the magnitude), but the unit is the epsilon of the
  judged dtype: the coarser of `SESSION` and the floating dtypes the implementation returned in the
  running example (a float32 port's Python-float scalars are float32 numbers too). The differential
  check (tests/differential.py) uses the same floor. Call `atol`, `eps` and `largest` *after* the
  implementation: before its first call in an example there is no result to read.

For the reference and every float64 implementation nothing changes: `SESSION` is float64,
`representable` is the identity, and `atol` is `reference.tolerances.atol`.
"""

from __future__ import annotations

import copy

import numpy as np

from reference import tolerances
from tests import implementation
from tests.contract_inputs import VALID
from tests.differential import coarsest, float_dtypes

SESSION = np.dtype(np.float64)
"""The dtype inputs are drawn representable in (set by :func:`probe` when the run starts)."""

NOT_PROBED = frozenset({"numerical_gradient"})
"""Its result's dtype follows the `f` it is given, not the implementation's arithmetic."""


def probe(impls) -> np.dtype:
    """The dtype every provided function of every implementation returns on its `VALID` call.

    float64 unless every floating result agrees on one coarser dtype (a JAX `accuracy` that alone
    returns float32 does not make the whole run draw float32 inputs). A call that raises or hangs
    says nothing here; the tests report it.
    """
    found = set()
    for impl in impls:
        for name, arguments in VALID.items():
            if name in NOT_PROBED or not impl.provides(name):
                continue
            try:
                with implementation._time_limit(impl.call_timeout):
                    result = getattr(impl.module, name)(**copy.deepcopy(arguments))
            except BaseException:  # noqa: BLE001 - judged by the tests, not here
                continue
            found.update(float_dtypes(result))
    if len(found) == 1 and (only := found.pop()).itemsize < 8:
        return only
    return np.dtype(np.float64)


def representable(value):
    """`value` (a float or a float64 array) rounded to the session's precision, clipped into its finite range.

    The result is still float64 (the contract's input type), but every entry is a `SESSION` number.
    """
    if SESSION == np.float64:
        return value
    top = float(np.finfo(SESSION).max)
    rounded = np.clip(np.asarray(value, dtype=np.float64), -top, top).astype(SESSION).astype(np.float64)
    return rounded if isinstance(value, np.ndarray) else float(rounded)


def range_power(p: float) -> float:
    """The largest number of the session's precision to the power `p`: sizes that scale with its range."""
    return float(np.finfo(SESSION).max) ** p


def in_precision(floats):
    """`floats` mapped through `representable`; unchanged (the same draws as ever) in a float64 session."""
    return floats if SESSION == np.float64 else floats.map(representable)


def judged_dtype() -> np.dtype:
    """The coarsest of `SESSION` and the floating dtypes of the results of the example's calls so far."""
    return coarsest(SESSION, *(d for call in implementation.RECORDER or () for d in float_dtypes(call.result)))


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
    """`reference.tolerances.atol` at the judged dtype (see the module docstring)."""
    return tolerances.atol(scale, terms, judged_dtype())
