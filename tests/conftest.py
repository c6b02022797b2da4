"""Suite-wide configuration: Hypothesis profiles, the implementation under test, the conformance report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests import precision
from tests.implementation import DEFAULT_CALL_TIMEOUT, implementations
from tests.loading import USAGE_ERROR, LoadError
from tests.report import SCHEMA, ConformanceReport

# `ci` is the default: derandomized, so every run draws the same examples and nothing is flaky.
# `thorough` draws ten times as many, from a fresh seed each run (select with --hypothesis-profile).
# `ci-noshrink` draws exactly what `ci` draws but reports the first failing example unshrunk: the
# suite's own tests use it to show that `ci` catches a broken implementation, quickly.
# One failure per test (report_multiple_bugs=False) keeps a broken implementation's report readable.
# No explain phase: after shrinking it reruns a failing test a thousand times to annotate the counterexample
# ("or any other generated value"); that was most of a broken implementation's run time.
settings.register_profile(
    "ci",
    max_examples=60,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=600, derandomize=False)
settings.register_profile(
    "ci-noshrink", parent=settings.get_profile("ci"), phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
# `docs` is what `mkdocs build` runs the suite with when it fills in the conformance page and the validation
# guide's report itself (docs/hooks/conformance_runs.py): `ci` with a sixth of its examples, derandomized, so
# the build stays quick and reproducible. `python docs/run_conformance.py` (the `ci` profile) gives the full verdict.
settings.register_profile("docs", parent=settings.get_profile("ci"), max_examples=10)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The adapters import their libraries at module level and are loaded through --impl, never collected;
# collecting them (--doctest-modules imports every module) fails where a library is not installed.
collect_ignore = ["adapters", "suite/fixtures"]  # fixtures: code under test for the suite's own tests
SUITE = Path(__file__).resolve().parent / "suite"


def pytest_ignore_collect(collection_path, config):
    """A run on another implementation leaves out tests/suite, which tests the suite, not the implementation
    (and takes seconds), unless it is named on the command line."""
    if collection_path != SUITE or config.getoption("--impl") == "reference":
        return None
    named = any(Path(arg.split("::")[0]).resolve().is_relative_to(SUITE) for arg in config.args)
    return None if named else True


def pytest_addoption(parser):
    group = parser.getgroup("lcspec", "lcspec conformance")
    group.addoption(
        "--impl",
        default=os.environ.get("LCSPEC_IMPL", "reference"),
        help="implementation under test: a dotted module name, a path to a .py file, module:attribute, "
        "or cs231n:PATH for the CS231n assignment layout, PATH a file, a module or an assignment folder "
        "(env LCSPEC_IMPL; default: reference)",
    )
    group.addoption("--deviations", default=None, metavar="FILE",
                    help="declared deviations: one clause ID or test id per line, the reason after '#'")
    group.addoption("--conformance-json", default=None, metavar="PATH",
                    help="also write the conformance summary as JSON (schema: tests/report.py)")
    group.addoption("--child-runs", action="store_true",
                    help="also run the suite's own slow tests that run the whole suite in child processes "
                    "(the broken-implementation catalogue, the correct implementations; .ci/run does)")
    group.addoption("--level", choices=("core", "strict"), default=None,
                    help="the conformance level whose verdict sets the exit code and the JSON's exit_ok: core (the "
                    "notes' mathematics; the default) or strict (also the reference's API guarantees; the default for "
                    "--impl=reference, which must meet it); both are reported")
    group.addoption("--call-timeout", type=float, default=DEFAULT_CALL_TIMEOUT, metavar="SECONDS",
                    help=f"time limit of one call to the implementation (default {DEFAULT_CALL_TIMEOUT:g})")


def usage_error(config, message: str):
    """Stop with exit status 2, a usage error as command-line tools have it: nothing was judged, so there is no
    verdict either way. A JSON report asked for still says so (never a stale one, never exit_ok true)."""
    path = config.getoption("--conformance-json")
    if path:
        Path(path).write_text(json.dumps({"schema": SCHEMA, "exit_ok": False, "error": message}, indent=2) + "\n")
    pytest.exit(f"lcspec: {message}", returncode=USAGE_ERROR)


def pytest_configure(config):
    config.addinivalue_line("markers", "child_runs: runs the property suite in child processes (needs --child-runs)")
    # Hypothesis imports libcst when a test fails; libcst warns about mypy_extensions, which says nothing here.
    config.addinivalue_line("filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")
    spec = config.getoption("--impl")
    try:
        impls = implementations(spec, config.getoption("--call-timeout"))
    except LoadError as exc:  # already one paragraph naming the file, the line and the fix (tests/loading.py)
        usage_error(config, f"--impl={spec}: {exc}")
    deviations = config.getoption("--deviations")
    if deviations and not Path(deviations).is_file():
        usage_error(config, f"--deviations={deviations}: no such file")
    if config.option.level is None:
        config.option.level = "strict" if spec == "reference" else "core"
    if spec != "reference" and config.option.tbstyle == "auto":
        config.option.tbstyle = "short"  # the law's line and the reproduction say it; a full traceback buries them
    # Before the test modules are imported: their strategies draw inputs in this precision.
    precision.SESSION = precision.probe(impls)
    config.pluginmanager.register(ConformanceReport(config, impls), "lcspec-conformance")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--child-runs"):
        return
    skip = pytest.mark.skip(reason="runs the whole suite in child processes: select with --child-runs (.ci/run does)")
    for item in items:
        if "child_runs" in item.keywords:
            item.add_marker(skip)


def pytest_generate_tests(metafunc):
    """The CS231n layout gives one implementation per variant (naive, vectorized): each test runs on each."""
    if "impl" in metafunc.fixturenames:
        impls = metafunc.config.pluginmanager.get_plugin("lcspec-conformance").impls
        if len(impls) > 1:
            metafunc.parametrize("impl", impls, ids=[i.variant for i in impls], indirect=True, scope="session")


@pytest.fixture(scope="session")
def impl(request):
    """The implementation under test, behind the guard of tests/implementation.py."""
    return getattr(request, "param", None) or request.config.pluginmanager.get_plugin("lcspec-conformance").impls[0]
