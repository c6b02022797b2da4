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
SHRINKS = 20
"""Successful shrinks Hypothesis may make of one failing law's counterexample when an implementation is judged (its
own bound is 500). A count, so the counterexample reported is the same in every run. Shrinking was half of a broken
CS231n folder's time (a failing law ~1 s, GRAD-2's and GRAD-3's 2 s each), most of it past the point where the
example is small enough to read. Measured on two bugs in the bundled folder: the SVM loss not divided by N is fully
shrunk within 20 (HINGE-1: a 1 x 2 W of zeros, 2 examples, 2.0 against 1.0); a penalty gradient of λW for 2λW shows
(REG-4) a 1 x 6 W and 5 examples of zeros against the fully shrunk 1 x 2 and 2, its run 5.4 s against 13.7 s."""
SHRINK_SECONDS = 10
"""Seconds Hypothesis may spend shrinking one failing law's counterexample when an implementation is judged (its
own limit is 300 s: a broken file's first failure took over 5 minutes to report): a safety net under `SHRINKS`
for an implementation slow enough that twenty shrinks take longer."""


def bound_shrinking(shrinks: int = SHRINKS, seconds: float = SHRINK_SECONDS) -> None:
    """Hold Hypothesis's shrinking of each failure to `shrinks` successful shrinks and `seconds` (its engine reads
    both as module constants; there is no public setting for them, so where the engine has none this does nothing)."""
    from hypothesis.internal.conjecture import engine

    if hasattr(engine, "MAX_SHRINKS"):
        engine.MAX_SHRINKS = shrinks
    if hasattr(engine, "MAX_SHRINKING_SECONDS"):
        engine.MAX_SHRINKING_SECONDS = seconds


def ignore_local_constants() -> None:
    """Draw the laws' examples without constants from "local" source files, so that a checkout and an installed
    lcspec draw the same examples from the same seed. Hypothesis mixes into its draws the literals of every imported
    module outside site-packages: in an editable install that is lcspec itself (31 floats, 1e-12 to 1200.0), in a
    wheel nothing, and in an in-process run the judged file too. Parsing those modules also cost each judging
    process ~0.2 s. Hypothesis reads them through one module function, with no public setting; where it has none
    this does nothing."""
    from hypothesis.internal.conjecture import providers

    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        none = providers.Constants()
        providers._get_local_constants = lambda: none


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
