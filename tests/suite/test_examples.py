"""The example cache (lcspec/harness/examples.py): values kept exactly, a passing law replayed without drawing, and
anything that goes another way on replay judged by Hypothesis's own run, as if there were no cache.

The laws here are small Hypothesis tests made for the purpose; the end-to-end run (a real implementation judged
twice, the second time from the cache, to the same report) is the child_runs test at the end.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import struct
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lcspec import reference
from lcspec.harness.contract import REGISTRY
from lcspec.harness.examples import ExampleCache, Unreplayable, decode, default_folder, encode
from lcspec.harness.guard import Implementation
from lcspec.harness.record import undoable
from lcspec.harness.session import Session

ROOT = Path(__file__).resolve().parents[2]
DRAWN_ALIKE = settings(derandomize=True, database=None, max_examples=25, deadline=None)


def _same(a, b) -> bool:
    """Equal and of the same type, bit for bit: -0.0 is not 0.0, NaN is NaN, an array keeps dtype, shape, order."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, (np.ndarray, np.generic)):
        a, b = np.asarray(a), np.asarray(b)
        return (a.dtype == b.dtype and a.shape == b.shape and a.tobytes("A") == b.tobytes("A")
                and a.flags.f_contiguous == b.flags.f_contiguous and a.flags.writeable == b.flags.writeable)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


dtypes = st.sampled_from(["float64", "float32", "float16", "int64", "int8", "uint8", "bool", "complex128"])
arrays = dtypes.flatmap(lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.floats(), arrays,
              arrays.map(np.asfortranarray), arrays.filter(lambda a: a.size > 0).map(lambda a: a.ravel()[0])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=6)


@given(values)
def test_every_value_comes_back_exactly_and_through_json(value):
    """decode(encode(v)) is v bit for bit (type, dtype, shape, memory order, -0.0, NaN, subnormals), through JSON."""
    assert _same(decode(json.loads(json.dumps(encode(value)))), value)


def test_what_cannot_be_kept_exactly_is_refused():
    for value in (len, st.integers(), np.arange(6.0)[::2], np.array([object()]), {1: 2.0}, 1 + 2j):
        with pytest.raises(Unreplayable):
            encode(value)


def test_a_read_only_array_comes_back_read_only():
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    assert not decode(encode(frozen)).flags.writeable
    assert decode(encode(np.arange(3.0))).flags.writeable


# --- recording and replaying ------------------------------------------------------------------------------------


def _law(seen: list, draws: list):
    """A law over (x, a drawn y), with a fixture `limit`: it passes when every x is below the limit; it discards x = 3."""

    @DRAWN_ALIKE
    @given(x=st.integers(0, 100).map(lambda v: draws.append(v) or v), data=st.data())
    @example(x=7, data=None)
    def law(limit, x, data):
        y = data.draw(st.floats(0, 1), label="y") if data is not None else -0.0
        seen.append((x, y))
        assume(x != 3)
        assert x < limit

    return law


def _never_wrong(forget: bool = True) -> bool:
    return False


def _unanswered() -> bool:
    return False


def _run(cache: ExampleCache, limit: int, key: str = "law"):
    seen, draws = [], []
    law = _law(seen, draws)
    try:
        cache.around(law, law.hypothesis, key, ("limit",), _never_wrong, lambda: lambda: None, _unanswered)(limit=limit)
    except AssertionError as failure:
        return seen, draws, failure
    return seen, draws, None


def test_a_passing_law_is_replayed_without_drawing_on_the_same_inputs(tmp_path):
    cache = ExampleCache(tmp_path, "salt")
    first, drawn, failed = _run(cache, limit=1000)
    assert failed is None and drawn, "the first run draws, as Hypothesis does"
    assert (7, -0.0) == first[0]  # the explicit example, first, as Hypothesis runs it
    again, drawn_again, failed_again = _run(cache, limit=1000)
    assert failed_again is None
    assert drawn_again == [], "a replay draws nothing"
    assert [(x, struct.pack("<d", y)) for x, y in again] == [(x, struct.pack("<d", y)) for x, y in first]


def test_a_law_that_fails_on_replay_is_judged_by_hypothesis_as_if_there_were_no_cache(tmp_path):
    cache = ExampleCache(tmp_path, "salt")
    _, _, failed = _run(cache, limit=1000)  # recorded by an implementation that passes
    limit = sorted(x for x, _ in _run(cache, limit=1000)[0])[-2]  # some example but the largest fails now
    _, drawn, with_cache = _run(cache, limit=limit)
    _, _, without = _run(ExampleCache(tmp_path / "empty", "salt"), limit=limit)
    assert drawn, "Hypothesis ran the law again"
    assert with_cache is not None and without is not None
    assert str(with_cache) == str(without)  # the same shrunk counterexample, found the same way


def test_a_replay_stands_with_a_finding_the_guard_kept(tmp_path):
    """A wrong value that no law told apart ends its example as a pass, so the replay ran Hypothesis's own examples in
    its order: it stands, and the finding is left to the recorder (the child-run test at the end: the same report)."""
    cache = ExampleCache(tmp_path, "salt")
    _, _, failed = _run(cache, limit=1000)
    seen, draws = [], []
    law = _law(seen, draws)
    cache.around(law, law.hypothesis, "law", ("limit",), lambda forget=True: True, lambda: lambda: None,
                 _unanswered)(limit=1000)
    assert failed is None and seen and draws == [], "the replay stood: nothing was drawn"


def test_a_law_that_draws_after_an_answer_is_never_replayed_stale(tmp_path):
    """CONTRIBUTING forbids a draw that may follow an implementation's answer (here `limit` stands for the answer);
    where a law draws after the implementation answered in its example, its examples are not kept, so a replay can
    never hand back a value drawn from another implementation's answer."""
    cache, drawn, seen, answers = ExampleCache(tmp_path, "salt"), [], [], []

    @DRAWN_ALIKE
    @given(x=st.integers(0, 100).map(lambda v: drawn.append(v) or v), data=st.data())
    def law(limit, x, data):
        answers[:] = [limit]  # the implementation's answer, in this example
        seen.append(data.draw(st.integers(0, limit), label="at most the answer"))

    def run(limit):
        drawn.clear(), seen.clear(), answers.clear()
        cache.around(law, law.hypothesis, "answer", ("limit",), _never_wrong, lambda: lambda: None,
                     lambda: bool(answers))(limit=limit)
        return list(drawn)

    assert run(1000) and max(seen) > 10
    assert run(10), "not kept: Hypothesis draws afresh"
    assert max(seen) <= 10, "no stale value"
    assert cache.load("answer") is None


def test_a_replay_seeds_the_global_generators_as_hypothesis_does_and_puts_them_back(tmp_path):
    """Each example starts from the seeded state of `random` and NumPy's global generator, as in Hypothesis's own run
    (an implementation in this process may draw from them: CS231n's train does), and the run's own states are put
    back afterwards."""
    cache, drawn, seen = ExampleCache(tmp_path, "salt"), [], []

    @DRAWN_ALIKE
    @given(x=st.integers(0, 100).map(lambda v: drawn.append(v) or v))
    def law(limit, x):
        seen.append((random.random(), float(np.random.random())))

    def run():
        drawn.clear(), seen.clear()
        random.seed(12345), np.random.seed(12345)
        before = random.getstate(), np.random.get_state()[1].copy()
        cache.around(law, law.hypothesis, "global", ("limit",), _never_wrong, lambda: lambda: None, _unanswered)(limit=0)
        assert random.getstate() == before[0] and np.array_equal(np.random.get_state()[1], before[1])
        return list(seen), list(drawn)

    first, drawn_first = run()
    assert drawn_first and len(first) > 1 and len(set(first)) == 1, "every example from the same seeded state"
    again, drawn_again = run()
    assert drawn_again == [] and again == first


def test_an_entry_for_other_sources_or_an_unreadable_one_is_not_used(tmp_path):
    ExampleCache(tmp_path, "salt")  # nothing recorded yet
    _run(ExampleCache(tmp_path, "salt"), limit=1000)
    _, drawn, _ = _run(ExampleCache(tmp_path, "other sources"), limit=1000)
    assert drawn, "another salt is another cache"
    entry = next((ExampleCache(tmp_path, "salt").folder).glob("*.json"))
    entry.write_text("{not json")
    _, drawn, failed = _run(ExampleCache(tmp_path, "salt"), limit=1000)
    assert drawn and failed is None


def test_an_entry_without_examples_is_no_pass(tmp_path):
    """A cache file that lists no example (none a recording writes) must not let a law pass unrun."""
    cache = ExampleCache(tmp_path, "salt")
    cache.save("law", [])
    _, drawn, failed = _run(cache, limit=0)
    assert failed is not None, "the law ran, and failed on its explicit example"


@pytest.mark.child_runs
def test_a_run_from_the_cache_gives_the_report_of_a_run_without_it(tmp_path):
    """The bundled CS231n example judged with the cache off, then twice with a fresh one (recorded, replayed): the
    same JSON report each time, apart from the times, and the entries written once."""
    fixture = ROOT / "tests" / "suite" / "fixtures" / "cs231n_assignment"

    def judged(name: str, cache: str) -> dict:
        report = tmp_path / f"{name}.json"
        subprocess.run([sys.executable, "-m", "lcspec", "check", f"cs231n:{fixture}", "--variant=vectorized",
                        f"--example-cache={cache}", f"--json={report}"], cwd=tmp_path, capture_output=True,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), timeout=600)
        return _timeless(json.loads(report.read_text()))

    fresh = tmp_path / "cache"
    without = judged("off", "off")
    recorded = judged("recorded", str(fresh))
    entries = {p: p.stat().st_mtime_ns for p in fresh.rglob("*.json")}
    replayed = judged("replayed", str(fresh))
    assert entries and without == recorded == replayed
    assert {p: p.stat().st_mtime_ns for p in fresh.rglob("*.json")} == entries, "a replayed law is not written again"


@pytest.mark.child_runs
def test_a_wrong_value_no_law_catches_is_reported_alike_from_the_cache(tmp_path):
    """A softmax whose rows are still probability distributions, but not the reference's: the law passes and the
    guard's finding fails the test. Judged with the cache off, then replaying the entry a correct softmax recorded (as
    a class replays the first folder's): the same report, for the replay stands with the finding."""
    def judged(body: str, cache: str) -> dict:
        module, report = tmp_path / "softmax_port.py", tmp_path / "report.json"
        module.write_text("import numpy as np\nfrom lcspec import reference\n\n" + body)
        subprocess.run([sys.executable, "-m", "lcspec", "check", str(module), f"--example-cache={cache}",
                        f"--json={report}", "--", "-k", "test_softmax_rows_are_probability_distributions"],
                       cwd=tmp_path, capture_output=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), timeout=600)
        return _timeless(json.loads(report.read_text()))

    halved = "def softmax(S):\n    return reference.softmax(np.asarray(S) / 2)\n"
    without = judged(halved, "off")
    softmax = without["implementations"][0]["functions"]["softmax"]
    assert softmax["status"] == "fails" and softmax["found"]["core"] == ["differential"], softmax
    fresh = tmp_path / "cache"
    assert judged("softmax = reference.softmax\n", str(fresh))["status"] == "conforms"
    entries = {p: p.stat().st_mtime_ns for p in fresh.rglob("*.json")}
    assert entries and judged(halved, str(fresh)) == without
    assert {p: p.stat().st_mtime_ns for p in fresh.rglob("*.json")} == entries


def _timeless(data):
    if isinstance(data, dict):
        return {k: _timeless(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_timeless(v) for v in data]
    return data


def test_the_cache_is_where_the_environment_says_and_off_without_a_home(monkeypatch, tmp_path):
    monkeypatch.delenv("LCSPEC_EXAMPLE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_folder() == str(tmp_path / "lcspec")
    monkeypatch.setenv("LCSPEC_EXAMPLE_CACHE", "off")
    assert default_folder() == "off" and ExampleCache.for_run(default_folder(), ()) is None
    monkeypatch.delenv("LCSPEC_EXAMPLE_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME")

    def homeless():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(homeless))
    assert default_folder() == "off"


def test_the_cache_removes_only_its_own_old_folders(tmp_path):
    """Pointed at a folder that holds other things, the cache keeps to its own subfolder, and of the generations there
    removes only those it made, the oldest beyond KEPT_GENERATIONS."""
    (tmp_path / "yours").mkdir()
    (tmp_path / "yours" / "notes.txt").write_text("keep me")
    (tmp_path / "lcspec-examples").mkdir()
    (tmp_path / "lcspec-examples" / ("0" * 24)).mkdir()  # named like a generation, but not lcspec's (no marker)
    for number in range(6):
        ExampleCache(tmp_path, f"salt {number}").save("law", [{"kwargs": {}, "data": {}, "discarded": False}])
    generations = [p for p in (tmp_path / "lcspec-examples").iterdir() if (p / "LCSPEC_EXAMPLES").is_file()]
    assert len(generations) == 4
    assert (tmp_path / "yours" / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "lcspec-examples" / ("0" * 24)).is_dir()


def test_an_entry_written_after_the_run_started_is_not_replayed_in_it(tmp_path):
    """A run reads its entries when it starts: what an implementation without the sandbox writes meanwhile is unseen."""
    started = ExampleCache(tmp_path, "salt")
    _run(ExampleCache(tmp_path, "salt"), limit=1000)  # written by another run, after this one started
    assert started.load("law") is None
    assert ExampleCache(tmp_path, "salt").load("law")


@pytest.mark.parametrize("examples", [[{"kwargs": {"x": {"a": "bad"}}, "data": {}, "discarded": False}],
                                      [{"kwargs": {}}], [1, 2], [{"kwargs": {"x": 1}, "data": {"data": 3},
                                                                  "discarded": False}]])
def test_an_entry_that_is_not_ours_is_a_miss_never_a_failure(tmp_path, examples):
    cache = ExampleCache(tmp_path, "salt")
    cache.save("law", examples)
    _, drawn, failed = _run(cache, limit=1000)
    assert failed is None and drawn, "Hypothesis ran the law, and it passed"


def test_an_empty_cache_folder_is_refused():
    with pytest.raises(ValueError, match="example-cache"):
        ExampleCache.for_run("  ", ())


def test_a_dropped_replay_undoes_its_marks_before_the_law_runs_again(tmp_path):
    """A replay that fails may have marked a function hung (a hang, the time budget spent): undone, so the law's own
    run meets the hang or the budget and reports it in the words a run without the cache has."""
    cache = ExampleCache(tmp_path, "salt")
    _run(cache, limit=1000)
    undone = []
    law = _law([], [])
    with pytest.raises(AssertionError):
        cache.around(law, law.hypothesis, "law", ("limit",), _never_wrong, lambda: lambda: undone.append(1),
                     _unanswered)(limit=0)
    assert undone == [1]
    replayed = _law([], [])
    cache.around(replayed, replayed.hypothesis, "law", ("limit",), _never_wrong,
                 lambda: lambda: undone.append(2), _unanswered)(limit=1000)
    assert undone == [1], "a replay that stands undoes nothing"


def test_undoing_a_replay_gives_back_its_time_and_its_hung_marks():
    """The undo record.py hands the cache: a function the replay marked hung is called again, and the time the replay
    took is not the run's (a slow implementation meets the time budget where a run without the cache meets it)."""
    session = Session(time_budget=60.0)
    impl = Implementation(object(), "slow", session=session)
    session.attach([impl]).start_clock()
    impl.hung.add("softmax")  # before the replay: stays
    deadline, undo = session.deadline, undoable(impl)
    impl.hung.add("svm_loss")  # by the replay
    time.sleep(0.05)
    undo()
    assert impl.hung == {"softmax"}
    assert session.deadline - deadline >= 0.05


def test_a_folders_variants_never_share_an_entry_as_hypothesis_seeds_them_apart(tmp_path):
    """Hypothesis seeds a parametrised test's draws with its node id, so the naive and vectorized variants of one law
    draw different examples: a shared entry would judge one variant on the other's. The folders of a class, whose node
    ids are the same, share one."""
    drawn: dict[bytes, list] = {}

    @settings(derandomize=True, database=None, max_examples=5)
    @given(st.integers())
    def law(x):
        drawn[law.hypothesis.inner_test._hypothesis_internal_add_digest].append(x)

    ids = [f"tests/test_x.py::law[{variant}-svm_loss]" for variant in ("naive", "vectorized")]
    for nodeid in ids:  # as Hypothesis's pytest plugin marks a parametrised test
        law.hypothesis.inner_test._hypothesis_internal_add_digest = nodeid.encode()
        drawn[nodeid.encode()] = []
        law()
    assert drawn[ids[0].encode()] != drawn[ids[1].encode()]
    cache, impl = ExampleCache(tmp_path, "salt"), SimpleNamespace(module=SimpleNamespace(info=None))

    def key(nodeid):
        item = SimpleNamespace(obj=law, callspec=None, module=SimpleNamespace(__name__="tests.test_x"),
                               originalname="law", nodeid=nodeid)
        return cache.key(item, impl, np.float64)

    naive, vectorized = key(ids[0]), key(ids[1])
    assert naive is not None and naive == key(ids[0])  # a class's folders share it
    assert naive != vectorized


# --- the reference's answers, kept beside the examples (lcspec/harness/answers.py) ------------------------------


def _judged(tmp_path, monkeypatch, softmax) -> tuple[int, BaseException | None]:
    """A softmax law run through the guard from the cache in `tmp_path` (read afresh, as a new run reads it): how often
    the guard asked the reference (or the registry for the comparison's bound), and the failure if the law failed."""
    asked = []
    real = reference.softmax
    monkeypatch.setattr(reference, "softmax", lambda S: asked.append(1) or real(S))
    registered = REGISTRY["softmax"]
    monkeypatch.setitem(REGISTRY, "softmax", dataclasses.replace(
        registered, bound=lambda a: asked.append("bound") or registered.bound(a)))
    session = Session()
    impl = Implementation(SimpleNamespace(softmax=softmax, __name__="port"), session=session)
    session.attach([impl])

    @DRAWN_ALIKE
    @given(S=hnp.arrays(np.float64, (2, 3), elements=st.floats(-5, 5)))
    def law(S):
        impl.softmax(S)

    try:
        ExampleCache(tmp_path, "salt").around(law, law.hypothesis, "law", (), _never_wrong, lambda: lambda: None,
                                               _unanswered, session)()
    except AssertionError as failure:
        return len(asked), failure
    finally:
        monkeypatch.setattr(reference, "softmax", real)
    assert session.answers is None  # only while the law runs
    return len(asked), None


def test_a_replayed_law_takes_the_references_answers_and_their_bounds_from_its_entry(tmp_path, monkeypatch):
    asked, failed = _judged(tmp_path, monkeypatch, reference.softmax)
    assert failed is None and asked > 0
    assert _judged(tmp_path, monkeypatch, reference.softmax) == (0, None)


def test_answers_kept_are_still_judged_against_and_a_wrong_implementation_still_fails(tmp_path, monkeypatch):
    _judged(tmp_path, monkeypatch, reference.softmax)
    asked, failed = _judged(tmp_path, monkeypatch, lambda S: S.copy())
    assert failed is not None and "softmax" in str(failed)


def test_answers_worked_out_on_another_machine_are_worked_out_again(tmp_path, monkeypatch):
    asked, _ = _judged(tmp_path, monkeypatch, reference.softmax)
    [path] = (tmp_path / "lcspec-examples").glob("*/law.json")
    entry = json.loads(path.read_text())
    path.write_text(json.dumps({**entry, "machine": "another processor"}))
    assert _judged(tmp_path, monkeypatch, reference.softmax) == (asked, None)


def test_a_kept_answer_that_is_not_ours_is_worked_out_again(tmp_path, monkeypatch):
    asked, _ = _judged(tmp_path, monkeypatch, reference.softmax)
    [path] = (tmp_path / "lcspec-examples").glob("*/law.json")
    entry = json.loads(path.read_text())
    path.write_text(json.dumps({**entry, "answers": {key: {"f": "00"} for key in entry["answers"]}}))
    assert _judged(tmp_path, monkeypatch, reference.softmax) == (asked, None)


@pytest.mark.parametrize("reshaped", [lambda pair: pair[0], lambda pair: (pair[0], "any"),
                                      lambda pair: (pair[0], [(float("inf"), 1)] * 2)],
                         ids=["an answer alone", "bounds not a list", "a bound per part too many"])
def test_a_kept_answer_of_another_shape_is_worked_out_again(tmp_path, monkeypatch, reshaped):
    """Kept values that decode but are not an (answer, bounds) pair as the guard keeps them (an older format's bare
    answer, bounds of another shape): the answer or the bounds are worked out again, so a wrong value still fails."""
    _judged(tmp_path, monkeypatch, reference.softmax)
    [path] = (tmp_path / "lcspec-examples").glob("*/law.json")
    entry = json.loads(path.read_text())
    answers = {key: encode(reshaped(decode(value))) for key, value in entry["answers"].items()}
    path.write_text(json.dumps({**entry, "answers": answers}))
    asked, failed = _judged(tmp_path, monkeypatch, lambda S: reference.softmax(S) + 1e-3)
    assert failed is not None and "softmax" in str(failed) and asked > 0


def test_a_kept_pair_whose_second_part_is_no_bound_is_worked_out_again(tmp_path, monkeypatch):
    """A kept (value, array), as a bare (loss, dW) answer of another format would decode, is not taken for an answer
    and its bounds: a correct implementation still conforms (the first part here is not the reference's answer)."""
    _judged(tmp_path, monkeypatch, reference.softmax)
    [path] = (tmp_path / "lcspec-examples").glob("*/law.json")
    entry = json.loads(path.read_text())
    answers = {key: encode((decode(value)[0][:1], decode(value)[0])) for key, value in entry["answers"].items()}
    path.write_text(json.dumps({**entry, "answers": answers}))
    asked, failed = _judged(tmp_path, monkeypatch, reference.softmax)
    assert failed is None and asked > 0
