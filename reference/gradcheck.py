"""Numerical gradients by finite differences, and the relative error used to check analytic ones."""

from __future__ import annotations

import numpy as np

from . import _checks


def _scalar_value(f, x) -> float:
    return _checks.scalar_result("f", f(x))


def numerical_gradient_arguments(f, x, h=1e-5, centered=True) -> tuple:
    """numerical_gradient's arguments checked, without calling `f` (a wrapper checks them so too: a test may count
    f's calls). Returns them as the function uses them: `x` a real array, `h` a float.

    >>> numerical_gradient_arguments(abs, [1.0], h=0)
    Traceback (most recent call last):
    ValueError: h must be > 0, got 0.0
    """
    f = _checks.function("f", f)
    x = _checks.real_array("x", x)
    h = _checks.nonnegative("h", h, strictly=True)
    if not isinstance(centered, (bool, np.bool_)):
        raise TypeError(f"centered must be a bool, got {type(centered).__name__}")
    return f, x, h, bool(centered)


def numerical_gradient(f, x, h=1e-5, centered=True) -> np.ndarray:
    r"""Finite-difference gradient of a scalar function, one coordinate at a time.

    $$\text{centered:}\;\; \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}
    \qquad \text{one-sided:}\;\; \frac{f(x + h e_i) - f(x)}{h}$$

    Conventions: centered by default (error $O(h^2)$ instead of $O(h)$); `f` is called with a fresh
    float64 copy each time, so neither `x` nor the working copy can be changed by `f`; it costs
    $2\cdot\text{size}(x)$ calls (one-sided: $\text{size}(x) + 1$).

    Args:
        f (callable): Function of one array returning a finite real number.
        x (array_like): The point, of any shape (0-d, 1-d, (K, D), 3-d): `f` is called with arrays of that
            shape, and the result has it too.
        h (float): The step, a finite real > 0.
        centered (bool): True for centered differences, False for one-sided.

    Returns:
        float64 array of the shape of `x`: the estimated gradient.

    >>> numerical_gradient(lambda w: float((w ** 2).sum()), [3.0, -1.0]).round(8).tolist()
    [6.0, -2.0]
    """
    f, x, h, centered = numerical_gradient_arguments(f, x, h, centered)
    point = x.astype(np.float64, copy=True)
    grad = np.empty_like(point)
    base = None if centered else _scalar_value(f, point.copy())
    for i in np.ndindex(point.shape):
        old = point[i]
        point[i] = old + h
        f_plus = _scalar_value(f, point.copy())
        if centered:
            point[i] = old - h
            f_minus = _scalar_value(f, point.copy())
            grad[i] = (f_plus - f_minus) / (2.0 * h)
        else:
            grad[i] = (f_plus - base) / h
        point[i] = old
    return grad


def relative_error(a, b) -> float:
    r"""The gradient-check figure: difference relative to the larger of the two magnitudes.

    $$\text{rel}(a, b) = \frac{\lVert a - b\rVert_2}{\max(\lVert a\rVert_2, \lVert b\rVert_2)},
    \qquad \text{rel}(0, 0) = 0$$

    For scalars this is the notes' $|a-b| / \max(|a|, |b|)$; for arrays it uses norms, so an entry
    that is exactly 0 in one gradient and $10^{-11}$ in the other does not read as 100 % wrong. The
    result lies in $[0, 2]$ and is 0 only when $a = b$. Reading in float64: above $10^{-2}$ the
    gradient is wrong; around $10^{-4}$ acceptable only near kinks; $10^{-7}$ or less is good.

    Args:
        a (array_like): One gradient, of any shape (a float included).
        b (array_like): The other, of `a`'s shape exactly (never broadcast, CONV-3).

    Returns:
        float in [0, 2]: 0 exactly when `a == b` (and for two zeros).

    >>> relative_error([1.0, 2.0], [1.0, 2.0]), relative_error(0.0, 0.0), relative_error(1.0, 0.5)
    (0.0, 0.0, 0.5)
    """
    a = _checks.real_array("a", a)
    b = _checks.real_array("b", b)
    _checks.same_shape("b", b, "a", a)
    largest = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    if largest == 0.0:
        return 0.0
    a, b = a / largest, b / largest  # the ratio is scale-free; scaling first keeps the norms finite
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b)))
