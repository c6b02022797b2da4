"""The verdict: from the outcomes of a run's tests to its report, a pure function, and the report's schema.

:func:`verdict` takes what the run recorded (lcspec/harness/record.py) and returns the JSON report;
nothing here knows pytest. The schema is typed (the `TypedDict` classes below, `SCHEMA` their
version): the docs' conformance page and the suite's own tests import it, and :func:`check_schema`
checks a report against it.

Levels: every clause has one (spec/clauses.toml), and a test's level is the highest of its clauses'.
The selected level (`--level`) sets `exit_ok`; a failure above it still counts in its own level's
verdict. A wrong value is laid at the law that fails on it, and at `differential` only where no law
of its test tells it from the reference's value.

Statuses: functions "conforms" | "fails" | "deviates" | "not provided" | "not exercised" (provided,
but no test of it judged an example: all skipped, discarded or left out by -k/-m) | "unfinished" (no
failure, but the run stopped, e.g. -x, before all of its tests); a function's "status" is its status
at the selected level, "levels" its status at each, "name" the implementation's own name for it
(svm_loss_vectorized), "reasons" one line per clause it fails or deviates on. An implementation's
verdict at a level is "fails", else "incomplete" (a provided function not exercised or unfinished:
a partial run is never green), else "deviates", else "conforms"; the report's "status" is the run's
at the selected level, or "stopped" (interrupted: every verdict false). Clauses the same plus "no test", "skipped", "not judged" (its tests, or some of them, were
stopped by a failure laid elsewhere: differential or CONV-2; it is "conforms" only if every test of
it that ran passed), "not run" (the run stopped before its tests) and "reference only" (a clause on
no contract function). A function's "clauses" lists the clauses it fails or deviates on at any
level, "differential" whether it fails or deviates there with no law failing beside it, "found"
both per level; "precision" is the dtype its results were judged at. A clause's "tests" lists every
test of it (differential's, only those whose failure is laid there), each "passed" | "failed" |
"deviates" | "skipped" | "not judged".
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Literal, TypedDict

from lcspec.harness.clauses import LEVELS, level_of, within
from lcspec.harness.deviations import DIFFERENTIAL, matches
from lcspec.protocol.wire import printable as one_line

SCHEMA = "lcspec-conformance/4"
"""The report's schema version: /4 added `status`, an implementation's `variant`, a function's `name` and
`reasons`, a test's `reproduction`, the verdict "incomplete" and `sandbox`; /3 added `spec_version`, `isolated` and
`stopped` to /2."""
Status = Literal["conforms", "fails", "deviates", "not provided", "not exercised", "unfinished", "not judged",
                 "not run", "no test", "skipped", "reference only", "incomplete", "stopped"]
"""Every status the report gives (see the module docstring for what each means)."""
CONFORMS, FAILS, DEVIATES = "conforms", "fails", "deviates"
NOT_PROVIDED = "not provided"
NOT_RUN = "not run"
NOT_JUDGED = "not judged"
UNFINISHED = "unfinished"
NOT_EXERCISED = "not exercised"
NO_TEST = "no test"
SKIPPED = "skipped"
REFERENCE_ONLY = "reference only"
INCOMPLETE = "incomplete"
STOPPED = "stopped"
GREEN = (CONFORMS, DEVIATES)
"""The verdicts that pass: every other one (fails, incomplete, stopped) makes exit_ok false."""

PRECEDENCE: tuple[Status, ...] = (REFERENCE_ONLY, NOT_PROVIDED, FAILS, DEVIATES, NOT_JUDGED, NOT_RUN, UNFINISHED,
                                  CONFORMS, NOT_EXERCISED, NO_TEST, SKIPPED)
"""The status of a function, a clause or the differential where several hold: the first of them here. Whether it
applies comes first, then what its tests found (a failure over a declared deviation over a failure laid elsewhere),
then how far the run got, then a pass, then why nothing was judged."""
VERDICT_PRECEDENCE: tuple[Status, ...] = (FAILS, INCOMPLETE, DEVIATES, CONFORMS)
"""An implementation's verdict from its functions' statuses (or an assignment's from its variants'): the first that
holds. A partial run is never green, so incomplete outranks deviates here (a function's own status is another scale:
there a deviation is what the tests found, and unfinished how far the run got)."""


def first(holding: dict[Status, bool], order: tuple[Status, ...] = PRECEDENCE) -> Status:
    """The status of highest precedence among those that hold (`holding` must make one hold)."""
    return min((status for status, holds in holding.items() if holds), key=order.index)


# ---------------------------------------------------------------------- the schema
class TestEntry(TypedDict):
    id: str
    outcome: str          # passed | failed | deviates | skipped | not judged
    level: str
    functions: list[str]
    message: str          # one line, control characters escaped (see one_line)
    reproduction: str     # a failure's calls, in the implementation's layout, pasteable; "" otherwise


class ReasonEntry(TypedDict):
    """Why a function fails (or deviates on) one clause: the clause and its first failing test's message."""

    clause: str
    level: str
    title: str
    outcome: str          # failed | deviates
    test: str
    message: str


class ClauseEntry(TypedDict):
    level: str
    status: Status
    functions: list[str]  # the provided functions it constrains
    tests: list[TestEntry]


class FunctionEntry(TypedDict, total=False):
    status: Status        # at the selected level
    name: str             # the implementation's own name for it (a CS231n layout's svm_loss_vectorized)
    levels: dict[str, Status]
    clauses: list[str]
    reasons: list[ReasonEntry]
    differential: bool
    found: dict[str, list[str]]
    precision: str


class DifferentialEntry(TypedDict):
    status: Status
    levels: dict[str, Status]
    functions: list[str]  # the provided functions it compares
    found: dict[str, list[str]]  # per level, the functions it fails or deviates on (no law naming the problem)
    tests: list[TestEntry]


class ImplementationEntry(TypedDict):
    label: str
    spec: str             # the --impl value
    variant: str          # naive | vectorized for a CS231n assignment; "" otherwise
    origin: str           # the file or folder it was loaded from
    notes: list[str]      # what the loader did on the way
    verdicts: dict[str, Status]
    functions: dict[str, FunctionEntry]
    differential: DifferentialEntry
    clauses: dict[str, ClauseEntry]


class DeviationsEntry(TypedDict):
    declared: dict[str, str]
    unknown: list[str]
    stale: list[str]


class Report(TypedDict):
    schema: str
    spec_version: str
    level: Literal["core", "strict"]
    exit_ok: bool
    status: Status        # at the selected level: conforms | deviates | fails | incomplete | stopped
    verdicts: dict[str, bool]
    isolated: bool        # whether the implementation ran in a process of its own
    sandbox: str          # what it ran in: "bubblewrap", or why not ("off (--sandbox off): ...", "none (...)")
    stopped: str          # why the run has no verdict (interrupted, nothing selected); "" when it ran through
    seconds: float
    input_precision: str
    implementations: list[ImplementationEntry]
    deviations: DeviationsEntry


class ErrorReport(TypedDict):
    """What a run that could judge nothing writes (exit status 2)."""

    schema: str
    exit_ok: bool          # always false
    error: str


def check_schema(data, kind=Report, where: str = "report") -> None:
    """Raise a ValueError naming the first field of `data` that does not have the type the schema gives it."""
    if typing.is_typeddict(kind):
        _check_record(data, kind, where)
        return
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        if data not in args:
            raise ValueError(f"{where} must be one of {args}, got {data!r}")
    elif origin is list:
        if not isinstance(data, list):
            raise ValueError(f"{where} must be a list, got {type(data).__name__}")
        for i, value in enumerate(data):
            check_schema(value, args[0], f"{where}[{i}]")
    elif origin is dict:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be an object, got {type(data).__name__}")
        for key, value in data.items():
            check_schema(value, args[1], f"{where}.{key}")
    elif kind is float:
        if not isinstance(data, (int, float)) or isinstance(data, bool):
            raise ValueError(f"{where} must be a number, got {data!r}")
    elif not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise ValueError(f"{where} must be {kind.__name__}, got {data!r}")


def _check_record(data, kind, where: str) -> None:
    """check_schema for a TypedDict: an object with its required keys and no others, each of its type."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object, got {type(data).__name__}")
    hints = typing.get_type_hints(kind)
    missing = [k for k in kind.__required_keys__ if k not in data]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")
    for key, value in data.items():
        if key not in hints:
            raise ValueError(f"{where}.{key} is not in the schema")
        check_schema(value, hints[key], f"{where}.{key}")


# ---------------------------------------------------------------------- what the run recorded
@dataclasses.dataclass
class Outcome:
    """One test of one implementation, as the run recorded it."""

    nodeid: str
    impl: str             # the implementation's label
    clauses: list[str]
    outcome: str = "skipped"  # passed | failed | deviates | skipped
    message: str = ""
    functions: set[str] = dataclasses.field(default_factory=set)  # the functions a failure is laid at
    called: set[str] = dataclasses.field(default_factory=set)
    deviation: str | None = None
    blamed: list[str] | None = None  # what a failure found by the guard is laid at (CONV-2 or differential)
    level: str = ""  # the test's conformance level: the highest of its clauses'
    reproduction: str = ""  # a failure's calls, in the implementation's layout (lcspec/harness/reproduce.py)

    def __post_init__(self):
        self.level = self.level or level_of(self.clauses)


@dataclasses.dataclass(frozen=True)
class Judged:
    """What the verdict needs to know of one implementation besides its tests' outcomes."""

    label: str
    spec: str
    origin: str
    notes: list[str]
    provided: frozenset[str]
    precision: dict[str, str]  # function -> the dtype its results were judged at, where coarser than float64
    compared: frozenset[str]   # the provided functions whose results the guard compares with the reference's
    variant: str = ""          # naive | vectorized (a CS231n assignment)
    names: dict[str, str] = dataclasses.field(default_factory=dict)  # function -> the implementation's own name


@dataclasses.dataclass(frozen=True)
class Run:
    """Everything a verdict is computed from."""

    impls: list[Judged]
    outcomes: list[Outcome]
    scheduled: dict[str, tuple[str, list[str]]]  # node id -> (implementation label, clauses) of each selected test
    contract: tuple[str, ...]
    clauses: dict[str, dict]
    declared: dict[str, str]
    unknown: list[str]
    level: str
    seconds: float
    input_precision: str
    spec_version: str
    isolated: bool = False
    stopped: str = ""
    sandbox: str = ""


# ---------------------------------------------------------------------- text from the judged
def lines_of(text: str) -> str:
    """Multi-line text lcspec composed (a reproduction), each of its lines made safe with :func:`one_line`
    (wire.printable: text an implementation sends is data, and must not move the cursor, clear the screen or start
    a line of its own in a report, the terminal's, the JSON's or the JUnit's)."""
    return "\n".join(one_line(line) for line in str(text).splitlines())


# ---------------------------------------------------------------------- the verdict
def laid_at(o: Outcome, registry: dict) -> list[str]:
    """What a failed or deviating test is laid at: the guard's finding, else those of the test's clauses
    that constrain a function it failed on (all of them when none names one)."""
    if o.blamed:
        return o.blamed
    return [c for c in o.clauses if o.functions & set(registry.get(c, {}).get("functions", ()))] or o.clauses


def verdict(run: Run) -> Report:
    """The report of a run (see the module docstring for what each status means)."""
    entries = [_summarise(run, impl) for impl in run.impls]
    ran: dict[str, list[str]] = {}
    for o in run.outcomes:
        for d in run.declared:
            clause, _, function = d.partition(":")
            if (d in o.clauses or d in (o.blamed or ()) or matches(o.nodeid, d)
                    or (d == DIFFERENTIAL and o.called)
                    or (function and clause in (*o.clauses, *(o.blamed or ())) and function in o.called)):
                ran.setdefault(d, []).append(o.outcome)
    stale = [d for d, outs in ran.items() if "deviates" not in outs and "passed" in outs]
    # A stopped run has no verdict to stand on, at any level; an incomplete one is not green either.
    verdicts = {level: not run.stopped and all(e["verdicts"][level] in GREEN for e in entries) for level in LEVELS}
    status = STOPPED if run.stopped else overall([e["verdicts"][run.level] for e in entries])
    return {"schema": SCHEMA, "spec_version": run.spec_version, "level": run.level,
            "exit_ok": verdicts[run.level], "status": status, "verdicts": verdicts, "isolated": run.isolated,
            "stopped": one_line(run.stopped), "sandbox": run.sandbox,
            "seconds": round(run.seconds, 2), "input_precision": run.input_precision, "implementations": entries,
            "deviations": {"declared": dict(run.declared), "unknown": list(run.unknown), "stale": stale}}


def _judged(run: Run, o: Outcome, cid: str) -> TestEntry:
    """A test as an entry of clause `cid`: a failure laid elsewhere did not judge `cid`."""
    outcome = o.outcome
    if outcome in ("failed", "deviates") and cid not in laid_at(o, run.clauses):
        outcome = NOT_JUDGED
    return {"id": o.nodeid, "outcome": outcome, "level": o.level, "functions": sorted(o.functions),
            "message": one_line(o.deviation if outcome == "deviates" else o.message),
            "reproduction": lines_of(o.reproduction) if outcome == "failed" else ""}


_HUNG_BEFORE, _HUNG = "hung on an earlier call", "did not return within"  # the guard's words (lcspec/harness/guard.py)


def _reasons(run: Run, name: str, mine: list[Outcome], found: dict[str, list[str]]) -> list[ReasonEntry]:
    """One line per clause `name` fails or deviates on (`found`, per level, as its verdict counts them): the clause,
    the lowest level it counts at, and the message of its first test of that level."""
    reasons: dict[str, ReasonEntry] = {}
    for level in LEVELS:
        for cid in found[level]:
            tests = [o for o in mine if o.outcome in ("failed", "deviates") and name in o.functions
                     and within(o.level, level) and cid in laid_at(o, run.clauses)]
            if cid in reasons or not tests:
                continue
            o = next((o for o in tests if o.outcome == "failed"), tests[0])
            message = o.deviation if o.outcome == "deviates" else o.message
            if _HUNG_BEFORE in message:  # say how it hung (the first hang, maybe in a test of another level)
                message = next((h.message for h in mine if name in h.functions and _HUNG in h.message), message)
            reasons[cid] = {"clause": cid, "level": level,
                            "title": run.clauses.get(cid, {}).get("title", "the reference's value on the same inputs"),
                            "outcome": o.outcome, "test": o.nodeid, "message": one_line(message)}
    return list(reasons.values())


def _function_at(run: Run, name: str, mine: list[Outcome], level: str, unfinished: bool) -> dict:
    """A provided function's verdict from the tests of `level` and below."""
    judged = [o for o in mine if within(o.level, level)]
    laid = {kind: sorted({c for o in judged if o.outcome == kind and name in o.functions for c in laid_at(o, run.clauses)})
            for kind in ("failed", "deviates")}
    exercised = any(o.outcome == "passed" and name in o.called for o in judged)
    status = first({FAILS: bool(laid["failed"]), DEVIATES: bool(laid["deviates"]), UNFINISHED: unfinished,
                    CONFORMS: exercised, NOT_EXERCISED: True})
    found = laid["failed"] or laid["deviates"]
    laws = [c for c in found if c != DIFFERENTIAL]
    # A wrong value is the differential's only where no law it broke names it.
    return {"status": status, "clauses": laws, "differential": DIFFERENTIAL in found and not laws}


def _summarise(run: Run, impl: Judged) -> ImplementationEntry:
    mine = [o for o in run.outcomes if o.impl == impl.label]
    done = {o.nodeid for o in mine}
    # the clauses of tests the run stopped before (-x): a verdict of "conforms" on them would be premature
    unrun = {c for node, (label, ids) in run.scheduled.items() if label == impl.label and node not in done for c in ids}
    unfinished_functions = {f for c in unrun for f in run.clauses.get(c, {}).get("functions", ())}
    functions: dict[str, FunctionEntry] = {}
    explained: dict[str, set] = {level: set() for level in LEVELS}
    for name in run.contract:
        if name not in impl.provided:
            functions[name] = {"status": NOT_PROVIDED, "name": one_line(impl.names.get(name, name)),
                               "levels": dict.fromkeys(LEVELS, NOT_PROVIDED), "clauses": [], "reasons": [],
                               "differential": False}
            continue
        at = {level: _function_at(run, name, mine, level, name in unfinished_functions) for level in LEVELS}
        for level, found in at.items():
            if found["clauses"]:
                explained[level].add(name)  # a law names what is wrong with it: the differential need not
        functions[name] = {"status": at[run.level]["status"], "name": one_line(impl.names.get(name, name)),
                           "levels": {lv: a["status"] for lv, a in at.items()},
                           "clauses": at[LEVELS[-1]]["clauses"],
                           "reasons": _reasons(run, name, mine, {lv: a["clauses"] + [DIFFERENTIAL] * a["differential"]
                                                                 for lv, a in at.items()}),
                           "differential": at[LEVELS[-1]]["differential"],
                           "found": {lv: a["clauses"] + [DIFFERENTIAL] * a["differential"] for lv, a in at.items()},
                           "precision": impl.precision.get(name, "float64")}
    clause_entries: dict[str, ClauseEntry] = {}
    for cid, clause in run.clauses.items():
        tests = [_judged(run, o, cid) for o in mine if cid in o.clauses or cid in (o.blamed or ())]
        outs = {t["outcome"] for t in tests}
        provided = [f for f in clause["functions"] if f in impl.provided]
        status = first({REFERENCE_ONLY: not clause["functions"], NOT_PROVIDED: not provided, FAILS: "failed" in outs,
                        DEVIATES: "deviates" in outs, NOT_JUDGED: NOT_JUDGED in outs,
                        NOT_RUN: not tests and cid in unrun, UNFINISHED: cid in unrun, CONFORMS: "passed" in outs,
                        NO_TEST: not tests, SKIPPED: True})
        clause_entries[cid] = {"level": clause["level"], "status": status, "functions": provided, "tests": tests}
    provided_entries = [f for f in functions.values() if f["status"] != NOT_PROVIDED]
    verdicts = {level: overall([f["levels"][level] for f in provided_entries]) for level in LEVELS}
    return {"label": one_line(impl.label), "spec": one_line(impl.spec), "variant": one_line(impl.variant),
            "origin": one_line(impl.origin), "notes": [one_line(n) for n in impl.notes],
            "verdicts": verdicts, "functions": functions,
            "differential": _differential(run, impl, mine, bool(unrun), explained), "clauses": clause_entries}


def _differential(run: Run, impl: Judged, mine: list[Outcome], unfinished: bool,
                  explained: dict[str, set]) -> DifferentialEntry:
    """The guard's verdict on every call: the implementation returns what the reference returns.

    It counts at each level only for functions that fail no law at that level: where a law fails,
    the law's clause says what is wrong, and the differential's tests are "not judged" there.
    """
    provided = [f for f in run.contract if f in impl.compared]
    laid = [o for o in mine if DIFFERENTIAL in (o.blamed or ())]

    def status(level):
        mine_here = [o for o in laid if within(o.level, level)]
        outs = {o.outcome for o in mine_here if not o.functions <= explained[level]}
        checked = any(o.outcome == "passed" and o.called & set(provided) for o in mine if within(o.level, level))
        return first({NOT_PROVIDED: not provided, FAILS: "failed" in outs, DEVIATES: "deviates" in outs,
                      NOT_JUDGED: any(o.outcome == "failed" for o in mine_here), UNFINISHED: unfinished,
                      CONFORMS: checked, NO_TEST: True})

    def found(level):
        return sorted({f for o in laid if within(o.level, level) and o.outcome in ("failed", "deviates")
                       and not o.functions <= explained[level] for f in o.functions})

    levels = {level: status(level) for level in LEVELS}
    tests = [_judged(run, o, DIFFERENTIAL) for o in laid]
    for test, o in zip(tests, laid):
        if test["outcome"] == "failed" and o.functions <= explained[LEVELS[-1]]:
            test["outcome"], test["message"] = NOT_JUDGED, f"{test['message']} (laid at the law that fails)"
    return {"status": levels[run.level], "levels": levels, "functions": provided,
            "found": {level: found(level) for level in LEVELS}, "tests": tests}


def overall(statuses: list[str]) -> str:
    """A verdict at one level from the statuses there of an implementation's provided functions (or of the
    variants of one assignment): fails, else incomplete (something provided went unjudged), else deviates, else
    conforms; incomplete when there is nothing to combine."""
    partial = not statuses or any(s in (UNFINISHED, NOT_EXERCISED, INCOMPLETE, STOPPED) for s in statuses)
    return first({FAILS: FAILS in statuses, INCOMPLETE: partial, DEVIATES: DEVIATES in statuses, CONFORMS: True},
                 VERDICT_PRECEDENCE)


def combined(parts: list[Report], seconds: float) -> Report:
    """One report from the reports of runs that judged the variants of one assignment apart (`lcspec check` judges
    them at once, each in a process of its own): their implementations side by side, and the run's verdicts as one
    run of them all gives them. A declared deviation is stale where some run found it stale and none used it."""
    first_part = parts[0]
    entries = [e for p in parts for e in p["implementations"]]
    stopped = next((p["stopped"] for p in parts if p["stopped"]), "")
    level = first_part["level"]
    verdicts = {lv: not stopped and all(p["verdicts"][lv] for p in parts) for lv in LEVELS}
    used = {(cid, t["id"]) for e in entries for cid, c in e["clauses"].items() for t in c["tests"]
            if t["outcome"] == DEVIATES}
    stale = sorted({d for p in parts for d in p["deviations"]["stale"]
                    if not any(matches(name, d) or d.partition(":")[0] == cid for cid, name in used)})
    precisions = sorted({p["input_precision"] for p in parts})
    return {**first_part, "exit_ok": verdicts[level], "verdicts": verdicts, "stopped": stopped,
            "status": STOPPED if stopped else overall([e["verdicts"][level] for e in entries]),
            "seconds": round(seconds, 2), "input_precision": " and ".join(precisions), "implementations": entries,
            "deviations": {**first_part["deviations"], "stale": stale}}
