"""Read the golden vectors in spec/golden/ and turn their language-neutral args into call arguments."""

from __future__ import annotations

import json

import numpy as np

from lcspec.harness import precision
from lcspec.harness.precision import atol
from lcspec.harness.clauses import SPEC_DIR

GOLDEN_DIR = SPEC_DIR / "golden"


def vectors() -> list[dict]:
    """Every golden vector of every file in spec/golden/, in file order."""
    found = []
    for path in sorted(GOLDEN_DIR.glob("*.json")):
        found += json.loads(path.read_text())["vectors"]
    return found


def call_arguments(args: dict) -> dict:
    """Nested lists become arrays (labels as integers); scalars stay as they are."""
    return {
        name: np.asarray(value, dtype=np.intp if name == "y" else np.float64) if isinstance(value, list) else value
        for name, value in args.items()
    }


def in_range(args: dict) -> bool:
    """Whether every number of the call is within the range of the implementation's precision (lcspec/harness/precision.py).

    Always, for float64. A float32 port cannot be handed the stability cases at 1e300.
    """
    top = float(np.finfo(precision.input_dtype()).max)
    return all(np.all(np.abs(a) <= top) for a in args.values() if isinstance(a, (np.ndarray, float)))


def tolerance(vector: dict) -> np.ndarray:
    """Per entry: lcspec's tolerance (CONV-10) for the expected value, at the implementation's precision."""
    expected = np.asarray(vector["expected"], dtype=np.float64)
    return np.vectorize(lambda v: atol(v, terms=16))(expected) if expected.size else expected


def printed_figures() -> list[dict]:
    """The vectors whose figure the notes print rounded (they carry `printed` and `printed_tolerance`)."""
    return [v for v in vectors() if "printed" in v]
