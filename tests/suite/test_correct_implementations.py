"""The suite passes correct implementations it was not written against.

Independent ones: a loop-by-loop literal transcription of every contract function
(tests/suite/literal.py), the CS231n-layout example, naive and vectorized
(examples/cs231n_linear_classifier.py), a CS231n assignment folder whose classifier and gradient
check are judged too (tests/suite/fixtures/cs231n_assignment) and losses in the 2015 CS231n layout
(tests/suite/fixtures/cs231n_2015.py). Each full run must exit 0 with every provided function
conforming; the reference itself is what the default `pytest` run checks.

A third computes in float32 (tests/suite/float32_port.py): with CONV-1 declared, its run must exit 0
too, drawing float32 inputs and judging every function at float32's precision (lcspec/harness/precision.py).
"""

from __future__ import annotations

import pytest

from tests.suite.runs import run_all

pytestmark = pytest.mark.child_runs

FOLDER = "cs231n:tests/suite/fixtures/cs231n_assignment"
CORRECT = ("tests.suite.literal", "cs231n:examples/cs231n_linear_classifier.py", FOLDER,
           "cs231n:tests/suite/fixtures/cs231n_2015.py", "tests.suite.plain_numpy")
UNVALIDATED = ("tests.suite.plain_numpy", "cs231n:examples/cs231n_linear_classifier.py", FOLDER)
"""Correct code that checks none of its input: it conforms at core and, honestly, fails strict's API clauses."""
FLOAT32 = "tests.suite.float32_port"
MIXED = "tests.suite.mixed_precision"
FLOAT32_KERNEL = ("softmax", "log_softmax", "cross_entropy_losses")


@pytest.fixture(scope="module")
def runs():
    return run_all({spec: () for spec in CORRECT} | {FLOAT32: ("--deviations=tests/suite/float32_port.deviations",)}
                   | {MIXED: ("--deviations=tests/suite/mixed_precision.deviations",
                              f"--precision={','.join(f'{f}=float32' for f in FLOAT32_KERNEL)}")})


@pytest.mark.parametrize("spec", CORRECT)
def test_the_suite_passes(runs, spec):
    run = runs[spec]
    assert run.returncode == 0, f"{spec} should conform:\n{run.output[-4000:]}"
    assert run.summary["exit_ok"]
    for label, statuses in run.statuses().items():
        provided = {f: s for f, s in statuses.items() if s != "not provided"}
        assert provided and set(provided.values()) == {"conforms"}, f"{label}: {provided}"


def test_a_float32_port_is_judged_at_float32_and_passes_apart_from_conv_1(runs):
    run = runs[FLOAT32]
    assert run.returncode == 0, f"{FLOAT32} should conform apart from CONV-1:\n{run.output[-4000:]}"
    assert run.summary["exit_ok"] and run.summary["input_precision"] == "float32"
    (entry,) = run.summary["implementations"]
    for name, f in entry["functions"].items():
        if f["status"] == "not provided":
            continue
        assert f["status"] in ("conforms", "deviates") and set(f["clauses"]) <= {"CONV-1"}, (name, f)
        assert f["precision"] == "float32" and not f["differential"], (name, f)
    assert entry["clauses"]["CONV-1"]["status"] == "deviates"


def test_a_library_with_a_float32_kernel_declared_per_function_is_judged_at_each_functions_precision(runs):
    """The softmax family in float32 beside float64 SVM functions: each function's laws draw in its precision, so the
    float32 ones pass where float32 itself would overflow on float64 inputs, and the float64 ones are held to float64."""
    run = runs[MIXED]
    assert run.returncode == 0, f"{MIXED} should conform apart from CONV-1 of its float32 functions:\n{run.output[-4000:]}"
    (entry,) = run.summary["implementations"]
    provided = {name: f for name, f in entry["functions"].items() if f["status"] != "not provided"}
    assert set(provided) == {*FLOAT32_KERNEL, "scores", "hinge_losses", "svm_loss"}
    for name, f in provided.items():
        float32 = name in FLOAT32_KERNEL
        assert f["status"] == "conforms" and f["levels"]["strict"] == ("deviates" if float32 else "conforms"), (name, f)
        assert set(f["clauses"]) <= ({"CONV-1"} if float32 else set()), (name, f)
        assert f["precision"] == ("float32" if float32 else "float64"), (name, f)
    assert run.summary["input_precision"] == "float64"  # the run's own: the SVM's


def test_a_folder_is_judged_on_its_classifier_and_gradient_check_and_says_what_it_cannot_express(runs):
    entries = {e["label"]: e for e in runs[FOLDER].summary["implementations"]}
    vectorized = entries[f"{FOLDER} (vectorized)"]
    conforming = {f for f, v in vectorized["functions"].items() if v["status"] == "conforms"}
    assert conforming == {"svm_loss", "softmax_loss", "predict", "sgd_step", "numerical_gradient"}
    (differences,) = vectorized["clauses"]["GRAD-6"]["tests"]  # its centered half runs; the one-sided half cannot
    assert differences["outcome"] == "passed"
    assert any("centered only" in note for note in vectorized["notes"]), vectorized["notes"]


@pytest.mark.parametrize("spec", UNVALIDATED)
def test_code_that_validates_nothing_conforms_at_core_and_fails_only_strict_clauses(runs, spec):
    run = runs[spec]
    assert run.summary["level"] == "core" and run.summary["verdicts"] == {"core": True, "strict": False}
    for entry in run.summary["implementations"]:
        failing = {c for f in entry["functions"].values() for c in f["clauses"]}
        levels = {entry["clauses"][c]["level"] for c in failing}
        assert failing and levels == {"strict"}, f"{entry['label']}: {failing}"
