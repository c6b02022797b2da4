"""The implementation under test, seen through a guard.

Tests never call an implementation directly: they call `impl.<name>(...)`, where `impl` wraps the
module under test. Every call goes through one guard, which

* turns a function the implementation does not provide into a skip ("not provided"), so an
  implementation of part of the contract is judged on that part only;
* runs the reference on a copy of the same arguments, and when the reference returns a value,
  requires the implementation to return one too, of the right type, shape and dtype, finite, and
  equal to the reference's within the tolerance of lcspec/harness/differential.py (the differential check);
* fails the call with a plain message if the implementation raises where the reference does not,
  does not return within the per-call time limit, or modifies an argument in place (CONV-2);
* records the call (arguments, result, reference value) so a failing test can show them and a
  paste-able reproduction (lcspec/harness/reproduce.py).

A failure found by the guard is a :class:`ConformanceFailure`, an AssertionError naming the
function, so the property test it happened in fails and the run carries on with the next test.
The report lays it at the pseudo-clause `differential` (a hang, a crash, a wrong value no law caught), or at
the clause it breaks (CONV-2 for an argument modified, CONV-1 for a result coarser than the run's precision,
and the clause that states the function's result, `SPECIFIED_BY` in lcspec/harness/contract.py, for an
exception where the reference returns a value or a result of the wrong type, shape or kind), not at
the clauses of the test it happened in, which it did not judge. A coarser result is let through like a
wrong value, so the test's law still judges it at its own precision: a strict finding never masks a core one. A result that is merely a wrong value (right type, shape and
dtype, whatever its values, NaN and inf included) is let through (:func:`settle`), so the test's
own law is judged on the same inputs: a law it breaks is reported under the law's clause. Only
when no law of the test tells the value from the reference's does the wrong value fail the test,
after Hypothesis has finished with it (lcspec/harness/reproduce.py), so that shrinking never trades the law's
counterexample for a smaller one on which the law happens to hold. Where the reference raises (a
test feeding bad input on purpose), the implementation's exception or value is passed through
untouched and the test judges it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import warnings

import numpy as np
import pytest
from hypothesis import reject
from hypothesis.errors import UnsatisfiedAssumption

from lcspec import reference
from lcspec.harness import differential
from lcspec.harness.contract import REGISTRY, SPECIFIED_BY, entry
from lcspec.harness.deviations import DIFFERENTIAL
from lcspec.harness.layout import ContractLayout, Layout
from lcspec.harness.loading.importer import CannotExpress
from lcspec.timelimit import Hang as _Hang, time_limit as _time_limit
from lcspec.harness.session import DEFAULT_CALL_TIMEOUT, Session
from lcspec.protocol.child import CallTimeout, ChildDied, ProtocolError, RemoteError, StartError


class ConformanceFailure(AssertionError):
    """A call the guard judged wrong; `call` is the :class:`Call` it happened on.

    `clause` is what it breaks: CONV-2 for an argument modified in place, CONV-1 for a coarser result, the
    function's own result clause for an exception or a wrong type or shape, else DIFFERENTIAL; never the
    clauses of the test it happened in, which that test did not get to judge.
    """

    def __init__(self, message: str, call: "Call", clause: str = DIFFERENTIAL, raised: bool = False):
        super().__init__(message)
        self.call = call
        self.clause = clause
        self.raised = raised  # the implementation raised where the reference returns a value
        self.calls: list[Call] | None = None  # the example's calls, when known (a Finding's)
        self.made = True  # False: the guard did not make the call (hung before, time spent): nothing to reproduce


@dataclasses.dataclass
class Call:
    """One guarded call: what went in (copied before the call), what came out, what the reference gave."""

    impl: "Implementation"
    name: str
    args: tuple
    kwargs: dict
    result: object = None
    expected: object = None
    reference_error: BaseException | None = None
    problem: str | None = None
    wrong_value: bool = False  # a wrong value let through to the end of the example (see settle)
    coarser: str | None = None  # a result coarser than the run's precision (CONV-1), let through: judged at its own
    callbacks: list = dataclasses.field(default_factory=list)  # (argument, value) of each call of a function argument


@dataclasses.dataclass
class Finding:
    """A wrong value no law of its test caught: the call, and every call of its example (for the reproduction)."""

    call: Call
    calls: list[Call]
    clause: str = DIFFERENTIAL

    @property
    def size(self) -> int:
        """How many numbers went into the example's calls: the smallest finding makes the clearest report."""
        return sum(int(np.size(a)) for c in self.calls for a in (*c.args, *c.kwargs.values()) if isinstance(a, np.ndarray))

    def failure(self) -> "ConformanceFailure":
        message = self.call.coarser if self.clause == "CONV-1" else self.call.problem
        failure = ConformanceFailure(message, self.call, self.clause)
        failure.calls = self.calls
        return failure


def settle(session: Session, error: BaseException | None = None) -> Finding | None:
    """End of an example: what becomes of a wrong value the guard let through.

    * The test's law failed (an AssertionError): the law's clause is blamed; the wrong value is added
      to that failure as a note, and nothing is returned.
    * The test tripped over the wrong value (any other exception): it is a differential failure, raised
      here from that exception.
    * The example passed, or was discarded or skipped: no law told the value apart, so it is returned
      as a :class:`Finding`, for the report to fail the test with once Hypothesis is done.
    """
    __tracebackhide__ = True
    recorder = session.recorder or []
    wrong = next((c for c in recorder if c.wrong_value), None)
    coarser = next((c for c in recorder if c.coarser), None)
    if (wrong is None and coarser is None) or isinstance(error, ConformanceFailure):
        return None
    if wrong is None:  # a coarser result (CONV-1, strict) whose values the law judged at their own precision
        wrong, clause, note = coarser, "CONV-1", coarser.coarser
    else:
        clause, note = DIFFERENTIAL, wrong.problem
    if error is None or isinstance(error, (UnsatisfiedAssumption, pytest.skip.Exception)):
        return Finding(wrong, list(recorder), clause)
    if isinstance(error, AssertionError):
        if hasattr(error, "add_note"):  # add_note: Python >= 3.11
            error.add_note(f"Also on this example (lcspec's comparison with the reference): {note}")
        return None
    raise Finding(wrong, list(recorder), clause).failure() from error


def _copied(value):
    """A deep copy of an argument: arrays copied, immutable scalars as they are, lists and tuples entry by entry, and
    anything else by copy.deepcopy (which takes ~10 µs for the arrays of a loss call, on every guarded call)."""
    if type(value) is np.ndarray:
        return value.copy()
    if value is None or type(value) in (float, int, bool, str) or isinstance(value, np.generic):
        return value
    if type(value) in (tuple, list):
        return type(value)(map(_copied, value))
    return copy.deepcopy(value)


def _snapshot(value):
    """A bit-exact copy of an array-like argument, or None for anything that is not one."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) if isinstance(v, (list, np.ndarray)) else v for v in value]
    return None


def _unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.dtype == after.dtype
            and before.shape == after.shape
            and before.tobytes() == after.tobytes()
        )
    return before == after if not isinstance(before, list) else (
        isinstance(after, list) and len(before) == len(after) and all(map(_unchanged, before, after))
    )




class Implementation:
    """An implementation behind the guard. `impl.name` returns the guarded function.

    `label` names it in reports, `spec` is the --impl value it came from (with `variant` for the
    CS231n layout), `coarser` maps function names to the dtype (e.g. float32) their results were
    judged at when that is coarser than float64.
    """

    def __init__(self, module, label: str | None = None, spec: str | None = None, variant: str | None = None,
                 call_timeout: float = DEFAULT_CALL_TIMEOUT, notes=(), session: Session | None = None,
                 isolated: bool = False, layout: Layout | None = None):
        self.module = module
        self.layout: Layout = layout or ContractLayout()  # how the implementation's author sees the contract
        self.isolated = isolated  # in a child process (lcspec/harness/isolation.py), which enforces the time limit
        self.declared_precision: str | None = None  # the precision the implementation declared, if it did
        self.session = session or Session(call_timeout=call_timeout)  # the run's, once it attaches this one
        self.label = label or module.__name__
        self.spec = spec or self.label
        self.variant = variant
        self.call_timeout = call_timeout
        self.notes = list(notes)  # what the loader did on the way (a stand-in module, a mapping), for the header
        self.coarser: dict[str, str] = {}
        self.hung: set[str] = set(self.layout.hangs)  # no longer called: each hung on a call
        self.hung_where: dict[str, str] = dict(self.layout.hangs)  # of those, the ones that hung before any law did
        self.unloadable: dict[str, str] = dict(self.layout.unloadable)  # never called: each with why it cannot run

    def provides(self, name: str) -> bool:
        return callable(getattr(self.module, name, None))

    def display_name(self, name: str) -> str:
        """The implementation's own name for contract function `name` (a layout's, e.g. svm_loss_vectorized)."""
        return self.layout.student_name(name)

    def display_index(self, name: str, part: str, index: tuple) -> tuple:
        """An index into result `part` of `name` as the implementation's layout has it (a transposed dW, say)."""
        return self.layout.student_index(name, part, index)

    def expresses(self, name: str, **arguments) -> bool:
        """Whether `name` can be called with these argument values at all: a layout may fix some (the CS231n
        layout's Δ = 1 reaches every Δ > 0, but not Δ = 0). A test that needs them skips at once, rather
        than have Hypothesis discard every example it draws."""
        return self.layout.expresses(name, **arguments)

    def announce(self, name: str, calls) -> None:
        """The calls of `name` a law makes next, in this order, each an (args, kwargs) pair, where none depends on
        another's answer (a numerical gradient's evaluations). An implementation in a child may then compute each
        while the judge checks the one before (lcspec/protocol/child.py, `Child.announce`). Nothing is called or
        judged here: each call is made, guarded and judged when the law makes it, as without this."""
        if self.isolated and self.provides(name) and name not in self.hung:
            self.module.announce(name, calls)

    def __getattr__(self, name: str):
        if name not in reference.CONTRACT:
            raise AttributeError(f"{name!r} is not a contract function")
        if not self.provides(name):
            pytest.skip(f"{name}: not provided by {self.label}")
        return _guarded(self, name, getattr(self.module, name))

    def __repr__(self) -> str:
        return f"Implementation({self.label})"


def _traced(value, record: Call):
    """A function argument (numerical_gradient's f) that records what it returned at each point it was asked, so a
    reproduction can replay it (lcspec/harness/reproduce.py); any other argument as it is."""
    if not callable(value):
        return value

    @functools.wraps(value)
    def traced(*args):
        got = value(*args)
        record.callbacks.append((copy.deepcopy(args), got))
        return got

    return traced


def _float_inputs(named: dict, below: int = 16) -> bool:
    """Whether any array argument is floating with items narrower than `below` bytes."""
    return any(np.asarray(v).dtype.kind == "f" and np.asarray(v).dtype.itemsize < below
               for v in named.values() if isinstance(v, np.ndarray))


def _guarded(impl: Implementation, name: str, fn):
    oracle = getattr(reference, name)
    function = entry(name)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        return _GuardedCall(impl, name, fn, oracle, function, args, kwargs).run()

    return call


class _GuardedCall:
    """One call through the guard, as a list of small checks: the reference consulted, the call made (its
    exceptions translated), then precision (CONV-1), mutation (CONV-2) and the differential comparison."""

    def __init__(self, impl: Implementation, name: str, fn, oracle, function, args: tuple, kwargs: dict):
        self.impl, self.name, self.fn, self.args, self.kwargs = impl, name, fn, args, kwargs
        self.record = Call(impl, name, _copied(args), {k: _copied(v) for k, v in kwargs.items()})
        self.recorder = impl.session.recorder
        if self.recorder is not None:
            self.recorder.append(self.record)
        self.bound = function.bind(args, kwargs)
        self.named = (dict(self.bound) if self.bound is not None
                      else {f"argument {i}": a for i, a in enumerate(args)} | kwargs)
        self.before = {k: _snapshot(v) for k, v in self.named.items()}
        self.oracle, self._judged = oracle, None
        self.tolerances = None  # the comparison's bounds, where they were kept with the reference's answer
        # In a child, the request goes out first and the reference computes while the implementation does; never
        # with a function argument, whose calls by the reference could reach the implementation mid-call.
        self.overlapped = impl.isolated and not any(map(callable, [*args, *kwargs.values()]))
        self.shown = impl.display_name(name)

    @property
    def judged(self) -> bool:
        """Whether the reference's value is there to judge the result by: the reference run, once, on copies of the
        arguments (the record's own: the reference never changes its arguments)."""
        if self._judged is None:
            self._judged = self._consult()
        return self._judged

    def _consult(self) -> bool:
        if self.bound is None or not entry(self.name).compared:
            return False
        answers = self.impl.session.answers  # the reference's answers kept with the law's examples, if any
        args, kwargs = self.record.args, self.record.kwargs
        try:
            if answers is None:
                self.record.expected = self.oracle(*args, **kwargs)
            else:
                kept = answers.answer(self.name, self._answer_and_tolerances, args, kwargs)
                if not (type(kept) is tuple and len(kept) == 2 and (kept[1] is None or type(kept[1]) is list)):
                    kept = self._answer_and_tolerances(*args, **kwargs)  # not a pair as kept here (a bare (loss, dW)?)
                self.record.expected, self.tolerances = kept
        except Exception as exc:  # noqa: BLE001 - the test feeds bad input on purpose; it judges the outcome
            self.record.reference_error = exc
        return self.record.reference_error is None

    def _answer_and_tolerances(self, *args, **kwargs) -> tuple:
        """The reference's answer and the bounds the comparison allows it (contract.py's, which follow from the
        arguments alone): kept together, so a replay works out neither. Bounds that cannot be worked out are left
        to the comparison, which says why."""
        answer = self.oracle(*args, **kwargs)
        try:
            return answer, entry(self.name).bound(self.bound)
        except Exception:  # noqa: BLE001 - the comparison works them out again and reports what is wrong
            return answer, None

    def fail(self, problem: str, clause: str = DIFFERENTIAL, raised: bool = False) -> ConformanceFailure:
        self.judged  # a failure's record holds the reference's answer (or error), as its reproduction needs
        self.record.problem = f"{self.shown}: {problem}"
        return ConformanceFailure(self.record.problem, self.record, clause, raised)

    def _not_made(self, problem: str) -> ConformanceFailure:
        failure = self.fail(problem)
        failure.made = False
        return failure

    def run(self):
        impl, name = self.impl, self.name
        if name in impl.hung:
            where = f", {impl.hung_where[name]}" if name in impl.hung_where else ""
            raise self._not_made(f"hung on an earlier call{where} (no longer called, to keep the run moving)")
        if name in impl.unloadable:
            raise self._not_made(f"not called: its code could not be imported: {impl.unloadable[name]}")
        if impl.session.out_of_time():
            impl.hung.add(name)
            raise self._not_made(f"not called: the run's time budget of {impl.session.time_budget:g} s is spent "
                                 "(too slow)")
        if not self.overlapped:
            self.judged  # before the call: an implementation in this process may change its arguments
        result = self._invoke()
        self.record.result = result
        self._check_precision(result)
        self._check_mutation()
        return self._compare(result) if self.judged else result

    def _invoke(self):
        """The implementation's result, or the failure its exception or hang is."""
        impl, record = self.impl, self.record
        limit = contextlib.nullcontext() if impl.isolated else _time_limit(impl.call_timeout)
        try:
            args = [_traced(a, record) for a in self.args]
            kwargs = {k: _traced(v, record) for k, v in self.kwargs.items()}
            if self.overlapped:
                return impl.module.call(self.name, args, kwargs, meanwhile=lambda: self.judged)
            with limit, warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numpy's overflow warnings from its code: the verdict says what matters
                return self.fn(*args, **kwargs)
        except (_Hang, CallTimeout):
            impl.hung.add(self.name)
            killed = " (its process was killed and restarted)" if impl.isolated else ""
            raise self.fail(f"did not return within the per-call time limit of {impl.call_timeout:g} s{killed}") \
                from None
        except (ConformanceFailure, UnsatisfiedAssumption):
            raise  # already judged, or an input the implementation's layout cannot express
        except CannotExpress:  # the layout (in this process) has no counterpart for the input: discard it
            reject()
        except (ChildDied, ProtocolError, StartError) as exc:
            # No value came back: the process died or broke the protocol. Its own words say it.
            raise self.fail(str(exc)) from None
        except RemoteError as exc:
            # SystemExit, KeyboardInterrupt, a library's own class: an ordinary exception here, never re-raised as
            # such; a test that expects a ValueError judges it like any other wrong exception.
            if not self.judged:
                raise
            raise self.fail(f"{exc} (the reference returns a value here)", SPECIFIED_BY[self.name],
                            raised=True) from None
        except Exception as exc:
            if not self.judged:
                raise
            # No result where the function's result clause says there is one: that clause, not the test's law.
            raise self.fail(f"raised {type(exc).__name__}: {exc} (the reference returns a value here)",
                            SPECIFIED_BY[self.name], raised=True) from exc

    def _check_precision(self, result) -> None:
        """CONV-1, wherever it appears: a result array coarser than the precision the run judges (a float16 answer
        in a float64 run), unless coarser input came in. Only for the functions CONV-1 constrains. A strict
        finding never masks a core one: the result is let through, compared with the reference and judged by the
        test's law at its own precision (lcspec/harness/precision.py reads it), and settle() reports CONV-1 only
        when nothing worse was found on the example."""
        precision = self.impl.session.precision_of(self.name)
        coarser = [d for d in differential.array_dtypes(result)
                   if d.itemsize < precision.itemsize and "CONV-1" in entry(self.name).clauses]
        if coarser and not _float_inputs(self.named, precision.itemsize):
            self.record.coarser = (f"{self.shown}: returned a {coarser[0]} array where the run judges {precision} "
                                   "(CONV-1)")
            if self.recorder is None:  # no example to settle (a call outside a law): say it now
                raise self.fail(self.record.coarser.partition(": ")[2], "CONV-1")

    def _check_mutation(self) -> None:
        for arg, snap in self.before.items():
            if snap is not None and not _unchanged(snap, self.named[arg]):
                raise self.fail(f"modified its argument {arg} in place (CONV-2)", "CONV-2")

    def _compare(self, result):
        """The differential check against the reference's value (lcspec/harness/differential.py)."""
        impl, name = self.impl, self.name
        try:
            coarser = differential.judge(name, self.bound, result, self.record.expected, impl.session.precision_of(name),
                                         index=lambda part, i: impl.display_index(name, part, i),
                                         tolerances=self.tolerances)
        except differential.Mismatch as exc:
            if exc.wrong_value and self.recorder is not None:
                # Let the test judge its law on this value too; settle() fails the example if it does not.
                self.record.problem, self.record.wrong_value = f"{self.shown}: {exc}", True
                return result
            # Not a value at all (a wrong type, shape or kind of number): the clause that states the
            # function's result names it, before any law gets to trip over it. Integers computed from integer
            # input alone are CONV-1's (float64 results from integer input); from real input, they are wrong.
            integer_input = not any(np.asarray(v).dtype.kind == "f" for v in self.named.values()
                                    if isinstance(v, np.ndarray))
            clause = ("CONV-1" if exc.integer_result and integer_input and "CONV-1" in entry(name).clauses
                      else DIFFERENTIAL if exc.wrong_value else SPECIFIED_BY[name])
            raise self.fail(str(exc), clause) from None
        # Recorded only where the inputs were float64: a float32 result of float32 input is CONV-1's matter.
        if coarser and not _float_inputs(self.named, 8):
            impl.coarser[name] = coarser
        return result


def probe_precision(impls) -> np.dtype:
    """The dtype every provided function of every implementation returns on its valid call (the registry's).

    float64 unless every floating result agrees on one coarser dtype (a JAX `accuracy` that alone
    returns float32 does not make the whole run draw float32 inputs). Functions the registry does not
    probe (numerical_gradient, whose result follows its `f`) are left out; a call that raises says nothing
    here, the tests report it. One that hangs marks its function hung, so that no law waits for it again (each
    law that calls it says where it hung).
    """
    found = set()
    for impl in impls:
        for name, function in REGISTRY.items():
            if not function.probed or not impl.provides(name) or name in impl.hung:
                continue
            try:
                with _time_limit(impl.call_timeout):
                    result = getattr(impl.module, name)(**copy.deepcopy(function.valid))
            except KeyboardInterrupt:  # Ctrl-C, or the plugin's SIGTERM: the run stops here too
                raise
            except (_Hang, CallTimeout):
                impl.hung.add(name)
                impl.hung_where[name] = ("the precision probe's on a small valid input: it did not return within the "
                                         f"per-call time limit of {impl.call_timeout:g} s")
                continue
            except BaseException:  # noqa: BLE001 - judged by the tests, not here
                continue
            found.update(differential.float_dtypes(result))
    if len(found) == 1 and (only := found.pop()).itemsize < 8:
        return only
    return np.dtype(np.float64)
