"""A submission wrong in exactly one function fails that function alone, in both layouts (issue 17).

The laws that combine functions judge each with the reference standing in for the others
(tests/strategies.py `Alone`), so a broken update step never fails a correct loss, a broken loss
never a correct step, and a broken Crammer-Singer loss never a correct Weston-Watkins one. Module
submissions are tests/suite/one_bug.py; the CS231n ones are the correct assignment folder of
tests/suite/fixtures with one line changed as a student would get it wrong.
"""

from __future__ import annotations

import shutil

import pytest

from tests.suite.one_bug import ONE_BUG
from tests.suite.runs import ROOT, run_all

pytestmark = pytest.mark.child_runs

FOLDER = ROOT / "tests/suite/fixtures/cs231n_assignment"
STUDENT_BUGS = {
    # train climbs: `self.W += ...`; the losses it trains with are correct
    "train ascends": ("classifiers/linear_classifier.py", "self.W -= learning_rate * grad",
                      "self.W += learning_rate * grad", {"sgd_step"}),
    # the vectorized softmax gradient forgets the 2 of d(reg·ΣW²)/dW; train and the naive losses are correct
    "softmax penalty gradient": ("classifiers/softmax.py", "dW = X.T.dot(p) / num_train + 2 * reg * W",
                                 "dW = X.T.dot(p) / num_train + reg * W", {"softmax_loss"}),
}
OPTIONS = ("--hypothesis-profile=ci-noshrink", "--call-timeout=2")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    jobs = {f"tests.suite.one_bug:{name}": OPTIONS for name in ONE_BUG}
    for label, (path, right, wrong, _) in STUDENT_BUGS.items():
        folder = tmp_path_factory.mktemp(label.replace(" ", "_")) / "assignment"
        shutil.copytree(FOLDER, folder)
        source = folder / "cs231n" / path
        text = source.read_text()
        assert text.count(right) == 1, f"{label}: the fixture no longer has {right!r}"
        source.write_text(text.replace(right, wrong))
        jobs[f"cs231n:{folder}"] = OPTIONS
    return dict(zip([*ONE_BUG, *STUDENT_BUGS], run_all(jobs).values()))


@pytest.mark.parametrize("name", list(ONE_BUG))
def test_only_the_broken_function_of_a_module_fails(runs, name):
    submission, run = ONE_BUG[name], runs[name]
    (statuses,) = run.statuses().values()
    provided = {f: s for f, s in statuses.items() if s != "not provided"}
    assert set(provided) == submission.correct | {submission.broken}, provided
    assert provided.pop(submission.broken) == "fails", f"{name}: {submission.__doc__}\n{run.output[-3000:]}"
    assert set(provided.values()) == {"conforms"}, f"{name}: a correct function blamed: {provided}\n{run.output[-3000:]}"


@pytest.mark.parametrize("label", list(STUDENT_BUGS))
def test_only_the_broken_function_of_an_assignment_fails(runs, label):
    run, broken = runs[label], STUDENT_BUGS[label][3]
    failing = {(variant.rsplit("(", 1)[-1].rstrip(")"), f) for variant, statuses in run.statuses().items()
               for f, s in statuses.items() if s == "fails"}
    assert failing == {("vectorized", f) for f in broken}, f"{label}: {failing}\n{run.output[-3000:]}"
    for variant, statuses in run.statuses().items():
        assert set(statuses.values()) <= {"conforms", "fails", "not provided"}, (variant, statuses)
