"""Declared deviations: what an implementation is known, and says, not to meet.

A deviations file (`--deviations FILE`) has one clause ID, `differential`, or test id per line,
the reason after `#`; `ID:function` narrows an ID to one function's failures. At collection, a test whose id or one of whose clauses is declared gets an
`xfail` marker carrying the reason, so it is reported as an expected failure ("deviates: reason")
and does not fail the run. What only the run can tell (the guard blames a call on CONV-2 or on
`differential`, whatever the test's clauses) is matched when the test's report is made
(lcspec/harness/record.py). A declared id that matches nothing is warned about; a declared
deviation whose tests all passed is reported as stale (lcspec/harness/verdict.py).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pytest

DIFFERENTIAL = "differential"
"""Where the report lays what the guard finds on a call (other than CONV-2): the implementation does not
return what the reference returns on the same inputs (it raises, hangs, or gives a wrong type, shape,
dtype, a NaN or a value off by more than the tolerance). A deviations file names it like a clause."""


def read(path: str | None) -> dict[str, str]:
    """{clause or test id: reason} from a deviations file (`ID  # reason` per line; blank and # lines skipped)."""
    if not path:
        return {}
    declared = {}
    for line in Path(path).read_text().splitlines():
        ident, _, reason = line.partition("#")
        if ident.strip():
            declared[ident.strip()] = reason.strip() or "no reason given"
    return declared


def matches(nodeid: str, ident: str) -> bool:
    """A test id matches its full node id, the node id without parameters, or a `::`- or `/`-suffix of either."""
    plain = nodeid.split("[")[0]
    return any(n == ident or n.endswith("::" + ident) or n.endswith("/" + ident) for n in (nodeid, plain))


@dataclasses.dataclass
class Deviations:
    """The declared deviations of one run, and what became of them."""

    declared: dict[str, str] = dataclasses.field(default_factory=dict)
    source: str | None = None
    unknown: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_file(cls, path: str | None) -> "Deviations":
        return cls(read(path), path)

    def __bool__(self) -> bool:
        return bool(self.declared)

    def for_test(self, nodeid: str, clause_ids) -> list[str]:
        """The declared ids that cover a test, known at collection: its own id, or one of its clauses."""
        return [d for d in self.declared if d in clause_ids or matches(nodeid, d)]

    def for_blamed(self, blamed, functions=()) -> list[str]:
        """The declared ids that cover what a failure is laid at (a law's clause, or what the guard blamed: CONV-2,
        differential): the bare ID, or `ID:function` for the failures of that function only (`GRAD-3:svm_loss`;
        `differential:hinge_losses`: its wrong values where no law of the test tells them apart, when a declared
        law already says why they are wrong)."""
        return [d for d in self.declared if d in (blamed or ())
                or (d.partition(":")[0] in (blamed or ()) and d.partition(":")[2] in functions)]

    def reason(self, ids) -> str:
        return "; ".join(self.declared[d] for d in ids)

    def mark(self, items, clause_ids_of, known_clauses) -> None:
        """Collection: an xfail marker on each test a deviation covers; warn about ids that match nothing."""
        for item in items:
            covering = self.for_test(item.nodeid, clause_ids_of(item))
            if covering:
                item.add_marker(pytest.mark.xfail(reason=f"deviates: {self.reason(covering)}", strict=False))
        ids = [item.nodeid for item in items]
        self.unknown = [d for d in self.declared if d.partition(":")[0] not in (*known_clauses, DIFFERENTIAL)
                        and not any(matches(n, d) for n in ids)]
        for ident in self.unknown:
            warnings.warn(pytest.PytestWarning(f"--deviations: {ident!r} is neither a clause ID nor a collected test"))
