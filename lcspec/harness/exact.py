"""Values exactly: what a law drew, or what the reference answered, as JSON-ready data that comes back equal and of the
same type, bit for bit (-0.0, NaN, subnormals, an array's dtype, shape, memory order and writeability). Never pickled:
reading it runs no code. The example cache (examples.py) keeps draws in it, and answers.py the reference's answers.
"""

from __future__ import annotations

import base64
import struct

import numpy as np


MALFORMED = (KeyError, TypeError, ValueError, AttributeError, struct.error)
"""What decode raises on data that is not encode's (bad base64 and hex are ValueErrors): a miss, never a failure."""


class Unreplayable(Exception):
    """A value that cannot be held exactly (a function, a strategy): a law that drew it is not cached."""


def encode(value):
    """`value` as JSON-ready data that :func:`decode` turns back into an equal value of the same type, bit for
    bit (-0.0, NaN, subnormals, an array's dtype, shape, memory order and writeability); Unreplayable otherwise.

    >>> decode(encode((np.array([[-0.0, 5e-324]]), 3, {"a": 1.5})))
    (array([[-0.e+000,  5.e-324]]), 3, {'a': 1.5})
    """
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"f": struct.pack("<d", value).hex()}
    if kind is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value)
        order = "C" if array.flags.c_contiguous else "F" if array.flags.f_contiguous else None
        if array.dtype.kind not in "biufc" or order is None:
            raise Unreplayable(f"an array of dtype {array.dtype}" if order else "an array that is a strided view")
        body = {"dtype": array.dtype.str, "shape": list(array.shape), "order": order,
                "bytes": base64.b64encode(array.tobytes(order=order)).decode("ascii")}
        if kind is np.ndarray:
            return {"a": {**body, "writeable": bool(array.flags.writeable)}}
        return {"s": body}
    if kind is list:
        return [encode(v) for v in value]
    if kind is tuple:
        return {"t": [encode(v) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"d": {k: encode(v) for k, v in value.items()}}
    raise Unreplayable(f"a {kind.__qualname__}")


def _array(body: dict) -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(body["bytes"]), dtype=np.dtype(body["dtype"]))
    return flat.reshape(body["shape"], order=body["order"]).copy(order=body["order"])


def decode(data):
    """The value :func:`encode` made `data` from (a fresh one each time: nothing is shared between examples)."""
    if type(data) is list:
        return [decode(v) for v in data]
    if type(data) is not dict:
        return data
    (tag, body), = data.items()
    if tag == "f":
        return struct.unpack("<d", bytes.fromhex(body))[0]
    if tag == "a":
        array = _array(body)
        array.flags.writeable = body["writeable"]
        return array
    if tag == "s":
        return _array(body)[()]
    if tag == "t":
        return tuple(decode(v) for v in body)
    if tag == "d":
        return {k: decode(v) for k, v in body.items()}
    raise ValueError(f"unknown tag {tag!r} in the example cache")
