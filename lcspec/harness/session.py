"""The run: what the laws and the guard need to know while they judge, in one object.

A :class:`Session` holds the implementations under test, the precision they are judged at, the
conformance level that sets the exit code, the per-call time limit, and the calls of the running
example. The pytest plugin (lcspec/plugin.py) makes one per run and *activates* it; the laws'
helpers (lcspec/harness/precision.py) read the active session when a test runs, never when a module
is imported, so nothing has to be set before anything else is imported. Outside a run (a doctest,
a suite test that builds an `Implementation` by hand) the active session is a default one: float64,
no recording.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import time

import numpy as np

from lcspec.protocol import DEFAULT_CALL_TIMEOUT


@dataclasses.dataclass
class Session:
    """One run of the laws against one or more implementations (the variants of a CS231n assignment)."""

    impls: list = dataclasses.field(default_factory=list)
    precision: np.dtype = dataclasses.field(default_factory=lambda: np.dtype(np.float64))
    """The dtype inputs are drawn representable in: float64, or what every result of the implementation is."""
    precisions: dict = dataclasses.field(default_factory=dict)
    """{function: dtype} for the functions whose results are coarser than `precision` (a float32 kernel in a float64
    library): each is judged at its own, and a law whose functions all share one draws its inputs in it."""
    drawing: frozenset = frozenset()
    """The functions the running law judges (set by the recorder for each test): whose precision its inputs take."""
    level: str = "core"
    call_timeout: float = DEFAULT_CALL_TIMEOUT
    time_budget: float | None = None
    """Seconds the whole run may spend calling the implementation; once spent, calls fail at once as too slow."""
    deadline: float | None = None
    answers: object | None = None
    """The reference's answers kept for the running law (lcspec/harness/answers.py's KeptAnswers) while it runs from
    the example cache; None otherwise, and then the guard asks the reference every time."""
    recorder: list | None = None
    """The calls of the running example, in order, while the run records (a fresh list per example); None
    otherwise, and then the guard raises every failure at once."""

    def precision_of(self, function: str) -> np.dtype:
        """The precision `function`'s results are judged at: its own where it has one, else the run's."""
        return self.precisions.get(function, self.precision)

    def input_precision(self) -> np.dtype:
        """The dtype the running law's inputs are drawn representable in: its functions' own precision when they all
        have the same one, else the run's (a law of a float32 softmax and a float64 loss draws float64 numbers)."""
        own = {self.precision_of(f) for f in self.drawing}
        return own.pop() if len(own) == 1 else self.precision

    def start_clock(self) -> None:
        if self.time_budget:
            self.deadline = time.monotonic() + self.time_budget

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def attach(self, impls) -> "Session":
        """Make `impls` this session's implementations (each judged in it)."""
        self.impls = list(impls)
        for impl in self.impls:
            impl.session = self
        return self


_ACTIVE: contextvars.ContextVar[Session | None] = contextvars.ContextVar("lcspec_session", default=None)
_DEFAULT = Session()


def active() -> Session:
    """The session of the running run, or the default one (float64, nothing recorded)."""
    return _ACTIVE.get() or _DEFAULT


@contextlib.contextmanager
def activated(session: Session):
    """`session` is the active one inside the block."""
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)


def activate(session: Session) -> contextvars.Token:
    """Make `session` active until `deactivate(token)` (the plugin's configure and unconfigure hooks)."""
    return _ACTIVE.set(session)


def deactivate(token: contextvars.Token) -> None:
    _ACTIVE.reset(token)
