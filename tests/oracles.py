"""The laws' oracles: each law's expected value computed another way than the reference computes it.

Loop-by-loop transcriptions of the notes' formulas, exact rationals (`fractions.Fraction`) where rounding
must not decide the answer, and Python's correctly rounded `math.fsum` and `log1p` where numpy's vector
code would round differently. None of them calls lcspec.reference: an oracle that shared its code could
not catch its mistakes.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from lcspec.harness.precision import eps


def literal_hinge(S, y, delta):
    """The notes' formula transcribed loop by loop, as an independent oracle."""
    out = []
    for row, label in zip(S, y):
        out.append(sum(max(0.0, row[j] - row[label] + delta) for j in range(len(row)) if j != label))
    return np.array(out)


def exact_hinge_grad(S, y, delta):
    """The gradient from exact (rational) margins, and which rows no rounding order can decide otherwise."""
    N, K = S.shape
    expected = np.zeros_like(S)
    decided = np.ones_like(S, dtype=bool)
    for i, (row, lab) in enumerate(zip(S, y)):
        for j in range(K):
            if j == lab:
                continue
            exact = Fraction(row[j]) - Fraction(row[lab]) + Fraction(delta)
            if exact != 0 and abs(exact) <= Fraction(4 * eps()) * (abs(Fraction(row[j])) + abs(Fraction(row[lab])) + Fraction(delta)):
                decided[i, :] = False  # a near-tie: another rounding order may decide it either way
            if exact > 0:
                expected[i, j] = 1.0 / N
                expected[i, lab] -= 1.0 / N
    return expected, decided


def exact_log_softmax(row) -> list[float]:
    """log p_j = s_j − m − log Σ exp(s_k − m), in Python floats as an oracle independent of numpy's vector code."""
    m = max(row)
    shifted = [float(s) - float(m) if math.isfinite(float(s) - float(m)) else -math.inf for s in row]
    lse = math.log(math.fsum(math.exp(z) for z in shifted))
    return [z - lse for z in shifted]


def accurate_softmax_and_log(row) -> tuple[list[float], list[float]]:
    """(p_j, log p_j) to a few ulps *relative*, for SOFTMAX-12: the shift's rounding error is kept exactly
    (Fractions) and the dominant term, exactly 1, is split off into log1p."""
    top = max(range(len(row)), key=lambda j: row[j])
    z = [float(s) - float(row[top]) for s in row]
    err = [float(Fraction(float(s)) - Fraction(float(row[top])) - Fraction(zj)) if math.isfinite(zj) else 0.0
           for s, zj in zip(row, z)]
    terms = [math.exp(zj) * (1.0 + e) if math.isfinite(zj) else 0.0 for zj, e in zip(z, err)]
    rest = math.fsum(v for j, v in enumerate(terms) if j != top)
    lse = math.log1p(rest)
    return [v / (1.0 + rest) for v in terms], [zj + e - lse for zj, e in zip(z, err)]
