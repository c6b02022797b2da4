"""The reference's answers kept for a run (lcspec/harness/answers.py): a call answered once is answered from the
store only when every argument is the same, bit for bit and layout for layout; anything else asks the reference."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from lcspec.harness.answers import ReferenceAnswers, digest
from lcspec.harness.guard import ConformanceFailure, Implementation
from lcspec.harness.session import Session

S = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])


class Counting:
    def __init__(self, function):
        self.function, self.calls = function, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


@pytest.mark.parametrize("other", [
    (S.astype(np.float32),),  # another dtype
    (S.reshape(3, 2),),  # another shape
    (np.asfortranarray(S),),  # the same values laid out otherwise
    (np.where(S == 0.0, -0.0, S),),  # -0.0 for 0.0: the same under ==, not in its bits
    (S, 0.0),  # one argument more
    (S.tolist(),),  # a list, not an array
])
def test_a_call_differing_in_anything_the_answer_may_follow_is_asked_again(other):
    oracle, answers = Counting(lambda *a: np.array(a[0]) * 2.0), ReferenceAnswers()
    answers.answer("twice", oracle, (S.copy(),), {})
    answers.answer("twice", oracle, (S.copy(),), {})
    assert oracle.calls == 1
    answers.answer("twice", oracle, other, {})
    assert oracle.calls == 2


def test_a_kept_answer_is_read_only_and_arguments_of_unknown_kinds_or_refusals_are_never_kept():
    answers = ReferenceAnswers()
    value = answers.answer("pair", lambda a: (a.sum(), a * 2), (S,), {})
    assert not value[1].flags.writeable and S.flags.writeable
    assert digest("f", (lambda: 0,), {}) is None and digest("f", (np.random.default_rng(0),), {}) is None
    assert digest("f", (np.array([object()]),), {}) is None
    refusing = Counting(lambda a: (_ for _ in ()).throw(ValueError("no")))
    for _ in range(2):
        with pytest.raises(ValueError):
            answers.answer("refuse", refusing, (S,), {})
    assert refusing.calls == 2 and len(answers) == 1


def test_keywords_are_named_in_the_digest():
    assert digest("f", (), {"a": 1.0, "b": 2.0}) == digest("f", (), {"b": 2.0, "a": 1.0})
    assert digest("f", (), {"a": 1.0, "b": 2.0}) != digest("f", (), {"a": 2.0, "b": 1.0})
    assert digest("f", (1.0,), {}) != digest("g", (1.0,), {})


def test_the_variants_of_a_run_share_the_references_answers_and_each_is_still_judged():
    """Two implementations in one session: the second's calls are judged against the first's answers from the
    reference, and a wrong value is still a failure."""
    session = Session()
    good = Implementation(SimpleNamespace(__name__="good", softmax=lambda S: np.exp(S) / np.exp(S).sum(1, keepdims=True)),
                          session=session)
    bad = Implementation(SimpleNamespace(__name__="bad", softmax=lambda S: np.exp(S)), session=session)
    session.attach([good, bad])
    good.softmax(S)
    assert len(session.answers) == 1
    with pytest.raises(ConformanceFailure, match="softmax"):
        bad.softmax(S)
    assert len(session.answers) == 1
