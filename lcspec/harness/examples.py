"""Examples drawn once, replayed after: a law's examples kept from the run where it passed, so that the next run
of the same law skips Hypothesis's drawing (about half of a correct implementation's run, and the same every time).

Under a derandomized profile (`ci`, `docs`, `ci-noshrink`) Hypothesis draws the same examples for a law in every
run, as long as each example ends the same way: the draws follow the law's source and the profile, never the
values the implementation returns, only whether an example passed or was discarded. So when a law passes, the
examples its body ran are written to this cache, and a later run of the same law replays them: the body runs on
each one as Hypothesis calls it (the same arguments, the same global random state, a build context). If every
example ends as it did when recorded (passed, or discarded by the same refusal), Hypothesis would have drawn
these very examples and the law has passed. If anything differs (a failure, an example discarded that was not, a
draw made in another order), the replay is dropped and Hypothesis runs the law as it always does: it draws the same
examples, finds the same failure and shrinks it. A replay can only save time; it never decides a law's failure.
A wrong value that the guard found and no law told apart (guard.settle's Finding) ends its example as a pass, so
the replay stands with it: it ran the very examples Hypothesis would, in its order, and kept the finding a run
without the cache keeps (the smallest, the first of equal size), which fails the test once the law is done.

A cached law is named by everything its draws depend on (`ExampleCache.key`): the sources of the laws, their
strategies and the harness, the versions of lcspec, Hypothesis, numpy and Python, the profile's settings, the
precision inputs are drawn at, the implementation's declared refusals, and the law's node id (its module, name and
parameters, the variant among them), which Hypothesis seeds a parametrised test with: the folders of a class share
one entry; a folder's variants, whose node ids differ, draw different examples and do not.
`--hypothesis-seed`, a non-derandomized profile (`thorough`) or an example database turn it off, and so does a law
that is not a Hypothesis test. A law's draws must follow only what was drawn before, never the implementation's
answers (a `data.draw` whose strategy depends on a result would replay a stale value): a law that draws after the
implementation has answered in an example is not kept, and a replay that meets such a draw is dropped.

Beside its examples, an entry keeps the reference's answers to the calls the guard judged in them, each with the
tolerance the comparison allows it (answers.py), so a replay need not work them out again. Values are stored exactly
in a format of lcspec's own (exact.py: arrays as their bytes, floats as their bits), never pickled: reading the cache runs no code, and an entry that is not one of ours is
a miss. Only the judge writes it, and only in runs where the implementation is in a process of its own; in the
sandbox it cannot reach the cache (the filesystem is read-only there). A run reads its entries before the
implementation starts, so nothing written while it runs is replayed in that run. Without the sandbox an
implementation runs as you and could change any file you can, this cache among them (its examples, and the answers
its values are compared with), for later runs: clear it after running code you do not trust without the sandbox.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import Phase
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.strategies import DataObject

from lcspec.harness.answers import KeptAnswers, machine
from lcspec.harness.exact import MALFORMED, Unreplayable, decode, encode

FORMAT = 3
"""The cache's own format: part of every key, so a change of it is a fresh cache."""
KEPT_GENERATIONS = 4
"""Cache folders (one per version of the sources) kept; older ones are removed when a new one is made."""
OFF = "off"
SUBFOLDER = "lcspec-examples"
MARKER = "LCSPEC_EXAMPLES"
GENERATION = re.compile(r"[0-9a-f]{24}")


def default_folder() -> str:
    """`LCSPEC_EXAMPLE_CACHE`, else lcspec in the user's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    if os.environ.get("LCSPEC_EXAMPLE_CACHE"):
        return os.environ["LCSPEC_EXAMPLE_CACHE"]
    try:
        caches = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder to be found (no HOME, no passwd entry): nothing is kept
        return OFF
    return str(caches / "lcspec")


class Diverged(BaseException):
    """The replay went another way than the recording (a BaseException: no law's `except Exception` swallows it)."""


# --- what a law's draws depend on ---------------------------------------------------------------------------


def sources_digest(*folders: Path) -> str:
    """The SHA-256 of every Python source under `folders` (lcspec, its laws and strategies, the reference)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _settings_of(test):
    """The settings Hypothesis runs `test` with, if they draw the same examples every run (else None)."""
    chosen = getattr(test, "_hypothesis_internal_use_settings", None)
    if chosen is None or not chosen.derandomize or chosen.database is not None or Phase.generate not in chosen.phases:
        return None
    if getattr(test, "_hypothesis_internal_use_seed", None) is not None:
        return None
    return chosen


def refusals_of(impl) -> str:
    """The refusals an implementation declared in its handshake (they discard examples), as stable text."""
    info = getattr(getattr(impl, "module", None), "info", None)
    return json.dumps([getattr(info, "constraints", {}), getattr(info, "declines", {})], sort_keys=True, default=repr)


# --- the cache ----------------------------------------------------------------------------------------------


class ExampleCache:
    """The examples of passing laws, one JSON file per law (see the module docstring).

    Entries live in `root`/lcspec-examples/GENERATION/, GENERATION named by the salt; only folders lcspec made there
    (their MARKER file says so) are ever removed. The entries of this run's generation are read when the cache is
    made, before the implementation starts: nothing it writes while it runs (without the sandbox it could) is read
    back in that run.
    """

    def __init__(self, folder: Path, salt: str):
        self.root = Path(folder) / SUBFOLDER
        self.salt = salt
        self.folder = self.root / hashlib.sha256(f"{FORMAT}\0{salt}".encode()).hexdigest()[:24]
        self.entries: dict[str, str] = {}
        with contextlib.suppress(OSError):
            for path in self.folder.glob("*.json"):
                with contextlib.suppress(OSError, UnicodeDecodeError):
                    self.entries[path.stem] = path.read_text()

    @classmethod
    def for_run(cls, where: str, sources: tuple[Path, ...]) -> ExampleCache | None:
        """The run's cache in `where` (None for "off"), its salt the sources and the versions."""
        if where == OFF:
            return None
        if not where.strip():
            raise ValueError("--example-cache: give a folder, or 'off'")
        import hypothesis

        from lcspec import __version__

        salt = "\0".join([__version__, hypothesis.__version__, np.__version__, sys.version.split()[0],
                          sys.platform, sources_digest(*sources)])
        return cls(Path(where).expanduser().resolve(), salt)

    def key(self, item, impl, precision) -> str | None:
        """The name of `item`'s entry (its inputs drawn in `precision`), or None when its draws differ run to run."""
        test = getattr(item, "obj", None)
        chosen = _settings_of(test)
        if chosen is None or getattr(test, "hypothesis", None) is None:
            return None
        # The node id names the law's module, function and parameters, the variant (naive, vectorized) among them:
        # Hypothesis seeds a parametrised test's draws with it, so two variants never share an entry; the folders of
        # a class, whose node ids are the same, do.
        law = [item.nodeid, chosen.max_examples,
               [p.name for p in chosen.phases], sorted(h.name for h in chosen.suppress_health_check),
               refusals_of(impl), str(np.dtype(precision))]
        return hashlib.sha256(json.dumps(law, default=repr).encode()).hexdigest()[:32]

    def _entry(self, key: str) -> dict:
        """The entry as read when the run started (or written by this run), if it is one of ours; else {}."""
        try:
            entry = json.loads(self.entries[key])
        except (KeyError, ValueError):
            return {}
        return entry if isinstance(entry, dict) and entry.get("salt") == self.salt else {}

    def load(self, key: str) -> list | None:
        """The entry's examples, as read when the run started (or written by this run), if it is one of ours."""
        return _examples_of(self._entry(key))

    def save(self, key: str, examples: list, answers: dict | None = None) -> None:
        """Write the entry atomically (runs of a batch write the same entries at once); a failure costs only time."""
        # dumps: only the one-shot encoder is C's
        text = json.dumps({"salt": self.salt, "examples": examples, "machine": machine(), "answers": answers or {}})
        self.entries[key] = text
        with contextlib.suppress(OSError):
            if not self.folder.is_dir():
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / MARKER).write_text("lcspec's example cache (lcspec/harness/examples.py)\n")
                self._prune()
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w") as out:
                out.write(text)
            os.replace(temporary, self.folder / f"{key}.json")

    def _prune(self) -> None:
        """Keep the newest KEPT_GENERATIONS of lcspec's folders here: the others are for sources that are gone."""
        ours = [p for p in self.root.iterdir() if GENERATION.fullmatch(p.name) and (p / MARKER).is_file()]
        for old in sorted(ours, key=lambda p: p.stat().st_mtime, reverse=True)[KEPT_GENERATIONS:]:
            shutil.rmtree(old, ignore_errors=True)

    def around(self, test, handle, key: str, fixtures: tuple[str, ...], went_wrong, undoable, answered, session=None):
        """`test` (a Hypothesis test, its `handle` the `.hypothesis` attribute) run from the cache when its entry
        replays as recorded, else as always while its examples are recorded; `went_wrong()` says whether the guard
        kept a finding (a wrong value no law caught) in the examples run so far, which it then forgets;
        `undoable()` returns what undoes the marks a dropped replay left on the implementation (a function found
        hung, or out of time), so that the law's own run meets and reports them as a run without the cache does;
        `answered()` says whether the implementation has answered a call in the example running; `session` (the run's
        lcspec.harness.session.Session), if given, has the reference's answers kept in the entry while the law runs."""

        @functools.wraps(test)
        def run(**arguments):
            entry = self._entry(key)
            recorded, kept = _examples_of(entry), KeptAnswers(_answers_of(entry))
            with _answering(session, kept):
                undo = undoable()
                if recorded and _replays(recorded, handle.inner_test, arguments, test, answered):
                    return None  # with any finding the guard kept: the recorder fails the test with it
                undo()
                went_wrong()
                recording = _Recording(handle, fixtures, answered)
                with recording:
                    test(**arguments)
            if recording.complete and not went_wrong(forget=False):
                self.save(key, recording.examples, kept.collected)
            return None

        return run


def _examples_of(entry: dict) -> list | None:
    examples = entry.get("examples")
    return examples if isinstance(examples, list) else None


def _answers_of(entry: dict) -> dict:
    """The reference's answers kept in an entry (lcspec/harness/answers.py), if worked out on this machine."""
    answers = entry.get("answers") if entry.get("machine") == machine() else None
    return answers if isinstance(answers, dict) else {}


@contextlib.contextmanager
def _answering(session, kept):
    """`kept` as the session's reference answers while the law runs (nothing without a session)."""
    if session is None:
        yield
        return
    session.answers = kept
    try:
        yield
    finally:
        session.answers = None


# --- recording and replaying --------------------------------------------------------------------------------


class _RecordingData:
    """A law's `st.data()` while it is recorded: each draw is Hypothesis's, and kept."""

    def __init__(self, data, kept: list, recording: _Recording):
        self._data, self._kept, self._recording = data, kept, recording

    def draw(self, strategy, label=None):
        if self._recording.answered():  # the strategy may follow an answer: a replay could hand back a stale value
            self._recording.complete = False
        value = self._data.draw(strategy, label=label)
        try:
            self._kept.append(encode(value))
        except Unreplayable:
            self._recording.complete = False
        return value


class _ReplayData:
    """A law's `st.data()` in a replay: the recorded draws, in order (each drawn before the implementation answered
    anything in its example, so from a strategy that follows only the law's own draws)."""

    def __init__(self, draws: list, answered):
        self._draws, self._answered = list(draws), answered

    def draw(self, strategy, label=None):
        if self._answered():
            raise Diverged("the law drew after the implementation answered (its strategy may follow the answer)")
        if not self._draws:
            raise Diverged("the law drew more than it did when recorded")
        return decode(self._draws.pop(0))


class _Recording:
    """While a law runs under Hypothesis: every example its body is called with, and how it ended."""

    def __init__(self, handle, fixtures: tuple[str, ...], answered):
        self.handle, self.fixtures, self.answered = handle, set(fixtures), answered
        self.examples: list = []
        self.complete = True

    def __enter__(self):
        self.inner = self.handle.inner_test
        self.handle.inner_test = self._recorded(self.inner)
        return self

    def __exit__(self, *exc_info):
        self.handle.inner_test = self.inner
        if exc_info[0] is not None:
            self.complete = False

    def _recorded(self, inner):
        @functools.wraps(inner)  # the same digest: Hypothesis derandomizes by the inner test's source
        def recorded(*args, **kwargs):
            if args:  # never so from pytest; not recorded, so not kept
                self.complete = False
            if not self.complete:
                return inner(*args, **kwargs)
            entry: dict = {"kwargs": {}, "data": {}, "discarded": False}
            try:
                for name, value in kwargs.items():
                    if name in self.fixtures:
                        continue
                    if isinstance(value, DataObject):
                        entry["data"][name] = []
                        kwargs[name] = _RecordingData(value, entry["data"][name], self)
                    else:
                        entry["kwargs"][name] = encode(value)
            except Unreplayable:
                self.complete = False
                return inner(*args, **kwargs)
            try:
                result = inner(*args, **kwargs)
            except UnsatisfiedAssumption:
                entry["discarded"] = True
                self.examples.append(entry)
                raise
            self.examples.append(entry)
            return result

        return recorded


_ENDINGS = (Exception, pytest.skip.Exception, pytest.fail.Exception)


def _replays(recorded: list, inner, arguments: dict, wrapped_test, answered) -> bool:
    """Whether every recorded example, run again through `inner`, ends as it did (see the module docstring)."""
    from hypothesis.internal.entropy import deterministic_PRNG

    chosen = _settings_of(wrapped_test)
    if all(isinstance(entry, dict) and entry.get("discarded") for entry in recorded):
        return False  # a recording always ran an example: this entry is not one
    with deterministic_PRNG():
        return _replay_all(recorded, inner, arguments, wrapped_test, answered, chosen, _seeded_states())


def _seeded_states() -> list:
    """Every PRNG Hypothesis manages (the random module's, NumPy's global one, any registered) with the state it has
    now, inside deterministic_PRNG: its seeded state, to set again before each example."""
    from hypothesis.internal.entropy import RANDOMS_TO_MANAGE

    return [(generator, generator.getstate()) for generator in list(RANDOMS_TO_MANAGE.values())]


def _replay_all(recorded, inner, arguments, wrapped_test, answered, chosen, seeded) -> bool:
    from hypothesis._settings import local_settings
    from hypothesis.control import BuildContext
    from hypothesis.internal.conjecture.data import ConjectureData

    for entry in recorded:
        try:  # an entry that is not one of ours is a miss, never a failure
            drawn = {name: decode(value) for name, value in entry["kwargs"].items()}
            datas = {name: _ReplayData(list(draws), answered) for name, draws in entry["data"].items()}
            expected = bool(entry["discarded"])
        except MALFORMED:
            return False
        discarded = False
        # As Hypothesis runs an example: its settings, the global random state seeded alike (Hypothesis seeds every
        # example; deterministic_PRNG around each costs a tenth of a cached run, so its seeded states are set
        # again here, and the run's own put back once, at the end), a build context.
        for generator, state in seeded:
            generator.setstate(state)
        with local_settings(chosen), BuildContext(ConjectureData.for_choices([]), wrapped_test=wrapped_test):
            try:
                inner(**arguments, **drawn, **datas)
            except UnsatisfiedAssumption:
                discarded = True
            except (Diverged, *_ENDINGS):
                return False
        if discarded != expected or any(d._draws for d in datas.values()):
            return False
    return True
