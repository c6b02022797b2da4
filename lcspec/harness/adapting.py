"""Argument checks for wrappers that map some other code onto the contract.

The library adapters (lcspec/tests/adapters), the suite's literal transcription and its catalogue
of broken implementations wrap code whose own argument checks are not what lcspec judges: they
validate the contract's arguments exactly as the reference does, with the reference's own checks,
so that the code they wrap is judged on its mathematics. The CS231n layout does not: assignment
code is judged as it is, and meets core, not strict.
"""

from __future__ import annotations

import copy
import functools

from lcspec.harness.contract import entry
from lcspec.reference.losses import loss_arguments


def loss_inputs(W, X, y, reg):
    """(W, X, y, reg) checked and converted as `lcspec.reference.svm_loss` does: float64 arrays, intp labels."""
    return loss_arguments(W, X, y, reg)[:4]


def checked_like_reference(name: str):
    """Decorate a contract function `name` so that its arguments are first checked as the reference checks them.

    By the registry entry's `check_arguments` where it has one (numerical_gradient's, which must not
    call `f`), else by calling the reference on copies and discarding its result: it raises exactly
    where the contract says bad input must raise, and the decorated body only ever sees good input.
    """
    function = entry(name)

    def decorate(body):
        @functools.wraps(body)
        def checked(*args, **kwargs):
            if function.check_arguments is not None:
                function.check_arguments(*args, **kwargs)
            else:
                function.reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            return body(*args, **kwargs)

        return checked

    return decorate
