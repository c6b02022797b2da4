"""Read the spec's data (spec/, installed as `lcspec.spec`): clauses.toml is the one place clause IDs,
texts and levels live, and where the spec's version is written."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import lcspec.spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


SPEC_DIR = Path(lcspec.spec.__file__).resolve().parent
"""The spec's folder: spec/ in a checkout, lcspec/spec/ where the distribution is installed."""


@functools.cache
def registry() -> dict:
    """The parsed registry: {"version": ..., "chapters": {key: {...}}, "clause": [{id, chapter, title, text, functions, level}]}."""
    with open(SPEC_DIR / "clauses.toml", "rb") as fh:
        return tomllib.load(fh)


def spec_version() -> str:
    """The version of the spec (clauses.toml's `version`): what a report says it judged against."""
    return registry()["version"]


def clauses() -> dict[str, dict]:
    """Clause records by ID, in registry order."""
    return {c["id"]: c for c in registry()["clause"]}


def chapters() -> dict[str, dict]:
    """Chapter records by key, in reading order."""
    return registry()["chapters"]


LEVELS = ("core", "strict")
"""The conformance levels, lowest first (spec/00-conventions.md, §0.7): conforming at one level means
failing no clause of that level or below."""


def level_of(clause_ids) -> str:
    """The level of a test that checks `clause_ids`: the highest of theirs ("core" for none, or for `differential`)."""
    found = [clauses()[c]["level"] for c in clause_ids if c in clauses()]
    return max(found, key=LEVELS.index, default=LEVELS[0])


def within(level: str, limit: str) -> bool:
    """Whether `level` is `limit` or below it."""
    return LEVELS.index(level) <= LEVELS.index(limit)
