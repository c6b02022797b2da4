// The demo's JavaScript model (docs/pages/demo/linear.js) under Node's built-in test runner, no npm
// dependency: `node --test docs/tests/`. It checks the worked figures of spec/golden/worked_figures.json
// within the tolerance of clause CONV-10, and every analytic gradient against centred finite differences.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as L from "../pages/demo/linear.js";

const GOLDEN = JSON.parse(readFileSync(new URL("../../spec/golden/worked_figures.json", import.meta.url), "utf8"));
const EPS = 2 ** -52;
const ULPS = 16; // reference/tolerances.py

// CONV-10: 16 * terms * eps * max(1, magnitude), as reference.tolerances.atol.
function assertClose(actual, expected, terms, what) {
  const a = [actual].flat(Infinity), e = [expected].flat(Infinity);
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  const scale = Math.max(1, ...e.map(Math.abs));
  const tol = ULPS * Math.max(terms, 1) * EPS * scale;
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= tol, `${what}[${i}]: ${v}, expected ${e[i]} (tolerance ${tol})`));
}

const LOSS_FUNCTIONS = ["hinge_losses", "cross_entropy_losses", "softmax", "log_softmax", "l2_penalty", "svm_loss", "softmax_loss", "predict"];

for (const vector of GOLDEN.vectors.filter((v) => LOSS_FUNCTIONS.includes(v.function))) {
  test(`golden ${vector.id}: ${vector.function} (${vector.clause})`, () => {
    const fn = L.CONTRACT[vector.function];
    const args = Object.values(vector.args); // in the contract's argument order
    let result = fn(...args);
    if (vector.result_index !== undefined) result = result[vector.result_index];
    const K = vector.args.S?.[0]?.length ?? vector.args.W?.length ?? 1;
    assertClose(result, vector.expected, K, vector.id);
    if (vector.printed !== undefined) {
      const tol = [vector.printed_tolerance].flat(Infinity);
      [result].flat(Infinity).forEach((v, i) => {
        const printed = [vector.printed].flat(Infinity)[i];
        assert.ok(Math.abs(v - printed) <= (tol[i] ?? tol[0]), `${vector.id}: ${v} is not the printed ${printed}`);
      });
    }
  });
}

test("the golden file has the hinge and softmax figures this test relies on", () => {
  const ids = GOLDEN.vectors.map((v) => v.function);
  for (const name of ["hinge_losses", "cross_entropy_losses", "softmax"]) assert.ok(ids.includes(name), name);
});

test("Crammer-Singer on the notes' example: only the strongest rival counts", () => {
  // s = [13, -7, 11], y = 0, delta = 10: the rival 11 gives max(0, 11 - 13 + 10) = 8, as the hinge does here.
  assert.deepEqual(L.crammerSingerLosses([[13, -7, 11]], [0], 10), [8]);
  // s = [0.8, 0.3, -0.4] with y = 2: margins 2.2 and 1.7; the hinge sums them, Crammer-Singer keeps 2.2.
  assertClose(L.hingeLosses([[0.8, 0.3, -0.4]], [2]), [3.9], 3, "hinge");
  assertClose(L.crammerSingerLosses([[0.8, 0.3, -0.4]], [2]), [2.2], 3, "crammer-singer");
});

test("a margin of exactly 0 contributes nothing to loss or gradient (strict kink)", () => {
  const S = [[1, 0, 2]]; // y = 2: margins 1 - 2 + 1 = 0 and 0 - 2 + 1 = -1
  assert.deepEqual(L.hingeLosses(S, [2]), [0]);
  const plus0 = (G) => G.map((row) => row.map((v) => v + 0)); // -0 (as NumPy's -sum of nothing) reads as 0
  assert.deepEqual(plus0(L.hingeGrad(S, [2])), [[0, 0, 0]]);
  assert.deepEqual(L.crammerSingerLosses(S, [2]), [0]);
  assert.deepEqual(plus0(L.crammerSingerGrad(S, [2])), [[0, 0, 0]]);
});

test("softmax uses the max-shift: huge scores give finite probabilities and losses", () => {
  const P = L.softmax([[1000, 1001, 999]]);
  assertClose(P[0].reduce((a, v) => a + v, 0), 1, 3, "sum");
  assert.ok(P[0].every(Number.isFinite));
  assert.ok(Number.isFinite(L.crossEntropyLosses([[1e4, -1e4, 0]], [1])[0]));
});

test("the losses at W = 0 are (K - 1) * delta and log K (REG-5)", () => {
  const X = [[0.5, -1], [3, 0.25], [-2, 1]];
  const W = [[0, 0], [0, 0], [0, 0]];
  assert.equal(L.svmLoss(W, X, [0, 1, 2], 0.3)[0], 2);
  assert.equal(L.crammerSingerLoss(W, X, [0, 1, 2], 0.3)[0], 1);
  assertClose(L.softmaxLoss(W, X, [0, 1, 2], 0.3)[0], Math.log(3), 3, "softmax");
});

// ---------------------------------------------------------------- finite differences

// Random inputs whose margins all stay at least `gap` from 0, so the losses are smooth near them and a
// centred difference with h much smaller than the gap sees no kink.
function smoothPoint(seed, gap = 1e-3) {
  const r = L.rng(seed);
  for (;;) {
    const { X, y } = L.toyData(seed, 3);
    const W = Array.from({ length: 3 }, () => [r.normal(), r.normal()]);
    const b = [r.normal(), r.normal(), r.normal()];
    const S = L.scores(X, W, b);
    const ok = S.every((s, i) => s.every((v, j) => j === y[i] || Math.abs(v - s[y[i]] + 1) > gap));
    const rival = S.every((s, i) => {
      const others = s.filter((_, j) => j !== y[i]).sort((p, q) => q - p);
      return others[0] - others[1] > gap; // Crammer-Singer: no tie for the strongest rival
    });
    if (ok && rival) return { X, y, W, b };
  }
}

const H = 1e-6;
const GOOD = 1e-7; // relative error of a correct gradient in float64 (spec chapter 5)

for (const [name, loss, grad, extra] of [
  ["hinge_grad", L.hingeLosses, L.hingeGrad, [1]],
  ["crammerSingerGrad", L.crammerSingerLosses, L.crammerSingerGrad, [1]],
  ["cross_entropy_grad", L.crossEntropyLosses, L.crossEntropyGrad, []],
]) {
  test(`${name} matches finite differences of the mean loss in the scores`, () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { X, y, W, b } = smoothPoint(seed);
      const S = L.scores(X, W, b);
      const mean = (T) => loss(T, y, ...extra).reduce((a, v) => a + v, 0) / T.length;
      const numeric = L.numericalGradient(mean, S, H);
      const err = L.relativeError(grad(S, y, ...extra), numeric);
      assert.ok(err < GOOD, `seed ${seed}: relative error ${err}`);
    }
  });
}

for (const [name, full] of [
  ["svm_loss", (W, X, y, reg) => L.svmLoss(W, X, y, reg, 1)],
  ["crammerSingerLoss", (W, X, y, reg) => L.crammerSingerLoss(W, X, y, reg, 1)],
  ["softmax_loss", L.softmaxLoss],
]) {
  test(`${name}'s dW matches finite differences of the full loss (bias folded in)`, () => {
    for (const seed of [6, 7, 8]) {
      const { X, y, W, b } = smoothPoint(seed);
      const Wb = L.foldBias(W, b), Xb = L.appendOnes(X);
      const numeric = L.numericalGradient((V) => full(V, Xb, y, 0.05)[0], Wb, H);
      const err = L.relativeError(full(Wb, Xb, y, 0.05)[1], numeric);
      assert.ok(err < GOOD, `seed ${seed}: relative error ${err}`);
    }
  });
}

for (const loss of Object.keys(L.LOSSES)) {
  for (const penaliseBias of [false, true]) {
    test(`demoLoss(${loss}, penaliseBias=${penaliseBias}): dW and db match finite differences of the total`, () => {
      const { X, y, W, b } = smoothPoint(9);
      const options = { loss, reg: 0.1, delta: 1, penaliseBias };
      const got = L.demoLoss(X, y, W, b, options);
      const nW = L.numericalGradient((V) => L.demoLoss(X, y, V, b, options).total, W, H);
      const nb = L.numericalGradient((c) => L.demoLoss(X, y, W, c, options).total, b, H);
      assert.ok(L.relativeError(got.dW, nW) < GOOD, `dW: ${L.relativeError(got.dW, nW)}`);
      assert.ok(L.relativeError(got.db, nb) < GOOD, `db: ${L.relativeError(got.db, nb)}`);
    });
  }
}

test("demoLoss: the penalty is reg * sum(W^2), b included only when asked (spec 4.1)", () => {
  const { X, y } = L.toyData(1);
  const W = [[1, 2], [-1, 0.5], [0, -3]], b = [1, -2, 0.5];
  const without = L.demoLoss(X, y, W, b, { reg: 0.5 });
  const withBias = L.demoLoss(X, y, W, b, { reg: 0.5, penaliseBias: true });
  assertClose(without.penalty, 0.5 * (1 + 4 + 1 + 0.25 + 9), 6, "penalty of W");
  assertClose(withBias.penalty, 0.5 * (1 + 4 + 1 + 0.25 + 9 + 1 + 4 + 0.25), 9, "penalty of W and b");
  assert.equal(without.dataLoss, withBias.dataLoss);
  // penalised bias: the same as the contract's svm_loss on the folded arrays
  const [folded] = L.svmLoss(L.foldBias(W, b), L.appendOnes(X), y, 0.5);
  assertClose(withBias.total, folded, 12, "total vs svm_loss on folded arrays");
});

test("a small gradient step lowers the total loss for every loss", () => {
  const { X, y } = L.toyData(1);
  const W = [[0.4, -0.3], [-0.2, 0.5], [0.1, 0.2]], b = [0.2, -0.1, 0.3];
  for (const loss of Object.keys(L.LOSSES)) {
    const options = { loss, reg: 0.01 };
    const before = L.demoLoss(X, y, W, b, options).total;
    const next = L.demoStep(X, y, W, b, options, 0.05);
    assert.ok(L.demoLoss(X, y, next.W, next.b, options).total < before, loss);
  }
});

test("sgd_step returns a new array and leaves its arguments alone", () => {
  const W = [[1, 2]], dW = [[0.5, -1]];
  assert.deepEqual(L.sgdStep(W, dW, 0.1), [[0.95, 2.1]]);
  assert.deepEqual(W, [[1, 2]]);
  assert.deepEqual(L.sgdStep([1, 2], [0.5, -1], 0.1), [0.95, 2.1]);
});

test("bad input throws: a label out of range, a NaN, a negative step", () => {
  assert.throws(() => L.hingeLosses([[1, 2]], [2]), RangeError);
  assert.throws(() => L.softmax([[1, NaN]]), RangeError);
  assert.throws(() => L.sgdStep([[1]], [[1]], -1), RangeError);
  assert.throws(() => L.scores([[1, 2]], [[1, 2, 3], [0, 0, 0]]), RangeError);
});

test("toyData is seeded: the same seed, the same points; another seed, others", () => {
  assert.deepEqual(L.toyData(1), L.toyData(1));
  assert.notDeepEqual(L.toyData(1).X, L.toyData(2).X);
  assert.deepEqual(L.toyData(1).y, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
});
