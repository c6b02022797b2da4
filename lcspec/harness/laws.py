"""An index of the laws: the property tests of `lcspec.tests` and the clauses each one checks.

The suite's own tests use it to check that the spec and the laws name each other, and the docs to
list, under each clause, the properties that test it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import lcspec.tests

LAWS = Path(lcspec.tests.__file__).resolve().parent
"""The folder of the laws: tests/ in a checkout, lcspec/tests/ installed."""


def law_files() -> list[Path]:
    """The laws' modules, each a chapter's properties (what `lcspec check` runs)."""
    return sorted(LAWS.glob("test_*.py"))


def property_tests():
    """(qualified name `module::function`, function) of every test in the law modules test_*.py."""
    found = []
    for info in pkgutil.iter_modules(lcspec.tests.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"lcspec.tests.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and fn.__module__ == module.__name__:
                found.append((f"{info.name}::{name}", fn))
    return found


def clause_ids_of(fn) -> list[str]:
    """Clause IDs marked on the test, or on every one of its parametrized cases."""
    ids = []
    for mark in getattr(fn, "pytestmark", []):
        if mark.name == "clause":
            ids += mark.args
        elif mark.name == "parametrize":
            ids += [i for case in mark.args[1] for m in getattr(case, "marks", ()) if m.name == "clause" for i in m.args]
    return ids


def clause_sets_of(fn) -> list[set[str]]:
    """The clause IDs of each case the test runs: its own marks with those of each parametrized case."""
    own = {i for mark in getattr(fn, "pytestmark", []) if mark.name == "clause" for i in mark.args}
    cases = [{i for m in getattr(case, "marks", ()) if m.name == "clause" for i in m.args}
             for mark in getattr(fn, "pytestmark", []) if mark.name == "parametrize" for case in mark.args[1]]
    return [own | case for case in cases if case] or [own]
