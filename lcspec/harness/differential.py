"""The differential check: an implementation's result against the reference's, on the same inputs.

The guard (lcspec/harness/guard.py) calls both on every call a test makes and hands the pair to
:func:`judge`. Each function's tolerance is `lcspec.reference.tolerances.atol(scale, terms, dtype)`
with the magnitude and the number of rounded terms its formula accumulates (the `bound` of its entry
in the registry, lcspec/harness/contract.py, with its derivation) and the dtype of the
implementation's *result*: a float32 result is judged at float32's epsilon, and the guard records
that so the report can say so. Functions whose result is an index or an exact copy are compared
exactly; functions the registry does not compare (numerical_gradient) are not judged here.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from lcspec.harness.contract import entry, margin_scale, score_size
from lcspec.reference.tolerances import atol


class Mismatch(Exception):
    """The result is not the reference's: wrong type, shape, dtype, a NaN, or a value off by more than the tolerance.

    `wrong_value` marks a result of the right type, shape and dtype whose values differ (NaN or inf
    where the reference is finite included): a test can still judge its law on it (the guard lets it
    through). Anything else would only make the test trip over the result.
    """

    def __init__(self, message: str, wrong_value: bool = False, integer_result: bool = False):
        super().__init__(message)
        self.wrong_value = wrong_value
        self.integer_result = integer_result  # integers where the reference computes real numbers


def _near_kink(S, y, delta, tol) -> np.ndarray:
    """Rows of S holding a wrong-class margin within `tol` of 0, where the hinge subgradient may flip."""
    S = np.asarray(S, dtype=np.float64)
    rows = np.arange(S.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):  # a margin beyond float64 is far from any kink
        m = S - S[rows, y][:, None] + float(delta)
    m[rows, y] = np.inf
    return (np.abs(m) <= tol).any(axis=1)


def float_dtypes(result):
    """The floating dtypes of an array or NumPy-scalar result, or of each part of a tuple (a Python float has none)."""
    if isinstance(result, (tuple, list)):
        for part in result:
            yield from float_dtypes(part)
        return
    dtype = getattr(result, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        yield dtype


def array_dtypes(result):
    """The floating dtypes of the arrays in a result (a tuple's too): what CONV-1 holds to the judged precision."""
    for part in result if isinstance(result, (tuple, list)) else (result,):
        if isinstance(part, np.ndarray) and part.dtype.kind == "f":
            yield part.dtype


def coarsest(*dtypes) -> np.dtype:
    """The dtype with the fewest bits among `dtypes`: the precision a mix of them is judged at."""
    return min(dtypes, key=lambda d: d.itemsize)


def _kink_mask(name: str, a: dict, dtype):
    """Which entries to compare: True for all, False for none of dW, else a row mask.

    None of the hinge gradients' entries near a kink are compared (a rounding can flip 1(m > 0) there).

    The kink convention itself (HINGE-2) is a law the property tests check on exact ties; the
    differential check only stays away from margins that rounding alone could move across 0.
    """
    if name == "hinge_grad":
        S = np.asarray(a["S"], dtype=np.float64)
        tol = atol(margin_scale(S, a["delta"]), 3, dtype)
        return ~_near_kink(S, np.asarray(a["y"]), a["delta"], tol)[:, None]
    if name == "svm_loss":
        X, W = np.asarray(a["X"], dtype=np.float64), np.asarray(a["W"], dtype=np.float64)
        tol = atol(margin_scale(score_size(X, W), a["delta"]), np.shape(W)[1] + 2, dtype)
        if _near_kink(X @ W.T, np.asarray(a["y"]), a["delta"], tol).any():
            return False  # dW sums over every example: one kink anywhere makes every entry uncertain
    return True


def _as_array(value, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - whatever the implementation returned, say what it was
        raise Mismatch(f"{what} is a {type(value).__name__}, not an array or number ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise Mismatch(f"{what} is a {type(value).__name__} of dtype {arr.dtype}, not a real number or array")
    return arr


def judge(name: str, bound: dict, result, expected, floor=np.dtype(np.float64), index=None,
          tolerances: list | None = None) -> str | None:
    """Compare `result` with the reference's `expected` for `name(**bound)`.

    `tolerances`: the registry's bound for these arguments (one (scale, terms) or None per part), where it was
    kept with the reference's answer (lcspec/harness/answers.py); worked out here otherwise.

    The precision is each part's own floating dtype, or `floor` (the session's, lcspec/harness/precision.py)
    for a part without one: a float32 port's Python-float loss is a float32 number. Returns that dtype
    when it is coarser than float64 (so the report can say the implementation was judged at that
    precision), else None; raises :class:`Mismatch` on a difference.
    """
    function = entry(name)
    if not function.compared:
        return None
    parts, expected_parts = (result, expected) if isinstance(expected, tuple) else ((result,), (expected,))
    what = function.parts
    if len(expected_parts) > 1 and not (isinstance(result, (tuple, list)) and len(result) == len(expected_parts)):
        raise Mismatch(f"returned {type(result).__name__} {_short(result)}, not a (loss, dW) pair")
    show = (lambda part, i: i) if index is None else index
    # A margin within rounding of 0 at the precision judged (a float32 port's margins round at float32's); worked
    # out only for a part that is not plainly within its tolerance everywhere.
    mask = functools.cache(lambda: _kink_mask(name, bound, coarsest(*float_dtypes(result))
                                              if any(True for _ in float_dtypes(result)) else floor))
    if not _well_formed(tolerances, len(what)):
        tolerances = function.bound(bound)
    found = [_compare_part(label, got, want, terms, floor, mask, show)
             for label, got, want, terms in zip(what, parts, expected_parts, tolerances)]
    return next((dtype for dtype in found if dtype), None)


def _well_formed(tolerances, parts: int) -> bool:
    """Whether `tolerances` is a bound as the registry gives one: per part, None or (a real scale, an int of terms)."""
    return (type(tolerances) is list and len(tolerances) == parts
            and all(t is None or (type(t) is tuple and len(t) == 2 and isinstance(t[0], numbers.Real)
                                  and isinstance(t[1], numbers.Integral)) for t in tolerances))


def _comparable(label: str, got, want) -> tuple[np.ndarray, np.ndarray]:
    """A result part and the reference's as arrays, once the part is the right kind of thing, shape and dtype."""
    # A 0-d array and a NumPy scalar are one value (the protocol's wire cannot tell them apart, spec/protocol.md §5).
    if isinstance(want, np.ndarray) and not isinstance(got, np.ndarray) and not (
            want.ndim == 0 and isinstance(got, np.generic)):
        raise Mismatch(f"{label} is a {type(got).__name__}, expected a numpy array ({_short(got)})")
    got_arr, want_arr = _as_array(got, label), np.asarray(want)
    if got_arr.shape != want_arr.shape:
        raise Mismatch(f"{label} has shape {got_arr.shape}, expected {want_arr.shape}")
    if want_arr.dtype.kind in "iu" and got_arr.dtype.kind not in "iu":
        raise Mismatch(f"{label} has dtype {got_arr.dtype}, expected integer indices")
    if want_arr.dtype.kind == "f" and got_arr.dtype.kind != "f" and not isinstance(got, numbers.Real):
        raise Mismatch(f"{label} has dtype {got_arr.dtype}, expected a floating-point result", integer_result=True)
    return got_arr, want_arr


def _compare_part(label: str, got, want, bound_terms, floor, mask, show) -> str | None:
    """Compare one part of a result (a loss, a dW) with the reference's; its dtype's name when coarser than float64.
    `mask()` says which entries to compare (see _kink_mask)."""

    def at(i, arr) -> str:
        """" at index (i, j)" for an entry of an array, nothing for a scalar."""
        return f" at index {tuple(int(k) for k in show(label, tuple(i)))}" if np.ndim(arr) else ""

    got_arr, want_arr = _comparable(label, got, want)
    # Each result at its own precision (a float64 result at float64's, whatever came before); a Python float,
    # which has no dtype, at the session's (a float32 port's Python-float loss is a float32 number).
    dtype = got_arr.dtype if got_arr.dtype.kind == "f" and isinstance(got, (np.ndarray, np.generic)) else floor
    if want_arr.dtype.kind == "f" and dtype.itemsize < 8:
        with np.errstate(over="ignore"):  # beyond the coarser dtype's range the reference is ±inf there too
            want_arr = want_arr.astype(dtype).astype(np.float64)
    coarser = str(dtype) if dtype.itemsize < 8 else None
    got64 = got_arr.astype(np.float64)
    if bound_terms is not None and want_arr.dtype.kind == "f" and want_arr.size:
        # The common case in a few operations: every entry finite and within the tolerance (a NaN or an infinity
        # on either side makes the largest difference NaN or inf). Anything else takes the checks below, which
        # say what is wrong; the mask only ever lets more through, so passing unmasked passes masked.
        with np.errstate(over="ignore", invalid="ignore"):
            if np.abs(got64 - want_arr).max() <= atol(bound_terms[0], bound_terms[1], dtype):
                return coarser
    finite = np.isfinite(want_arr)
    if want_arr.dtype.kind == "f":
        bad = np.argwhere(np.atleast_1d(~np.isfinite(got64) & finite))
        if bad.size:
            raise Mismatch(f"{label} is {np.atleast_1d(got_arr)[tuple(bad[0])]}{at(bad[0], got_arr)} "
                           "where the reference is finite", wrong_value=True)
        if not np.array_equal(got64[~finite], want_arr[~finite], equal_nan=True):
            raise Mismatch(f"{label} differs from the reference where the reference is not finite "
                           f"({got64[~finite]} against {want_arr[~finite]})", wrong_value=True)
    if bound_terms is None:
        if not np.array_equal(got_arr, want_arr):
            where = np.argwhere(np.atleast_1d(got_arr != want_arr))[0]
            raise Mismatch(f"{label} differs from the reference{at(where, got_arr)}, which must be matched "
                           "exactly", wrong_value=True)
        return coarser
    if label == "dW" and mask() is False:
        return coarser  # an svm_loss with a margin near a kink: dW is compared only by the laws
    tol = atol(bound_terms[0], bound_terms[1], dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # a difference may overflow: it is then > tol
        diff = np.where(finite, np.abs(got64 - np.where(finite, want_arr, 0.0)), 0.0)
    if isinstance(mask(), np.ndarray):
        diff = np.where(mask(), diff, 0.0)
    if np.any(diff > tol):
        where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        raise Mismatch(f"{label} differs from the reference by {float(np.max(diff)):.3g}{at(where, diff)} "
                       f"(tolerance {tol:.3g} at {dtype} precision)", wrong_value=True)
    return coarser


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."
