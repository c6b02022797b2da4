"""The learning run on scikit-learn's digits (`lcspec.bench.learn`), made once per build and shared.

Two hooks use it: measurements.py puts its tables on the optimisation chapter, pictures.py draws its
loss curves, its step-size sweep and the learned templates. This module is imported by both (it is
not a hook itself), so they see the same run; measurements.py's on_config calls `reset` so that
`mkdocs serve` reruns it on every rebuild.
"""

from __future__ import annotations

from lcspec.bench import learn

BUDGET = 1000  # full-training-set loss evaluations per strategy run, as `python -m lcspec.bench.learn`

_summary: dict = {}


def reset() -> None:
    _summary.clear()


def summary() -> dict:
    """The run's summary (as bench/out/learning.json), computed on first use in this build."""
    if not _summary:
        _summary.update(learn.learn(BUDGET, progress=False))
    return _summary
