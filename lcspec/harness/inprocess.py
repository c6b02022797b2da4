"""Implementations loaded into the judge's own process (`--in-process`, and the suite's own tests).

Only for debugging and for lcspec's tests of itself: the implementation then runs inside the judge, and
the report says the verdict is not isolated. Every other run goes through lcspec/harness/isolation.py.
"""

from __future__ import annotations

from lcspec.harness.guard import Implementation
from lcspec.harness.loading import LoadError, loaded
from lcspec.harness.loading.cs231n_layout import Cs231nLayout
from lcspec.harness.session import DEFAULT_CALL_TIMEOUT


def implementations(spec: str, call_timeout: float = DEFAULT_CALL_TIMEOUT,
                    variant: str | None = None) -> list[Implementation]:
    """The implementations `--impl=spec` selects, loaded here, each behind the guard; with `variant`, that one."""
    found = loaded(spec)
    if variant is not None:
        if variant not in [f.variant for f in found]:
            raise LoadError(f"{spec} has no variant {variant!r} (it has: {', '.join(str(f.variant) for f in found)})")
        found = [f for f in found if f.variant == variant]
    return [Implementation(f.module, f.label, f.spec, f.variant, call_timeout, notes=f.notes,
                           layout=f.module if isinstance(f.module, Cs231nLayout) else None) for f in found]
