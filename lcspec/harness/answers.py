"""The reference's answers, kept for a run: the guard consults the reference on every call it judges, and the
variants of a CS231n folder (judged in one process in a batch) are called with the same examples, so the second
variant's answers are the first's.

An answer is kept under a digest of everything the reference's value follows from: the function's name and each
argument's type, dtype, shape, strides and bytes (floats by their repr, which is exact). An argument of any other
kind (a function, a random generator, an object array) is not kept, and neither is a call the reference refuses:
those are worked out every time. Kept arrays are made read-only, so a value shared by two calls cannot be changed
through either; nothing in the judge writes to the reference's answer.
"""

from __future__ import annotations

import hashlib

import numpy as np

CAPACITY = 1 << 15
"""Answers kept at most (then the store starts afresh): a CS231n folder's variants make about 7,000 calls each,
of at most a few hundred numbers."""

_SCALARS = (float, int, bool, str, type(None))


class ReferenceAnswers:
    """The reference's answer to each call it was asked for in this run, by the call's digest."""

    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._kept: dict[bytes, object] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def answer(self, name: str, oracle, args: tuple, kwargs: dict):
        """`oracle(*args, **kwargs)`, from the store when the same call was answered before.

        >>> answers = ReferenceAnswers()
        >>> first = answers.answer("add", np.add, (np.ones(2), 1.0), {})
        >>> again = answers.answer("add", np.add, (np.ones(2), 1.0), {})
        >>> again is first, first.flags.writeable, len(answers)
        (True, False, 1)
        """
        key = digest(name, args, kwargs)
        if key is not None and key in self._kept:
            return self._kept[key]
        value = oracle(*args, **kwargs)
        if key is not None and _freeze(value):
            if len(self._kept) >= self.capacity:
                self._kept.clear()
            self._kept[key] = value
        return value


def digest(name: str, args: tuple, kwargs: dict) -> bytes | None:
    """A digest of the call, or None where an argument is of a kind whose value is not in its bytes."""
    hashed = hashlib.blake2b(name.encode(), digest_size=16)
    for key, value in [*enumerate(args), *sorted(kwargs.items())]:
        hashed.update(repr(key).encode())
        if not _fed(hashed, value):
            return None
    return hashed.digest()


def _fed(hashed, value) -> bool:
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.hasobject:
            return False
        hashed.update(f"|a{value.dtype.str}{value.shape}{value.strides}|".encode())
        hashed.update(np.ascontiguousarray(value).data)
        return True
    if kind in _SCALARS or isinstance(value, np.generic) and not isinstance(value, np.object_):
        hashed.update(f"|{kind.__name__}:{value!r}|".encode())
        return True
    if kind in (tuple, list):
        hashed.update(f"|{kind.__name__}{len(value)}(".encode())
        return all(_fed(hashed, item) for item in value)
    return False


def _freeze(value) -> bool:
    """Make the arrays of an answer read-only; False for an answer of a kind that is not kept."""
    if type(value) is np.ndarray:
        value.setflags(write=False)
        return not value.dtype.hasobject
    if type(value) is tuple:
        return all(_freeze(item) for item in value)
    return type(value) in _SCALARS or isinstance(value, np.generic)
