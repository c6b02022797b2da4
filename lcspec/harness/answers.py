"""The reference's answers, kept beside a law's examples: a replayed law (lcspec/harness/examples.py) makes the same
calls as when it was recorded, so the guard's differential check can take the reference's answer from the entry
instead of working it out again. A class of CS231n folders replays the same entries, so only the first folder pays.
The guard keeps each answer with the bound its comparison allows (lcspec/harness/contract.py's, which follows from
the arguments alone, and cost 36 µs a call, |X||W|ᵀ for a loss: 0.5 s of a correct CS231n folder's judge), as one
(answer, bounds) pair.

An answer is kept under a digest of everything the reference's value follows from: the function's name and each
argument's type, dtype, shape, strides and bytes (floats by their repr, which is exact). A call with an argument of
any other kind (a function, an object array, a list) is worked out every time, and so is a call the reference
refuses. Answers are stored exactly (exact.encode: arrays as their bytes, floats as their bits) and decoded afresh
for every call, so no two calls share an array.

Answers are kept for the machine that worked them out (its processor, as a BLAS picks its kernels by it): a cache
carried to another machine works them out again. The entry is the example cache's, with its trust: only the judge writes it, and in the sandbox no implementation can
reach it; without the sandbox an implementation runs as you and could change it (see examples.py).
"""

from __future__ import annotations

import functools
import hashlib
import platform

import numpy as np

from lcspec.harness.exact import MALFORMED, Unreplayable, decode, encode

BUDGET = 4 << 20
"""Characters of encoded answers one entry keeps at most: answers past it are worked out again when replayed."""

_SCALARS = (float, int, bool, str, type(None))


class KeptAnswers:
    """The reference's answers for one law: those read from its entry, and those worked out while it runs.

    >>> kept = KeptAnswers()
    >>> first = kept.answer("add", np.add, (np.ones(2), 1.0), {})
    >>> again = KeptAnswers(kept.collected).answer("add", lambda *a: None, (np.ones(2), 1.0), {})
    >>> again.tolist(), again is first
    ([2.0, 2.0], False)
    """

    def __init__(self, known: dict | None = None):
        self.known = known if isinstance(known, dict) else {}
        self.collected: dict[str, object] = {}
        """Every answer this law needed, encoded, by digest: what its entry keeps."""
        self._size = 0

    def answer(self, name: str, oracle, args: tuple, kwargs: dict):
        """`oracle(*args, **kwargs)`, from the entry when this very call was answered when it was recorded."""
        key = digest(name, args, kwargs)
        if key is not None and key in self.known:
            try:
                value = decode(self.known[key])
            except MALFORMED:
                pass  # not one of ours: worked out below
            else:
                self.collected[key] = self.known[key]
                return value
        value = oracle(*args, **kwargs)
        if key is not None and key not in self.collected and self._size < BUDGET:
            try:
                self.collected[key] = encoded = encode(value)
            except Unreplayable:
                return value
            self._size += len(str(encoded))
        return value


@functools.cache
def machine() -> str:
    """The processor the answers were worked out on: its architecture and model name."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{platform.machine()} {model or platform.processor()}"


def digest(name: str, args: tuple, kwargs: dict) -> str | None:
    """A digest of the call, or None where an argument is of a kind whose value is not in its bytes."""
    hashed = hashlib.blake2b(name.encode(), digest_size=16)
    for key, value in [*enumerate(args), *sorted(kwargs.items())]:
        hashed.update(repr(key).encode())
        if not _fed(hashed, value):
            return None
    return hashed.hexdigest()


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
    return False
