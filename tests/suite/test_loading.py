"""Loading the code under test: CS231n folders, the 2015 layout, and one-paragraph errors.

Fast checks of lcspec/harness/loading/importer.py, lcspec/harness/loading/python2.py, lcspec/harness/loading/cs231n_files.py, lcspec/harness/loading/cs231n_layout.py and
lcspec/harness/loading/cs231n_classifier.py on the fixtures in tests/suite/fixtures and on small files written to
tmp_path. The full runs of the suite on the fixture folder and on the 2015 file are in
test_correct_implementations.py (child runs).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from lcspec import reference
from lcspec.harness.loading import cs231n_files
from lcspec.harness.loading import cs231n_layout
from lcspec.harness.loading.cs231n_layout import CLASSIFIER_NAMES, check_presentation
from lcspec.harness.deviations import DIFFERENTIAL
from lcspec.harness.guard import ConformanceFailure
from lcspec.harness.inprocess import implementations
from lcspec.harness.loading import USAGE_ERROR, CannotExpress, LoadError, unguarded
from tests.suite.runs import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOLDER = FIXTURES / "cs231n_assignment"
LAYOUT_2015 = FIXTURES / "cs231n_2015.py"
CLASSIFIERS = FOLDER / "cs231n" / "classifiers"

W = np.array([[0.2, -0.5, 0.1, 0.4], [1.5, 1.3, 2.1, -0.3], [0.0, 0.25, 0.2, 0.6]])  # K = 3, D = 4
X = np.array([[0.5, -1.0, 2.0, 0.1], [1.0, 0.3, -0.7, 0.2], [-0.4, 0.9, 1.1, -1.0],
              [2.0, 0.1, 0.0, 0.3], [0.7, 0.7, -0.2, 0.5]])  # N = 5
y = np.array([0, 1, 2, 1, 0])
CALLS = {
    "svm_loss": (W, X, y, 0.1, 0.9), "softmax_loss": (W, X, y, 0.1), "predict": (X @ W.T,),
    "sgd_step": (W, W[::-1].copy(), 0.3), "numerical_gradient": (lambda w: float(np.sum(w ** 3)), W, 1e-5),
}


def by_variant(spec: str) -> dict:
    return {impl.variant: impl for impl in implementations(spec)}


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def copy_of_folder(tmp_path: Path) -> Path:
    target = tmp_path / "assignment"
    shutil.copytree(FOLDER, target)
    return target


# ------------------------------------------------------------------ CS231n folders
@pytest.mark.parametrize("where", [FOLDER, FOLDER / "cs231n", CLASSIFIERS])
def test_a_folder_is_found_from_its_root_its_package_or_its_classifiers_folder(where):
    found = cs231n_files.find(str(where))
    assert sorted(found.losses) == sorted(cs231n_files.LOSSES)
    assert found.classifier.__name__ == "LinearClassifier" and found.gradient_check.__name__ == "eval_numerical_gradient"


def test_a_folder_gives_the_losses_per_variant_and_the_classifier_and_gradient_check_to_vectorized():
    impls = by_variant(f"cs231n:{FOLDER}")
    provided = {v: [f for f in reference.CONTRACT if impl.provides(f)] for v, impl in impls.items()}
    assert provided == {"naive": ["svm_loss", "softmax_loss"],
                        "vectorized": ["svm_loss", "softmax_loss", "numerical_gradient", "sgd_step", "predict"]}
    assert impls["naive"].label == f"cs231n:{FOLDER} (naive)"
    notes = " ".join(impls["vectorized"].notes)
    for said in ("past.builtins", "LinearClassifier.predict", "LinearClassifier.train", "eval_numerical_gradient"):
        assert said in notes


def test_every_function_of_a_correct_folder_agrees_with_the_reference_through_the_guard():
    for impl in by_variant(f"cs231n:{FOLDER}").values():
        for name, args in CALLS.items():
            if impl.provides(name):
                getattr(impl, name)(*args)  # the guard compares with the reference


def test_sgd_step_takes_one_step_of_train_and_leaves_numpys_random_state_as_it_was():
    layout = unguarded(f"cs231n:{FOLDER}", "vectorized")
    np.random.seed(7)
    expected_next = np.random.random_sample()
    np.random.seed(7)
    dW = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(layout.sgd_step(W, dW, 0.5), W - 0.5 * dW)
    assert np.random.random_sample() == expected_next
    for shape in [(), (4,), (2, 2, 3)]:  # another rank than 2 is stepped as one row
        V = np.ones(shape)
        np.testing.assert_array_equal(layout.sgd_step(V, V, 0.25), V - 0.25 * V)


def test_inputs_the_layout_cannot_express_are_refused_and_named_and_the_guard_discards_them():
    layout = unguarded(f"cs231n:{FOLDER}", "vectorized")
    guarded = by_variant(f"cs231n:{FOLDER}")["vectorized"]
    for name, args, named in [("numerical_gradient", (np.sum, W, 1e-5, False), "centered=False"),
                              ("svm_loss", (W, X, y, 0.1, 0.0), "Δ = 0")]:
        with pytest.raises(CannotExpress, match=named):  # the layout refuses, naming the input
            getattr(layout, name)(*args)
        assert named in layout.unexpressed

        @settings(max_examples=5, database=None)
        @given(st.just(None))
        def every_example_discarded(_):
            getattr(guarded, name)(*args)

        with pytest.raises(Unsatisfiable):  # the judge, in process, discards the example
            every_example_discarded()


def test_numerical_gradient_works_on_a_copy_and_never_touches_x():
    impl = by_variant(f"cs231n:{FOLDER}")["vectorized"]
    x = W.copy()
    seen = []
    impl.numerical_gradient(lambda v: seen.append(x.tobytes() == W.tobytes()) or float(np.sum(v ** 2)), x)
    assert x.tobytes() == W.tobytes() and all(seen)


@pytest.mark.parametrize("file, correct, broken, function", [
    ("linear_classifier.py", "self.W -= learning_rate * grad", "self.W += learning_rate * grad", "sgd_step"),
    ("linear_classifier.py", "np.argmax(X.dot(self.W), axis=1)", "np.argmin(X.dot(self.W), axis=1)", "predict"),
    ("linear_classifier.py", "np.argmax(X.dot(self.W), axis=1)", "np.argmax(X.dot(self.W), axis=1) * 1.0", "predict"),
])
def test_a_broken_classifier_or_gradient_check_fails_through_the_guard(tmp_path, file, correct, broken, function):
    folder = copy_of_folder(tmp_path)
    path = folder / "cs231n" / "classifiers" / file
    path.write_text(path.read_text().replace(correct, broken))
    impl = by_variant(f"cs231n:{folder}")["vectorized"]
    with pytest.raises(ConformanceFailure, match=CLASSIFIER_NAMES[function]):  # the assignment's own name for it
        getattr(impl, function)(*CALLS[function])


def test_a_broken_gradient_check_gives_other_values_than_the_reference(tmp_path):
    """numerical_gradient is not compared by the guard (lcspec/harness/differential.py); its laws judge it (GRAD-5)."""
    folder = copy_of_folder(tmp_path)
    path = folder / "cs231n" / "gradient_check.py"
    path.write_text(path.read_text().replace("(above - below) / (2 * h)", "(above - below) / h"))
    broken = by_variant(f"cs231n:{folder}")["vectorized"].numerical_gradient(*CALLS["numerical_gradient"])
    correct = by_variant(f"cs231n:{FOLDER}")["vectorized"].numerical_gradient(*CALLS["numerical_gradient"])
    expected = reference.numerical_gradient(*CALLS["numerical_gradient"])
    assert np.allclose(correct, expected, rtol=1e-9, atol=1e-9) and not np.allclose(broken, expected)


def test_a_train_that_cannot_be_driven_one_step_is_not_provided_and_the_note_says_why(tmp_path):
    folder = copy_of_folder(tmp_path)
    path = folder / "cs231n" / "classifiers" / "linear_classifier.py"
    path.write_text(path.read_text().replace("num_iters=100, batch_size=200", "epochs=1"))
    impl = by_variant(f"cs231n:{folder}")["vectorized"]
    assert not impl.provides("sgd_step") and impl.provides("predict")
    assert any("sgd_step: not provided" in n and "num_iters, batch_size" in n for n in impl.notes)


def test_a_folder_file_lacking_a_name_is_noted_misspelling_it_or_all_is_refused(tmp_path):
    folder = copy_of_folder(tmp_path)
    svm = folder / "cs231n" / "classifiers" / "linear_svm.py"
    original = svm.read_text()
    svm.write_text(original.replace("def svm_loss_vectorized", "def _not_yet_written"))  # a student not done yet
    impls = by_variant(f"cs231n:{folder}")
    assert not impls["vectorized"].provides("svm_loss")
    assert any("defines no svm_loss_vectorized; its tests are skipped" in n for n in impls["vectorized"].notes)
    svm.write_text(original.replace("def svm_loss_vectorized", "def svm_loss_vectorised"))  # the notebook would fail
    with pytest.raises(LoadError, match="defines svm_loss_vectorised, not svm_loss_vectorized: the assignment calls it"):
        implementations(f"cs231n:{folder}")
    svm.write_text(original.replace("def svm_loss_vectorized", "def svm_loss_vectorised")
                   .replace("def svm_loss_naive", "def svmloss_naive"))
    with pytest.raises(LoadError, match=r"linear_svm.py provides none of the names looked for \(svm_loss_naive, "
                                        r"svm_loss_vectorized\); the nearest names it defines: svmloss_naive"):
        implementations(f"cs231n:{folder}")


def test_a_folder_file_that_cannot_be_imported_fails_its_functions_with_the_reason_and_spares_the_others(tmp_path):
    folder = copy_of_folder(tmp_path)
    softmax = folder / "cs231n" / "classifiers" / "softmax.py"
    softmax.write_text("import not_installed_anywhere\n" + softmax.read_text())
    impls = by_variant(f"cs231n:{folder}")
    assert any(n.startswith("softmax.py could not be imported, so softmax_loss_naive, softmax_loss_vectorized fail")
               and "imports not_installed_anywhere, which is not installed" in n for n in impls["naive"].notes)
    for impl in impls.values():
        loss, dW = impl.module.svm_loss(W, X, y, 0.1)  # linear_svm.py is judged as usual
        assert np.isfinite(loss) and dW.shape == W.shape
        with pytest.raises(ImportError, match="not_installed_anywhere"):  # at every call, with the reason
            impl.module.softmax_loss(W, X, y, 0.1)
        assert impl.display_name("softmax_loss") == f"softmax_loss_{impl.variant}"
    with pytest.raises(ImportError, match="not_installed_anywhere"):  # linear_classifier.py imports softmax.py
        impls["vectorized"].module.predict(X @ W.T)
    presentation = impls["vectorized"].module.presentation()
    shown = presentation["reproduce"]  # a stand-in has no code of theirs to reproduce
    assert "softmax_loss" not in shown and "predict" not in shown and "sgd_step" not in shown and "svm_loss" in shown
    assert sorted(presentation["unloadable"]) == ["predict", "sgd_step", "softmax_loss"]  # said up front, with why
    with pytest.raises(ConformanceFailure, match="not called: its code could not be imported: .*not_installed_anywhere"
                       ) as failure:  # through the guard: at once, laid at the reference's value, nothing to rerun
        impls["vectorized"].softmax_loss(W, X, y, 0.1)
    assert failure.value.clause == DIFFERENTIAL and not failure.value.made
    assert "presentation.unloadable" in check_presentation({**presentation, "unloadable": {"predict": 1}})
    for name in ("linear_svm.py", "linear_classifier.py"):
        path = folder / "cs231n" / "classifiers" / name
        path.write_text("raise RuntimeError('not today')\n" + path.read_text())
    (folder / "cs231n" / "gradient_check.py").unlink()
    with pytest.raises(LoadError, match="linear_svm.py, line 1"):  # none of it can be imported: nothing to judge (the first why)
        implementations(f"cs231n:{folder}")


def test_a_folder_file_that_never_finishes_importing_is_given_up_on(tmp_path, monkeypatch):
    monkeypatch.setattr(cs231n_files, "IMPORT_SECONDS", 0.3)
    folder = copy_of_folder(tmp_path)
    svm = folder / "cs231n" / "classifiers" / "linear_svm.py"
    svm.write_text("while True:\n    pass\n" + svm.read_text())
    impls = by_variant(f"cs231n:{folder}")
    assert any("linear_svm.py did not finish importing within 0.3 s" in n for n in impls["naive"].notes)
    assert np.isfinite(impls["naive"].module.softmax_loss(W, X, y, 0.1)[0])


def test_a_loss_that_hangs_on_the_layout_probe_is_said_hung_and_its_calls_fail_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(cs231n_layout, "PROBE_SECONDS", 0.3)
    folder = copy_of_folder(tmp_path)
    softmax = folder / "cs231n" / "classifiers" / "softmax.py"
    softmax.write_text(softmax.read_text().replace("def softmax_loss_vectorized(W, X, y, reg):\n",
                                                   "def softmax_loss_vectorized(W, X, y, reg):\n    while True:\n"
                                                   "        pass\n", 1))
    impls = by_variant(f"cs231n:{folder}")
    vectorized = impls["vectorized"]
    assert vectorized.module.presentation()["hung"] == {"softmax_loss": 0.3}  # what a server's handshake carries
    assert check_presentation(vectorized.module.presentation()) is None
    started = time.perf_counter()
    with pytest.raises(ConformanceFailure, match="hung on an earlier call, the layout probe's .* did not return within "
                                                 "0.3 s"):
        vectorized.softmax_loss(*CALLS["softmax_loss"])
    assert time.perf_counter() - started < 0.2  # not called: no time limit waited for again
    assert np.isfinite(vectorized.svm_loss(*CALLS["svm_loss"])[0])  # the others judged as usual
    assert impls["naive"].hung == set() and np.isfinite(impls["naive"].softmax_loss(*CALLS["softmax_loss"])[0])
    for hung in ({"softmax_loss": "5"}, {"softmax_loss": float("inf")}, ["softmax_loss"]):  # a server's data, checked
        assert "presentation.hung" in check_presentation({**vectorized.module.presentation(), "hung": hung})


def test_a_failing_train_or_predict_is_reproduced_with_the_students_own_class_and_runs(tmp_path):
    folder = copy_of_folder(tmp_path)
    classifiers = folder / "cs231n" / "classifiers"
    (classifiers / "k_nearest_neighbor.py").write_text("")  # the assignment has it; the fixture leaves it out
    train = classifiers / "linear_classifier.py"
    train.write_text(train.read_text().replace("self.W -= learning_rate * grad", "self.W += learning_rate * grad"))
    vectorized = by_variant(f"cs231n:{folder}")["vectorized"]
    presentation = vectorized.module.presentation()
    assert check_presentation(presentation) is None
    cases = {"sgd_step": {"W": np.array(0.0), "dW": np.array(1.0), "learning_rate": 1.0},  # a 0-d W, stepped as 1 x 1
             "predict": {"S": CALLS["predict"][0]}}
    for name, arguments in cases.items():
        result = getattr(vectorized.module, name)(**arguments)
        text = cs231n_layout.reproduce_in_layout(presentation["reproduce"][name], arguments, result,
                                                 getattr(reference, name)(**arguments), repr)
        assert text.startswith(f"your function:   LinearClassifier.{'train' if name == 'sgd_step' else name} in {train}")
        snippet = "\n".join(line[4:] for line in text.split(f"reproduce (python, in {folder}):\n")[1].splitlines())
        done = subprocess.run([sys.executable, "-c", snippet], cwd=folder, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        shown = np.array([[1.0]]) if name == "sgd_step" else result  # the student's own W after the step: 0 + 1·1
        assert done.stdout.split() == str(shown).split(), (done.stdout, text)
    bad = {**presentation["reproduce"]["sgd_step"], "class": "os.system('x') or C"}
    assert "a class must be a Python name" in check_presentation({**presentation, "reproduce": {"sgd_step": bad}})
    bad = {**presentation["reproduce"]["sgd_step"], "keywords": ["__import__"]}
    assert "its keywords some of verbose, reg" in check_presentation({**presentation, "reproduce": {"sgd_step": bad}})


def test_loading_a_folder_sets_aside_other_cs231n_modules_and_leaves_no_past(monkeypatch):
    other = type(sys)("cs231n")
    monkeypatch.setitem(sys.modules, "cs231n", other)
    implementations(f"cs231n:{FOLDER}")
    assert sys.modules["cs231n"] is other
    assert not [n for n in sys.modules if n.startswith("cs231n.") or n.split(".")[0] == "past"]


def test_a_folder_that_is_not_an_assignment_is_refused(tmp_path):
    with pytest.raises(LoadError, match="is not a CS231n assignment folder: none of cs231n/classifiers/linear_svm.py"):
        implementations(f"cs231n:{tmp_path}")


def test_a_single_file_is_judged_as_before():
    impls = implementations("cs231n:examples/cs231n_linear_classifier.py")
    assert [i.label for i in impls] == ["cs231n:examples/cs231n_linear_classifier.py (naive)",
                                        "cs231n:examples/cs231n_linear_classifier.py (vectorized)"]
    assert [[f for f in reference.CONTRACT if i.provides(f)] for i in impls] == [["svm_loss", "softmax_loss"]] * 2
    assert all(i.notes == [] for i in impls)


# ------------------------------------------------------------------ the 2015 layout
def test_the_2015_layout_is_recognised_by_running_it_and_mapped():
    impls = implementations(f"cs231n:{LAYOUT_2015}")
    assert [i.label for i in impls] == [f"cs231n:{LAYOUT_2015} ({v}, 2015 layout: W is C x D, X is D x N)"
                                        for v in ("naive", "vectorized")]
    for impl in impls:
        impl.svm_loss(*CALLS["svm_loss"])
        impl.softmax_loss(*CALLS["softmax_loss"])


def test_losses_in_two_layouts_are_refused(tmp_path):
    mixed = write(tmp_path, "mixed.py", "from examples.cs231n_linear_classifier import svm_loss_vectorized\n"
                                        "from tests.suite.fixtures.cs231n_2015 import svm_loss_naive\n")
    with pytest.raises(LoadError, match=r"the losses mix two layouts: svm_loss_vectorized run with W of shape \(D, C\) "
                                        r"and X \(N, D\) only, svm_loss_naive with W \(C, D\) and X \(D, N\) only"):
        implementations(f"cs231n:{mixed}")


# ------------------------------------------------------------------ errors and Python 2
@pytest.mark.parametrize("body, line, fix", [
    ("def svm_loss_naive(W, X, y, reg):\n    print W.shape\n    return 0.0, W\n", 2, "print x -> print(x)"),
    ("def svm_loss_naive(W, X, y, reg):\n    try:\n        pass\n    except ValueError, e:\n        pass\n",
     4, "except E, e: -> except E as e:"),
    ("def svm_loss_naive(W, X, y, reg):\n    raise ValueError, 'no'\n", 2, "raise E, message -> raise E(message)"),
    ("import numpy as np\n\ndef svm_loss_naive(W, X, y, reg):\n    for i in xrange(3):\n        pass\n",
     4, "xrange -> range"),  # imports fine, would fail at every call
    ("for i in xrange(3):\n    pass\n", 1, "xrange -> range"),  # fails while importing
    ("def svm_loss_naive(W, X, y, reg):\n    name = raw_input()\n", 2, "raw_input -> input"),
])
def test_python_2_code_is_refused_in_one_line_naming_the_line_and_the_fix(tmp_path, body, line, fix):
    path = write(tmp_path, "old.py", body)
    with pytest.raises(LoadError) as refused:
        implementations(f"cs231n:{path}")
    message = str(refused.value)
    assert f"old.py is Python 2 code (line {line}:" in message and message.endswith(f"change {fix}")
    assert "\n" not in message


def test_a_python_2_name_the_file_defines_or_imports_is_not_refused(tmp_path):
    path = write(tmp_path, "defines.py", """\
        from itertools import count as xrange
        import numpy as np

        def svm_loss_naive(W, X, y, reg, long=1):
            unicode = str
            return float(long), unicode
        """)
    assert implementations(f"cs231n:{path}")[0].provides("svm_loss")


def test_past_builtins_xrange_gets_a_stand_in_while_loading_and_more_from_past_names_future(tmp_path):
    if "past" in sys.modules or __import__("importlib").util.find_spec("past") is not None:
        pytest.skip("the future package is installed: the stand-in is never used")
    path = write(tmp_path, "uses_past.py", """\
        from past.builtins import xrange
        import numpy as np

        def svm_loss_naive(W, X, y, reg):
            return float(sum(xrange(3))), np.zeros_like(W)
        """)
    (impl,) = implementations(f"cs231n:{path}")
    assert impl.module.svm_loss(W, X, y, 0.0)[0] == 3.0
    assert impl.notes and "stands in" in impl.notes[0] and "uses_past.py" in impl.notes[0]
    with pytest.raises(ModuleNotFoundError):
        __import__("past.builtins")  # the stand-in was active only while loading
    greedy = write(tmp_path, "greedy.py", "from past.builtins import basestring\n")
    with pytest.raises(LoadError, match=r"greedy.py, line 1, imports from past .*`pip install future`"):
        implementations(f"cs231n:{greedy}")


@pytest.mark.parametrize("spec, looked_for, nearest", [
    ("cs231n:{}", "svm_loss_naive, svm_loss_vectorized, softmax_loss_naive", "svmloss_vectorized"),
    ("{}", "scores, append_ones", "it defines softmax_loss_vectorised, svmloss_vectorized"),
])
def test_code_that_provides_none_of_the_names_is_refused_with_the_nearest_it_defines(tmp_path, spec, looked_for, nearest):
    path = write(tmp_path, "typo.py", "def svmloss_vectorized(W, X, y, reg):\n    pass\n\n"
                                      "def softmax_loss_vectorised(W, X, y, reg):\n    pass\n")
    with pytest.raises(LoadError) as refused:
        implementations(spec.format(path))
    message = str(refused.value)
    assert "provides none of the names looked for" in message and looked_for in message and nearest in message


def test_a_cs231n_file_given_as_a_plain_module_is_pointed_to_cs231n():
    with pytest.raises(LoadError, match="its names are the CS231n layout's: --impl=cs231n:examples/"):
        implementations("examples/cs231n_linear_classifier.py")


def test_a_missing_module_names_the_file_that_imports_it(tmp_path):
    path = write(tmp_path, "needs.py", "import numpy\nimport not_installed_anywhere\n")
    with pytest.raises(LoadError, match=r"needs.py, line 2, imports not_installed_anywhere, which is not installed"):
        implementations(str(path))


def test_a_loading_error_is_a_usage_error_of_one_line(tmp_path):
    path = write(tmp_path, "old.py", "def softmax(S):\n    print S\n")
    command = [sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run([*command, f"--impl=cs231n:{path}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == USAGE_ERROR
    assert done.stderr.strip().splitlines() == [
        f"Exit: lcspec: cs231n:{path}: {path} is Python 2 code (line 2: 'print S'); the suite runs on Python 3: "
        "change print x -> print(x)"]


def test_the_judge_reads_a_layout_through_its_one_declared_interface():
    """A CS231n assignment in this process, a server's handshake in another and a module written to the contract
    each give the judge a `Layout`; the student's names and a refusal come through it, and nothing is probed."""
    from lcspec.harness.isolation import RemoteModule
    from lcspec.harness.layout import ContractLayout, Layout

    naive, vectorized = implementations(f"cs231n:{FOLDER}")
    assert isinstance(vectorized.layout, Layout) and vectorized.layout is vectorized.module
    assert vectorized.display_name("svm_loss") == "svm_loss_vectorized"
    assert not vectorized.expresses("svm_loss", delta=0.0) and vectorized.expresses("svm_loss", delta=2.0)
    (plain,) = implementations("lcspec.reference")
    assert isinstance(plain.layout, ContractLayout) and isinstance(plain.layout, Layout)
    assert plain.display_name("svm_loss") == "svm_loss" and plain.expresses("svm_loss", delta=0.0)
    assert all(callable(getattr(RemoteModule, method)) for method in ("student_name", "student_index", "expresses",
                                                                       "reproduce"))
