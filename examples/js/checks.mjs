// The contract's bad-input checks (spec chapter 0, CONV-3..9), ported from reference/_checks.py.
//
// A server wraps a library the way lcspec's Python adapters do (tests/contract_inputs.py,
// `checked_like_reference`): the arguments are checked first, exactly where the reference raises,
// so the wrapped library only ever sees good input and is judged on its mathematics. The checks
// never change what the library computes: they reject, or convert to float64 as the reference does.
//
// Values arrive decoded by protocol.mjs: a Python float is a number, a Python int a BigInt, a list an
// Array, an ndarray an NDArray. As numpy would, a list is converted to an array first, its dtype
// inferred from its entries (ints int64, any float float64, bools bool, strings str, else object).

import { ContractError, NDArray, Tuple, dtypeKind } from './protocol.mjs';

const valueError = (m) => new ContractError('ValueError', m);
const typeError = (m) => new ContractError('TypeError', m);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Python's repr of a shape tuple: (2, 3), (3,), (). */
export function pyShape(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function numpyDtypeName(a) {
  if (a.dtype === 'str') return `<U${Math.max(1, ...Array.from(a.data, (s) => s.length))}`;
  return a.dtype;
}

function describe(a) {
  return `shape ${pyShape(a.shape)} and dtype ${numpyDtypeName(a)}`;
}

/** Python's type name of a decoded value, for messages. */
export function pyTypeName(v) {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Tuple) return 'tuple';
  if (v instanceof NDArray) return v.ndim === 0 ? `${v.dtype === 'bool' ? 'bool_' : v.dtype}` : 'ndarray';
  return v?.type ?? v?.constructor?.name ?? 'object';
}

function scalarKind(v) {
  if (typeof v === 'number') return 'f';
  if (typeof v === 'bigint') return v < INT64_MIN || v > INT64_MAX ? 'O' : 'i';
  if (typeof v === 'boolean') return 'b';
  if (typeof v === 'string') return 'U';
  if (v instanceof NDArray && v.ndim === 0) return v.kind;
  return 'O';
}

function scalarOf(v) {
  if (v instanceof NDArray && v.ndim === 0) {
    const x = v.data[0];
    return v.kind === 'b' ? Boolean(x) : v.kind === 'c' ? { re: v.data[0], im: v.data[1] } : x;
  }
  return v;
}

/** An NDArray of the nested rows of an ndarray (numpy converts them element-wise inside a list). */
function nested(a) {
  const step = a.kind === 'c' ? 2 : 1;
  const build = (dim, offset) => {
    if (dim === a.ndim) {
      const x = a.data[offset * step];
      return new NDArray(a.dtype, [], a.kind === 'c' ? a.data.slice(offset * 2, offset * 2 + 2) : [x]);
    }
    const stride = a.shape.slice(dim + 1).reduce((p, q) => p * q, 1);
    return Array.from({ length: a.shape[dim] }, (_, j) => build(dim + 1, offset + j * stride));
  };
  return build(0, 0);
}

class Ragged extends Error {}

/** numpy.asarray for decoded values: an NDArray, or throws Ragged for lists numpy cannot convert. */
function asArray(value) {
  if (value instanceof NDArray) return value;
  const isList = (v) => Array.isArray(v) || v instanceof Tuple || (v instanceof NDArray && v.ndim > 0);
  const items = (v) => (v instanceof Tuple ? v.items : v instanceof NDArray ? nested(v) : v);
  if (!isList(value)) {
    const kind = scalarKind(value);
    return fromLeaves([value], [], kind);
  }
  const shape = [];
  let level = [value];
  for (;;) {
    const lists = level.filter(isList).length;
    if (lists === 0) break;
    if (lists !== level.length) throw new Ragged('inhomogeneous nesting of lists and scalars');
    const lengths = level.map((v) => items(v).length);
    if (!lengths.every((n) => n === lengths[0])) throw new Ragged(`lists of different lengths at depth ${shape.length + 1}`);
    shape.push(lengths[0]);
    level = level.flatMap((v) => items(v));
    if (lengths[0] === 0) break;
  }
  const kinds = new Set(level.map(scalarKind));
  let kind;
  if (kinds.size === 0) kind = 'f';
  else if (kinds.has('O')) kind = 'O';
  else if (kinds.has('U')) kind = 'U';
  else if (kinds.has('c')) kind = 'c';
  else if (kinds.has('f')) kind = 'f';
  else if (kinds.has('i') || kinds.has('u')) kind = 'i';
  else kind = 'b';
  return fromLeaves(level, shape, kind);
}

function fromLeaves(leaves, shape, kind) {
  const values = leaves.map(scalarOf);
  switch (kind) {
    case 'f':
      return new NDArray('float64', shape, Float64Array.from(values, Number));
    case 'i':
      return new NDArray('int64', shape, BigInt64Array.from(values, (x) => BigInt(typeof x === 'boolean' ? Number(x) : x)));
    case 'b':
      return new NDArray('bool', shape, Uint8Array.from(values, Number));
    case 'c': {
      const data = new Float64Array(values.length * 2);
      values.forEach((x, j) => {
        data[2 * j] = typeof x === 'object' ? x.re : Number(x);
        data[2 * j + 1] = typeof x === 'object' ? x.im : 0;
      });
      return new NDArray('complex128', shape, data);
    }
    case 'U':
      return new NDArray('str', shape, values.map(String));
    default:
      return new NDArray('object', shape, values);
  }
}

/** `value` as an NDArray, lists converted as numpy would (plain_array). */
export function plainArray(name, value, what) {
  try {
    return asArray(value);
  } catch (err) {
    if (err instanceof Ragged) throw typeError(`${name} must be ${what}; could not convert it (${err.message})`);
    throw err;
  }
}

/** A real numeric array converted to float64: TypeError for other dtypes, ValueError for rank or NaN/inf. */
export function realArray(name, value, ndim = null) {
  const arr = plainArray(name, value, 'a real numeric array');
  if (!'iuf'.includes(arr.kind)) {
    throw typeError(`${name} must have a real numeric dtype (integer or float), got dtype ${numpyDtypeName(arr)}`);
  }
  if (ndim !== null && arr.ndim !== ndim) throw valueError(`${name} must be ${ndim}-dimensional, got ${describe(arr)}`);
  const data = arr.data instanceof Float64Array ? arr.data : Float64Array.from(arr.data, Number);
  if (!data.every(Number.isFinite)) throw valueError(`${name} must contain only finite values (no NaN or inf)`);
  return new NDArray('float64', arr.shape, data);
}

/** An (N, K) score matrix, K >= 2, and N >= 1 where a mean over examples is taken. */
export function scoreMatrix(name, value, { needRows }) {
  const S = realArray(name, value, 2);
  const [n, k] = S.shape;
  if (k < 2) throw valueError(`${name} must have K >= 2 class columns (shape (N, K)), got ${describe(S)}`);
  if (needRows && n === 0) {
    throw valueError(`${name} must have N >= 1 rows because a mean over examples is taken, got an empty batch`);
  }
  return S;
}

/** A (K, D) weight matrix, K >= 2. */
export function weightMatrix(name, value) {
  const W = realArray(name, value, 2);
  if (W.shape[0] < 2) throw valueError(`${name} must have K >= 2 rows (shape (K, D)), got ${describe(W)}`);
  return W;
}

/** (N,) integer labels in [0, K), returned as a plain Array of numbers. */
export function labels(name, value, n, k) {
  const arr = plainArray(name, value, 'an array of integer labels');
  if (arr.kind !== 'i' && arr.kind !== 'u') throw typeError(`${name} must hold integer class labels, got dtype ${numpyDtypeName(arr)}`);
  if (arr.ndim !== 1 || arr.shape[0] !== n) {
    throw valueError(`${name} must have shape (${n},), one label per example, got shape ${pyShape(arr.shape)}`);
  }
  const bad = Array.from(arr.data).find((v) => v < 0 || v >= k);
  if (bad !== undefined) throw valueError(`${name} must be class indices in [0, ${k}), found ${bad}`);
  return Array.from(arr.data, Number);
}

/** A finite real scalar >= 0 (> 0 with `strictly`), as a number. */
export function nonnegative(name, value, { strictly = false } = {}) {
  const real = typeof value === 'number' || typeof value === 'bigint'
    || (value instanceof NDArray && value.ndim === 0 && 'iuf'.includes(value.kind));
  if (!real) throw typeError(`${name} must be a real number, got ${pyTypeName(value)}`);
  const x = Number(value instanceof NDArray ? value.data[0] : value);
  if (!Number.isFinite(x)) throw valueError(`${name} must be finite, got ${pyFloat(x)}`);
  if (x < 0 || (strictly && x === 0)) throw valueError(`${name} must be ${strictly ? '> 0' : '>= 0'}, got ${pyFloat(x)}`);
  return x;
}

function pyFloat(x) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

/** Reject scores that overflowed float64 although every input was finite (the reference's finite_result). */
export function finiteResult(name, values, cause) {
  if (!values.every(Number.isFinite)) throw valueError(`${name} overflowed float64 (${cause}); rescale the inputs`);
}

/** S = X Wᵀ (+ b) in float64, row by row: the reference's overflow check of `scores`. */
function float64Scores(X, W, b) {
  const [n, d] = X.shape;
  const k = W.shape[0];
  const S = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += X.data[i * d + j] * W.data[c * d + j];
      S[i * k + c] = b ? s + b.data[c] : s;
    }
  }
  return S;
}

// ---------------------------------------------------------------------------------------------
// The reference's checks of each contract function these servers provide, in the reference's order.
// Each returns the arguments converted as the reference converts them.

export const checked = {
  scores({ X, W, b = null }) {
    X = realArray('X', X, 2);
    W = weightMatrix('W', W);
    if (X.shape[1] !== W.shape[1]) {
      throw valueError(`X must have D = ${W.shape[1]} columns to match W of shape ${pyShape(W.shape)}, got shape ${pyShape(X.shape)}`);
    }
    if (b !== null) {
      b = realArray('b', b, 1);
      if (b.shape[0] !== W.shape[0]) {
        throw valueError(`b must have shape (${W.shape[0]},), one bias per class of W, got shape ${pyShape(b.shape)}`);
      }
    }
    finiteResult('scores', float64Scores(X, W, b), 'X @ W.T + b is larger than 1.8e308');
    return { X, W, b };
  },

  hinge_losses: ({ S, y, delta = 1.0 }) => margins(S, y, delta, false),
  hinge_grad: ({ S, y, delta = 1.0 }) => margins(S, y, delta, true),

  softmax: ({ S }) => ({ S: scoreMatrix('S', S, { needRows: false }) }),
  log_softmax: ({ S }) => ({ S: scoreMatrix('S', S, { needRows: false }) }),
  predict: ({ S }) => ({ S: scoreMatrix('S', S, { needRows: false }) }),

  cross_entropy_losses: ({ S, y }) => withLabels(S, y, false),
  cross_entropy_grad: ({ S, y }) => withLabels(S, y, true),
  accuracy: ({ S, y }) => withLabels(S, y, true),
};

function withLabels(S, y, needRows) {
  S = scoreMatrix('S', S, { needRows });
  return { S, y: labels('y', y, ...S.shape) };
}

function margins(S, y, delta, needRows) {
  const out = withLabels(S, y, needRows);
  return { ...out, delta: nonnegative('delta', delta) };
}

/** Wrap `body(convertedArgs)` as the contract function `name`, its arguments checked like the reference. */
export function contract(name, body) {
  const check = checked[name];
  if (!check) throw new Error(`no reference checks for ${name}`);
  return async (args) => body(check(args));
}
