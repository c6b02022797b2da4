"""Wall-clock timing that lets several candidates see the same machine state."""

from __future__ import annotations

import time
from typing import Callable


def best_times(candidates: dict[str, Callable[[], object]], repeats: int, pause: float = 0.15) -> dict[str, float]:
    """Best-of-`repeats` seconds per candidate, after one warm-up call each.

    The candidates take turns within every round, so a slow spell of the machine (another process,
    a clock change) hits all of them instead of skewing one ratio; the minimum is the run least
    disturbed by noise. The untimed `pause` before each call lets the previous candidate's worker
    threads stop spinning (OpenBLAS's idle threads busy-wait for about 0.1 s, PyTorch's OpenMP
    threads briefly too), which would otherwise slow whichever library runs next.
    """
    for run in candidates.values():
        run()
    best = {name: float("inf") for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            time.sleep(pause)
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
