"""A time limit on a block of Python code run in this process: SIGALRM raises `Hang` inside it.

Only the standard library: the judge's guard (--in-process calls) and the loaders (a CS231n file that hangs at
import or when probed) both use it, on either side of the process boundary.
"""

from __future__ import annotations

import contextlib
import signal
import threading


class Hang(BaseException):
    """Raised by the alarm inside a call that overran its time limit (BaseException: `except Exception` in
    the implementation must not swallow it)."""


_depth = threading.local()


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the body after `seconds` (main thread only; nested guarded calls share the outer limit)."""
    outer = getattr(_depth, "n", 0) > 0
    if outer or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        _depth.n = getattr(_depth, "n", 0) + 1
        try:
            yield
        finally:
            _depth.n -= 1
        return

    def alarm(signum, frame):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _depth.n = 1
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _depth.n = 0
