"""The suite catches every broken implementation of the catalogue (tests/suite/catalogue.py).

Each broken implementation is run through the property suite with the default `ci` examples,
without the shrink phase (`ci-noshrink` draws the same examples; shrinking only makes the report
nicer) and stopping at the first failure (-x), at the entry's conformance level: the run must fail,
and the conformance summary must lay the failure at a function the broken implementation provides,
under the clauses the entry says it breaks.
"""

from __future__ import annotations

import pytest

from lcspec import reference
from tests.suite.catalogue import BROKEN
from tests.suite.runs import run_all

pytestmark = pytest.mark.child_runs

SPEC = "tests.suite.catalogue:{}"
ONE_BROKEN_VARIANT = "cs231n:tests/suite/cs231n_broken.py"


def level(name: str) -> str:
    return getattr(BROKEN[name], "level", "core")


@pytest.fixture(scope="module")
def runs():
    options = ("-x", "--hypothesis-profile=ci-noshrink", "--call-timeout=1")
    # An entry that names the clauses it breaks runs in full (no -x): the first failing test need not be theirs.
    jobs = {SPEC.format(name): (*options[hasattr(BROKEN[name], "breaks"):], f"--level={level(name)}") for name in BROKEN}
    return run_all(jobs | {ONE_BROKEN_VARIANT: options[1:]})  # no -x: the other variant must be judged in full


def test_the_catalogue_breaks_every_contract_function():
    broken = {f for cls in BROKEN.values() for f in reference.CONTRACT if f in vars(cls)}
    assert len(BROKEN) >= 20
    assert broken == set(reference.CONTRACT), f"no broken implementation of {set(reference.CONTRACT) - broken}"


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_suite_catches(runs, name):
    run = runs[SPEC.format(name)]
    provided = {f for f in reference.CONTRACT if f in vars(BROKEN[name])}
    assert run.returncode == 1, f"{name} ({BROKEN[name].__doc__.strip()}) was not caught:\n{run.output[-3000:]}"
    (statuses,) = run.statuses().values()
    failing = {f for f, status in statuses.items() if status == "fails"}
    assert failing and failing <= provided, f"{name}: failures laid at {failing}, expected some of {provided}"
    assert not run.summary["exit_ok"] and run.summary["level"] == level(name)
    (entry,) = run.summary["implementations"]
    blamed = {c for f in failing for c in entry["functions"][f]["clauses"]}
    assert set(getattr(BROKEN[name], "breaks", ())) <= blamed, f"{name}: blamed {blamed}, not {BROKEN[name].breaks}"
    if getattr(BROKEN[name], "only", False):  # at its level, that clause and no neighbour of it
        found = {c for f in failing for c in entry["functions"][f]["found"][level(name)]}
        assert found == set(BROKEN[name].breaks), f"{name}: blamed {found} at {level(name)}, only {BROKEN[name].breaks}"


def test_the_cs231n_layout_judges_naive_and_vectorized_apart(runs):
    run = runs[ONE_BROKEN_VARIANT]
    assert run.returncode == 1, run.output[-3000:]
    provided = {label: {f: s for f, s in statuses.items() if s != "not provided"}
                for label, statuses in run.statuses().items()}
    assert provided == {
        f"{ONE_BROKEN_VARIANT} (naive)": {"svm_loss": "conforms", "softmax_loss": "conforms"},
        f"{ONE_BROKEN_VARIANT} (vectorized)": {"svm_loss": "fails", "softmax_loss": "conforms"},
    }
