"""The values of lcspec-protocol/1 on the wire: Python and numpy values to JSON and back, exactly.

`encode` turns a value into a JSON-ready structure and `decode` turns one back; `dumps` and `loads`
frame a whole message as one line of JSON. The rules are spec/protocol.md's "Values":

* null, booleans, strings, integers and finite floats are themselves; a float is written as its
  shortest round-tripping repr (so `-0.0`, `5e-324` and `1.7976931348623157e+308` come back bit for
  bit), and a JSON number with a fraction or an exponent decodes to a float, one without to an int;
* `{"$float": "inf" | "-inf" | "nan"}` for a non-finite float;
* `{"$array": {"dtype", "shape", "data"}}` for a numpy array (row-major data; a numpy scalar is a
  0-d array and decodes to a numpy scalar again), or, for a numeric array between two sides that said in the
  hello and the handshake that they read it (`binary`), `{"$array": {"dtype", "shape", "base64"}}`: the
  entries' little-endian bytes, which cost a few microseconds where a list of numbers costs tens;
* `{"$tuple": [...]}`, `{"$dict": {...}}` (string keys), `{"$function": handle}`, and
  `{"$object": {"type", "repr"}}` for anything else, decoded to an `Opaque` whose repr names the type.

Only the standard library and numpy: this module is shared by the judge and the Python server.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any, Callable

import numpy as np

FLOAT_DTYPES = ("float64", "float32", "float16")
INT_DTYPES = ("int64", "int32", "int16", "int8", "uint8", "uint16", "uint32", "uint64")
COMPLEX_DTYPES = ("complex128", "complex64")
DTYPES = (*FLOAT_DTYPES, *INT_DTYPES, "bool", *COMPLEX_DTYPES, "str", "object")
"""The array dtypes the wire carries; an array of any other dtype travels as an `$object`."""

BINARY = "base64"
"""The name of the binary array form in the hello's and the handshake's `encodings` (spec/protocol.md §2, §5)."""
BINARY_DTYPES = (*FLOAT_DTYPES, *INT_DTYPES)
"""The dtypes an array may travel as base64 bytes in (every bit pattern of them is a value)."""

NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
REPR_LIMIT = 200
"""Characters of an `$object`'s repr that are kept."""


class WireError(ValueError):
    """A message that does not follow the protocol's framing or value encoding (the caller names the sender)."""


class Opaque:
    """A value the sender could not encode (`$object`): its type's name and the start of its repr.

    Kept apart from every real value so that a judge can say "returned a torch.Tensor, not an array"
    instead of failing to decode it.
    """

    __slots__ = ("type", "repr")

    def __init__(self, type: str, repr: str):  # noqa: A002 - the wire's field names
        self.type = type
        self.repr = repr

    def __repr__(self) -> str:
        return f"<opaque {printable(self.type)}: {printable(self.repr)}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Opaque) and (self.type, self.repr) == (other.type, other.repr)

    def __hash__(self) -> int:
        return hash((self.type, self.repr))


def printable(text, limit: int | None = None) -> str:
    """Text that came from an implementation, made safe to show: one line, every control character (ANSI
    escapes, carriage returns, newlines, bidi overrides) written as its escape, cut to `limit` characters.

    >>> printable("bad\\x1b[2Jrow\\nlcspec: conforms")
    'bad\\\\x1b[2Jrow\\\\nlcspec: conforms'
    """
    text = text if isinstance(text, str) else str(text)
    shown = "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)
    return shown if limit is None or len(shown) <= limit else shown[: max(0, limit - 3)] + "..."


# --- encoding ---------------------------------------------------------------------------------------


def _float(x: float):
    return x if math.isfinite(x) else {"$float": _nonfinite_name(x)}


def _nonfinite_name(x: float) -> str:
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _float_data(a: np.ndarray) -> list:
    flat = a.astype(np.float64).ravel()  # float32/float16 values are exact in float64
    data = flat.tolist()
    if not np.isfinite(flat).all():
        data = [v if math.isfinite(v) else _nonfinite_name(v) for v in data]
    return data


class _DtypeNames(dict):
    """dtype -> its name, worked out once each: numpy computes `dtype.name` in Python, on every array sent."""

    def __missing__(self, dtype: np.dtype) -> str:
        self[dtype] = name = dtype.name
        return name


_NAMES = _DtypeNames()


def _array(a: np.ndarray, register, binary: bool = False) -> dict | None:
    """The `$array` of a plain ndarray, or None when its dtype is not one the wire carries."""
    kind, name = a.dtype.kind, _NAMES[a.dtype]
    if binary and name in BINARY_DTYPES:
        raw = a.astype(a.dtype.newbyteorder("<"), order="C", copy=False).tobytes()
        return {"$array": {"dtype": name, "shape": list(a.shape), BINARY: base64.b64encode(raw).decode("ascii")}}
    if name in FLOAT_DTYPES:
        data = _float_data(a)
    elif name in INT_DTYPES or name == "bool":
        data = a.ravel().tolist()
    elif name in COMPLEX_DTYPES:
        data = [list(pair) for pair in zip(_float_data(a.real), _float_data(a.imag))]
    elif kind == "U":
        name, data = "str", a.ravel().tolist()
    elif kind == "O":
        data = [encode(v, register, binary) for v in a.ravel()]
    else:
        return None
    return {"$array": {"dtype": name, "shape": list(a.shape), "data": data}}


def _opaque(value) -> dict:
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - any repr may fail; the type still says what it was
        text = f"<repr raised {type(exc).__name__}>"
    return {"$object": {"type": name, "repr": text[:REPR_LIMIT]}}


def encode(value, register: Callable[[Callable], int] | None = None, binary: bool = False) -> Any:
    """`value` as a JSON-ready structure per the protocol's value rules.

    `register` turns a callable into a `$function` handle (the judge's call-backs); without it a
    callable is an `$object`. `binary`: numeric arrays as base64 bytes (only to a side that said it reads
    them). Nothing raises: what the wire cannot carry becomes an `$object`.

    >>> encode(np.array([1.0, -0.0]), binary=True)
    {'$array': {'dtype': 'float64', 'shape': [2], 'base64': 'AAAAAAAA8D8AAAAAAAAAgA=='}}
    """
    try:
        return _encode(value, register, binary)
    except RecursionError:  # a self-containing or absurdly deep structure
        return _opaque(value)


def _encode(value, register, binary=False):
    # Order matters: bool is an int, np.float64 is a float, np.bool_ and friends are np.generic.
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return _float(value)
    if isinstance(value, np.generic):
        encoded = _array(np.asarray(value), register, binary)
        return encoded if encoded is not None else _opaque(value)
    if type(value) is np.ndarray:
        encoded = _array(value, register, binary)
        return encoded if encoded is not None else _opaque(value)
    if type(value) is complex:
        return _array(np.asarray(value, dtype=np.complex128), register)
    if type(value) is list:
        return [_encode(v, register, binary) for v in value]
    if type(value) is tuple:
        return {"$tuple": [_encode(v, register, binary) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$dict": {k: _encode(v, register, binary) for k, v in value.items()}}
    if type(value) is Opaque:
        return {"$object": {"type": value.type, "repr": value.repr}}
    if callable(value) and register is not None and not isinstance(value, type):
        return {"$function": register(value)}
    return _opaque(value)  # ndarray subclasses too: the wire carries plain arrays only


# --- decoding ---------------------------------------------------------------------------------------


def _finite(x: float) -> float:
    """A JSON number as read: finite, since NaN and Infinity literals are refused, unless it overflowed."""
    if math.isinf(x):
        raise WireError(f"number {x} is beyond float64's range (a non-finite float is a $float)")
    return x


def _number(v) -> float:
    if type(v) is float:
        return _finite(v)
    if type(v) is int:
        return float(v)
    if type(v) is str and v in NONFINITE:
        return NONFINITE[v]
    raise WireError(f"array entry {v!r} is not a number nor one of 'inf', '-inf', 'nan'")


def _floats(data: list) -> np.ndarray:
    if all(type(v) is float or type(v) is int for v in data):
        a = np.array(data, dtype=np.float64)
        if np.isinf(a).any():  # only numbers here: an inf overflowed (or an int beyond float64)
            raise WireError("an array entry is beyond float64's range (a non-finite entry is a string)")
        return a
    return np.array([_number(v) for v in data], dtype=np.float64)


def _check_all(data: list, types: tuple, dtype: str) -> None:
    for v in data:
        if type(v) not in types:
            raise WireError(f"{dtype} array entry {v!r} is not a {' or '.join(t.__name__ for t in types)}")


def _from_bytes(text, dtype: str, shape: list) -> np.ndarray:
    """The array a `base64` field holds: exactly prod(shape) little-endian entries of `dtype`, as a new writable array."""
    if dtype not in BINARY_DTYPES:
        raise WireError(f"$array base64 is for the dtypes {', '.join(BINARY_DTYPES)}, not {dtype!r}")
    if type(text) is not str:
        raise WireError("$array base64 must be a string")
    wire_dtype = np.dtype(dtype).newbyteorder("<")
    if len(text) > 4 * -(-math.prod(shape) * wire_dtype.itemsize // 3):  # before decoding any of it
        raise WireError(f"$array base64 is longer than {math.prod(shape)} entries of {dtype}")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WireError(f"$array base64 is not base64 ({exc})") from None
    if len(raw) != math.prod(shape) * wire_dtype.itemsize:
        raise WireError(f"$array base64 holds {len(raw)} bytes, not {math.prod(shape)} entries of {dtype}")
    return np.frombuffer(raw, dtype=wire_dtype).astype(dtype)


def _decode_array(body, function) -> np.ndarray | np.generic:
    if type(body) is not dict or set(body) not in ({"dtype", "shape", "data"}, {"dtype", "shape", BINARY}):
        raise WireError(f"$array needs exactly the fields dtype, shape and data (or {BINARY} for data)")
    dtype, shape, data = body["dtype"], body["shape"], body.get("data")
    if dtype not in DTYPES:
        raise WireError(f"$array dtype {dtype!r} is not one of {', '.join(DTYPES)}")
    if type(shape) is not list or any(type(n) is not int or n < 0 for n in shape):
        raise WireError(f"$array shape {shape!r} is not a list of non-negative integers")
    if BINARY in body:
        a = _from_bytes(body[BINARY], dtype, shape).reshape(shape)
        return a[()] if a.ndim == 0 else a
    if type(data) is not list or len(data) != math.prod(shape):
        raise WireError(f"$array of shape {shape} needs {math.prod(shape)} entries in data")
    try:
        if dtype in FLOAT_DTYPES:
            a = _floats(data).astype(dtype)
        elif dtype in INT_DTYPES:
            _check_all(data, (int,), dtype)
            a = np.array(data, dtype=dtype)
        elif dtype == "bool":
            _check_all(data, (bool,), dtype)
            a = np.array(data, dtype=bool)
        elif dtype in COMPLEX_DTYPES:
            if any(type(p) is not list or len(p) != 2 for p in data):
                raise WireError(f"{dtype} array entries must be [re, im] pairs")
            a = np.array([complex(_number(re), _number(im)) for re, im in data], dtype=dtype)
        elif dtype == "str":
            _check_all(data, (str,), dtype)
            a = np.array(data, dtype=np.str_)
        else:
            a = np.empty(len(data), dtype=object)
            for i, v in enumerate(data):  # one by one: a slice assignment would unpack nested lists
                a[i] = decode(v, function)
    except OverflowError as exc:
        raise WireError(f"{dtype} array entry out of range: {exc}") from None
    a = a.reshape(shape)
    return a[()] if a.ndim == 0 else a


def decode(value, function: Callable[[int], Any] | None = None) -> Any:
    """The Python value of a decoded JSON structure, inverse of `encode`.

    `function` turns a `$function` handle into a callable (the Python server's call-back proxy);
    without it a `$function` is a WireError. Raises WireError for anything the rules do not allow.
    """
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return _finite(value)
    if type(value) is list:
        return [decode(v, function) for v in value]
    if type(value) is not dict or len(value) != 1 or not next(iter(value)).startswith("$"):
        raise WireError(f"a JSON object that is not a tagged value: {json.dumps(value)[:80]}")
    (tag, body), = value.items()
    decoder = _TAGGED.get(tag)
    if decoder is None:
        raise WireError(f"unknown tag {tag!r}")
    return decoder(body, function)


def _nonfinite(body, function):
    if body not in NONFINITE:
        raise WireError(f"$float {body!r} is not one of 'inf', '-inf', 'nan'")
    return NONFINITE[body]


def _tuple(body, function):
    if type(body) is not list:
        raise WireError("$tuple needs a list")
    return tuple(decode(v, function) for v in body)


def _dict(body, function):
    if type(body) is not dict:
        raise WireError("$dict needs a JSON object")
    return {k: decode(v, function) for k, v in body.items()}


def _function(body, function):
    if type(body) is not int or function is None:
        raise WireError(f"$function {body!r} is not a handle this side gave out")
    return function(body)


def _object(body, function):
    if type(body) is not dict or type(body.get("type")) is not str or type(body.get("repr")) is not str:
        raise WireError("$object needs the string fields type and repr")
    return Opaque(body["type"], body["repr"])


_TAGGED = {"$float": _nonfinite, "$array": _decode_array, "$tuple": _tuple, "$dict": _dict, "$function": _function,
           "$object": _object}
"""Each tag's decoder, given the tagged value's body and the `$function` resolver."""


def same_value(value, fixed) -> bool:
    """Whether an argument has the value a server declared it fixed at (a constraint): numbers by value
    (1, 1.0 and np.float64(1.0) alike, but True is not 1), anything else by its encoding."""
    booleans, numbers = (bool, np.bool_), (int, float, np.integer, np.floating)
    if isinstance(value, booleans) or isinstance(fixed, booleans):  # False is False, never 0
        return isinstance(value, booleans) and isinstance(fixed, booleans) and bool(value) == bool(fixed)
    if isinstance(value, numbers) and isinstance(fixed, numbers):
        return not isinstance(value, (bool, np.bool_)) and not isinstance(fixed, bool) and float(value) == float(fixed)
    return encode(value) == encode(fixed)


# --- framing ----------------------------------------------------------------------------------------


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)  # made once: json.dumps with options makes
# one per call, which cost more than encoding a small message


def dumps(message: dict) -> bytes:
    """One message as one line: compact JSON, ASCII only (escapes keep any string, lone surrogates
    included, and no raw newline can occur), newline-terminated."""
    return _ENCODER.encode(message).encode("ascii") + b"\n"


def _parse_int(text: str) -> int | float:
    return -0.0 if text == "-0" else int(text)  # no integer is negative zero: a writer that drops ".0" meant the float


def _no_constant(name: str):
    raise WireError(f"{name} is not JSON (send {{\"$float\": ...}})")


_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_constant=_no_constant)  # made once, as _ENCODER


def loads(line: bytes | str) -> dict:
    """One line as a message: a JSON object. Raises WireError for anything else (not UTF-8, not JSON,
    NaN/Infinity literals, nesting too deep). A number beyond float64's range parses as inf here (json's fast
    float parser) and is refused by `decode`, where an inf can only have come from one."""
    try:
        message = _DECODER.decode(line.decode("utf-8") if isinstance(line, bytes) else line)
    except WireError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        text = line[:80].decode("utf-8", "replace") if isinstance(line, bytes) else line[:80]
        raise WireError(f"not a line of JSON ({type(exc).__name__}: {str(exc)[:80]}): {text!r}") from None
    if type(message) is not dict:
        raise WireError(f"a message must be a JSON object, got {type(message).__name__}")
    return message
