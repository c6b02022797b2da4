"""The registry (lcspec/harness/contract.py) has one complete entry per contract function.

Adding a contract function without an entry, or with an entry the harness cannot use, fails here,
before any run trips over it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lcspec import reference
from lcspec.harness.clauses import clauses
from lcspec.harness.contract import REGISTRY, SPECIFIED_BY, S, W, X, entry, y


def test_every_contract_function_has_an_entry_in_the_contracts_order():
    assert list(REGISTRY) == list(reference.CONTRACT)
    with pytest.raises(KeyError, match="no entry in the contract registry"):
        entry("not_a_function")


@pytest.mark.parametrize("name", reference.CONTRACT)
def test_an_entry_is_complete_and_its_calls_are_valid(name):
    function = REGISTRY[name]
    assert function.name == name and function.reference is getattr(reference, name)
    assert function.derivation.strip(), f"{name}: the bound needs its derivation"
    assert function.clauses, f"{name}: no clause of spec/clauses.toml constrains it"
    for call in (function.valid, function.smoke):
        assert set(call) <= set(function.signature.parameters), f"{name}: {set(call)} are not its parameters"
        result = function.reference(**call)  # a valid call: the reference returns
        parts = result if isinstance(result, tuple) else (result,)
        assert len(parts) == len(function.parts)
        if function.compared:
            bounds = function.bound(function.signature.bind(**call).arguments | {
                k: p.default for k, p in function.signature.parameters.items() if k not in call})
            assert len(bounds) == len(function.parts)
            for bound in bounds:
                assert bound is None or (math.isfinite(bound[0]) and bound[0] >= 0 and int(bound[1]) >= 1)


def test_each_function_has_a_core_clause_that_states_its_result():
    """The guard lays a result of the wrong type or shape there (lcspec/harness/guard.py): a clause of the function's
    own chapter, at core, that names it."""
    assert list(SPECIFIED_BY) == list(reference.CONTRACT)
    for name, cid in SPECIFIED_BY.items():
        clause = clauses()[cid]
        assert name in clause["functions"] and clause["level"] == "core" and not cid.startswith("CONV"), (name, cid)


def test_the_valid_calls_stay_away_from_kinks_and_the_smoke_calls_from_every_margin():
    """CONV-1 varies the valid calls' dtypes: a margin at exactly 0 would judge a kink instead. The smoke
    calls are where any implementation must agree with the reference: every margin at least 0.03 from 0."""
    for scores in (S, X @ W.T):
        margins = scores - scores[np.arange(len(y)), y][:, None] + 1.0
        assert np.count_nonzero(margins == 0.0) == 0
    smoke = REGISTRY["hinge_losses"].smoke
    margins = smoke["S"] - smoke["S"][np.arange(len(smoke["y"])), smoke["y"]][:, None] + smoke["delta"]
    margins[np.arange(len(smoke["y"])), smoke["y"]] = np.inf
    assert np.min(np.abs(margins)) >= 0.03


def test_functions_not_compared_are_not_probed_either():
    """A result the guard does not compare with the reference's (numerical_gradient's follows its f) says
    nothing of the precision the implementation computes in."""
    for function in REGISTRY.values():
        assert function.compared or not function.probed
