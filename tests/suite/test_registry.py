"""The registry (lcspec/harness/contract.py) has one complete entry per contract function.

Adding a contract function without an entry, or with an entry the harness cannot use, fails here,
before any run trips over it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lcspec import reference
from lcspec.harness.clauses import clauses
from lcspec.harness.contract import REGISTRY, SPECIFIED_BY, S, W, X, entry, y


def test_every_contract_function_has_an_entry_in_the_contracts_order():
    assert list(REGISTRY) == list(reference.CONTRACT)
    with pytest.raises(KeyError, match="no entry in the contract registry"):
        entry("not_a_function")


def _inspect_bind(signature, args, kwargs):
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return dict(bound.arguments)


@pytest.mark.parametrize("name", reference.CONTRACT)
def test_bind_is_inspects_bind(name):
    """The guard's fast bind gives what inspect's Signature.bind with apply_defaults gives, order included, for the
    valid call by keyword, by position, split, with a keyword repeated, unknown or missing, and too many arguments."""
    function = REGISTRY[name]
    call = function.valid
    names = list(call)
    values = list(call.values())
    first = names[0]
    cases = [((), call), (tuple(values), {}), (tuple(values[:1]), dict(call) | {first: None}),
             ((), call | {"not_a_parameter": 1}), ((), {k: v for k, v in call.items() if k != first}),
             (tuple(values) + (None,) * 4, {}), (tuple(values[:1]), {k: call[k] for k in names[1:]})]
    for args, kwargs in cases:
        got, want = function.bind(args, kwargs), _inspect_bind(function.signature, args, kwargs)
        assert (got is None) == (want is None), (name, args, kwargs, got, want)
        if want is not None:
            assert list(got) == list(want) and all(got[k] is want[k] for k in want), (name, args, kwargs)


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


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) + len(start):].split(end, 1)[0]


def test_every_list_of_the_contract_elsewhere_is_the_contract_in_its_order_with_its_parameters():
    """The protocol's table (§9), the C port's function table, the Node port's protocol test and the demo's model
    each list the contract by hand (they are other languages' text): each must be CONTRACT, in its order, and the
    protocol table and the C port must name every parameter of each signature."""
    from tests.suite.runs import ROOT

    contract = list(reference.CONTRACT)
    parameters = {name: list(entry(name).signature.parameters) for name in contract}

    section = _between((ROOT / "spec/protocol.md").read_text(), "## 9. The contract functions", "\n## ")
    rows = re.findall(r"^\| `(\w+)` \| (.*?) \|", section, flags=re.M)
    assert [name for name, _ in rows] == contract, "spec/protocol.md §9"
    for name, cell in rows:
        named = set(re.findall(r"`(\w+)`", cell))
        assert set(parameters[name]) <= named, f"spec/protocol.md §9: {name} lacks {set(parameters[name]) - named}"

    table = re.findall(r'\{"(\w+)", fn_\w+, \{([^}]*)\}', (ROOT / "examples/c/protocol.c").read_text())
    assert [name for name, _ in table] == contract, "examples/c/protocol.c FUNCTIONS"
    for name, listed in table:
        assert re.findall(r'"(\w+)"', listed) == parameters[name], f"examples/c/protocol.c: {name}'s parameters"

    node = _between((ROOT / "examples/js/protocol.test.mjs").read_text(), "const CONTRACT = [", "];")
    assert re.findall(r"'(\w+)'", node) == contract, "examples/js/protocol.test.mjs CONTRACT"

    demo = _between((ROOT / "docs/pages/demo/linear.js").read_text(), "export const CONTRACT = {", "};")
    assert re.findall(r"^\s*(\w+)\s*[,:]", demo, flags=re.M) == contract, "docs/pages/demo/linear.js CONTRACT"
