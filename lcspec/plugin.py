"""The pytest plugin that judges an implementation with lcspec's laws.

Load it explicitly: `pytest -p lcspec.plugin --impl=mymodule.py` (or `pytest_plugins = ["lcspec.plugin"]`
in a conftest), or run `lcspec check`, which does. It is inert unless asked: without `--impl` (or the
environment variable LCSPEC_IMPL) it adds options and nothing else, unless the laws themselves are
collected (lcspec's own checkout, where they judge the reference). With `--impl` it adds the laws
(the `test_*.py` modules of `lcspec.tests`) to the run if they are not already in it.

What it does for a run that judges an implementation: loads it (a usage error, exit status 2, when
it cannot), makes the run's :class:`~lcspec.harness.session.Session` and activates it, probes the
precision the implementation computes in, gives the laws their `impl` fixture (one per variant of a
CS231n assignment), marks declared deviations at collection, records every test (lcspec/harness/record.py),
and at the end computes the verdict (lcspec/harness/verdict.py), writes the JSON report, sets the
exit status from the verdict at the selected level, and prints the report (lcspec/harness/render.py).
"""

from __future__ import annotations

import gc
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from lcspec import reference
from lcspec.harness import profiles, render, reports, session as sessions
from lcspec.harness.clauses import clauses, spec_version
from lcspec.harness.contract import REGISTRY
from lcspec.harness.deviations import Deviations
from lcspec.harness.examples import ExampleCache
from lcspec.harness.guard import probe_precision
from lcspec.harness.precision import declared_precision
from lcspec.harness.isolation import CMD, close, remote_implementations
from lcspec.harness.laws import LAWS, law_files
from lcspec.harness.inprocess import implementations
from lcspec.harness.loading import CS231N, USAGE_ERROR, LoadError, origin
from lcspec.harness.options import add_shared
from lcspec.harness.progress import Progress, uncaptured
from lcspec.harness.record import OUTCOME, Recorder, clause_ids, judged_functions
from lcspec.harness.session import Session
from lcspec.harness.verdict import INCOMPLETE, Judged, Run, verdict
from lcspec.integrity import ImportsFrozen
from lcspec.protocol import sandbox as sandboxes

DEFAULT_IMPL = "reference"


def pytest_addoption(parser):
    group = parser.getgroup("lcspec", "lcspec conformance")
    group.addoption(
        "--impl", default=None,
        help="implementation under test: a dotted module name, a path to a .py file, module:attribute, "
        "or cs231n:PATH for the CS231n assignment layout, PATH a file, a module or an assignment folder "
        "(env LCSPEC_IMPL; without either, lcspec's laws judge the reference)")
    group.addoption("--conformance-json", default=None, metavar="PATH",
                    help="also write the conformance report as JSON (schema: lcspec/harness/verdict.py)")
    group.addoption("--conformance-junit", default=None, metavar="PATH",
                    help="also write the conformance report as JUnit XML, made from the verdict (a load error and an "
                    "interruption are errors in it)")
    add_shared(group.addoption)


@pytest.fixture(scope="session")
def impl(request):
    """The implementation under test, behind the guard of lcspec/harness/guard.py (one per variant)."""
    return getattr(request, "param", None) or request.config.pluginmanager.get_plugin("lcspec-conformance").session.impls[0]


def usage_error(config, message: str):
    """Stop with exit status 2, a usage error as command-line tools have it: nothing was judged, so there is no
    verdict either way. A JSON report asked for still says so (never a stale one, never exit_ok true)."""
    reports.write_reports(reports.error_report(message), config.getoption("--conformance-json"),
                          config.getoption("--conformance-junit"))
    pytest.exit(f"lcspec: {message}", returncode=USAGE_ERROR)


def sandbox_of(spec: str, mode: str, memory_gib: float):
    """The sandbox `spec`'s servers run in (None: none), and the report's line about it; SandboxUnavailable where
    `mode` requires one that this machine cannot give."""
    keep = sandboxes.interpreter_paths()
    target = spec[len(CS231N):] if spec.startswith(CS231N) else spec
    if not spec.startswith(CMD) and os.path.exists(target):
        keep.append(os.path.abspath(target))
    return sandboxes.probe(mode, os.getcwd(), int(memory_gib * 2**30) or 1 << 30, [k for k in keep if k])


def sandbox_for(config, spec: str):
    """:func:`sandbox_of` with the run's options; a usage error where no sandbox can be had."""
    try:
        return sandbox_of(spec, config.getoption("--sandbox"), config.getoption("--memory-limit"))
    except sandboxes.SandboxUnavailable as exc:
        usage_error(config, str(exc))


def pytest_configure(config):
    config.addinivalue_line("markers", "clause(*ids): the spec clauses (spec/clauses.toml) that this test checks")
    # Hypothesis imports libcst when a test fails; libcst warns about mypy_extensions, which says nothing here.
    config.addinivalue_line("filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")
    asked = config.getoption("--impl") or os.environ.get("LCSPEC_IMPL")
    if asked and not any(_names_laws(arg) for arg in config.args):
        config.args.extend(str(p) for p in law_files())
    laws = asked or any(_holds_laws(arg) for arg in config.args)
    if laws and not config.getoption("--hypothesis-profile", None):
        # Before the law modules are imported: a law with its own @settings takes the profile loaded then.
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", profiles.DEFAULT))
    if laws:
        profiles.ignore_local_constants()
    if asked:  # judging someone's implementation: a failing law reports within seconds (profiles.SHRINKS)
        profiles.bound_shrinking()
    config.pluginmanager.register(Conformance(config, asked or DEFAULT_IMPL, bool(asked)), "lcspec-conformance")


def _precisions(option, impls) -> tuple[np.dtype, dict]:
    """The run's precision and the functions' own (see Session): --precision, else what the handshake declared,
    else one probed from the results for all (a library's own declaration is what may lower a function's inputs;
    a result alone never does, or a float64 library that loses precision would be judged by a lower standard)."""
    declared = option
    if declared is None:
        handshakes = [i.declared_precision for i in impls]
        declared = handshakes[0] if handshakes and all(h == handshakes[0] for h in handshakes) else None
    run, own = declared_precision(declared)
    provided = {f for i in impls for f in reference.CONTRACT if i.provides(f)}
    if option is not None and (unprovided := sorted(set(own) - provided)):
        # As the handshake refuses it: a precision for a function that is not judged says nothing, and is a typo
        # more often than not.
        raise ValueError(f"--precision names {', '.join(unprovided)}, which the implementation does not provide")
    if own:  # the run's is theirs when every provided function has the same one, else float64
        found = {own.get(f, np.dtype(np.float64)) for f in provided}
        run = found.pop() if len(found) == 1 else np.dtype(np.float64)
    run = probe_precision(impls) if run is None else run
    return run, {f: d for f, d in own.items() if d != run}


def _names_laws(arg: str) -> bool:
    path = Path(arg.split("::")[0]).resolve()
    return path == LAWS or path.parent == LAWS


def _holds_laws(arg: str) -> bool:
    """Whether collecting `arg` collects laws: it names them, or a folder that holds them (a checkout's root)."""
    path = Path(arg.split("::")[0]).resolve()
    return _names_laws(arg) or LAWS.is_relative_to(path)


class Conformance:
    """The run's conformance plugin: the session, its recorder, and the report at the end."""

    def __init__(self, config, spec: str, asked: bool):
        self.config = config
        self.spec = spec
        self.asked = asked  # --impl was given: a report is owed even if no law ends up selected
        self.started = time.perf_counter()
        for option in ("--conformance-json", "--conformance-junit"):
            if config.getoption(option):  # never a stale report: it is written anew at the end, whatever happens
                Path(config.getoption(option)).unlink(missing_ok=True)
        self.isolated = not config.getoption("--in-process")
        if spec.startswith(CMD) and not self.isolated:
            usage_error(config, f"--impl={spec}: a command runs in a process of its own; --in-process cannot apply")
        self.stopped_by = ""
        self.interrupted = False  # set by the signal itself, whatever pytest then makes of its KeyboardInterrupt
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, self._interrupt)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # an ignored SIGINT stays ignored
            signal.signal(signal.SIGINT, self._interrupt)
        self.frozen = ImportsFrozen(time.time())  # from here on the implementation may run (and write files)
        try:  # read before the implementation starts: nothing it writes is replayed in this run
            examples = (ExampleCache.for_run(config.getoption("--example-cache"),
                                             (LAWS, Path(__file__).parent, Path(reference.__file__).parent))
                        if self.isolated else None)  # in process it shares the judge's memory: nothing is kept
        except ValueError as exc:
            usage_error(config, str(exc))
        sandbox, self.sandbox = (sandbox_for(config, spec) if self.isolated
                                 else (None, "none (--in-process): the implementation runs inside the judge"))
        if sandbox is None and self.isolated:  # its orphans come back here, to be killed before the report
            sandboxes.adopt_orphans()
        try:
            memory = int(config.getoption("--memory-limit") * 2**30) or None
            variant = config.getoption("--variant")
            impls = (remote_implementations(spec, config.getoption("--call-timeout"), memory, sandbox, variant=variant)
                     if self.isolated else implementations(spec, config.getoption("--call-timeout"), variant))
        except LoadError as exc:  # already one paragraph naming the file, the line and the fix
            usage_error(config, f"{spec}: {exc}")
        if self.isolated and asked:  # (lcspec's own checkout, judging the reference, imports its suite's files)
            self.frozen.__enter__()
        deviations = config.getoption("--deviations")
        if deviations and not Path(deviations).is_file():
            usage_error(config, f"--deviations={deviations}: no such file")
        level = config.getoption("--level") or ("strict" if spec == DEFAULT_IMPL else "core")
        quiet = config.pluginmanager.is_blocked("terminal")  # `lcspec check` without -v: lcspec's report only
        if quiet:
            # Unseen (lcspec's report only; the terminal plugin that owns --tb is off): the exception's text alone.
            # pytest's styles re-parse the law's module for every frame of every failure (14 % of a correct CS231n
            # folder's run, whose strict clauses fail by design), and even Python's own traceback cost 4 %.
            config.option.tbstyle = "value"
        elif spec != DEFAULT_IMPL and getattr(config.option, "tbstyle", None) == "auto":
            config.option.tbstyle = "short"  # the law's line and the reproduction say it; a full traceback buries them
        self.session = Session(level=level, call_timeout=config.getoption("--call-timeout"),
                               time_budget=config.getoption("--time-budget")).attach(impls)
        try:
            self.session.precision, self.session.precisions = _precisions(config.getoption("--precision"), impls)
        except ValueError as exc:
            usage_error(config, str(exc))
        self.session.start_clock()
        self.token = sessions.activate(self.session)
        self.deviations = Deviations.from_file(deviations)
        self.recorder = Recorder(self.session, self.deviations, LAWS)
        self.recorder.examples = examples
        config.pluginmanager.register(self.recorder, "lcspec-recorder")
        self.quiet = quiet
        if self.quiet:
            config.pluginmanager.register(Progress(self), "lcspec-progress")
        self.laws: list = []  # the collected items that judge the implementation

    def _interrupt(self, signum, frame):
        """SIGTERM and SIGHUP (a cancelled CI job, a closed terminal) end the run as SIGINT (Ctrl-C) does, with a
        report. The signal is remembered: a KeyboardInterrupt that lands inside pytest's own rendering of a failure
        can end as an error of that test instead, and the run is still one that was stopped."""
        self.interrupted = True
        if signum != signal.SIGINT:
            self.stopped_by = signal.Signals(signum).name
            raise KeyboardInterrupt(f"stopped by {self.stopped_by}")
        raise KeyboardInterrupt

    # ------------------------------------------------------------------ the laws' fixture
    @pytest.hookimpl
    def pytest_generate_tests(self, metafunc):
        """The CS231n layout gives one implementation per variant (naive, vectorized): each test runs on each."""
        # One variant asked for (--variant) keeps its name in the test ids, as a run of all of them has it.
        if "impl" in metafunc.fixturenames and (len(self.session.impls) > 1 or metafunc.config.getoption("--variant")):
            metafunc.parametrize("impl", self.session.impls, ids=[i.variant for i in self.session.impls],
                                 indirect=True, scope="session")

    # ------------------------------------------------------------------ collection
    def pytest_collection_modifyitems(self, session, config, items):
        # The handshake is known before collection: a law on none of the functions its implementation provides
        # would only skip, one by one (~950 of a CS231n folder's ~1,300), so it is not run at all.
        unprovided = [item for item in items if self._judges_nothing_provided(item)]
        if unprovided:
            config.hook.pytest_deselected(items=unprovided)
            dropped = set(map(id, unprovided))
            items[:] = [item for item in items if id(item) not in dropped]
        laws = [item for item in items if self.recorder.impl_of(item) is not None]
        if laws:
            self.deviations.mark(laws, clause_ids, clauses())

    def _judges_nothing_provided(self, item) -> bool:
        """Whether a law judges only contract functions its implementation does not provide: those its
        parameters name (a law run once per function), else those its clauses constrain."""
        impl = self.recorder.impl_of(item)
        if impl is None:
            return False
        judged = judged_functions(item)
        return bool(judged) and not any(impl.provides(f) for f in judged)

    def pytest_collection_finish(self, session):
        # After -k and -m have deselected: a law left out on purpose is not one the run stopped before.
        self.laws = [item for item in session.items if self.recorder.impl_of(item) is not None]
        if self.asked:
            # What exists now (modules, Hypothesis, the collected laws) lives until the judge exits: frozen, the
            # garbage collector's full passes (Hypothesis's one at its first test, pytest's five at the end, and
            # its own) no longer walk it. 4 % of a correct CS231n folder's CPU.
            gc.freeze()

    def pytest_report_header(self, config):
        impls = self.session.impls
        lines = [f"lcspec implementation under test: {i.label}" for i in impls]
        lines.append(f"  loaded from: {origin(impls[0].spec)}")
        lines.append("  isolated: in a supervised child process (spec/protocol.md)" if self.isolated
                     else "  NOT isolated: the implementation runs inside the judge's process (--in-process)")
        lines.append(f"  sandbox: {self.sandbox}")
        lines += [f"  note: {note}" for note in dict.fromkeys(n for i in impls for n in i.notes)]
        lines.append(f"  conformance level: {self.session.level} sets the exit code (--level=core|strict; "
                     f"spec {spec_version()}, chapter 0 §0.7)")
        if self.session.precision != np.float64:
            lines.append(f"  {self.session.precision} results: inputs are drawn as {self.session.precision} numbers "
                         "in its range, and judged at its precision (lcspec/harness/precision.py)")
        for dtype in sorted({str(d) for d in self.session.precisions.values()}):
            named = ", ".join(f for f, d in self.session.precisions.items() if str(d) == dtype)
            lines.append(f"  {named}: declared {dtype}: the laws of these alone draw {dtype} numbers, and their "
                         "results are judged at its precision")
        if self.deviations:
            lines.append(f"  declared deviations: {len(self.deviations.declared)} from {self.deviations.source}")
        return lines

    # ------------------------------------------------------------------ the verdict
    def report(self, stopped: str = "") -> dict:
        impls = self.session.impls
        run = Run(
            impls=[Judged(i.label, i.spec, origin(i.spec), list(i.notes),
                          frozenset(f for f in reference.CONTRACT if i.provides(f)), dict(i.coarser),
                          frozenset(f for f in reference.CONTRACT if i.provides(f) and REGISTRY[f].compared),
                          i.variant or "", {f: i.display_name(f) for f in reference.CONTRACT if i.provides(f)})
                   for i in impls],
            outcomes=[item.stash[OUTCOME] for item in self.laws if OUTCOME in item.stash],
            scheduled={item.nodeid: (self.recorder.impl_of(item).label, clause_ids(item)) for item in self.laws},
            contract=reference.CONTRACT, clauses=clauses(), declared=self.deviations.declared,
            unknown=self.deviations.unknown, level=self.session.level,
            seconds=time.perf_counter() - self.started, input_precision=str(self.session.precision),
            spec_version=spec_version(), isolated=self.isolated, stopped=stopped, sandbox=self.sandbox)
        return verdict(run)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        # Before any report is written (this one, JUnit's): every process of the implementation is dead, so
        # nothing it started can write after the judge has.
        self.end_children()
        if self.config.option.collectonly or not (self.laws or self.asked):
            return  # no test of the implementation was to run (only the suite's own tests, or --collect-only)
        if self.interrupted:
            session.exitstatus = pytest.ExitCode.INTERRUPTED
        interrupted = session.exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        why = {pytest.ExitCode.INTERRUPTED: f"interrupted by {self.stopped_by}" if self.stopped_by else "interrupted", pytest.ExitCode.NO_TESTS_COLLECTED: "no test was selected",
               pytest.ExitCode.INTERNAL_ERROR: "an internal error"}
        # an interrupted run has no verdict to stand on: exit_ok is false whatever the tests that ran said
        self.data = data = self.report(why.get(session.exitstatus, f"exit status {int(session.exitstatus)}")
                                       if interrupted else "")
        reports.write_reports(data, self.config.getoption("--conformance-json"),
                              self.config.getoption("--conformance-junit"))
        # The exit code is the verdict at the selected level (a failure above it is an xfail), and any
        # failure of a test that does not judge the implementation; interruptions and usage errors stand.
        # A checkout's own run of some of its laws on the reference is a developer's, not a verdict: its
        # "incomplete" (the functions those laws leave out) does not fail it.
        if not interrupted:
            partial = not self.asked and data["status"] == INCOMPLETE
            ok = (data["exit_ok"] or partial) and not self.recorder.other_failures
            session.exitstatus = pytest.ExitCode.OK if ok else pytest.ExitCode.TESTS_FAILED
        if self.quiet:
            with uncaptured(self.config):
                render.print_report(data)

    def pytest_terminal_summary(self, terminalreporter):
        data = getattr(self, "data", None)
        if data is None:
            return
        for line, style in render.report(data, reproductions=False):  # pytest's sections showed them
            terminalreporter.write_line(line, **style)

    def end_children(self) -> None:
        """Bye, then kill: nothing the implementation started outlives the run (in a sandbox its PID namespace
        dies with its first process; without one, the orphans this process adopted are killed)."""
        close(self.session.impls)
        if self.isolated:
            sandboxes.kill_adopted()

    def pytest_unconfigure(self, config):
        self.end_children()
        self.frozen.__exit__()
        sessions.deactivate(self.token)
