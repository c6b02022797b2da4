"""Read the spec's clause registry (spec/clauses.toml): the one place clause IDs and texts live."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SPEC_DIR = Path(__file__).resolve().parent.parent / "spec"


@functools.cache
def registry() -> dict:
    """The parsed registry: {"chapters": {key: {...}}, "clause": [{id, chapter, title, text, functions}]}."""
    with open(SPEC_DIR / "clauses.toml", "rb") as fh:
        return tomllib.load(fh)


def clauses() -> dict[str, dict]:
    """Clause records by ID, in registry order."""
    return {c["id"]: c for c in registry()["clause"]}


def chapters() -> dict[str, dict]:
    """Chapter records by key, in reading order."""
    return registry()["chapters"]
