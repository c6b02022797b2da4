// The server side of lcspec-protocol/1 (the design: spec/protocol.md), for Node.js >= 20, no dependencies.
//
// A server is a list of contract functions, each an async function of one object holding the call's
// arguments by name (`{S, y, delta}`), already decoded:
//
//   JSON float (has a fraction or exponent)  -> number          JSON integer       -> BigInt
//   {"$float": "inf" | "-inf" | "nan"}       -> number          JSON list          -> Array
//   {"$array": {dtype, shape, data}}         -> NDArray         {"$tuple": [...]}  -> Tuple
//   {"$function": h}                         -> async function (calls back to the judge)
//   {"$object": {type, repr}}                -> Opaque
//
// What a function returns is encoded the other way round: a number is a float (2 is written 2.0, -0
// as -0.0, non-finite ones tagged), a BigInt an integer, an NDArray (or a bare typed array) an
// `$array` of its dtype, a Tuple a `$tuple`. Errors it throws become `{"type", "message"}`:
// `ContractError` carries the contract's type (ValueError, TypeError), `Unsupported` says the
// implementation cannot take these argument values (the judge fails such a call: declare what you
// cannot take as `constraints` in the handshake, and it is never sent), a JS RangeError is a
// ValueError and any other error keeps its own name.
//
// stdout carries protocol lines only: `runServer` sends console.log/info/warn/debug, and anything
// else written to process.stdout, to stderr.

import { Console } from 'node:console';

export const PROTOCOL = 1;

/** A typed n-dimensional array: `data` holds the entries flattened in row-major order. */
export class NDArray {
  constructor(dtype, shape, data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  get ndim() {
    return this.shape.length;
  }

  get size() {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** numpy's dtype kind: f float, i signed, u unsigned, b bool, c complex, U str, O object. */
  get kind() {
    return dtypeKind(this.dtype);
  }
}

/** A Python tuple, e.g. the `(loss, dW)` pair of svm_loss. */
export class Tuple {
  constructor(items) {
    this.items = items;
  }
}

/** A value of the judge's the protocol could not express otherwise (`$object`). */
export class Opaque {
  constructor(type, repr) {
    this.type = type;
    this.repr = repr;
  }
}

/** A bad-input error of the contract: `type` is "ValueError" or "TypeError" (spec chapter 0). */
export class ContractError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

/** This implementation cannot express these argument values (judged like a constraint). */
export class Unsupported extends Error {
  constructor(message) {
    super(message);
    this.type = 'Unsupported';
  }
}

/** Something the peer sent that the protocol does not allow. */
export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.type = 'ProtocolError';
  }
}

const KINDS = {
  float64: 'f', float32: 'f', float16: 'f',
  int64: 'i', int32: 'i', int16: 'i', int8: 'i',
  uint64: 'u', uint32: 'u', uint16: 'u', uint8: 'u',
  bool: 'b', complex128: 'c', str: 'U', object: 'O',
};

export function dtypeKind(dtype) {
  return KINDS[dtype];
}

// float16 has no typed array in Node 20: its values are exact in a Float32Array.
const TYPED = {
  float64: Float64Array, float32: Float32Array, float16: Float32Array,
  int64: BigInt64Array, int32: Int32Array, int16: Int16Array, int8: Int8Array,
  uint64: BigUint64Array, uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array,
  bool: Uint8Array, complex128: Float64Array,
};

const DTYPE_OF = new Map([
  [Float64Array, 'float64'], [Float32Array, 'float32'],
  [BigInt64Array, 'int64'], [Int32Array, 'int32'], [Int16Array, 'int16'], [Int8Array, 'int8'],
  [BigUint64Array, 'uint64'], [Uint32Array, 'uint32'], [Uint16Array, 'uint16'], [Uint8Array, 'uint8'],
]);

// ---------------------------------------------------------------------------------------------
// JSON that keeps integers apart from floats. JSON.parse reads `1` and `1.0` as the same number;
// the protocol gives them different meanings (a Python int and a float), so integers parse to BigInt.

export function parseJSON(text) {
  let i = 0;
  const fail = (what) => {
    throw new ProtocolError(`not JSON: ${what} at character ${i}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const value = () => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const out = {};
      space();
      if (text[i] === '}') { i++; return out; }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        space();
        if (text[i++] !== ':') fail("expected ':'");
        out[key] = value();
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return out; }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const out = [];
      space();
      if (text[i] === ']') { i++; return out; }
      for (;;) {
        out.push(value());
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return out; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('unexpected character');
    i = NUMBER.lastIndex;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  };
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const out = value();
  space();
  if (i !== text.length) fail('trailing characters');
  return out;
}

/** A float64 as the shortest text that reads back as the same float, always marked as a float. */
export function floatText(x) {
  if (Object.is(x, -0)) return '-0.0';
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function floatEntry(x) {
  if (Number.isNaN(x)) return '"nan"';
  if (x === Infinity) return '"inf"';
  if (x === -Infinity) return '"-inf"';
  return floatText(x);
}

function floatFromEntry(e, where) {
  if (typeof e === 'number') return e;
  if (typeof e === 'bigint') return Number(e);
  if (e === 'inf') return Infinity;
  if (e === '-inf') return -Infinity;
  if (e === 'nan') return NaN;
  throw new ProtocolError(`${where}: ${JSON.stringify(String(e))} is not a float entry`);
}

// ---------------------------------------------------------------------------------------------
// Values

/** Decode a parsed protocol value; `callback(handle, args)` evaluates a judge's function. */
export function decode(v, callback) {
  if (v === null || typeof v !== 'object') return v; // number (float), BigInt (int), string, bool, null
  if (Array.isArray(v)) return v.map((x) => decode(x, callback));
  const keys = Object.keys(v);
  const tag = keys.find((k) => k.startsWith('$'));
  if (tag === undefined) {
    const out = {};
    for (const k of keys) out[k] = decode(v[k], callback);
    return out;
  }
  if (keys.length !== 1) throw new ProtocolError(`a ${tag} value must have no other keys, got ${keys.join(', ')}`);
  const body = v[tag];
  switch (tag) {
    case '$float': {
      const x = { inf: Infinity, '-inf': -Infinity, nan: NaN }[body];
      if (x === undefined) throw new ProtocolError(`$float must be "inf", "-inf" or "nan", got ${JSON.stringify(body)}`);
      return x;
    }
    case '$tuple':
      if (!Array.isArray(body)) throw new ProtocolError('$tuple must hold a JSON list');
      return new Tuple(body.map((x) => decode(x, callback)));
    case '$function': {
      if (typeof body !== 'bigint') throw new ProtocolError('$function must hold an integer handle');
      const handle = body;
      const f = (...args) => callback(handle, args);
      f.handle = handle;
      return f;
    }
    case '$object':
      return new Opaque(String(body?.type), String(body?.repr));
    case '$array':
      return decodeArray(body, callback);
    default:
      throw new ProtocolError(`unknown tag ${tag}`);
  }
}

function decodeArray(body, callback) {
  const { dtype, shape, data } = body ?? {};
  if (!(dtype in KINDS)) throw new ProtocolError(`$array: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((n) => typeof n === 'bigint' && n >= 0n)) {
    throw new ProtocolError('$array: shape must be a list of non-negative integers');
  }
  const dims = shape.map(Number);
  const size = dims.reduce((a, b) => a * b, 1);
  if (!Array.isArray(data)) throw new ProtocolError('$array: data must be a JSON list');
  const where = `$array of dtype ${dtype}`;
  const per = dtype === 'complex128' ? 2 : 1;
  if (data.length !== size) throw new ProtocolError(`${where}: shape ${JSON.stringify(dims)} needs ${size} entries, got ${data.length}`);
  let out;
  switch (KINDS[dtype]) {
    case 'f':
      out = TYPED[dtype].from(data, (e) => floatFromEntry(e, where));
      break;
    case 'c':
      out = new Float64Array(size * per);
      data.forEach((pair, j) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ProtocolError(`${where}: entries must be [re, im] pairs`);
        out[2 * j] = floatFromEntry(pair[0], where);
        out[2 * j + 1] = floatFromEntry(pair[1], where);
      });
      break;
    case 'i':
    case 'u': {
      if (!data.every((e) => typeof e === 'bigint')) throw new ProtocolError(`${where}: entries must be integers`);
      const T = TYPED[dtype];
      out = T === BigInt64Array || T === BigUint64Array ? T.from(data) : T.from(data, Number);
      break;
    }
    case 'b':
      if (!data.every((e) => typeof e === 'boolean')) throw new ProtocolError(`${where}: entries must be true/false`);
      out = Uint8Array.from(data, Number);
      break;
    case 'U':
      if (!data.every((e) => typeof e === 'string')) throw new ProtocolError(`${where}: entries must be strings`);
      out = data.slice();
      break;
    default: // object
      out = data.map((x) => decode(x, callback));
  }
  return new NDArray(dtype, dims, out);
}

/** Encode a JS value as protocol JSON text. */
export function encode(v) {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? floatText(v) : `{"$float":"${Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'}"}`;
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    default:
  }
  if (v instanceof NDArray) return encodeArray(v);
  if (ArrayBuffer.isView(v) && DTYPE_OF.has(v.constructor)) {
    return encodeArray(new NDArray(DTYPE_OF.get(v.constructor), [v.length], v));
  }
  if (Array.isArray(v)) return `[${v.map(encode).join(',')}]`;
  if (v instanceof Tuple) return `{"$tuple":[${v.items.map(encode).join(',')}]}`;
  if (Object.getPrototypeOf(v) === Object.prototype) {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${encode(x)}`).join(',')}}`;
  }
  const type = typeof v === 'function' ? 'function' : v?.constructor?.name ?? 'Object';
  let repr;
  try {
    repr = typeof v === 'function' ? `<function ${v.name || 'anonymous'}>` : JSON.stringify(v) ?? String(v);
  } catch {
    repr = String(v);
  }
  return `{"$object":{"type":${JSON.stringify(type)},"repr":${JSON.stringify(String(repr).slice(0, 200))}}}`;
}

function encodeArray(a) {
  const kind = a.kind;
  let entries;
  if (kind === 'f') entries = Array.from(a.data, floatEntry);
  else if (kind === 'c') {
    entries = [];
    for (let j = 0; j < a.data.length; j += 2) entries.push(`[${floatEntry(a.data[j])},${floatEntry(a.data[j + 1])}]`);
  } else if (kind === 'i' || kind === 'u') entries = Array.from(a.data, (e) => BigInt(e).toString());
  else if (kind === 'b') entries = Array.from(a.data, (e) => (e ? 'true' : 'false'));
  else if (kind === 'U') entries = Array.from(a.data, (e) => JSON.stringify(e));
  else if (kind === 'O') entries = Array.from(a.data, encode);
  else throw new TypeError(`cannot encode an array of dtype ${a.dtype}`);
  return `{"$array":{"dtype":"${a.dtype}","shape":[${a.shape.join(',')}],"data":[${entries.join(',')}]}}`;
}

/** The `{"type", "message"}` of a thrown value, with the contract's names. */
export function errorBody(err) {
  let type;
  if (err instanceof ContractError || err instanceof Unsupported || err instanceof ProtocolError || err?.type) type = err.type;
  else if (err instanceof RangeError) type = 'ValueError';
  else if (err instanceof TypeError) type = 'TypeError';
  else type = err?.name || err?.constructor?.name || 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return { type: String(type), message };
}

// ---------------------------------------------------------------------------------------------
// The session

/** Lines of a readable stream, one at a time; `next()` resolves to null at end of input. */
class LineReader {
  constructor(input) {
    this.buffered = [];
    this.partial = '';
    this.ended = false;
    this.waiting = null;
    input.setEncoding?.('utf8');
    input.on('data', (chunk) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop();
      this.buffered.push(...parts);
      this.wake();
    });
    input.on('end', () => {
      if (this.partial) this.buffered.push(this.partial);
      this.partial = '';
      this.ended = true;
      this.wake();
    });
  }

  wake() {
    if (this.waiting && (this.buffered.length || this.ended)) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve();
    }
  }

  async next() {
    for (;;) {
      if (this.buffered.length) {
        const line = this.buffered.shift().replace(/\r$/, '');
        if (line.trim() !== '') return line;
        continue;
      }
      if (this.ended) return null;
      await new Promise((resolve) => {
        this.waiting = resolve;
      });
    }
  }
}

/**
 * Serve one session of lcspec-protocol/1 and resolve to the exit status it should end with.
 *
 * impl: {name, version, language, functions: {name: async (args) => result}, precision,
 * constraints, notes}. `output` gets protocol lines only.
 */
export async function serve(impl, { input = process.stdin, output = process.stdout } = {}) {
  const lines = new LineReader(input);
  const send = (text) => new Promise((resolve, reject) => {
    output.write(`${text}\n`, (err) => (err ? reject(err) : resolve()));
  });
  const sendError = (id, err) => {
    const { type, message } = errorBody(err);
    const head = id === undefined ? '' : `"id":${encode(id)},`;
    return send(`{${head}"error":{"type":${JSON.stringify(type)},"message":${JSON.stringify(message)}}}`);
  };

  const first = await lines.next();
  if (first === null) return 0;
  let hello;
  try {
    hello = parseJSON(first);
  } catch (err) {
    await sendError(undefined, err);
    return 1;
  }
  if (hello?.op !== 'hello' || Number(hello.protocol) !== PROTOCOL) {
    await sendError(undefined, new ProtocolError(
      `this server speaks lcspec-protocol/${PROTOCOL} and expects {"op": "hello", "protocol": ${PROTOCOL}} first`,
    ));
    return 1;
  }
  // An empty or absent contract means "every function you have" (spec/protocol.md, the hello).
  const contract = Array.isArray(hello.contract) && hello.contract.length > 0 ? hello.contract : null;
  const provides = Object.keys(impl.functions).filter((n) => contract === null || contract.includes(n));
  const constraints = Object.fromEntries(Object.entries(impl.constraints ?? {}).filter(([n]) => provides.includes(n)));
  await send(encode({
    protocol: BigInt(PROTOCOL),
    implementation: { name: impl.name, version: impl.version, language: impl.language ?? 'JavaScript' },
    provides,
    precision: impl.precision ?? null,
    constraints,
    notes: impl.notes ?? [],
    pipelining: true, // lines are read as they come (LineReader) and answered one at a time, in order
  }));

  // A call-back: ask the judge to evaluate its function, read its one reply line.
  const callback = async (handle, args) => {
    await send(`{"callback":${handle},"args":[${args.map(encode).join(',')}]}`);
    const line = await lines.next();
    if (line === null) throw new ProtocolError('the judge closed stdin during a call-back');
    const reply = parseJSON(line);
    if (reply && 'error' in reply) {
      throw Object.assign(new Error(String(reply.error?.message ?? '')), { type: String(reply.error?.type ?? 'Error') });
    }
    if (!reply || !('result' in reply)) throw new ProtocolError('a call-back reply needs "result" or "error"');
    return decode(reply.result, callback);
  };

  for (;;) {
    const line = await lines.next();
    if (line === null) return 0;
    let request;
    try {
      request = parseJSON(line);
    } catch (err) {
      await sendError(undefined, err);
      return 1;
    }
    if (request?.op === 'bye') return 0;
    if (request?.op !== 'call') {
      await sendError(request?.id, new ProtocolError(`unknown op ${JSON.stringify(String(request?.op))}`));
      continue;
    }
    const { id } = request;
    const fn = Object.hasOwn(impl.functions, request.function) ? impl.functions[request.function] : undefined;
    if (fn === undefined || !provides.includes(request.function)) {
      await sendError(id, new ProtocolError(`${impl.name} does not provide ${JSON.stringify(String(request.function))}`));
      continue;
    }
    let text;
    try {
      const args = decode(request.args ?? {}, callback);
      text = `{"id":${encode(id)},"result":${encode(await fn(args))}}`;
    } catch (err) {
      await sendError(id, err);
      continue;
    }
    await send(text);
  }
}

/** Keep stdout for protocol lines: console output and stray process.stdout writes go to stderr. */
export function protocolStdout() {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout);
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  for (const m of ['log', 'info', 'warn', 'debug', 'error', 'dir', 'table', 'trace']) console[m] = toStderr[m].bind(toStderr);
  stdout.write = process.stderr.write.bind(process.stderr);
  stdout.on('error', (err) => {
    // The judge closed our stdout (it has gone, or killed the session): nothing left to answer.
    process.stderr.write(`lcspec-protocol: stdout closed (${err.code ?? err.message}); exiting\n`);
    process.exit(1);
  });
  return { write: (text, cb) => write(text, cb) };
}

/**
 * Run this process as a server: protocol on stdin/stdout, exit with the session's status.
 *
 * `makeImpl` is called (and awaited) after stdout is reserved, so whatever a library prints while it
 * loads goes to stderr.
 */
export async function runServer(makeImpl) {
  const output = protocolStdout();
  const status = await serve(await makeImpl(), { output });
  process.exit(status);
}
