"""The suite passes correct implementations it was not written against.

Two independent ones: a loop-by-loop literal transcription of every contract function
(tests/suite/literal.py) and the CS231n-layout example, naive and vectorized
(examples/cs231n_linear_classifier.py). Each full run must exit 0 with every provided function
conforming; the reference itself is what the default `pytest` run checks.
"""

from __future__ import annotations

import pytest

from tests.suite.runs import run_all

pytestmark = pytest.mark.child_runs

CORRECT = ("tests.suite.literal", "cs231n:examples/cs231n_linear_classifier.py")


@pytest.fixture(scope="module")
def runs():
    return run_all({spec: () for spec in CORRECT})


@pytest.mark.parametrize("spec", CORRECT)
def test_the_suite_passes(runs, spec):
    run = runs[spec]
    assert run.returncode == 0, f"{spec} should conform:\n{run.output[-4000:]}"
    assert run.summary["exit_ok"]
    for label, statuses in run.statuses().items():
        provided = {f: s for f, s in statuses.items() if s != "not provided"}
        assert provided and set(provided.values()) == {"conforms"}, f"{label}: {provided}"
