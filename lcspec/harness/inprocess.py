"""Implementations loaded into the judge's own process (`--in-process`, and the suite's own tests).

Only for debugging and for lcspec's tests of itself: the implementation then runs inside the judge, and
the report says the verdict is not isolated. Every other run goes through lcspec/harness/isolation.py.
"""

from __future__ import annotations

from lcspec.harness.guard import Implementation
from lcspec.harness.loading import loaded
from lcspec.harness.session import DEFAULT_CALL_TIMEOUT


def implementations(spec: str, call_timeout: float = DEFAULT_CALL_TIMEOUT) -> list[Implementation]:
    """The implementations `--impl=spec` selects, loaded here, each behind the guard."""
    return [Implementation(found.module, found.label, found.spec, found.variant, call_timeout, notes=found.notes)
            for found in loaded(spec)]
