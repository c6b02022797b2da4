"""The worked figures of the notes and the stability cases, from spec/golden/, against the implementation."""

from __future__ import annotations

import numpy as np
import pytest

from lcspec.harness.assertions import assert_close
from lcspec.harness import precision
from .golden import call_arguments, in_range, printed_figures, tolerance, vectors


@pytest.mark.parametrize(
    "vector", [pytest.param(v, id=v["id"], marks=pytest.mark.clause(v["clause"])) for v in vectors()]
)
def test_golden_vector(impl, vector):
    """The function applied to the vector's arguments gives its exact expected value, to the tolerance of CONV-10."""
    arguments = call_arguments(vector["args"])
    if not in_range(arguments):
        pytest.skip(f"its arguments are beyond {precision.input_dtype()}'s range")
    result = getattr(impl, vector["function"])(**arguments)
    if "result_index" in vector:
        result = result[vector["result_index"]]
    got = np.asarray(result, dtype=np.float64)
    expected = np.asarray(vector["expected"], dtype=np.float64)
    assert got.shape == expected.shape
    assert np.all(np.isfinite(got))
    assert_close(got, expected, tolerance(vector), f"{vector['source']}: got {got}, expected {expected}")


@pytest.mark.parametrize(
    "vector", [pytest.param(v, id=v["id"], marks=pytest.mark.clause(v["clause"])) for v in printed_figures()]
)
def test_the_notes_printed_figure_is_the_expected_value_rounded(vector):
    """Where the notes print a rounded figure, the exact expected value rounds to it: they differ by at most half a unit in its last digit."""
    expected = np.asarray(vector["expected"], dtype=np.float64)
    printed = np.asarray(vector["printed"], dtype=np.float64)
    assert printed.shape == expected.shape
    assert_close(printed, expected, np.asarray(vector["printed_tolerance"]), vector["source"])
