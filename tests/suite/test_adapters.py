"""The library adapters load, map onto the contract, and declare only deviations that name something.

The full conformance runs against the adapters are in .ci/run (they need the libraries and take
minutes); here each adapter whose library is installed is imported and every function it provides
is called once through the guard, on a small problem away from every kink and limit, where it must
agree with the reference. An adapter whose library is missing is skipped.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

import reference
from tests.clauses import clauses
from tests.implementation import Implementation
from tests.report import read_deviations

ADAPTERS = {"torch_adapter": "torch", "jax_adapter": "optax", "sklearn_adapter": "sklearn"}
HERE = Path(__file__).resolve().parent
ADAPTER_DIR = HERE.parent / "adapters"

W = np.array([[0.2, -0.5, 0.1], [1.5, 1.3, 2.1], [0.0, 0.25, 0.2]])
X = np.array([[0.5, -1.0, 2.0], [1.0, 0.3, -0.7], [-0.4, 0.9, 1.1], [2.0, 0.1, 0.0]])
y = np.array([0, 1, 2, 1])
S = X @ W.T
CALLS = {
    "scores": (X, W, np.array([0.1, -0.2, 0.3])), "append_ones": (X,), "fold_bias": (W, np.ones(3)),
    "hinge_losses": (S, y, 0.9), "squared_hinge_losses": (S, y, 0.9), "crammer_singer_losses": (S, y, 0.9),
    "softmax": (S,), "log_softmax": (S,), "cross_entropy_losses": (S, y), "l2_penalty": (W,),
    "hinge_grad": (S, y, 0.9), "cross_entropy_grad": (S, y), "svm_loss": (W, X, y, 0.1, 0.9),
    "softmax_loss": (W, X, y, 0.1), "numerical_gradient": (lambda w: float(np.sum(w ** 2)), W),
    "relative_error": (W, W + 0.5), "sgd_step": (W, W[::-1], 0.3), "predict": (S,), "accuracy": (S, y),
}


def test_every_contract_function_has_a_smoke_call():
    assert set(CALLS) == set(reference.CONTRACT)


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_adapter_agrees_with_the_reference_away_from_kinks(adapter):
    pytest.importorskip(ADAPTERS[adapter])
    impl = Implementation(importlib.import_module(f"tests.adapters.{adapter}"))
    provided = [f for f in reference.CONTRACT if impl.provides(f)]
    assert provided, f"{adapter} provides no contract function"
    for name in provided:
        getattr(impl, name)(*CALLS[name])  # the guard compares with the reference


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_declared_deviations_name_clauses_or_tests_and_give_reasons(adapter):
    path = ADAPTER_DIR / f"{adapter}.deviations"
    assert path.is_file(), f"{adapter} has no deviations file (an empty one says: none found)"
    tests = {name for p in HERE.parent.glob("test_*.py") for name, _ in
             inspect.getmembers(importlib.import_module(f"tests.{p.stem}"), inspect.isfunction)}
    for ident, reason in read_deviations(str(path)).items():
        assert ident in clauses() or ident.split("::")[-1].split("[")[0] in tests, f"{adapter}: unknown id {ident}"
        assert reason != "no reason given", f"{adapter}: {ident} has no reason"
