"""The laws' assertions: one line of mathematics each, and a message a reader can act on.

`assert_close(a, b, tolerance)` is the laws' |a − b| ≤ tolerance, entry by entry (a NaN on either side
fails, as the bare comparison did), and `assert_at_most` / `assert_at_least` their one-sided bounds; when one
fails it says where, the values, and the difference and the tolerance in units of the judged precision's epsilon, which says at once whether it was a rounding
(a few ε) or a wrong formula (1e15 ε). `unchanged` is an invariance's comparison of a function with itself.
The tolerances come from lcspec/harness/precision.py, as before: these change only what a failure says.
"""

from __future__ import annotations

import numpy as np

from lcspec.harness.precision import eps


class NotClose(AssertionError):
    """An `assert_close` (or a bound) that failed: the report gives the law's sentence with this message's numbers
    beside it."""


def _index(position: tuple) -> str:
    return f"[{', '.join(map(str, position))}]" if position else ""


def assert_close(a, b, tolerance, what: str = "") -> None:
    """Assert |a − b| ≤ tolerance for every entry (arrays broadcast as numpy does; a NaN fails).

    >>> assert_close([1.0, 2.0], [1.0, 2.0 + 1e-15], 1e-12)
    >>> try:
    ...     assert_close(1.0, 1.5, 0.1, "the loss")
    ... except AssertionError as failure:
    ...     print(failure)
    the loss: 1.0 against 1.5, 0.5 apart (2.25e+15 ε); at most 0.1 (4.5e+14 ε) allowed
    """
    with np.errstate(invalid="ignore", over="ignore"):
        difference, allowed = np.broadcast_arrays(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)),
                                                  np.asarray(tolerance, dtype=np.float64))
        bad = ~(difference <= allowed)
    if not bad.any():
        return
    position = tuple(int(i) for i in np.argwhere(bad)[0]) if difference.ndim else ()
    left = np.broadcast_to(np.asarray(a, dtype=np.float64), difference.shape)[position]
    right = np.broadcast_to(np.asarray(b, dtype=np.float64), difference.shape)[position]
    unit = eps()
    apart, limit = float(difference[position]), float(allowed[position])
    count = f" (and {int(bad.sum()) - 1} more of {bad.size} entries)" if bad.sum() > 1 else ""
    raise NotClose(f"{what + ': ' if what else ''}{_index(position) + ' ' if position else ''}{float(left)!r} "
                         f"against {float(right)!r}, {apart:.3g} apart ({apart / unit:.3g} ε); at most {limit:.3g} "
                         f"({limit / unit:.3g} ε) allowed{count}")


def assert_at_most(value, bound, what: str = "") -> None:
    """Assert value ≤ bound for every entry (arrays broadcast as numpy does; a NaN fails): a law's inequality, its
    tolerance already in `bound`.

    >>> assert_at_most([0.5, 1.0], 1.0)
    >>> try:
    ...     assert_at_most([0.5, 3.0], 1.0, "the relative error")
    ... except AssertionError as failure:
    ...     print(failure)
    the relative error: [1] 3.0, at most 1.0 allowed: 2 over (9.01e+15 ε)
    """
    _bounded(value, bound, what, 1.0)


def assert_at_least(value, bound, what: str = "") -> None:
    """Assert value ≥ bound for every entry (a NaN fails): `assert_at_most`'s other side.

    >>> try:
    ...     assert_at_least(-1.0, 0.0, "the loss")
    ... except AssertionError as failure:
    ...     print(failure)
    the loss: -1.0, at least 0.0 allowed: 1 under (4.5e+15 ε)
    """
    _bounded(value, bound, what, -1.0)


def _bounded(value, bound, what: str, side: float) -> None:
    with np.errstate(invalid="ignore", over="ignore"):
        value, bound = np.broadcast_arrays(np.asarray(value, dtype=np.float64), np.asarray(bound, dtype=np.float64))
        excess = side * (value - bound)
        bad = ~(value <= bound) if side > 0 else ~(value >= bound)  # as the comparison itself: inf <= inf holds
    if not bad.any():
        return
    position = tuple(int(i) for i in np.argwhere(bad)[0]) if excess.ndim else ()
    by = abs(float(excess[position]))
    count = f" (and {int(bad.sum()) - 1} more of {bad.size} entries)" if bad.sum() > 1 else ""
    raise NotClose(f"{what + ': ' if what else ''}{_index(position) + ' ' if position else ''}{float(value[position])!r}, "
                   f"at {'most' if side > 0 else 'least'} {float(bound[position])!r} allowed: {by:.3g} "
                   f"{'over' if side > 0 else 'under'} ({by / eps():.3g} ε){count}")


def unchanged(before, after, tolerance) -> bool:
    """Whether an invariance holds: `after` equals `before` within `tolerance` entry by entry, an infinity or NaN
    counting as unchanged where both have it. An invariance law compares a function with itself; a value that is
    wrongly infinite on both sides is the finiteness clauses' failure (SOFTMAX-4, -6, -7), not the invariance's."""
    before, after = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        close = np.abs(before - after) <= tolerance
    return bool(np.all(close | (before == after) | (np.isnan(before) & np.isnan(after))))
