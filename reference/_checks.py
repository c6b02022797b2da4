"""Input validation shared by every reference function.

One mechanism, so every function words its errors the same way: the message names the argument,
what was expected and what arrived. Validation never modifies an input; conversions to float64
make a new array only when the input is not float64 already.
"""

from __future__ import annotations

import numbers

import numpy as np

REAL_KINDS = "iuf"  # signed int, unsigned int, float; bool and complex are rejected


def _describe(a: np.ndarray) -> str:
    return f"shape {a.shape} and dtype {a.dtype}"


def plain_array(name: str, value, what: str) -> np.ndarray:
    """`value` as a plain numpy array, without copying one.

    Lists and scalars are converted. Subclasses become plain arrays (so `np.matrix` does not turn
    results into matrices); a masked array is refused, because its mask would silently be ignored.

    >>> plain_array("X", np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "a real numeric array")
    Traceback (most recent call last):
    TypeError: X must be a real numeric array, not a masked array (its mask would be ignored)
    """
    if type(value) is np.ndarray:
        return value
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} must be {what}, not a masked array (its mask would be ignored)")
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be {what}; could not convert it ({exc})") from None


def real_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """Return `value` as a float64 array after checking dtype, rank and finiteness.

    Raises TypeError for non-numeric dtypes (bool, complex, object, strings) and ValueError for the
    wrong number of dimensions or any NaN/inf entry.
    """
    arr = plain_array(name, value, "a real numeric array")
    if arr.dtype.kind not in REAL_KINDS:
        raise TypeError(f"{name} must have a real numeric dtype (integer or float), got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got {_describe(arr)}")
    out = arr.astype(np.float64, copy=False)
    if not np.isfinite(out).all():
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return out


def score_matrix(name: str, value, *, need_rows: bool) -> np.ndarray:
    """An (N, K) matrix of class scores: K >= 2 classes, and N >= 1 when a mean is taken."""
    S = real_array(name, value, ndim=2)
    n, k = S.shape
    if k < 2:
        raise ValueError(f"{name} must have K >= 2 class columns (shape (N, K)), got {_describe(S)}")
    if need_rows and n == 0:
        raise ValueError(f"{name} must have N >= 1 rows because a mean over examples is taken, got an empty batch")
    return S


def weight_matrix(name: str, value) -> np.ndarray:
    """A (K, D) weight matrix with K >= 2 classes."""
    W = real_array(name, value, ndim=2)
    if W.shape[0] < 2:
        raise ValueError(f"{name} must have K >= 2 rows (shape (K, D)), got {_describe(W)}")
    return W


def labels(name: str, value, n: int, k: int) -> np.ndarray:
    """(N,) integer labels in [0, K), returned as intp."""
    arr = plain_array(name, value, "an array of integer labels")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one label per example, got shape {arr.shape}")
    if n and (arr.min() < 0 or arr.max() >= k):
        bad = arr[(arr < 0) | (arr >= k)][0]
        raise ValueError(f"{name} must be class indices in [0, {k}), found {bad}")
    return arr.astype(np.intp, copy=False)


def nonnegative(name: str, value, *, strictly: bool = False) -> float:
    """A finite real scalar that is >= 0 (or > 0 with `strictly`)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if not (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in REAL_KINDS):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if x < 0 or (strictly and x == 0):
        raise ValueError(f"{name} must be {'> 0' if strictly else '>= 0'}, got {x}")
    return x


def function(name: str, value):
    """A callable argument (a loss, a loss-and-gradient, the function to differentiate)."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value


def scalar_result(name: str, value) -> float:
    """What a caller-supplied function returned as a loss: a finite real number (or a one-element array)."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must return a real scalar, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must return a finite value, got {value}")
    return value


def same_shape(name: str, a: np.ndarray, other_name: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name} must have the same shape as {other_name} {b.shape}, got shape {a.shape}")


def finite_result(name: str, value: np.ndarray, cause: str) -> np.ndarray:
    """Reject a result that overflowed although every input was finite."""
    if not np.isfinite(value).all():
        raise ValueError(f"{name} overflowed float64 ({cause}); rescale the inputs")
    return value
