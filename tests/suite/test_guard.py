"""The guard and the report never break on a bad implementation, and say plainly what happened.

Fast checks of lcspec/harness/guard.py, lcspec/harness/differential.py and the verdict (lcspec/harness/verdict.py) on tiny
hand-made implementations, plus one short child run for declared deviations (stale, unknown).
"""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis.errors import UnsatisfiedAssumption

from lcspec import reference
from lcspec.harness import precision
from lcspec.harness.clauses import clauses
from lcspec.harness.deviations import Deviations, matches, read
from lcspec.harness.guard import DIFFERENTIAL, ConformanceFailure, Implementation, probe_precision, settle
from lcspec.harness.loading import USAGE_ERROR, load
from lcspec.harness.reproduce import reproduction
from lcspec.harness.session import Session, activated
from lcspec.harness.verdict import Judged, Outcome, Run, check_schema, verdict
from tests.suite import float32_port
from tests.suite.runs import ROOT, run_suite

S = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
y = np.array([1, 2])


def guarded(session=None, **functions):
    return Implementation(SimpleNamespace(__name__="handmade", **functions), call_timeout=0.5, session=session)


def test_a_hang_fails_the_call_within_the_time_limit_and_later_calls_at_once():
    def softmax(S):
        while True:
            pass

    impl = guarded(softmax=softmax)
    start = time.perf_counter()
    with pytest.raises(ConformanceFailure, match="did not return within the per-call time limit") as hang:
        impl.softmax(S)
    assert hang.value.clause == DIFFERENTIAL  # not the clause of the test it happened in
    with pytest.raises(ConformanceFailure, match="hung on an earlier call"):
        impl.softmax(S)
    assert time.perf_counter() - start < 3


def test_a_hang_in_the_precision_probe_is_waited_for_once_and_named_by_every_law():
    def softmax(S):
        while True:
            pass

    impl = guarded(softmax=softmax, predict=reference.predict)
    start = time.perf_counter()
    assert probe_precision([impl]) == np.float64
    for _ in range(2):  # a law's replay and its own run (lcspec/harness/examples.py), or two laws: neither waits
        with pytest.raises(ConformanceFailure, match="the precision probe's.*did not return within the per-call") as hung:
            impl.softmax(S)
        assert not hung.value.made  # not called: no reproduction of a call that was never made
    assert time.perf_counter() - start < 1.5  # one time limit of 0.5 s, not three
    assert impl.predict(S).tolist() == [1, 2]  # the others are called as ever


def test_an_exception_where_the_reference_returns_is_a_failure_naming_it():
    def predict(S):
        raise KeyError("oops")

    with pytest.raises(ConformanceFailure, match="predict: raised KeyError"):
        guarded(predict=predict).predict(S)


def test_an_exception_where_the_reference_raises_too_is_passed_to_the_test():
    def predict(S):
        raise ValueError("S must be finite")

    with pytest.raises(ValueError, match="S must be finite"):
        guarded(predict=predict).predict(np.array([[np.nan, 1.0]]))


@pytest.mark.parametrize(
    "result, message",
    [
        (np.zeros((2, 1)), r"shape \(2, 1\), expected \(2,\)"),
        (np.array([np.nan, 1.0]), r"the result is nan at index \(0,\) where the reference is finite"),
        ("a string", "the result is a str, expected a numpy array"),
        ([0.5, 0.25], "the result is a list, expected a numpy array"),
        (np.array([0.0, 0.25]), "differs from the reference by"),
    ],
)
def test_a_wrong_result_is_a_failure_naming_what_is_wrong(result, message):
    with pytest.raises(ConformanceFailure, match=message):
        guarded(cross_entropy_losses=lambda S, y: result).cross_entropy_losses(S, y)


def test_an_argument_modified_in_place_is_a_failure():
    def softmax(S):
        S *= 1.5
        return reference.softmax(S / 1.5)

    with pytest.raises(ConformanceFailure, match="modified its argument S in place") as failure:
        guarded(softmax=softmax).softmax(S.copy())
    assert failure.value.clause == "CONV-2"


def test_a_wrong_value_is_let_through_to_the_law_and_laid_at_differential_only_where_no_law_fails():
    """So the test judges its own law on it: a law that fails is blamed (the wrong value a note on it); a test that
    passes, discards or skips the example leaves a Finding for the report; a test that trips over it fails at once."""
    wrong = np.array([0.5, 0.25])
    session = Session(recorder=[])
    assert guarded(session, cross_entropy_losses=lambda S, y: wrong).cross_entropy_losses(S, y) is wrong
    found = settle(session)
    assert found.call.name == "cross_entropy_losses" and found.size == S.size + y.size
    end = found.failure()
    assert end.clause == DIFFERENTIAL and "the result differs from the reference by" in str(end)
    law = AssertionError("assert False")
    assert settle(session, law) is None
    assert "cross_entropy_losses: the result differs" in law.__notes__[0]
    for excuse in (UnsatisfiedAssumption(), pytest.skip.Exception("another function is not provided")):
        assert settle(session, excuse).call is found.call  # a discarded or skipped example does not excuse it
    with pytest.raises(ConformanceFailure, match="cross_entropy_losses: the result differs"):
        settle(session, TypeError("the test tripped over the wrong value"))
    with pytest.raises(ConformanceFailure, match="shape") as misshapen:  # a result a test could not use stops it at once
        guarded(session, cross_entropy_losses=lambda S, y: wrong[:1]).cross_entropy_losses(S, y)
    assert misshapen.value.clause == "SOFTMAX-7"  # the clause that states the result's shape, not differential
    nan = np.array([np.nan, 0.25])  # NaN is a value too: the law (finiteness, say) judges it first
    assert guarded(session, cross_entropy_losses=lambda S, y: nan).cross_entropy_losses(S, y) is nan


def test_a_result_of_the_wrong_shape_or_kind_is_laid_at_the_clause_that_states_the_result():
    """np.squeeze on a one-row batch, uint8 scores of uint8 pixels: SCORE-1 says what scores returns, and names it."""
    X, W = np.array([[3, 200, 7]], dtype=np.uint8), np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
    with pytest.raises(ConformanceFailure, match=r"shape \(2,\), expected \(1, 2\)") as squeezed:
        guarded(scores=lambda X, W, b=None: np.squeeze(X @ W.T)).scores(X, W)
    with pytest.raises(ConformanceFailure, match="dtype uint8, expected a floating-point result") as truncated:
        guarded(scores=lambda X, W, b=None: np.dot(X, W.T).astype(X.dtype)).scores(X, W)
    assert squeezed.value.clause == truncated.value.clause == "SCORE-1"
    with pytest.raises(ConformanceFailure, match="dtype int64") as integers:  # integer input alone: CONV-1's matter
        guarded(scores=lambda X, W, b=None: X @ W.T).scores(X.astype(np.int64), np.ones((2, 3), dtype=np.int64))
    assert integers.value.clause == "CONV-1"


def test_a_coarser_result_is_judged_by_the_law_at_its_own_precision_and_is_conv1_only_where_nothing_worse_is():
    """A strict finding never masks a core one: a float32 softmax in a float64 run goes on to the law, judged at float32;
    CONV-1 is the finding only when the law holds and the value is right at float32."""
    session = Session(recorder=[])
    with activated(session):
        P = guarded(session, softmax=lambda S: reference.softmax(S).astype(np.float32)).softmax(S)
        assert P.dtype == np.float32 and precision.judged_dtype() == np.float32
    found = settle(session)
    assert found.clause == found.failure().clause == "CONV-1" and "returned a float32 array" in str(found.failure())
    law = AssertionError("assert False")
    assert settle(session, law) is None and "(CONV-1)" in law.__notes__[0]  # the law's own clause is blamed
    session = Session(recorder=[])
    guarded(session, softmax=lambda S: (reference.softmax(S) + 1e-3).astype(np.float32)).softmax(S)
    assert settle(session).clause == DIFFERENTIAL  # wrong at float32 as well: the value is the finding


def test_a_numerical_gradient_reproduction_names_f_and_replays_its_values():
    """f is not `<function <lambda> at 0x...>`: a module's own function is imported, any other is given as the values it
    returned; the reference's value is computed on them, and the protocol lines answer each call-back in order."""
    session = Session(recorder=[])
    impl = guarded(session, numerical_gradient=lambda f, x, h=1e-5, centered=True: 2 * reference.numerical_gradient(f, x, h))
    slope = 3.0
    impl.numerical_gradient(lambda v: float(np.sum(slope * v)), np.array([1.0, 2.0]), 0.5)
    text = reproduction(session.recorder[-1])
    assert "0x" not in text and "numerical_gradient(f, array([1., 2.]), 0.5)" in text
    assert "reference:       array([3., 3.])" in text  # on the replayed values: a column to compare with
    namespace = {"np": np}
    exec("\n".join(line.strip() for line in text.splitlines() if line.startswith("    f_values") or "def f" in line
                    or "return f_values" in line).replace("return", "    return"), namespace)
    np.testing.assert_array_equal(reference.numerical_gradient(namespace["f"], np.array([1.0, 2.0]), 0.5), [3.0, 3.0])
    impl.spec = "cmd:./server"
    protocol = reproduction(session.recorder[-1]).splitlines()[-1]
    assert protocol.count('{"result":') == 4 and '"f":{"$function":1}' in protocol
    assert "  where          f_values = {" in reproduction(session.recorder[-1])
    from lcspec.tests.test_gradients import cubic

    impl.spec = "handmade"
    impl.numerical_gradient(cubic, np.array([0.5]), 1e-3)
    assert "from lcspec.tests.test_gradients import cubic as f" in reproduction(session.recorder[-1])


def test_a_scalar_result_is_named_without_an_index():
    with pytest.raises(ConformanceFailure, match="l2_penalty: the result is nan where the reference is finite"):
        guarded(l2_penalty=lambda W: float("nan")).l2_penalty(S)


def test_a_float32_result_is_judged_at_float32_and_recorded():
    float32_run = Session(precision=np.dtype(np.float32))
    impl = guarded(float32_run, softmax=lambda S: reference.softmax(S).astype(np.float32))
    impl.softmax(S)
    assert impl.coarser == {"softmax": "float32"}
    bad = guarded(float32_run, softmax=lambda S: (reference.softmax(S) + 1e-3).astype(np.float32))
    with pytest.raises(ConformanceFailure, match="at float32 precision"):
        bad.softmax(S)


def test_a_result_coarser_than_the_precision_judged_fails_conv1_wherever_it_appears():
    """A float16 answer in a float32 run, a float32 one in a float64 run: CONV-1, on the call itself."""
    for run, coarser in ((Session(), np.float32), (Session(precision=np.dtype(np.float32)), np.float16)):
        with pytest.raises(ConformanceFailure, match=f"returned a {np.dtype(coarser)} array where the run judges") as found:
            guarded(run, softmax=lambda S, c=coarser: reference.softmax(S).astype(c)).softmax(S)
        assert found.value.clause == "CONV-1"
    # A later float64 answer is judged at float64, whatever an earlier call returned.
    calls = []

    def softmax(S):
        calls.append(1)
        return reference.softmax(S).astype(np.float32) if len(calls) == 1 else reference.softmax(S) + 3e-5

    impl = guarded(Session(precision=np.dtype(np.float32)), softmax=softmax)
    impl.softmax(S.astype(np.float32))  # float32 in, float32 out: no CONV-1 matter
    with pytest.raises(ConformanceFailure, match="differs from the reference"):
        impl.softmax(S)


def test_a_float32_result_may_overflow_where_the_reference_leaves_float32s_range():
    def log_softmax(S):
        with np.errstate(over="ignore"):
            return reference.log_softmax(S).astype(np.float32)

    float32_run = Session(precision=np.dtype(np.float32))
    spread = np.array([[1e300, -1e300]])  # log-probabilities 0 and -2e300: -inf in float32
    guarded(float32_run, log_softmax=log_softmax).log_softmax(spread)
    with pytest.raises(ConformanceFailure, match="where the reference is finite"):
        guarded(float32_run, log_softmax=lambda S: np.full((1, 2), -np.inf, dtype=np.float32)).log_softmax(spread)


def test_the_probe_draws_float32_inputs_only_when_every_result_is_float32():
    everything = Implementation(float32_port, call_timeout=0.5)
    assert probe_precision([everything]) == np.float32
    # One float32 result among float64 ones (JAX's accuracy) judges that function at float32, not the inputs.
    mixed = guarded(accuracy=float32_port.accuracy, softmax=reference.softmax)
    assert probe_precision([mixed]) == np.float64
    assert probe_precision([Implementation(reference)]) == np.float64
    # A function that raises or hangs tells the probe nothing; the tests report it.
    assert probe_precision([guarded(softmax=float32_port.softmax, l2_penalty=lambda W: 1 / 0)]) == np.float32


def test_float32_inputs_are_rounded_and_clipped_and_float64_ones_untouched():
    value = np.array([0.1, -1e300, 1e-300])
    assert precision.representable(value) is value
    with activated(Session(precision=np.dtype(np.float32))):
        rounded = precision.representable(value)
        assert rounded.dtype == np.float64
        np.testing.assert_array_equal(rounded, [float(np.float32(0.1)), -float(np.finfo(np.float32).max), 0.0])
        assert precision.representable(0.1) == float(np.float32(0.1))
    assert precision.representable(value) is value  # the session ended: float64 again


def test_a_law_draws_in_its_functions_declared_precision_when_they_share_one_else_in_the_runs():
    run = Session(precisions={"softmax": np.dtype(np.float32), "log_softmax": np.dtype(np.float32)})
    for drawing, expected in [({"softmax"}, np.float32), ({"softmax", "log_softmax"}, np.float32),
                              ({"softmax", "svm_loss"}, np.float64), ({"svm_loss"}, np.float64), (set(), np.float64)]:
        run.drawing = frozenset(drawing)
        with activated(run):
            assert precision.input_dtype() == expected, drawing
            assert (precision.representable(0.1) == float(np.float32(0.1))) == (expected == np.float32)
    assert run.precision_of("softmax") == np.float32 and run.precision_of("svm_loss") == np.float64


@pytest.mark.parametrize("text, message", [("float16", "not one of"), ("softmax=float16", "precision of softmax"),
                                           ("softmaks=float32", "not a contract function"),
                                           ("softmax=float32, softmax=float64", "named twice")])
def test_a_precision_declaration_names_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        precision.declared_precision(text)
    assert precision.declared_precision("float32") == (np.float32, {})
    assert precision.declared_precision({"softmax": "float32"}) == (None, {"softmax": np.float32})
    assert precision.declared_precision("softmax = float32") == (None, {"softmax": np.float32})


def test_a_law_is_judged_at_the_coarsest_precision_the_example_returned():
    with activated(Session(recorder=[], precision=np.dtype(np.float32))) as session:
        assert precision.atol(1.0) == reference.tolerances.atol(1.0, dtype=np.float32)  # no result yet: the run's
        guarded(session, log_softmax=reference.log_softmax).log_softmax(S)  # a float64 array is judged at float64
        assert precision.atol(1.0) == reference.tolerances.atol(1.0)
        guarded(session, softmax=lambda S: reference.softmax(S).astype(np.float32)).softmax(S.astype(np.float32))
        assert precision.atol(1.0) == reference.tolerances.atol(1.0, dtype=np.float32)
        assert precision.fits(1e38) and not precision.fits(1e39)


def run_of(impl, outcomes, unrun=(), level="core") -> Run:
    """What a verdict on `impl` is computed from after `outcomes`, with tests `unrun` ((node id, clauses)) selected
    but never reached."""
    provided = frozenset(f for f in reference.CONTRACT if impl.provides(f))
    judged = Judged(impl.label, impl.spec, "here", [], provided, {}, provided - {"numerical_gradient"})
    return Run(impls=[judged], outcomes=list(outcomes),
               scheduled={o.nodeid: (impl.label, o.clauses) for o in outcomes} | {n: (impl.label, ids) for n, ids in unrun},
               contract=reference.CONTRACT, clauses=clauses(), declared={}, unknown=[], level=level, seconds=1.0,
               input_precision="float64", spec_version="1.0.0")


def report_of(impl, outcomes, unrun=()):
    """The report's entry of `impl` after `outcomes` (see run_of); the whole report must fit its schema."""
    data = verdict(run_of(impl, outcomes, unrun))
    check_schema(data)
    (entry,) = data["implementations"]
    return entry


def test_a_failure_is_laid_at_what_broke_not_at_every_clause_of_its_test():
    impl = guarded(hinge_losses=reference.hinge_losses, hinge_grad=reference.hinge_grad)
    entry = report_of(impl, [
        Outcome("t::value", impl.label, ["CONV-2"], "failed", "differs", {"hinge_losses"}, {"hinge_losses"},
                blamed=[DIFFERENTIAL]),
        Outcome("t::law", impl.label, ["HINGE-1", "HINGE-10"], "failed", "assert", {"hinge_losses"}, {"hinge_losses"}),
        Outcome("t::other", impl.label, ["CONV-2", "HINGE-3"], "passed", called={"hinge_losses"}),
        Outcome("t::grad", impl.label, ["HINGE-12"], "passed", called={"hinge_grad"}),
    ], unrun=[("t::stopped", ["HINGE-4", "GRAD-4"])])
    functions, clauses = entry["functions"], entry["clauses"]
    # HINGE-1's law names what is wrong with hinge_losses: its wrong value is not the differential's as well.
    assert functions["hinge_losses"] == {"status": "fails", "name": "hinge_losses",
                                         "levels": {"core": "fails", "strict": "fails"},
                                         "clauses": ["HINGE-1"], "differential": False,
                                         "reasons": [{"clause": "HINGE-1", "level": "core",
                                                      "title": "Weston-Watkins multiclass SVM loss", "outcome": "failed",
                                                      "test": "t::law", "message": "assert"}],
                                         "found": {"core": ["HINGE-1"], "strict": ["HINGE-1"]}, "precision": "float64"}
    assert entry["differential"]["status"] == "not judged"
    assert [(t["id"], t["outcome"]) for t in entry["differential"]["tests"]] == [("t::value", "not judged")]
    assert clauses["CONV-2"]["status"] == "not judged"  # t::value did not get to judge it (t::other passed)
    assert [t["outcome"] for t in clauses["CONV-2"]["tests"]] == ["not judged", "passed"]
    assert clauses["HINGE-1"]["status"] == "fails"
    assert clauses["HINGE-5"]["status"] == "no test"
    # -x stopped the run before t::stopped: no verdict of "conforms" on what it would have checked
    assert clauses["HINGE-4"]["status"] == "not run"
    assert functions["hinge_grad"]["status"] == "unfinished"
    assert clauses["HINGE-12"]["status"] == "conforms"


def test_a_failure_counts_at_its_tests_level_and_the_selected_level_sets_exit_ok():
    impl = guarded(svm_loss=reference.svm_loss, softmax_loss=reference.softmax_loss)
    outcomes = [
        Outcome("t::bad-input", impl.label, ["CONV-3"], "failed", "no ValueError", {"svm_loss"}, {"svm_loss"}),
        Outcome("t::huge", impl.label, ["REG-6"], "failed", "nan", {"softmax_loss"}, {"softmax_loss"}),
        Outcome("t::law", impl.label, ["REG-4"], "passed", called={"svm_loss", "softmax_loss"}),
    ]
    assert outcomes[0].level == "strict" and outcomes[2].level == "core"
    entry = report_of(impl, outcomes)
    assert entry["verdicts"] == {"core": "conforms", "strict": "fails"}
    assert entry["functions"]["svm_loss"]["levels"] == {"core": "conforms", "strict": "fails"}
    assert entry["functions"]["svm_loss"]["status"] == "conforms"  # at the default level, core
    assert entry["clauses"]["CONV-3"] == {"level": "strict", "status": "fails", "functions": ["svm_loss", "softmax_loss"],
                                          "tests": [{"id": "t::bad-input", "outcome": "failed", "level": "strict",
                                                     "functions": ["svm_loss"], "message": "no ValueError",
                                                     "reproduction": ""}]}
    data = verdict(run_of(impl, outcomes, level="strict"))
    assert (data["level"], data["exit_ok"], data["verdicts"]) == ("strict", False, {"core": True, "strict": False})


def test_the_reproduction_snippet_runs_in_a_fresh_interpreter():
    impl = Implementation(SimpleNamespace(__name__="x"), spec="tests.suite.catalogue:hinge_counts_correct_class")
    impl.module = __import__("tests.suite.catalogue", fromlist=["BROKEN"]).BROKEN["hinge_counts_correct_class"]
    with pytest.raises(ConformanceFailure) as failure:
        impl.hinge_losses(S, y, 1.0)
    text = reproduction(failure.value.call)
    assert "implementation:" in text and "reference:" in text
    snippet = "\n".join(line[4:] for line in text.split("reproduce (python, where you ran lcspec):\n")[1].splitlines())
    out = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    implementation_line, reference_line = out.stdout.strip().splitlines()
    assert implementation_line != reference_line


def test_deviation_files_and_ids(tmp_path):
    path = tmp_path / "deviations"
    path.write_text("# a comment\n\nHINGE-2  # a reason\ntest_x[a]#another\n")
    assert read(str(path)) == {"HINGE-2": "a reason", "test_x[a]": "another"}
    assert matches("tests/test_m.py::test_x[a]", "test_x[a]")
    assert matches("tests/test_m.py::test_x[a]", "test_x")
    assert matches("tests/test_m.py::test_x[a]", "test_m.py::test_x")
    assert not matches("tests/test_m.py::test_xy", "test_x")
    scoped = Deviations({"differential:hinge_losses": "the +1", "CONV-2": "copies"})
    assert scoped.for_blamed(["differential"], {"hinge_losses"}) == ["differential:hinge_losses"]
    assert scoped.for_blamed(["differential"], {"softmax"}) == []  # another function's wrong value is not excused
    assert scoped.for_blamed(["CONV-2"], {"softmax"}) == ["CONV-2"]


def test_declared_deviations_turn_failures_into_deviates_and_report_stale_and_unknown(tmp_path):
    path = tmp_path / "deviations"
    path.write_text("SCORE-5  # ties go to the last index\n"
                    "test_bad_input_raises_a_clear_error[predict-S-nan]  # stale: it passes\nNO-SUCH-1  # unknown\n")
    run = run_suite("tests.suite.catalogue:predict_last_of_ties", f"--deviations={path}", "-k", "predict",
                    paths=("tests/test_score_function.py", "tests/test_conventions.py"))
    assert run.returncode == 0, run.output[-3000:]
    (statuses,) = run.statuses().values()
    assert statuses["predict"] == "deviates"
    assert run.summary["exit_ok"]
    assert run.summary["deviations"]["unknown"] == ["NO-SUCH-1"]
    assert run.summary["deviations"]["stale"] == ["test_bad_input_raises_a_clear_error[predict-S-nan]"]
    assert "deviates: ties go to the last index" in run.output



def test_a_file_may_import_modules_beside_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "my_helpers.py").write_text("from lcspec import reference\nsoftmax = reference.softmax\n")
    (tmp_path / "mine.py").write_text("from my_helpers import softmax\n")
    assert load(str(tmp_path / "mine.py")).softmax is reference.softmax


def test_a_run_on_another_implementation_leaves_out_the_suites_own_tests():
    command = [sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", "-p", "no:cacheprovider"]
    listed = subprocess.run([*command, "--impl=tests.suite.literal"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "tests/test_conventions.py::" in listed and "tests/suite/" not in listed
    named = subprocess.run([*command[:3], "tests/suite/test_guard.py", *command[4:], "--impl=tests.suite.literal"],
                           cwd=ROOT, capture_output=True, text=True).stdout
    assert "tests/suite/test_guard.py::" in named


def test_a_file_that_cannot_be_imported_is_a_usage_error_saying_why(tmp_path):
    (tmp_path / "mine.py").write_text("def softmax(S)\n    return S\n")
    command = [sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run([*command, f"--impl={tmp_path / 'mine.py'}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == USAGE_ERROR
    assert "raised SyntaxError: expected ':'" in done.stderr and "mine.py, line 1" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_precision_for_a_function_not_provided_is_a_usage_error(tmp_path):
    """As the handshake refuses it (child.py): --precision naming a function no one provides is a typo, not a no-op."""
    (tmp_path / "mine.py").write_text("from lcspec.reference import softmax\n")
    command = [sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", "-p", "no:cacheprovider",
               f"--impl={tmp_path / 'mine.py'}"]
    done = subprocess.run([*command, "--precision=softmax=float32,svm_loss=float32"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == USAGE_ERROR
    assert "--precision names svm_loss, which the implementation does not provide" in done.stderr
    assert subprocess.run([*command, "--precision=softmax=float32"], cwd=ROOT, capture_output=True).returncode == 0


def test_the_gradient_check_announces_exactly_the_points_numerical_gradient_evaluates():
    """GRAD-1 announces its finite differences (Implementation.announce) so a child can compute them ahead; a point
    off by one bit would be dropped and asked again (slower, never wrong), so they are the reference's own."""
    from tests.test_gradients import H, centered_points

    W = np.array([[0.5, -1.0, 2.0], [3.0, 1e-300, -0.0]])
    seen = []
    reference.numerical_gradient(lambda V: seen.append(V.copy()) or 0.0, W, H)
    assert [p.tobytes() for p in centered_points(W)] == [v.tobytes() for v in seen]


def test_an_interrupt_while_the_precision_is_probed_stops_the_run():
    """Ctrl-C (or the plugin's SIGTERM, raised as KeyboardInterrupt) that lands in the probe stops the run there; the
    probe swallowed it once, so an interrupted run judged on and could end saying nothing of the interruption. What an
    implementation raises is still the tests' to judge."""

    def interrupted(S):
        raise KeyboardInterrupt

    def exits(S):
        raise SystemExit(0)

    with pytest.raises(KeyboardInterrupt):
        probe_precision([Implementation(SimpleNamespace(softmax=interrupted, __name__="m"))])
    assert probe_precision([Implementation(SimpleNamespace(softmax=exits, __name__="m"))]) == np.float64
