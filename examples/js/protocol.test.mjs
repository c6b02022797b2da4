// Tests of the JS protocol library and servers, with Node's test runner: node --test examples/js/
//
// Each server is started as a child process and spoken to as the judge would. The known values are
// the reference's (python -c "from lcspec import reference; ...") or exact by hand, noted per test.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { decode, encode, parseJSON, floatText, NDArray, Tuple } from './protocol.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTRACT = [
  'scores', 'append_ones', 'fold_bias', 'hinge_losses', 'squared_hinge_losses', 'crammer_singer_losses',
  'softmax', 'log_softmax', 'cross_entropy_losses', 'l2_penalty', 'hinge_grad', 'cross_entropy_grad',
  'svm_loss', 'softmax_loss', 'numerical_gradient', 'relative_error', 'sgd_step', 'predict', 'accuracy',
];
const HELLO = `{"op": "hello", "protocol": 1, "spec": "test", "contract": ${JSON.stringify(CONTRACT)}}`;

/** A server child process spoken to line by line, as the judge would. */
class Session {
  constructor(args) {
    this.child = spawn(process.execPath, args, { cwd: here, stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = [];
    this.waiters = [];
    this.stderr = '';
    let partial = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const line of parts) this.push(line);
    });
    this.child.stdout.on('end', () => this.push(null));
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.id = 0;
  }

  push(line) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  /** The next raw line of stdout (null at its end); fails after 20 s. */
  recvRaw() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply; stderr: ${this.stderr}`)), 20000);
      this.waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  async recv() {
    const line = await this.recvRaw();
    assert.notEqual(line, null, `the server closed stdout; stderr: ${this.stderr}`);
    return parseJSON(line);
  }

  send(text) {
    this.child.stdin.write(`${text}\n`);
  }

  async hello() {
    this.send(HELLO);
    return this.recv();
  }

  /** Send a call (args given as protocol JSON text) and return the server's reply. */
  async call(fn, argsText) {
    const id = ++this.id;
    this.send(`{"op": "call", "id": ${id}, "function": ${JSON.stringify(fn)}, "args": ${argsText}}`);
    const reply = await this.recv();
    assert.equal(reply.id, BigInt(id), 'the reply carries the call\'s id');
    return reply;
  }

  async bye() {
    this.send('{"op": "bye"}');
    return this.exited;
  }
}

const arr = (dtype, shape, data) => `{"$array": {"dtype": "${dtype}", "shape": ${JSON.stringify(shape)}, "data": ${JSON.stringify(data)}}}`;

/** The decoded `result` of a reply as an NDArray; fails with the error if there is one. */
function resultArray(reply) {
  assert.ok(!('error' in reply), `expected a result, got ${JSON.stringify(reply.error)}`);
  const a = decode(reply.result);
  assert.ok(a instanceof NDArray, 'the result is an $array');
  return a;
}

function assertClose(actual, expected, tol, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} is not within ${tol} of ${expected[i]}`);
  }
}

describe('values: decode then encode is exact', () => {
  const roundTrip = (text) => encode(decode(parseJSON(text)));

  test('floats that are hard to write survive: -0, the smallest subnormal, the largest double', () => {
    for (const text of ['-0.0', '5e-324', '1.7976931348623157e+308', '0.1', '2.0', '-1.5e-300']) {
      const back = roundTrip(text);
      assert.ok(Object.is(Number(back), Number(text)), `${text} came back as ${back}`);
      assert.match(back, /[.e]/, `${text} must stay a float, got ${back}`);
    }
    assert.equal(roundTrip('-0.0'), '-0.0');
    assert.ok(Object.is(decode(parseJSON('-0.0')), -0));
  });

  test('non-finite floats are tagged both ways', () => {
    for (const tag of ['inf', '-inf', 'nan']) assert.equal(roundTrip(`{"$float": "${tag}"}`), `{"$float":"${tag}"}`);
    assert.equal(decode(parseJSON('{"$float": "-inf"}')), -Infinity);
  });

  test('integers stay integers and floats stay floats, also beyond 2**53', () => {
    assert.equal(typeof decode(parseJSON('1')), 'bigint');
    assert.equal(typeof decode(parseJSON('1.0')), 'number');
    assert.equal(roundTrip('9007199254740993'), '9007199254740993');
    assert.equal(roundTrip('[1, 1.0, true, null, "s"]'), '[1,1.0,true,null,"s"]');
  });

  test('arrays keep dtype, shape and every entry, non-finite ones included', () => {
    const text = '{"$array":{"dtype":"float64","shape":[2,3],"data":[-0.0,5e-324,1.7976931348623157e+308,"inf","-inf","nan"]}}';
    const a = decode(parseJSON(text));
    assert.ok(a.data instanceof Float64Array);
    assert.deepEqual(a.shape, [2, 3]);
    assert.ok(Object.is(a.data[0], -0) && a.data[1] === 5e-324 && Number.isNaN(a.data[5]));
    assert.equal(encode(a), text);
    const f32 = '{"$array":{"dtype":"float32","shape":[2],"data":[0.10000000149011612,-0.0]}}';
    assert.ok(decode(parseJSON(f32)).data instanceof Float32Array);
    assert.equal(roundTrip(f32), f32);
    const ints = '{"$array":{"dtype":"int64","shape":[2],"data":[-9223372036854775808,7]}}';
    assert.equal(roundTrip(ints), ints);
    assert.equal(roundTrip('{"$array":{"dtype":"float64","shape":[],"data":[1.5]}}'), '{"$array":{"dtype":"float64","shape":[],"data":[1.5]}}');
  });

  test('results: a Float32Array is float32, a tuple is $tuple, a plain number a float', () => {
    assert.equal(encode(new Float32Array([0.1])), '{"$array":{"dtype":"float32","shape":[1],"data":[0.10000000149011612]}}');
    assert.equal(encode(new Tuple([1, new Float64Array([-0])])), '{"$tuple":[1.0,{"$array":{"dtype":"float64","shape":[1],"data":[-0.0]}}]}');
    assert.equal(floatText(1e21), '1e+21');
    assert.equal(floatText(3), '3.0');
  });

  test('an unknown $ tag is refused', () => {
    assert.throws(() => decode(parseJSON('{"$complex": [1, 2]}')), /unknown tag \$complex/);
  });
});

describe('convnetjs server', () => {
  const s = new Session(['convnetjs-server.mjs']);
  after(() => s.child.kill());

  test('handshake: float64, Δ fixed at 1, what it provides', async () => {
    s.send(HELLO);
    const raw = await s.recvRaw();
    const hello = parseJSON(raw);
    assert.equal(hello.protocol, 1n);
    assert.equal(hello.implementation.name, 'convnetjs');
    assert.equal(hello.implementation.version, '0.3.0');
    assert.equal(hello.precision, 'float64');
    assert.deepEqual(hello.provides, ['scores', 'hinge_losses', 'hinge_grad', 'softmax', 'cross_entropy_losses', 'cross_entropy_grad']);
    assert.match(raw, /"constraints":\{"hinge_losses":\{"delta":1\.0\},"hinge_grad":\{"delta":1\.0\}\}/);
    assert.ok(hello.notes.some((n) => n.includes('plus 1')), 'the notes say the hinge loss counts the correct class');
  });

  test('hinge_losses is the contract\'s loss plus 1 (SVMLayer counts the correct class)', async () => {
    // Margins 2 - 1 + 1 = 2 and 0.5 - 1 + 1 = 0.5: the contract's loss is 2.5 (reference.hinge_losses).
    const a = resultArray(await s.call('hinge_losses', `{"S": [[1.0, 2.0, 0.5]], "y": [0], "delta": 1.0}`));
    assert.deepEqual(Array.from(a.data), [3.5]);
  });

  test('hinge_grad is the mean loss\'s gradient, with the subgradient 0 at a kink', async () => {
    // Row 0 violates twice: [-2, 1, 1] / N; row 1 has margins 0 (a kink, not counted) and -2.
    const a = resultArray(await s.call('hinge_grad', `{"S": [[1.0, 2.0, 0.5], [2.0, 0.0, 3.0]], "y": [0, 2], "delta": 1.0}`));
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(Array.from(a.data), [-1, 0.5, 0.5, 0, 0, 0]);
  });

  test('softmax, cross_entropy_losses and cross_entropy_grad at equal scores', async () => {
    assert.deepEqual(Array.from(resultArray(await s.call('softmax', '{"S": [[0.0, 0.0]]}')).data), [0.5, 0.5]);
    const loss = resultArray(await s.call('cross_entropy_losses', '{"S": [[0.0, 0.0]], "y": [1]}'));
    assert.deepEqual(Array.from(loss.data), [Math.LN2]);
    const grad = resultArray(await s.call('cross_entropy_grad', '{"S": [[0.0, 0.0], [0.0, 0.0]], "y": [1, 0]}'));
    assert.deepEqual(Array.from(grad.data), [0.25, -0.25, -0.25, 0.25]); // (p - onehot) / N, N = 2
    assert.equal(grad.dtype, 'float64');
  });

  test('scores: X Wᵀ + b, and without b', async () => {
    const withB = resultArray(await s.call('scores', `{"X": [[1.0, 2.0]], "W": [[1.0, 0.0], [0.0, 1.0]], "b": [0.5, -0.5]}`));
    assert.deepEqual(Array.from(withB.data), [1.5, 1.5]);
    const noB = resultArray(await s.call('scores', `{"X": ${arr('int64', [2, 2], [1, 2, 3, 4])}, "W": [[1.0, -1.0], [2.0, 0.5]], "b": null}`));
    assert.deepEqual(Array.from(noB.data), [-1, 3, -1, 8]);
  });

  test('bad input: float labels are a TypeError naming y, an inf score a ValueError naming S', async () => {
    const r = await s.call('hinge_losses', `{"S": [[1.0, 2.0]], "y": [0.0], "delta": 1.0}`);
    assert.equal(r.error.type, 'TypeError');
    assert.match(r.error.message, /^y /);
    const inf = await s.call('softmax', `{"S": [[1.0, {"$float": "inf"}]]}`);
    assert.equal(inf.error.type, 'ValueError');
    assert.match(inf.error.message, /^S must contain only finite values/);
    const k1 = await s.call('cross_entropy_grad', `{"S": [[1.0]], "y": [0]}`);
    assert.equal(k1.error.type, 'ValueError');
    assert.match(k1.error.message, /K >= 2/);
  });

  test('a margin other than 1 is Unsupported, after the argument checks', async () => {
    const r = await s.call('hinge_losses', `{"S": [[1.0, 2.0]], "y": [0], "delta": 10.0}`);
    assert.equal(r.error.type, 'Unsupported');
    const negative = await s.call('hinge_losses', `{"S": [[1.0, 2.0]], "y": [0], "delta": -1.0}`);
    assert.equal(negative.error.type, 'ValueError', 'a negative delta is bad input, not an unsupported one');
  });

  test('bye ends the session with status 0', async () => {
    assert.deepEqual(await s.bye(), { code: 0, signal: null });
  });
});

describe('tfjs server', () => {
  const s = new Session(['tfjs-server.mjs']);
  after(() => s.child.kill());
  const F32 = 2 ** -23;

  test('handshake: float32, what it provides', async () => {
    const hello = await s.hello();
    assert.equal(hello.precision, 'float32');
    assert.equal(hello.implementation.version, '4.22.0');
    assert.deepEqual(hello.provides, ['scores', 'softmax', 'log_softmax', 'cross_entropy_losses', 'cross_entropy_grad', 'predict', 'accuracy']);
    assert.deepEqual(hello.constraints, {});
  });

  test('softmax is float32, within float32 rounding of the reference', async () => {
    // reference.softmax([[1.0, -2.0, 0.0]])
    const a = resultArray(await s.call('softmax', '{"S": [[1.0, -2.0, 0.0]]}'));
    assert.equal(a.dtype, 'float32');
    assert.ok(a.data instanceof Float32Array);
    assertClose(Array.from(a.data), [0.7053845126982411, 0.03511902695933972, 0.2594964603424191], 16 * 3 * F32, 'softmax');
  });

  test('log_softmax and cross_entropy_losses are finite where the softmax underflows', async () => {
    assert.deepEqual(Array.from(resultArray(await s.call('log_softmax', '{"S": [[0.0, -1000.0]]}')).data), [0, -1000]);
    const ce = resultArray(await s.call('cross_entropy_losses', '{"S": [[0.8, 0.3, -0.4]], "y": [0]}'));
    assertClose(Array.from(ce.data), [0.6459113653670535], 16 * 3 * F32, 'cross_entropy_losses'); // the reference's
    const far = resultArray(await s.call('cross_entropy_losses', '{"S": [[0.0, -1000.0]], "y": [1]}'));
    assert.deepEqual(Array.from(far.data), [1000]);
  });

  test('cross_entropy_grad is (softmax - onehot) / N', async () => {
    const g = resultArray(await s.call('cross_entropy_grad', '{"S": [[0.0, 0.0], [0.0, 0.0]], "y": [1, 0]}'));
    assert.deepEqual(Array.from(g.data), [0.25, -0.25, -0.25, 0.25]);
  });

  test('predict takes the lowest index among ties, as int32; accuracy is a float32 scalar', async () => {
    const p = resultArray(await s.call('predict', '{"S": [[0.2, 0.7, 0.7], [3.0, -1.0, 0.0]]}'));
    assert.equal(p.dtype, 'int32');
    assert.deepEqual(Array.from(p.data), [1, 0]);
    const acc = resultArray(await s.call('accuracy', '{"S": [[0.2, 0.7], [3.0, -1.0]], "y": [1, 1]}'));
    assert.equal(acc.dtype, 'float32');
    assert.deepEqual(acc.shape, []);
    assert.equal(acc.data[0], 0.5);
  });

  test('bad input: a 3-D score array is a ValueError naming S, a string a TypeError', async () => {
    const r = await s.call('softmax', `{"S": ${arr('float64', [1, 1, 2], [0.0, 1.0])}}`);
    assert.equal(r.error.type, 'ValueError');
    assert.match(r.error.message, /^S must be 2-dimensional/);
    const str = await s.call('log_softmax', '{"S": "abc"}');
    assert.equal(str.error.type, 'TypeError');
    assert.match(str.error.message, /^S /);
  });

  test('closing stdin ends the session with status 0', async () => {
    s.child.stdin.end();
    assert.deepEqual(await s.exited, { code: 0, signal: null });
  });
});

// A server of the protocol library alone, with one function that calls the judge's f back.
const CALLBACK_SERVER = `
import { runServer, NDArray } from './protocol.mjs';
await runServer(() => ({
  name: 'callback-fixture', version: '0', language: 'JavaScript',
  functions: {
    // A centered difference of the judge's f at x, each coordinate through two call-backs.
    async numerical_gradient({ f, x, h }) {
      console.log('this goes to stderr, not the protocol');
      const g = new Float64Array(x.data.length);
      for (let i = 0; i < x.data.length; i++) {
        const plus = Float64Array.from(x.data); plus[i] += h;
        const minus = Float64Array.from(x.data); minus[i] -= h;
        const fp = await f(new NDArray('float64', x.shape, plus));
        const fm = await f(new NDArray('float64', x.shape, minus));
        g[i] = (fp - fm) / (2 * h);
      }
      return new NDArray('float64', x.shape, g);
    },
  },
}));
`;

describe('call-backs through the protocol library', () => {
  const s = new Session(['--input-type=module', '-e', CALLBACK_SERVER]);
  after(() => s.child.kill());

  test('a function argument is called back, its results awaited, and the call answered', async () => {
    const hello = await s.hello();
    assert.deepEqual(hello.provides, ['numerical_gradient']);
    s.send(`{"op": "call", "id": 7, "function": "numerical_gradient", "args": {"f": {"$function": 3}, "x": ${arr('float64', [2], [3.0, -1.0])}, "h": 0.5, "centered": true}}`);
    const seen = [];
    for (;;) {
      const msg = await s.recv();
      if (!('callback' in msg)) {
        assert.equal(msg.id, 7n);
        assert.deepEqual(Array.from(resultArray(msg).data), [6, -2]); // f = sum of squares: exact for h = 0.5
        break;
      }
      assert.equal(msg.callback, 3n);
      const x = decode(msg.args[0]);
      seen.push(Array.from(x.data));
      s.send(`{"result": ${encode(x.data.reduce((acc, v) => acc + v * v, 0))}}`);
    }
    assert.deepEqual(seen, [[3.5, -1], [2.5, -1], [3, -0.5], [3, -1.5]]);
    assert.match(s.stderr, /this goes to stderr/);
  });

  test('an error the judge reports from f becomes the call\'s error', async () => {
    s.send(`{"op": "call", "id": 8, "function": "numerical_gradient", "args": {"f": {"$function": 4}, "x": ${arr('float64', [1], [1.0])}, "h": 0.5, "centered": true}}`);
    const msg = await s.recv();
    assert.equal(msg.callback, 4n);
    s.send('{"error": {"type": "ValueError", "message": "f must return a finite value"}}');
    const reply = await s.recv();
    assert.equal(reply.id, 8n);
    assert.deepEqual(reply.error, { type: 'ValueError', message: 'f must return a finite value' });
  });

  test('a function the server does not provide is refused, and the session goes on', async () => {
    const r = await s.call('softmax', '{"S": [[0.0, 1.0]]}');
    assert.equal(r.error.type, 'ProtocolError');
    assert.deepEqual(await s.bye(), { code: 0, signal: null });
  });
});

test('a hello of another protocol version is answered with a ProtocolError, and the server exits', async () => {
  const s = new Session(['convnetjs-server.mjs']);
  s.send('{"op": "hello", "protocol": 2, "spec": "x", "contract": []}');
  const reply = await s.recv();
  assert.equal(reply.error.type, 'ProtocolError');
  assert.notEqual((await s.exited).code, 0);
});
