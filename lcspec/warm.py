"""Judges for a batch, each forked from one process that has already imported the judge.

A batch judges every submission in a process of its own (a fault stays in it). Started afresh, each of those
processes spent about half a second of CPU importing numpy, pytest, Hypothesis and lcspec, the same every time.
Here they are forked instead, by multiprocessing's forkserver, from a server process that imported those once
(PRELOADED) and has run nothing else: each judge is still a process of its own, with its own environment,
working directory, signals and output.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading

PRELOADED = ["numpy", "pytest", "_hypothesis_pytestplugin", "hypothesis.extra.numpy", "lcspec.cli", "lcspec.plugin"]


class WarmJudges:
    """Runs `lcspec <argv>` in a process forked from the warm server, its output in a log file; thread-safe."""

    def __init__(self):
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOADED)
        self._starting = threading.Lock()

    def run(self, argv: list[str], log) -> int | None:
        """`lcspec argv`'s exit status (-N where signal N killed it, as subprocess says it); None where no judge could
        be forked (the server is gone: code run without a sandbox may kill any process of its user's)."""
        judge = self._context.Process(target=_judge, args=(argv, str(log)), name="lcspec-judge")
        try:
            with self._starting:  # multiprocessing's bookkeeping of its children is not made for threads at once
                judge.start()
        except (OSError, EOFError, ValueError):
            return None
        judge.join()
        return judge.exitcode


def _judge(argv: list[str], log: str) -> None:
    """In the forked judge: its output to `log`, then the command, whose status is the process's."""
    from lcspec.cli import main

    sink = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    os.close(sink)
    sys.exit(main(argv))
