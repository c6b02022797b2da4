"""The worked figures of the notes and the stability cases, from spec/golden/, against the implementation."""

from __future__ import annotations

import numpy as np
import pytest

from tests.golden import call_arguments, tolerance, vectors


@pytest.mark.parametrize(
    "vector", [pytest.param(v, id=v["id"], marks=pytest.mark.clause(v["clause"])) for v in vectors()]
)
def test_golden_vector(impl, vector):
    """The function applied to the vector's arguments gives its expected value, to the figure's printed precision."""
    result = getattr(impl, vector["function"])(**call_arguments(vector["args"]))
    if "result_index" in vector:
        result = result[vector["result_index"]]
    got = np.asarray(result, dtype=np.float64)
    expected = np.asarray(vector["expected"], dtype=np.float64)
    assert got.shape == expected.shape
    assert np.all(np.isfinite(got))
    assert np.all(np.abs(got - expected) <= tolerance(vector)), f"{vector['source']}: got {got}, expected {expected}"
