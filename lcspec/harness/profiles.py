"""The Hypothesis profiles the laws run with (registered on import; the plugin loads one for a run).

* `ci`, the default: derandomized, so every run draws the same examples and nothing is flaky.
  One failure per test (report_multiple_bugs=False) keeps a broken implementation's report readable.
  No explain phase: after shrinking it reruns a failing test a thousand times to annotate the
  counterexample ("or any other generated value"); that was most of a broken implementation's run time.
* `thorough`: ten times as many examples, from a fresh seed each run.
* `ci-noshrink`: exactly what `ci` draws, the first failing example unshrunk: the suite's own tests
  use it to show that `ci` catches a broken implementation, quickly.
* `docs`: `ci` with a sixth of its examples, what `mkdocs build` runs the suite with when it fills in
  the conformance page itself; `python docs/run_conformance.py` (the `ci` profile) gives the full verdict.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

DEFAULT = "ci"
SHRINK_SECONDS = 10
"""Seconds Hypothesis may spend shrinking one failing law's counterexample when an implementation is judged (its
own limit is 300 s: a broken file's first failure took over 5 minutes to report). The example found by then is
reported; it is seldom bigger than the fully shrunk one, and a student reads it in seconds, not minutes."""


def bound_shrinking(seconds: float = SHRINK_SECONDS) -> None:
    """Hold Hypothesis's shrinking of each failure to `seconds` (its engine reads the limit when it starts
    shrinking; there is no public setting for it, so where the engine has none this does nothing)."""
    from hypothesis.internal.conjecture import engine

    if hasattr(engine, "MAX_SHRINKING_SECONDS"):
        engine.MAX_SHRINKING_SECONDS = seconds

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
settings.register_profile("docs", parent=settings.get_profile("ci"), max_examples=10)
