"""The conformance report: what every run says about the implementation under test.

A pytest plugin (registered by tests/conftest.py) that, for every test using the `impl` fixture,
records its clauses (`@pytest.mark.clause`), its outcome and which contract functions it called
(through the guard of tests/implementation.py), and at the end of the run prints, per
implementation, the verdict at each conformance level (spec/00-conventions.md, §0.7), one line per
provided function, and details only for what fails: each failing clause with its tests, and why
anything was skipped. `differential` is what the guard checks on every call (the implementation
returns what the reference returns on the same inputs, and in time); a value the reference does not
share is laid at the clause of the law that fails on it, and at `differential` only when no law
of its test tells the two apart. A failing test also gets a "lcspec reproduction" section: the
calls of the shrunk counterexample, the implementation's value beside the reference's, and a
snippet to paste into Python.

Levels: every clause has one (spec/clauses.toml), and a test's level is the highest of its
clauses'. `--level core|strict` (default core) chooses the verdict that sets the exit code and the
JSON's `exit_ok`; a failure above it is reported as an expected failure ("xfail") saying so, and
still counts in the verdict of its own level.

Declared deviations (`--deviations FILE`): one clause ID (or `differential`) or test id per line,
the reason after `#`. A failing test whose id, one of whose clauses, or whose guard finding is
declared is reported as an expected failure ("deviates: reason") and does not fail the run; a
declared id that matches nothing is warned about; a declared deviation whose tests all passed is
reported as stale.

`--conformance-json PATH` writes the same summary as JSON::

    {
      "schema": "lcspec-conformance/2",
      "level": "core",                 # the level that sets exit_ok (--level)
      "exit_ok": true,                 # no provided function fails at that level, apart from declared deviations
      "verdicts": {"core": true, "strict": false},   # the same, per level
      "seconds": 12.3,                 # wall-clock time of the run
      "input_precision": "float64",    # the dtype the drawn inputs are numbers of (tests/precision.py)
      "implementations": [{
        "label": "cs231n:examples/cs231n_linear_classifier.py (naive)",
        "spec": "cs231n:examples/cs231n_linear_classifier.py",   # the --impl value
        "origin": "/abs/path/examples/cs231n_linear_classifier.py",
        "notes": [],                   # what the loader did on the way (e.g. a stand-in for a missing module)
        "verdicts": {"core": "conforms", "strict": "fails"},
        "functions": {"svm_loss": {"status": "fails", "levels": {"core": "fails", "strict": "fails"},
                                   "clauses": ["GRAD-1"], "differential": false,
                                   "found": {"core": ["GRAD-1"], "strict": ["GRAD-1"]}, "precision": "float64"},
                      "scores": {"status": "not provided", ...}, ...},
        "differential": {"status": "conforms", "levels": {...}, "functions": [...], "tests": [...]},
        "clauses": {"GRAD-1": {"level": "core", "status": "fails", "functions": ["svm_loss"],
                               "tests": [{"id": "tests/...::test_x", "outcome": "failed", "level": "core",
                                          "functions": ["svm_loss"], "message": "first line of the failure"}]}, ...}
      }],
      "deviations": {"declared": {"ID": "reason"}, "unknown": ["ID"], "stale": ["ID"]}
    }

A run that cannot judge anything (--impl cannot be loaded or provides nothing of the contract, a
deviations file is missing) exits with status 2 and writes `{"schema": ..., "exit_ok": false,
"error": "what was wrong"}` instead.

Statuses: functions "conforms" | "fails" | "deviates" | "not provided" | "not exercised" (provided,
but every test of it was skipped) | "unfinished" (no failure, but the run stopped, e.g. -x, before
all of its tests); a function's "status" is its status at the selected level, "levels" its status
at each. Clauses the same plus "no test", "skipped", "not judged" (its tests, or some of them,
were stopped by a failure laid elsewhere: differential or CONV-2; it is "conforms" only if every
test of it that ran passed), "not run" (the run stopped, e.g. -x, before its tests) and "reference
only" (a clause on no contract function). A function's "clauses" lists the clauses it fails or
deviates on at any level, "differential" whether it fails or deviates there with no law failing
beside it, "found" both per level (a list of clause IDs, with "differential" where it stands
alone); "precision" is the dtype its results were judged at. A clause's "tests" lists every
test of it (differential's, only those whose failure is laid there), each "passed" | "failed" |
"deviates" | "skipped" | "not judged" (it failed, but on another clause or on a function the clause
does not constrain).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis.errors import Unsatisfiable

import reference
from tests import implementation, precision
from tests.clauses import LEVELS, clauses, level_of, within

SCHEMA = "lcspec-conformance/2"
NOT_PROVIDED = "not provided"
NOT_RUN = "not run"
NOT_JUDGED = "not judged"
UNFINISHED = "unfinished"


def read_deviations(path: str | None) -> dict[str, str]:
    """{clause or test id: reason} from a deviations file (`ID  # reason` per line; blank and # lines skipped)."""
    if not path:
        return {}
    declared = {}
    for line in Path(path).read_text().splitlines():
        ident, _, reason = line.partition("#")
        if ident.strip():
            declared[ident.strip()] = reason.strip() or "no reason given"
    return declared


def _matches(nodeid: str, ident: str) -> bool:
    """A test id matches its full node id, the node id without parameters, or a `::`- or `/`-suffix of either."""
    plain = nodeid.split("[")[0]
    return any(n == ident or n.endswith("::" + ident) or n.endswith("/" + ident) for n in (nodeid, plain))


def _one_example(fn, finding: list):
    """`fn` run as one example: a fresh record of its calls, then implementation.settle() on what it let through.

    `finding` holds at most one :class:`implementation.Finding`, the smallest wrong value that no law
    of the test caught in any example so far.
    """

    def keep(found):
        if found is not None and (not finding or found.size < finding[0].size):
            finding[:] = [found]

    @functools.wraps(fn)
    def example(*args, **kwargs):
        __tracebackhide__ = True  # pytest: show the test's frames, not this one
        implementation.RECORDER = []
        try:
            result = fn(*args, **kwargs)
        except (Exception, pytest.skip.Exception) as exc:
            keep(implementation.settle(exc))
            raise
        keep(implementation.settle())
        return result

    return example


@dataclasses.dataclass
class Outcome:
    nodeid: str
    impl: implementation.Implementation
    clauses: list[str]
    outcome: str = "skipped"  # passed | failed | deviates | skipped
    message: str = ""
    functions: set[str] = dataclasses.field(default_factory=set)  # the functions a failure is laid at
    called: set[str] = dataclasses.field(default_factory=set)
    deviation: str | None = None
    blamed: list[str] | None = None  # what a failure found by the guard is laid at (CONV-2 or differential)
    level: str = ""  # the test's conformance level: the highest of its clauses'

    def __post_init__(self):
        self.level = self.level or level_of(self.clauses)


def _format(value) -> str:
    with np.printoptions(floatmode="unique", threshold=sys.maxsize, linewidth=110):
        return repr(value)


def _call_text(call: implementation.Call) -> str:
    parts = [_format(a) for a in call.args] + [f"{k}={_format(v)}" for k, v in call.kwargs.items()]
    return f"{call.name}({', '.join(parts)})"


def _agrees(call: implementation.Call) -> bool:
    """Whether a call returned what the reference returns on it (to the last bits: this only chooses which
    call a reproduction shows, the verdict is the laws' and the differential check's)."""
    if call.problem or call.wrong_value or call.reference_error is not None or call.result is None:
        return False
    got = call.result if isinstance(call.result, tuple) else (call.result,)
    want = call.expected if isinstance(call.expected, tuple) else (call.expected,)
    try:
        return len(got) == len(want) and all(
            np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True)
            for a, b in zip(got, want))
    except (TypeError, ValueError):
        return True  # not numbers: nothing to prefer


def reproduction(call: implementation.Call) -> str:
    """The call, both values, and a snippet that repeats it in a Python prompt (from the repository root).

    An implementation in a layout of its own (the CS231n layout) says it in its own terms: its function,
    its argument shapes, pasteable where its code is (`reproduce` of tests/cs231n_layout.py).
    """
    impl = call.impl
    own = getattr(impl.module, "reproduce", None)
    if callable(own) and call.reference_error is None:
        bound = implementation._bind(inspect.signature(getattr(reference, call.name)), call.args, call.kwargs)
        text = own(call.name, bound, call.result, call.expected, _format) if bound else None
        if text:
            return text
    got = f"raised: {call.problem}" if call.problem and call.result is None else _format(call.result)
    want = (f"raises {type(call.reference_error).__name__}: {call.reference_error}" if call.reference_error
            else "(not compared)" if call.name in implementation.differential.SKIPPED else _format(call.expected))
    variant = f", {impl.variant!r}" if impl.variant else ""
    args = ", ".join([_format(a) for a in call.args] + [f"{k}={_format(v)}" for k, v in call.kwargs.items()])
    return "\n".join([
        f"call:            {_call_text(call)}",
        f"implementation:  {got}",
        f"reference:       {want}",
        "reproduce (python, from the repository root):",
        "    import numpy as np",
        "    from numpy import array, inf, nan, float16, float32, float64, int32, int64",
        "    import reference",
        "    from tests.implementation import unguarded",
        f"    impl = unguarded({impl.spec!r}{variant})",
        f"    print(impl.{call.name}({args}))",
        f"    print(reference.{call.name}({args}))",
    ])


class ConformanceReport:
    """The plugin object; one per run."""

    def __init__(self, config, impls: list[implementation.Implementation]):
        self.config = config
        self.impls = impls
        self.started = time.perf_counter()
        self.seconds = 0.0
        self.outcomes: dict[str, Outcome] = {}
        self.deviations = read_deviations(config.getoption("--deviations"))
        self.unknown: list[str] = []
        self.registry = clauses()
        self.scheduled: dict[str, tuple] = {}  # node id -> (implementation, clauses) of each selected test
        self.level = config.getoption("--level") or LEVELS[0]
        self.other_failures = 0  # failed tests that do not judge the implementation (the suite's own, doctests)

    # ------------------------------------------------------------------ hooks
    def pytest_report_header(self, config):
        lines = [f"lcspec implementation under test: {i.label}" for i in self.impls]
        lines.append(f"  loaded from: {implementation.origin(self.impls[0].spec)}")
        lines += [f"  note: {note}" for note in dict.fromkeys(n for i in self.impls for n in i.notes)]
        lines.append(f"  conformance level: {self.level} sets the exit code (--level=core|strict; spec/00-conventions.md §0.7)")
        if precision.SESSION != np.float64:
            lines.append(f"  {precision.SESSION} results: inputs are drawn as {precision.SESSION} numbers in its range, "
                         f"and judged at its precision (tests/precision.py)")
        if self.deviations:
            lines.append(f"  declared deviations: {len(self.deviations)} from {config.getoption('--deviations')}")
        return lines

    def pytest_collection_modifyitems(self, session, config, items):
        ids = [item.nodeid for item in items]
        self.unknown = [d for d in self.deviations if d not in self.registry and d != implementation.DIFFERENTIAL
                        and not any(_matches(n, d) for n in ids)]
        for ident in self.unknown:
            warnings.warn(pytest.PytestWarning(f"--deviations: {ident!r} is neither a clause ID nor a collected test"))

    def pytest_collection_finish(self, session):
        self.scheduled = {item.nodeid: (self._impl_of(item), [c for m in item.iter_markers("clause") for c in m.args])
                          for item in session.items if self._impl_of(item) is not None}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        if self._impl_of(item) is None:
            yield
            return
        # Each example (each Hypothesis example, or the one call of a plain test) is recorded afresh and
        # settled at its end; the last record is the shrunk counterexample's.
        hypothesis = getattr(item.obj, "hypothesis", None)
        plain = item.obj
        finding: list[implementation.Finding] = []
        if hypothesis is not None:
            inner = hypothesis.inner_test
            hypothesis.inner_test = _one_example(inner, finding)
        else:
            item.obj = _one_example(plain, finding)
        implementation.RECORDER = []
        try:
            outcome = yield
        finally:
            item._lcspec_calls = implementation.RECORDER
            implementation.RECORDER = None
            if hypothesis is not None:
                hypothesis.inner_test = inner
            else:
                item.obj = plain
        # No law of the test failed, but some example returned a value that is not the reference's: fail
        # it now, after Hypothesis, which would otherwise shrink a law's failure into this one.
        if outcome.excinfo is None and finding:
            item._lcspec_calls = finding[0].calls
            outcome.force_exception(finding[0].failure())

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        impl = self._impl_of(item)
        if impl is None:
            self.other_failures += report.failed
            return
        if report.when not in ("setup", "call"):
            return
        ids = [i for m in item.iter_markers("clause") for i in m.args]
        outcome = self.outcomes.setdefault(item.nodeid, Outcome(item.nodeid, impl, ids))
        if report.when == "call":  # --junitxml writes item properties with the teardown report
            item.user_properties.append(("lcspec_clauses", " ".join(ids)))
        calls = getattr(item, "_lcspec_calls", None) or []
        outcome.called = {c.name for c in calls}
        if report.when == "setup" and not report.failed:
            return
        if report.skipped:
            outcome.outcome, outcome.message = "skipped", str(report.longrepr[-1]) if report.longrepr else ""
            return
        if report.passed:
            outcome.outcome = "passed"
            return
        failure = call.excinfo.value if call.excinfo else None
        if impl.variant and isinstance(failure, Unsatisfiable):
            # Every drawn input was one the CS231n layout cannot express (Δ = 0, centered=False; `unexpressed`
            # names it, see tests/cs231n_layout.py): the test does not apply, as for a function not provided.
            reason = f"the CS231n layout cannot express this test's inputs: {impl.module.unexpressed}"
            outcome.outcome, outcome.message = "skipped", reason
            report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1], f"Skipped: {reason}")
            return
        outcome.outcome = "failed"
        outcome.message = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
        law = (item.function.__doc__ or "").strip().split("\n\n")[0]
        if law and outcome.message.startswith("assert ") and not isinstance(failure, implementation.ConformanceFailure):
            outcome.message = f"{' '.join(law.split())} [{outcome.message}]"  # a bare assert: say which law
        blamed = getattr(failure, "call", None)
        if isinstance(failure, implementation.ConformanceFailure):
            outcome.functions = {blamed.name}
            outcome.blamed = [failure.clause]
            others = {c.name: c for c in failure.calls or () if c.name != blamed.name}
            shown = [blamed, *list(others.values())[-2:]]
        else:
            related = {f for c in ids for f in self.registry.get(c, {}).get("functions", [])}
            outcome.functions = (outcome.called & related) or outcome.called or {f for f in related if impl.provides(f)}
            last = {}
            for c in calls:  # per function its last call, but one whose value is not the reference's before any
                if c.name in last and not _agrees(last[c.name]) and _agrees(c):
                    continue  # (the kink test's tie, then the same problem with the margin met: show the tie)
                last.pop(c.name, None)
                last[c.name] = c
            shown = list(last.values())[-3:]
            if not all(_agrees(c) for c in shown):  # a call that returned the reference's value explains nothing
                shown = [c for c in shown if not _agrees(c)]
        item.user_properties.append(("lcspec_fails", " ".join(sorted(outcome.functions))))
        item.user_properties.append(("lcspec_blamed", " ".join(self._laid_at(outcome))))  # the clause(s) it counts against
        if shown:
            report.sections.append(("lcspec reproduction", "\n\n".join(reproduction(c) for c in shown)))
        declared = [d for d in self.deviations if d in ids or d in (outcome.blamed or ()) or _matches(item.nodeid, d)]
        if declared:
            outcome.outcome, outcome.deviation = "deviates", "; ".join(self.deviations[d] for d in declared)
            report.outcome, report.wasxfail = "skipped", f"deviates: {outcome.deviation}"
        elif not within(outcome.level, self.level):
            laid = ", ".join(self._laid_at(outcome))
            report.outcome = "skipped"
            report.wasxfail = f"fails {laid} at level {outcome.level}, which --level={self.level} does not require"

    def pytest_sessionfinish(self, session):
        self.seconds = time.perf_counter() - self.started
        if not self.outcomes:
            return  # no test of the implementation ran (e.g. only the suite's own tests)
        data = self.summary()
        path = self.config.getoption("--conformance-json")
        if path:
            Path(path).write_text(json.dumps(data, indent=2) + "\n")
        # The exit code is the verdict at the selected level (a failure above it is an xfail), and any
        # failure of a test that does not judge the implementation; interruptions and usage errors stand.
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            ok = data["exit_ok"] and not self.other_failures
            session.exitstatus = pytest.ExitCode.OK if ok else pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if not self.outcomes:
            return
        data = self.summary()
        shared = [n for n in data["implementations"][0]["notes"] if all(n in e["notes"] for e in data["implementations"])]
        for note in shared:  # said once, not once per variant
            terminalreporter.write_line(f"lcspec note: {note}")
        for entry in data["implementations"]:
            for line, style in render(entry, data, shown=shared):
                terminalreporter.write_line(line, **style)
        dev = data["deviations"]
        for ident in dev["unknown"]:
            terminalreporter.write_line(f"deviation {ident!r} matches no clause or test (check the id)", yellow=True)
        for ident in dev["stale"]:
            terminalreporter.write_line(f"stale deviation {ident!r}: declared, but its tests pass now", yellow=True)
        terminalreporter.write_line(closing_line(data), bold=True)

    # ------------------------------------------------------------------ summary
    def _impl_of(self, item):
        fixturenames = getattr(item, "fixturenames", ())
        if "impl" not in fixturenames:
            return None
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "impl" in callspec.params:
            return callspec.params["impl"]
        return self.impls[0]

    def summary(self) -> dict:
        if not self.seconds:
            self.seconds = time.perf_counter() - self.started
        entries = [self._summarise(i) for i in self.impls]
        ran = {}
        for o in self.outcomes.values():
            for d in self.deviations:
                if (d in o.clauses or d in (o.blamed or ()) or _matches(o.nodeid, d)
                        or (d == implementation.DIFFERENTIAL and o.called)):
                    ran.setdefault(d, []).append(o.outcome)
        stale = [d for d, outs in ran.items() if "deviates" not in outs and "passed" in outs]
        verdicts = {level: all(e["verdicts"][level] != "fails" for e in entries) for level in LEVELS}
        return {"schema": SCHEMA, "level": self.level, "exit_ok": verdicts[self.level], "verdicts": verdicts,
                "seconds": round(self.seconds, 2), "input_precision": str(precision.SESSION), "implementations": entries,
                "deviations": {"declared": self.deviations, "unknown": self.unknown, "stale": stale}}

    def _laid_at(self, o: Outcome) -> list[str]:
        """What a failed or deviating test is laid at: the guard's finding, else those of the test's clauses
        that constrain a function it failed on (all of them when none names one)."""
        if o.blamed:
            return o.blamed
        return [c for c in o.clauses if o.functions & set(self.registry.get(c, {}).get("functions", ()))] or o.clauses

    def _judged(self, o: Outcome, cid: str) -> dict:
        """A test as an entry of clause `cid`: a failure laid elsewhere did not judge `cid`."""
        outcome = o.outcome
        if outcome in ("failed", "deviates") and cid not in self._laid_at(o):
            outcome = NOT_JUDGED
        return {"id": o.nodeid, "outcome": outcome, "level": o.level, "functions": sorted(o.functions),
                "message": o.deviation if outcome == "deviates" else o.message}

    def _function_at(self, name: str, mine: list[Outcome], level: str, unfinished: bool) -> dict:
        """A provided function's verdict from the tests of `level` and below."""
        judged = [o for o in mine if within(o.level, level)]
        laid = {kind: sorted({c for o in judged if o.outcome == kind and name in o.functions for c in self._laid_at(o)})
                for kind in ("failed", "deviates")}
        exercised = any(o.outcome == "passed" and name in o.called for o in judged)
        status = ("fails" if laid["failed"] else "deviates" if laid["deviates"]
                  else UNFINISHED if unfinished else "conforms" if exercised else "not exercised")
        found = laid["failed"] or laid["deviates"]
        laws = [c for c in found if c != implementation.DIFFERENTIAL]
        # A wrong value is the differential's only where no law it broke names it (issue: blame the right clause).
        return {"status": status, "clauses": laws, "differential": implementation.DIFFERENTIAL in found and not laws}

    def _summarise(self, impl) -> dict:
        mine = [o for o in self.outcomes.values() if o.impl is impl]
        # the clauses of tests the run stopped before (-x): a verdict of "conforms" on them would be premature
        unrun = {c for node, (i, ids) in self.scheduled.items() if i is impl and node not in self.outcomes for c in ids}
        unfinished_functions = {f for c in unrun for f in self.registry.get(c, {}).get("functions", ())}
        functions, explained = {}, {level: set() for level in LEVELS}
        for name in reference.CONTRACT:
            if not impl.provides(name):
                functions[name] = {"status": NOT_PROVIDED, "levels": dict.fromkeys(LEVELS, NOT_PROVIDED),
                                   "clauses": [], "differential": False}
                continue
            at = {level: self._function_at(name, mine, level, name in unfinished_functions) for level in LEVELS}
            for level, verdict in at.items():
                if verdict["clauses"]:
                    explained[level].add(name)  # a law names what is wrong with it: the differential need not
            functions[name] = {"status": at[self.level]["status"], "levels": {lv: a["status"] for lv, a in at.items()},
                               "clauses": at[LEVELS[-1]]["clauses"], "differential": at[LEVELS[-1]]["differential"],
                               "found": {lv: a["clauses"] + [implementation.DIFFERENTIAL] * a["differential"]
                                         for lv, a in at.items()},
                               "precision": impl.coarser.get(name, "float64")}
        clause_entries = {}
        for cid, clause in self.registry.items():
            tests = [self._judged(o, cid) for o in mine if cid in o.clauses or cid in (o.blamed or ())]
            outs = {t["outcome"] for t in tests}
            provided = [f for f in clause["functions"] if impl.provides(f)]
            status = ("reference only" if not clause["functions"] else NOT_PROVIDED if not provided
                      else "fails" if "failed" in outs else "deviates" if "deviates" in outs
                      else NOT_JUDGED if NOT_JUDGED in outs else NOT_RUN if not tests and cid in unrun
                      else UNFINISHED if cid in unrun else "conforms" if "passed" in outs
                      else "no test" if not tests else "skipped")
            clause_entries[cid] = {"level": clause["level"], "status": status, "functions": provided, "tests": tests}
        provided = [f for f in functions.values() if f["status"] != NOT_PROVIDED]
        verdicts = {level: _overall([f["levels"][level] for f in provided]) for level in LEVELS}
        return {"label": impl.label, "spec": impl.spec, "origin": implementation.origin(impl.spec),
                "notes": impl.notes, "verdicts": verdicts, "functions": functions,
                "differential": self._differential(impl, mine, bool(unrun), explained), "clauses": clause_entries}

    def _differential(self, impl, mine, unfinished: bool, explained: dict[str, set]) -> dict:
        """The guard's verdict on every call: the implementation returns what the reference returns.

        It counts at each level only for functions that fail no law at that level: where a law fails,
        the law's clause says what is wrong, and the differential's tests are "not judged" there.
        """
        provided = [f for f in reference.CONTRACT if impl.provides(f) and f not in implementation.differential.SKIPPED]
        laid = [o for o in mine if implementation.DIFFERENTIAL in (o.blamed or ())]

        def status(level):
            mine_here = [o for o in laid if within(o.level, level)]
            outs = {o.outcome for o in mine_here if not o.functions <= explained[level]}
            checked = any(o.outcome == "passed" and o.called & set(provided) for o in mine if within(o.level, level))
            return (NOT_PROVIDED if not provided else "fails" if "failed" in outs else "deviates" if "deviates" in outs
                    else NOT_JUDGED if any(o.outcome == "failed" for o in mine_here)
                    else UNFINISHED if unfinished else "conforms" if checked else "no test")

        levels = {level: status(level) for level in LEVELS}
        tests = [self._judged(o, implementation.DIFFERENTIAL) for o in laid]
        for test, o in zip(tests, laid):
            if test["outcome"] == "failed" and o.functions <= explained[LEVELS[-1]]:
                test["outcome"], test["message"] = NOT_JUDGED, f"{test['message']} (laid at the law that fails)"
        return {"status": levels[self.level], "levels": levels, "functions": provided, "tests": tests}


def _overall(statuses: list[str]) -> str:
    """An implementation's verdict at one level from its provided functions' statuses there."""
    for verdict in ("fails", UNFINISHED, "deviates", "conforms"):
        if verdict in statuses:
            return verdict
    return "not exercised"


# ---------------------------------------------------------------------- terminal rendering
def _function_line(name: str, f: dict) -> str:
    """`svm_loss   core: conforms   strict: fails (CONV-3, REG-6)`: the verdict at each level, with what fails there."""
    parts = []
    for level in LEVELS:
        status = f["levels"][level]
        if status in ("fails", "deviates") and f["found"][level]:
            status += f" ({', '.join(f['found'][level])})"
        parts.append(f"{level}: {status}")
    precision_note = f"   (judged at {f['precision']} precision)" if f.get("precision", "float64") != "float64" else ""
    return f"  {name:<22}" + "   ".join(parts) + precision_note


def render(entry: dict, data: dict, shown=()):
    """The terminal lines, with their styles, for one implementation: verdicts first, details only for what fails.
    Notes in `shown` were printed already."""
    verdicts = " · ".join(f"{level} {entry['verdicts'][level]}" for level in LEVELS)
    yield f"lcspec conformance: {entry['label']}", {"bold": True}
    yield f"  loaded from {entry['origin']}", {}
    for note in entry["notes"]:
        if note not in shown:
            yield f"  note: {note}", {}
    if data["input_precision"] != "float64":
        yield f"  inputs drawn as {data['input_precision']} numbers (every result was {data['input_precision']})", {}
    failed = entry["verdicts"][data["level"]] == "fails"
    yield f"  verdict: {verdicts}   (--level={data['level']} sets the exit code)", {"red": failed, "green": not failed}
    registry = clauses()
    provided = {n: f for n, f in entry["functions"].items() if f["status"] != NOT_PROVIDED}
    for name, f in provided.items():
        yield _function_line(name, f), {"red": "fails" in f["levels"].values()}
    missing = [n for n in entry["functions"] if n not in provided]
    if missing:
        yield f"  not provided ({len(missing)}): {', '.join(missing)}", {}
    judged = {implementation.DIFFERENTIAL: dict(entry["differential"], level=LEVELS[0]), **entry["clauses"]}
    bad = {cid: c for cid, c in judged.items() if c["status"] in ("fails", "deviates") and within(c["level"], data["level"])}
    above = [cid for cid, c in judged.items() if c["status"] == "fails" and not within(c["level"], data["level"])]
    if above:  # one line: what the selected level does not require does not crowd out what it does
        yield f"  beyond --level={data['level']}, fails {', '.join(above)} (details: --level={LEVELS[-1]})", {}
    if bad:
        yield "  what fails:", {}
    for cid, c in bad.items():
        title = registry[cid]["title"] if cid in registry else "the reference's value on the same inputs"
        culprits = sorted({f for t in c["tests"] if t["outcome"] in ("failed", "deviates") for f in t["functions"]})
        yield f"    {cid} [{c['level']}] {c['status']}: {title} — {', '.join(culprits or c['functions'])}", {"red": c["status"] == "fails"}
        for test in [t for t in c["tests"] if t["outcome"] in ("failed", "deviates")][:3]:
            prefix = "" if test["outcome"] == "failed" else "deviates: "
            yield f"        {test['id'].split('::')[-1]}: {prefix}{test['message'][:200]}", {}
    reasons: dict[str, list[str]] = {}
    for cid, c in entry["clauses"].items():
        if c["status"] == "skipped":
            why = next((t["message"] for t in c["tests"] if t["outcome"] == "skipped" and t["message"]), "no reason given")
            reasons.setdefault(why.removeprefix("Skipped: "), []).append(cid)
    for why, ids in reasons.items():
        yield f"  skipped {', '.join(ids)}: {why}", {}


def closing_line(data: dict) -> str:
    """The run's last line: the verdict at the selected level, then the others, and the time."""
    level = data["level"]
    others = "; ".join(f"at {lv}: {'conforms' if ok else 'fails'}" for lv, ok in data["verdicts"].items() if lv != level)
    verdict = "conforms" if data["exit_ok"] else "fails"
    declared = " apart from declared deviations" if data["deviations"]["declared"] and data["exit_ok"] else ""
    return (f"lcspec: {verdict} at level {level}{declared} (this sets the exit code); {others}; "
            f"run time {data['seconds']:.1f} s")
