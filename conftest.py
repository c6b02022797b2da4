"""pytest configuration of lcspec's own checkout (not installed): what `pytest` collects here.

The laws get their fixture and report from the plugin lcspec/plugin.py (loaded with `-p lcspec.plugin`
in pyproject.toml); this file holds only what concerns the checkout: folders that are not tests, and
the suite's own slow tests that run the whole suite in child processes (`--child-runs`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

# The adapters import their libraries at module level and are loaded through --impl, never collected;
# collecting them (--doctest-modules imports every module) fails where a library is not installed.
collect_ignore = ["tests/adapters", "tests/suite/fixtures"]  # fixtures: code under test for the suite's own tests
SUITE = Path(__file__).resolve().parent / "tests" / "suite"


def pytest_addoption(parser):
    parser.getgroup("lcspec").addoption(
        "--child-runs", action="store_true",
        help="also run the suite's own slow tests that run the whole suite in child processes "
        "(the broken-implementation catalogue, the correct implementations; .ci/run does)")


def pytest_configure(config):
    config.addinivalue_line("markers", "child_runs: runs the property suite in child processes (needs --child-runs)")


def pytest_ignore_collect(collection_path, config):
    """A run on another implementation leaves out tests/suite, which tests the suite, not the implementation
    (and takes seconds), unless it is named on the command line."""
    if collection_path != SUITE or config.getoption("--impl") in (None, "reference"):
        return None
    named = any(Path(arg.split("::")[0]).resolve().is_relative_to(SUITE) for arg in config.args)
    return None if named else True


def pytest_collection_modifyitems(config, items):
    if config.getoption("--child-runs"):
        return
    skip = pytest.mark.skip(reason="runs the whole suite in child processes: select with --child-runs (.ci/run does)")
    for item in items:
        if "child_runs" in item.keywords:
            item.add_marker(skip)
