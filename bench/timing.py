"""Wall-clock timing that lets several candidates see the same machine state."""

from __future__ import annotations

import time
from typing import Callable


def best_times(candidates: dict[str, Callable[[], object]], repeats: int, pause: float = 0.15) -> dict[str, float]:
    """Best-of-`repeats` seconds per candidate, after one warm-up call each.

    The candidates take turns within every round, so a slow spell of the machine (another process,
    a clock change) hits all of them instead of skewing one ratio; the minimum is the run least
    disturbed by noise. The order rotates by one each round: with a fixed order the first candidate
    (the floor) came out a few per cent slow, enough to put plain NumPy "below the floor". The
    untimed `pause` before each call lets the previous candidate's worker threads stop spinning
    (OpenBLAS's idle threads busy-wait for about 0.1 s, PyTorch's OpenMP threads briefly too),
    which would otherwise slow whichever library runs next.
    """
    for run in candidates.values():
        run()
    names = list(candidates)
    best = dict.fromkeys(names, float("inf"))
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            time.sleep(pause)
            start = time.perf_counter()
            candidates[name]()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
