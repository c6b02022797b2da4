"""The library adapters load, map onto the contract, and declare only deviations that name something.

The full conformance runs against the adapters are in .ci/run (they need the libraries and take
minutes); here each adapter whose library is installed is imported and every function it provides
is called once through the guard, on its smoke call (the registry's: a small problem away from every
kink and limit), where it must agree with the reference unless the adapter declares, as ID:function, what the
guard blames the disagreement on. An adapter whose library is missing is skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

from lcspec import reference
from lcspec.harness.clauses import clauses
from lcspec.harness.contract import REGISTRY
from lcspec.harness.deviations import Deviations, read
from lcspec.harness.guard import ConformanceFailure, Implementation

ADAPTERS = {"torch_adapter": "torch", "jax_adapter": "optax", "sklearn_adapter": "sklearn", "keras_adapter": "keras"}
HERE = Path(__file__).resolve().parent
ADAPTER_DIR = HERE.parent / "adapters"


def skip_unless_installed(adapter):
    """Skip when the adapter's library is missing, found without importing it: Keras picks its backend when first
    imported, and the adapter must be the one to import it (KERAS_BACKEND=numpy)."""
    if importlib.util.find_spec(ADAPTERS[adapter]) is None:
        pytest.skip(f"{ADAPTERS[adapter]} is not installed")

@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_adapter_agrees_with_the_reference_away_from_kinks(adapter):
    skip_unless_installed(adapter)
    impl = Implementation(importlib.import_module(f"lcspec.tests.adapters.{adapter}"))
    provided = [f for f in reference.CONTRACT if impl.provides(f)]
    assert provided, f"{adapter} provides no contract function"
    declared = Deviations.from_file(str(ADAPTER_DIR / f"{adapter}.deviations"))
    for name in provided:
        try:
            getattr(impl, name)(**REGISTRY[name].smoke)  # the guard compares with the reference
        except ConformanceFailure as exc:
            # Unless the adapter declares what the guard blames for this function (Keras' float32 results are
            # CONV-1 and differential even here, and its categorical hinge differs wherever a row's rivals are all
            # negative): then the conformance run reports it as "deviates", with the reason.
            if not declared.for_blamed([exc.clause], [name]):
                raise


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_declared_deviations_name_clauses_or_tests_and_give_reasons(adapter):
    path = ADAPTER_DIR / f"{adapter}.deviations"
    assert path.is_file(), f"{adapter} has no deviations file (an empty one says: none found)"
    tests = {name for p in HERE.parent.glob("test_*.py") for name, _ in
             inspect.getmembers(importlib.import_module(f"lcspec.tests.{p.stem}"), inspect.isfunction)}
    for ident, reason in read(str(path)).items():
        clause, _, function = ident.partition(":")
        scoped = clause in (*clauses(), "differential") and function in reference.CONTRACT  # ID:function
        assert ident in clauses() or scoped or ident.split("::")[-1].split("[")[0] in tests, f"{adapter}: unknown id {ident}"
        assert reason != "no reason given", f"{adapter}: {ident} has no reason"
