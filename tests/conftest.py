"""Suite-wide configuration: Hypothesis profiles, the implementation under test, the clause marker."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import reference
from tests.implementation import Implementation, load

# `ci` is the default: derandomized, so every run draws the same examples and nothing is flaky.
# `thorough` draws ten times as many, from a fresh seed each run (select with --hypothesis-profile).
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=600, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption(
        "--impl",
        default=os.environ.get("LCSPEC_IMPL", "reference"),
        help="implementation under test: a dotted module name or a path to a .py file (env LCSPEC_IMPL)",
    )


@pytest.fixture(scope="session")
def impl(pytestconfig) -> Implementation:
    """The implementation under test, behind the guard of tests/implementation.py."""
    spec = pytestconfig.getoption("--impl")
    module = reference if spec == "reference" else load(spec)
    return Implementation(module, spec)
