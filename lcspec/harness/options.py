"""The options of a run that the pytest plugin and the `lcspec check` command share, written down once.

Each is (flag, keyword arguments of argparse's add_argument, which pytest's addoption takes too, and
whether its value is a path to resolve before it is handed on). The plugin adds them to pytest; the
command adds them to its `check` and hands on every one given, as the same flag, to the pytest run
it makes (lcspec/cli.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lcspec.harness.clauses import LEVELS
from lcspec.harness.examples import default_folder
from lcspec.harness.precision import declared_precision
from lcspec.harness.session import DEFAULT_CALL_TIMEOUT
from lcspec.protocol.child import DEFAULT_MEMORY_LIMIT
from lcspec.protocol.sandbox import DEFAULT_MODE, MODES

DEFAULT_TIME_BUDGET = 1200.0
"""Seconds a run may spend calling the implementation: 20 minutes, ten times a correct CS231n folder's whole
run on a busy machine, so every run ends with a verdict, however slow the implementation."""


def _precision(text: str) -> str:
    try:
        declared_precision(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


SHARED = [
    ("--level", dict(choices=LEVELS, default=None,
                     help="the conformance level whose verdict sets the exit status and the JSON's exit_ok: core (the "
                     "notes' mathematics; the default) or strict (also the reference's API guarantees; the default "
                     "for the reference, which must meet it); both are reported"), False),
    ("--deviations", dict(default=None, metavar="FILE",
                          help="declared deviations: one clause ID (ID:function for one function's failures) or test "
                          "id per line, the reason after '#'"), True),
    ("--call-timeout", dict(type=float, default=DEFAULT_CALL_TIMEOUT, metavar="SECONDS",
                            help=f"time limit of one call to the implementation (default {DEFAULT_CALL_TIMEOUT:g})"), False),
    ("--time-budget", dict(type=float, default=DEFAULT_TIME_BUDGET, metavar="SECONDS",
                           help="time the whole run may spend calling the implementation; once spent, the calls left "
                           "fail as too slow, so a slow implementation still gets its verdict (default "
                           f"{DEFAULT_TIME_BUDGET:g}; 0 for none)"), False),
    ("--precision", dict(type=_precision, default=None, metavar="DTYPE|FUNCTION=DTYPE,...",
                         help="the precision the implementation computes in, declared: float64 or float32 for all of "
                         "it, or per function (softmax=float32,log_softmax=float32; each a function it provides), the rest "
                         "float64; a function's "
                         "laws draw their inputs in its precision (default: what it declares in the protocol's "
                         "handshake, else what its results show when the run starts)"), False),
    ("--memory-limit", dict(type=float, default=DEFAULT_MEMORY_LIMIT / 2**30, metavar="GIB",
                            help="memory the implementation's process may allocate, in GiB (RLIMIT_DATA; 0 for no "
                            f"limit; default {DEFAULT_MEMORY_LIMIT / 2**30:g}: JAX's XLA alone holds 2.5)"), False),
    ("--sandbox", dict(choices=MODES, default=DEFAULT_MODE,
                       help="run the implementation inside bubblewrap (read-only filesystem, private /tmp, its own "
                       "process namespace, no network): auto uses it where it works, required refuses to judge "
                       "without it (exit 2), off never uses it (default %(default)s; the validation guide's threat "
                       "model says what each protects against)"), False),
    ("--variant", dict(default=None, metavar="NAME",
                       help="judge one variant of a CS231n assignment (naive or vectorized) and not the others; "
                       "`lcspec check` judges a folder's variants at once, each in a process of its own, where the "
                       "machine has the cores"), False),
    ("--example-cache", dict(default=default_folder(), metavar="FOLDER",
                             help="where the examples of passing laws are kept, so that the next run replays them "
                             "instead of drawing them again (lcspec/harness/examples.py); 'off' for none (default: "
                             "$LCSPEC_EXAMPLE_CACHE, else lcspec in your cache folder; entries go in its lcspec-examples folder)"), False),
    ("--in-process", dict(action="store_true",
                          help="run a Python implementation inside the judge's process, for debugging (the report "
                          "then says the verdict is not isolated); by default every implementation runs in a "
                          "supervised child process (spec/protocol.md)"), False),
]


def add_shared(add) -> None:
    """Add the shared options with `add` (a pytest option group's addoption, or an argparse parser's add_argument)."""
    for flag, keywords, _ in SHARED:
        add(flag, **keywords)


def hand_on(args) -> list[str]:
    """The shared options given in `args` (the command's parsed arguments), as flags for the pytest run."""
    found = []
    for flag, keywords, is_path in SHARED:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value in (None, False) or value == keywords.get("default"):
            continue
        found.append(flag if value is True else f"{flag}={Path(value).resolve() if is_path else value}")
    return found
