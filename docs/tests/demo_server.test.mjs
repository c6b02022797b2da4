// docs/tests/demo_server.mjs speaks lcspec-protocol/1 (spec/protocol.md): `node --test docs/tests/`.
// The full judgement is lcspec's (`lcspec check "cmd:node docs/tests/demo_server.mjs"`); these tests only
// show the server answers a session: the handshake, a call, a refusal, and a call-back of
// numerical_gradient (the session of spec/protocol.md section 10).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import { CONTRACT } from "../pages/demo/linear.js";

const SERVER = fileURLToPath(new URL("demo_server.mjs", import.meta.url));

/** The server's stdout lines for a session of the judge's lines (each already JSON text). */
function session(...lines) {
  const input = [JSON.stringify({ op: "hello", protocol: 1, spec: "test", contract: Object.keys(CONTRACT) }), ...lines, '{"op": "bye"}'];
  const run = spawnSync(process.execPath, [SERVER], { input: `${input.join("\n")}\n`, encoding: "utf8", timeout: 20000 });
  assert.equal(run.status, 0, `the server exited with ${run.status}: ${run.stderr}`);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

const f64 = (shape, data) => ({ $array: { dtype: "float64", shape, data } });

test("the handshake names linear.js and provides every contract function it has", () => {
  const [hello] = session();
  assert.equal(hello.protocol, 1);
  assert.equal(hello.implementation.name, "lcspec demo (docs/pages/demo/linear.js)");
  assert.equal(hello.implementation.language, "javascript");
  assert.equal(hello.precision, "float64");
  assert.deepEqual(hello.provides, Object.keys(CONTRACT));
});

test("softmax of [1, 2, 3] answers linear.js's float64 row", () => {
  const [, answer] = session('{"op": "call", "id": 1, "function": "softmax", "args": {"S": {"$array": {"dtype": "float64", "shape": [1, 3], "data": [1.0, 2.0, 3.0]}}}}');
  assert.deepEqual(answer, { id: 1, result: f64([1, 3], [0.09003057317038046, 0.24472847105479764, 0.6652409557748218]) });
});

test("a RangeError of linear.js is the contract's ValueError", () => {
  const [, answer] = session('{"op": "call", "id": 2, "function": "softmax", "args": {"S": {"$array": {"dtype": "float64", "shape": [1, 2], "data": [1.0, "nan"]}}}}');
  assert.equal(answer.id, 2);
  assert.equal(answer.error.type, "ValueError");
  assert.match(answer.error.message, /\bS\b/);
});

test("numerical_gradient calls back once per evaluation of f, in linear.js's order", () => {
  // f(x) = x^2 at x = 3 with h = 0.5: the judge answers 3.5^2 and 2.5^2; the centred difference is 6.
  const lines = session(
    '{"op": "call", "id": 4, "function": "numerical_gradient", "args": {"f": {"$function": 1}, "x": {"$array": {"dtype": "float64", "shape": [1], "data": [3.0]}}, "h": 0.5, "centered": true}}',
    '{"result": 12.25}',
    '{"result": 6.25}',
  );
  assert.deepEqual(lines.slice(1), [
    { callback: 1, args: [f64([1], [3.5])] },
    { callback: 1, args: [f64([1], [2.5])] },
    { id: 4, result: f64([1], [6]) },
  ]);
});
