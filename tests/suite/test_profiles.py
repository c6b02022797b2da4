"""The reference conforms at strict under every profile a user may pick, not only the default `ci`.

`thorough` is what the CI guide recommends for nightly jobs (`lcspec check ... --profile thorough`):
ten times the examples, from a fresh seed each run, so it reaches inputs `ci` never draws. A law
that misfires there (an arithmetic error on an input its own strategies draw, a bound that is too
tight at an extreme) fails the reference, which is by definition conforming. `docs` is what the site
build runs. The default `pytest` run is the `ci` profile's check.
"""

from __future__ import annotations

import pytest

from tests.suite.runs import run_suite

pytestmark = pytest.mark.child_runs


@pytest.mark.parametrize("profile", ["thorough", "docs"])
def test_the_reference_conforms_at_strict_under_every_profile(profile):
    run = run_suite("reference", f"--hypothesis-profile={profile}", "--level=strict", timeout=3600)
    assert run.returncode == 0 and run.summary["exit_ok"], f"{profile}:\n{run.output[-4000:]}"
    (statuses,) = run.statuses().values()
    assert set(statuses.values()) == {"conforms"}, statuses
