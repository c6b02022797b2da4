"""Recording: what each test of an implementation did, kept in the test item's stash.

The pytest hooks here, for every test that uses the `impl` fixture:

* wrap each example (each Hypothesis example, or the one call of a plain test) so that its calls
  are recorded afresh in the session and settled at its end (a wrong value no law of the test
  caught is a finding, which fails the test once Hypothesis is done with it);
* make its :class:`~lcspec.harness.verdict.Outcome` from its report: passed, failed (laid at the law
  that failed, or at what the guard blamed), deviates (declared), skipped with the reason; add the
  "lcspec reproduction" section to a failure, and JUnit properties (`lcspec_clauses`,
  `lcspec_fails`, `lcspec_blamed`); turn a failure above the selected level into an expected failure.

The outcomes are read back from the items by the plugin at the end (lcspec/plugin.py), which hands
them to the pure verdict function (lcspec/harness/verdict.py).
"""

from __future__ import annotations

import functools
import re
import time

import pytest
from hypothesis.errors import FailedHealthCheck, Unsatisfiable, UnsatisfiedAssumption

from lcspec.harness.assertions import NotClose
from lcspec.harness.clauses import clauses, level_of, within
from lcspec.harness.contract import REGISTRY
from lcspec.harness.deviations import Deviations
from lcspec.harness.examples import ExampleCache
from lcspec.harness.guard import ConformanceFailure, Finding, settle
from lcspec.harness.reproduce import agrees, reproduction
from lcspec.harness.session import Session
from lcspec.harness.verdict import Outcome, laid_at

OUTCOME = pytest.StashKey[Outcome]()
_BARE = re.compile(r"assert (not )?(np\.)?(True|False|bool_?\((True|False)\))_?")  # an assert that says only "no"
CALLS = pytest.StashKey[list]()


def clause_ids(item) -> list[str]:
    """The clauses a test checks (its `@pytest.mark.clause` markers)."""
    return [c for m in item.iter_markers("clause") for c in m.args]


def judged_functions(item) -> set[str]:
    """The contract functions a law judges: those its parameters name (a law run once per function), else those its
    clauses constrain."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    named = {v for v in params.values() if isinstance(v, str) and v in REGISTRY}
    return named or {f for c in clause_ids(item) for f in clauses().get(c, {}).get("functions", ())}


def undoable(impl):
    """What undoes what a dropped replay did to the run: the functions it marked hung (a hang, the time budget spent),
    which the law's own run then calls, reporting the hang or the budget itself in the words a run without the cache
    has; and the time it took, given back to the run's time budget, so that a slow implementation is stopped where a
    run without the cache stops it."""
    hung, started = set(impl.hung), time.monotonic()

    def undo():
        impl.hung.intersection_update(hung)
        if impl.session.deadline is not None:
            impl.session.deadline += time.monotonic() - started

    return undo


def _one_example(fn, session: Session, finding: list):
    """`fn` run as one example: a fresh record of its calls, then the guard's settle() on what it let through.

    `finding` holds at most one :class:`Finding`, the smallest wrong value that no law of the test
    caught in any example so far.
    """

    def keep(found):
        if found is not None and (not finding or found.size < finding[0].size):
            finding[:] = [found]

    @functools.wraps(fn)
    def example(*args, **kwargs):
        __tracebackhide__ = True  # pytest: show the test's frames, not this one
        session.recorder = []
        try:
            result = fn(*args, **kwargs)
        except (Exception, pytest.skip.Exception) as exc:
            keep(settle(session, exc))
            raise
        keep(settle(session))
        return result

    return example


class Recorder:
    """The recording hooks of one run (registered by the plugin when the run judges an implementation)."""

    def __init__(self, session: Session, deviations: Deviations, laws_dir):
        self.session = session
        self.laws_dir = laws_dir
        self.deviations = deviations
        self.registry = clauses()
        self.other_failures = 0  # failed tests that do not judge the implementation (the suite's own, doctests)
        self.examples: ExampleCache | None = None  # where passing laws' examples are kept and replayed from

    def impl_of(self, item):
        """The implementation a test judges, or None for a test that judges none (not one of the laws)."""
        if "impl" not in getattr(item, "fixturenames", ()) or item.path.parent != self.laws_dir:
            return None
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "impl" in callspec.params:
            return callspec.params["impl"]
        return self.session.impls[0]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        if self.impl_of(item) is None:
            return (yield)
        hypothesis = getattr(item.obj, "hypothesis", None)
        plain = item.obj
        finding: list[Finding] = []
        impl = self.impl_of(item)
        self.session.drawing = frozenset(f for f in judged_functions(item) if impl.provides(f))  # its inputs' precision

        def went_wrong(forget: bool = True) -> bool:
            found = bool(finding)
            if forget:
                finding.clear()
            return found

        if hypothesis is not None:
            inner = hypothesis.inner_test
            hypothesis.inner_test = _one_example(inner, self.session, finding)
            key = self.examples.key(item, impl, self.session.input_precision()) if self.examples else None
            if key:  # replayed from the example cache when it can be (lcspec/harness/examples.py)
                item.obj = self.examples.around(plain, hypothesis, key, tuple(item._fixtureinfo.argnames), went_wrong,
                                                functools.partial(undoable, impl), lambda: bool(self.session.recorder),
                                                self.session)
        else:
            item.obj = _one_example(plain, self.session, finding)
        self.session.recorder = []
        try:
            result = yield
        finally:
            item.stash[CALLS] = self.session.recorder or []  # the last example's: the shrunk counterexample's
            self.session.recorder, self.session.drawing = None, frozenset()
            item.obj = plain
            if hypothesis is not None:
                hypothesis.inner_test = inner
        # No law of the test failed, but some example returned a value that is not the reference's: fail
        # it now, after Hypothesis, which would otherwise shrink a law's failure into this one.
        if finding:
            item.stash[CALLS] = finding[0].calls
            raise finding[0].failure()
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        impl = self.impl_of(item)
        if impl is None:
            self.other_failures += report.failed
            return report
        if report.when not in ("setup", "call"):
            return report
        ids = clause_ids(item)
        outcome = item.stash.setdefault(OUTCOME, Outcome(item.nodeid, impl.label, ids))
        if report.when == "call":  # --junitxml writes item properties with the teardown report
            item.user_properties.append(("lcspec_clauses", " ".join(ids)))
        calls = item.stash.get(CALLS, [])
        outcome.called = {c.name for c in calls}
        if report.when == "setup" and not report.failed:
            return report
        failure = call.excinfo.value if call.excinfo else None
        declared_here = hasattr(report, "wasxfail") and failure is not None  # an xfail marker (a deviation) caught it
        if report.skipped and not declared_here:
            outcome.outcome, outcome.message = "skipped", str(report.longrepr[-1]) if report.longrepr else ""
            return report
        if report.passed:
            outcome.outcome = "passed"
            return report
        unexpressed = impl.layout.unexpressed
        if unexpressed and isinstance(failure, (Unsatisfiable, FailedHealthCheck, UnsatisfiedAssumption)):
            # Every drawn input was one the implementation cannot express (the CS231n layout's Δ = 0 or
            # centered=False, a server's declared constraint; `unexpressed` names it): the test does not apply.
            reason = f"this implementation cannot express this test's inputs: {unexpressed}"
            outcome.outcome, outcome.message = "skipped", reason
            report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1], f"Skipped: {reason}")
            return report
        outcome.outcome = "failed"
        outcome.message = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
        law = (item.function.__doc__ or "").strip().split("\n\n")[0]
        bare = outcome.message.startswith("assert ") or outcome.message == type(failure).__name__
        if law and (bare or isinstance(failure, NotClose)) and not isinstance(failure, ConformanceFailure):
            # a bare assert or assert_close: say which law (and the numbers, where it says more than `assert np.False_`)
            said = "" if _BARE.fullmatch(outcome.message) or outcome.message == type(failure).__name__ \
                else f" [{outcome.message}]"
            outcome.message = f"{' '.join(law.split())}{said}"
        shown = self._lay_blame(outcome, failure, calls, impl, ids)
        item.user_properties.append(("lcspec_fails", " ".join(sorted(outcome.functions))))
        item.user_properties.append(("lcspec_blamed", " ".join(laid_at(outcome, self.registry))))
        if shown:
            outcome.reproduction = "\n\n".join(reproduction(c) for c in shown)
            report.sections.append(("lcspec reproduction", outcome.reproduction))
        declared = (self.deviations.for_test(item.nodeid, ids)
                    + self.deviations.for_blamed(laid_at(outcome, self.registry), outcome.functions))
        if declared:
            outcome.outcome, outcome.deviation = "deviates", self.deviations.reason(dict.fromkeys(declared))
            report.outcome, report.wasxfail = "skipped", f"deviates: {outcome.deviation}"
        elif not within(outcome.level, self.session.level):
            laid = ", ".join(laid_at(outcome, self.registry))
            report.outcome = "skipped"
            report.wasxfail = f"fails {laid} at level {outcome.level}, which --level={self.session.level} does not require"
        return report

    def _lay_blame(self, outcome: Outcome, failure, calls, impl, ids) -> list:
        """Set the functions (and, for the guard's findings, the clause) a failure is laid at; return the calls
        its reproduction shows."""
        if isinstance(failure, ConformanceFailure):
            blamed = failure.call
            outcome.functions = {blamed.name}
            outcome.blamed = [failure.clause]
            outcome.level = level_of([*outcome.clauses, failure.clause])  # CONV-1 in a core law's test is strict
            others = {c.name: c for c in failure.calls or () if c.name != blamed.name}
            return [blamed, *list(others.values())[-2:]] if failure.made else []
        related = {f for c in ids for f in self.registry.get(c, {}).get("functions", [])}
        outcome.functions = (outcome.called & related) or outcome.called or {f for f in related if impl.provides(f)}
        last = {}
        for c in calls:  # per function its last call, but one whose value is not the reference's before any
            if c.name in last and not agrees(last[c.name]) and agrees(c):
                continue  # (the kink test's tie, then the same problem with the margin met: show the tie)
            last.pop(c.name, None)
            last[c.name] = c
        shown = list(last.values())[-3:]
        if not all(agrees(c) for c in shown):  # a call that returned the reference's value explains nothing
            shown = [c for c in shown if not agrees(c)]
        return shown
