"""`lcspec check`'s progress bar: which implementation and function the laws are judging, while they run.

By default `lcspec check` runs pytest without its terminal reporter (`-p no:terminal`): the run
prints this bar on stderr (only where stderr is a terminal) and then lcspec's report, nothing of
pytest's; `lcspec check -v`, or pytest arguments after `--`, give pytest's own output instead.
tqdm draws the bar: it sizes it to the terminal, shows the rate and the time left, and draws
nothing where stderr is not a terminal (a log file, a CI job).
"""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

from lcspec.harness.clauses import clauses
from lcspec.harness.record import clause_ids

LINE = "LCSPEC_PROGRESS_LINE"
"""The terminal line of this run's bar, counted from the cursor's (0 unless `lcspec check` judges a folder's variants
at once, each drawing its own bar on a line of its own)."""


def uncaptured(config):
    """A context in which sys.stdout and sys.stderr are the terminal's: pytest captures both, at the file
    descriptors, for the whole session, and would keep the bar (or the report) to itself."""
    capture = config.pluginmanager.getplugin("capturemanager")
    return capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()


class Progress:
    """pytest hooks of a quiet run: the bar, and what pytest would otherwise have said of a broken collection."""

    def __init__(self, conformance):
        self.conformance = conformance
        self.bar = None
        self.doing: dict[str, str] = {}  # node id -> "implementation: function" shown while it runs

    @pytest.hookimpl(trylast=True)  # after the plugin has its laws (those -k and -m left selected)
    def pytest_collection_finish(self, session):
        from tqdm import tqdm

        registry, recorder = clauses(), self.conformance.recorder
        for item in self.conformance.laws:
            impl = recorder.impl_of(item)
            functions = [f for c in clause_ids(item) for f in registry.get(c, {}).get("functions", ())
                         if impl.provides(f)]
            variant = f" ({impl.variant})" if impl.variant else ""
            self.doing[item.nodeid] = f"lcspec: {impl.display_name(functions[0])}{variant}" if functions else "lcspec"
        tqdm.monitor_interval = 0  # no thread of its own: every write happens here, with capturing suspended
        self.config = session.config
        with uncaptured(self.config):
            self.bar = tqdm(total=len(self.doing), file=sys.stderr, unit="test", leave=False, dynamic_ncols=True,
                            disable=None, desc="lcspec", position=int(os.environ.get(LINE, "0") or 0), bar_format="{desc:40.40} {percentage:3.0f}%|{bar}| {n}/{total} "
                            "[{elapsed}<{remaining}]")

    def pytest_runtest_logstart(self, nodeid, location):
        if self.bar is not None and nodeid in self.doing:
            self.bar.set_description_str(self.doing[nodeid], refresh=False)

    def pytest_runtest_logfinish(self, nodeid, location):
        if self.bar is not None and nodeid in self.doing:
            with uncaptured(self.config):
                self.bar.update(1)

    def pytest_collectreport(self, report):
        if report.failed:  # a law module that cannot be imported: lcspec's own bug, said where it can be seen
            sys.stderr.write(f"lcspec: collecting {report.nodeid or 'the laws'} failed:\n{report.longreprtext}\n")

    @pytest.hookimpl(tryfirst=True)  # before the report is printed
    def pytest_sessionfinish(self, session):
        if self.bar is not None:
            with uncaptured(self.config):
                self.bar.close()
            self.bar = None
