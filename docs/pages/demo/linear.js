// lcspec's linear classifier in plain JavaScript: scores, the three losses, their gradients, the L2
// penalty and the update rule. Pure functions only: nothing here touches the DOM, so the same file runs
// in the demo page (demo.js) and under Node.js (docs/tests/linear.test.mjs, `node --test docs/tests/`).
//
// Arrays are plain JS arrays of numbers (float64): a matrix is an array of rows. Shapes and names follow
// lcspec's contract (reference/__init__.py CONTRACT): X is (N, D), W is (K, D), b is (K), scores S are
// (N, K), y holds N integer labels in [0, K). The full losses take no bias; the demo folds it into W with
// the bias trick. Every function returns new arrays and never modifies its arguments. Bad input throws a
// TypeError (wrong kind of value) or a RangeError (wrong shape, a NaN or inf, a label out of range), where
// the reference raises TypeError or ValueError. `CONTRACT` at the end maps the contract's snake_case
// names onto these functions.
//
// Conventions, as in the spec: hinge losses are summed over the K - 1 wrong classes; a margin of exactly
// 0 is met and contributes nothing to the loss or the gradient; gradients are of the *mean* data loss;
// softmax is computed with the max-shift; the penalty is R(W) = sum of squares of every entry of the
// array it is given, and the full loss adds reg * R(W), whose gradient is 2 * reg * W.

// ---------------------------------------------------------------- checks

function realArray(name, value, ndim) {
  const depth = ndim ?? (Array.isArray(value) && Array.isArray(value[0]) ? 2 : 1);
  // A lone number is an array of 0 dimensions (numpy's view, and the contract's): a wrong shape.
  if (typeof value === "number") throw new RangeError(`${name} must be ${depth}-dimensional, got a number (0-dimensional)`);
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, got ${typeof value}`);
  const rows = depth === 2 ? value : [value];
  const width = depth === 2 && rows.length ? rows[0].length : null;
  for (const row of rows) {
    if (!Array.isArray(row)) throw new RangeError(`${name} must be ${depth}-dimensional (an array of rows)`);
    if (width !== null && row.length !== width) throw new RangeError(`${name} must be rectangular: rows of ${width} and ${row.length} entries`);
    for (const v of row) {
      if (Array.isArray(v)) throw new RangeError(`${name} must be ${depth}-dimensional, found a nested array`);
      if (typeof v !== "number") throw new TypeError(`${name} must hold numbers, found ${typeof v}`);
      if (!Number.isFinite(v)) throw new RangeError(`${name} must contain only finite values (no NaN or inf)`);
    }
  }
  return value;
}

function scoreMatrix(name, S, needRows) {
  realArray(name, S, 2);
  if (needRows && S.length === 0) throw new RangeError(`${name} must have N >= 1 rows because a mean over examples is taken`);
  if (S.length && S[0].length < 2) throw new RangeError(`${name} must have K >= 2 class columns, got ${S[0].length}`);
  return S;
}

function weightMatrix(name, W) {
  realArray(name, W, 2);
  if (W.length < 2) throw new RangeError(`${name} must have K >= 2 rows (shape (K, D)), got ${W.length}`);
  return W;
}

function labels(name, y, n, k) {
  if (typeof y === "number") throw new RangeError(`${name} must be 1-dimensional (one label per example), got a number`);
  if (!Array.isArray(y)) throw new TypeError(`${name} must be an array of integer labels`);
  if (y.length !== n) throw new RangeError(`${name} must have ${n} entries, one label per example, got ${y.length}`);
  for (const v of y) {
    if (Array.isArray(v)) throw new RangeError(`${name} must be 1-dimensional (one label per example), found a nested array`);
    if (!Number.isInteger(v)) throw new TypeError(`${name} must hold integer class labels, found ${v}`);
    if (v < 0 || v >= k) throw new RangeError(`${name} must be class indices in [0, ${k}), found ${v}`);
  }
  return y;
}

function nonnegative(name, value, strictly = false) {
  if (typeof value !== "number") throw new TypeError(`${name} must be a real number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${value}`);
  if (value < 0 || (strictly && value === 0)) throw new RangeError(`${name} must be ${strictly ? "> 0" : ">= 0"}, got ${value}`);
  return value;
}

function finiteResult(name, rows, cause) {
  for (const row of rows) for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`${name} overflowed float64 (${cause}); rescale the inputs`);
  return rows;
}

const zeros = (n, k) => Array.from({ length: n }, () => new Array(k).fill(0));

// ---------------------------------------------------------------- score function (chapter 1)

/** Class scores S = X W^T + 1 b^T, one row per example; b = null means no bias (the bias-trick form). */
export function scores(X, W, b = null) {
  realArray("X", X, 2);
  weightMatrix("W", W);
  const D = W[0].length;
  if (X.length && X[0].length !== D) throw new RangeError(`X must have D = ${D} columns to match W, got ${X[0].length}`);
  if (b !== null) {
    realArray("b", b, 1);
    if (b.length !== W.length) throw new RangeError(`b must have ${W.length} entries, one bias per class of W, got ${b.length}`);
  }
  const S = X.map((x) => W.map((w, k) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += x[d] * w[d];
    return b === null ? s : s + b[k];
  }));
  return finiteResult("scores", S, "X W^T + b is larger than 1.8e308");
}

/** The bias trick's data half: a constant feature 1 appended to every example (last). */
export function appendOnes(X) {
  realArray("X", X, 2);
  return X.map((x) => [...x, 1]);
}

/** The bias trick's weight half: b stored as an extra last column of W. */
export function foldBias(W, b) {
  weightMatrix("W", W);
  realArray("b", b, 1);
  if (b.length !== W.length) throw new RangeError(`b must have ${W.length} entries, one bias per row of W, got ${b.length}`);
  return W.map((w, k) => [...w, b[k]]);
}

/** Predicted class per example: the index of the highest score, ties to the lowest index. */
export function predict(S) {
  scoreMatrix("S", S, false);
  return S.map((s) => s.reduce((best, v, j) => (v > s[best] ? j : best), 0));
}

/** Fraction of examples whose predicted class equals the label. */
export function accuracy(S, y) {
  scoreMatrix("S", S, true);
  labels("y", y, S.length, S[0].length);
  const hits = predict(S).filter((p, i) => p === y[i]).length;
  return hits / S.length;
}

// ---------------------------------------------------------------- multiclass SVM losses (chapter 2)

// Margins m_ij = (s_ij - s_iy) + delta, with the correct class's own entry set to 0 (not a competitor).
function margins(S, y, delta, needRows) {
  scoreMatrix("S", S, needRows);
  labels("y", y, S.length, S.length ? S[0].length : 2);
  nonnegative("delta", delta);
  return S.map((s, i) => s.map((v, j) => (j === y[i] ? 0 : (v - s[y[i]]) + delta)));
}

/** Weston-Watkins multiclass SVM loss per example: L_i = sum over j != y_i of max(0, s_j - s_y + delta). */
export function hingeLosses(S, y, delta = 1.0) {
  return margins(S, y, delta, false).map((m) => m.reduce((sum, v) => sum + Math.max(v, 0), 0));
}

/** Squared-hinge (L2-SVM) loss per example: the sum of the squared positive margins. */
export function squaredHingeLosses(S, y, delta = 1.0) {
  return margins(S, y, delta, false).map((m) => m.reduce((sum, v) => sum + Math.max(v, 0) ** 2, 0));
}

/** Crammer-Singer loss per example: only the strongest rival counts, L_i = max(0, max_{j != y_i} s_j - s_y + delta). */
export function crammerSingerLosses(S, y, delta = 1.0) {
  // The y_i entry of the margins is 0, which max(0, .) absorbs, so a plain row maximum is the rival's.
  return margins(S, y, delta, false).map((m) => m.reduce((top, v) => Math.max(top, v), 0));
}

/** Gradient of the mean Weston-Watkins loss with respect to the scores (N, K); a margin of exactly 0 gives 0. */
export function hingeGrad(S, y, delta = 1.0) {
  const M = margins(S, y, delta, true);
  const N = S.length;
  return M.map((m, i) => {
    const g = m.map((v, j) => (j !== y[i] && v > 0 ? 1 : 0));
    g[y[i]] = -g.reduce((a, v) => a + v, 0);
    return g.map((v) => v / N);
  });
}

/**
 * Gradient of the mean Crammer-Singer loss with respect to the scores. Not part of lcspec's contract (the
 * spec defines this loss's value only); the demo needs it to step. Where the rival's margin is > 0 the
 * row is +1/N at the rival and -1/N at the correct class; a margin of exactly 0 gives 0, and of rivals
 * tied for the maximum the lowest index is taken (one valid subgradient, as `predict` breaks ties).
 */
export function crammerSingerGrad(S, y, delta = 1.0) {
  const M = margins(S, y, delta, true);
  const N = S.length;
  return M.map((m, i) => {
    const g = new Array(m.length).fill(0);
    let rival = -1;
    for (let j = 0; j < m.length; j++) if (j !== y[i] && (rival < 0 || m[j] > m[rival])) rival = j;
    if (m[rival] > 0) {
      g[rival] = 1 / N;
      g[y[i]] = -1 / N;
    }
    return g;
  });
}

// ---------------------------------------------------------------- softmax cross-entropy (chapter 3)

// Per row: z_j = s_j - max_k s_k with its exact rounding error (Knuth's TwoSum), e^{z_j} corrected by it,
// and the sum of the other exponentials (all but the row's argmax, whose term is exactly 1), as in the
// reference's reference/cross_entropy.py, so tiny log-probabilities survive through log1p.
function shifted(S) {
  return S.map((s) => {
    const top = s.reduce((best, v, j) => (v > s[best] ? j : best), 0);
    const peak = s[top];
    const Z = [], Zerr = [], E = [];
    let rest = 0;
    for (let j = 0; j < s.length; j++) {
      const z = s[j] - peak;
      let err = 0;
      if (Number.isFinite(z)) {
        const back = z + peak;
        err = (s[j] - back) + ((back - z) - peak);
        if (!Number.isFinite(err)) err = 0;
      }
      let e = Math.exp(z);
      e += e * err; // e^{z + err} = e^z (1 + err) to within err^2
      if (j === top) e = 0;
      Z.push(z);
      Zerr.push(err);
      E.push(e);
      rest += e;
    }
    return { Z, Zerr, E, rest, top };
  });
}

/** Row-wise softmax of the scores, computed with the max-shift (finite for every finite input). */
export function softmax(S) {
  scoreMatrix("S", S, false);
  return shifted(S).map(({ E, rest, top }) => E.map((e, j) => (j === top ? 1 : e) / (1 + rest)));
}

/** Row-wise log of the softmax, without forming the softmax: z_j - log(1 + sum of the other e^{z_k}). */
export function logSoftmax(S) {
  scoreMatrix("S", S, false);
  return shifted(S).map(({ Z, Zerr, rest }) => {
    const lse = Math.log1p(rest);
    return Z.map((z, j) => (z - lse) + Zerr[j]);
  });
}

/** Softmax cross-entropy loss per example: L_i = -log p_{i, y_i} (natural log). */
export function crossEntropyLosses(S, y) {
  scoreMatrix("S", S, false);
  labels("y", y, S.length, S.length ? S[0].length : 2);
  return logSoftmax(S).map((row, i) => -row[y[i]]);
}

/** Gradient of the mean cross-entropy loss with respect to the scores: (p_ij - 1(j = y_i)) / N. */
export function crossEntropyGrad(S, y) {
  scoreMatrix("S", S, true);
  labels("y", y, S.length, S[0].length);
  const N = S.length;
  return softmax(S).map((p, i) => p.map((v, j) => (j === y[i] ? v - 1 : v) / N));
}

// ---------------------------------------------------------------- L2 penalty and the full loss (chapter 4)

/** R(W): the sum of the squares of every entry of the array it is given (no factor 1/2). */
export function l2Penalty(W) {
  realArray("W", W, 2);
  let sum = 0;
  for (const row of W) for (const v of row) sum += v * v;
  if (!Number.isFinite(sum)) throw new RangeError("l2_penalty overflowed float64 (the sum of squares is larger than 1.8e308)");
  return sum;
}

/** The regularisation loss reg * R(W), scaled by the largest |entry| so R(W) cannot overflow; 0 when reg is 0. */
export function l2RegularizationLoss(W, reg) {
  realArray("W", W, 2);
  nonnegative("reg", reg);
  let largest = 0;
  for (const row of W) for (const v of row) largest = Math.max(largest, Math.abs(v));
  if (reg === 0 || largest === 0) return 0;
  let sum = 0;
  for (const row of W) for (const v of row) sum += (v / largest) ** 2;
  const value = (Math.sqrt(reg) * largest) ** 2 * sum;
  if (!Number.isFinite(value)) throw new RangeError("the regularisation loss reg * l2_penalty(W) overflowed float64");
  return value;
}

/** Gradient of reg * R(W): 2 * reg * W. */
export function l2PenaltyGrad(W, reg) {
  realArray("W", W, 2);
  nonnegative("reg", reg);
  return W.map((row) => row.map((v) => (2 * reg) * v));
}

// The full loss of the contract: S = X W^T, the mean data loss plus reg * R(W), and
// dW = G^T X + 2 reg W with G the data loss's gradient with respect to the scores.
function fullLoss(W, X, y, reg, dataLosses, dataGrad) {
  weightMatrix("W", W);
  realArray("X", X, 2);
  nonnegative("reg", reg);
  if (X.length === 0) throw new RangeError("X must have N >= 1 rows because the data loss is a mean over examples");
  if (X[0].length !== W[0].length) throw new RangeError(`X must have D = ${W[0].length} columns to match W, got ${X[0].length}`);
  labels("y", y, X.length, W.length);
  const S = scores(X, W);
  const losses = dataLosses(S, y);
  const loss = losses.reduce((a, v) => a + v, 0) / X.length + l2RegularizationLoss(W, reg);
  const G = dataGrad(S, y);
  const dW = W.map((w, k) => w.map((v, d) => {
    let sum = 0;
    for (let i = 0; i < X.length; i++) sum += G[i][k] * X[i][d];
    return sum + (2 * reg) * v;
  }));
  return [loss, dW];
}

/** Full multiclass SVM (Weston-Watkins) loss and its gradient: [loss, dW]. No bias argument (fold it into W). */
export function svmLoss(W, X, y, reg, delta = 1.0) {
  return fullLoss(W, X, y, reg, (S, t) => hingeLosses(S, t, delta), (S, t) => hingeGrad(S, t, delta));
}

/** Full Crammer-Singer loss and its gradient: [loss, dW]. A demo extension; the contract has no such function. */
export function crammerSingerLoss(W, X, y, reg, delta = 1.0) {
  return fullLoss(W, X, y, reg, (S, t) => crammerSingerLosses(S, t, delta), (S, t) => crammerSingerGrad(S, t, delta));
}

/** Full softmax cross-entropy loss and its gradient: [loss, dW]. */
export function softmaxLoss(W, X, y, reg) {
  return fullLoss(W, X, y, reg, crossEntropyLosses, crossEntropyGrad);
}

// ---------------------------------------------------------------- gradients and the update (chapters 5, 6)

/** One step against the gradient, W - learningRate * dW, as a new array (W 1- or 2-dimensional). */
export function sgdStep(W, dW, learningRate) {
  realArray("W", W);
  realArray("dW", dW);
  nonnegative("learning_rate", learningRate);
  const two = Array.isArray(W[0]);
  const rows = two ? W : [W];
  const drows = Array.isArray(dW[0]) ? dW : [dW];
  if (rows.length !== drows.length || rows.some((r, k) => r.length !== drows[k].length)) {
    throw new RangeError("dW must have the same shape as W");
  }
  const out = finiteResult("sgd_step", rows.map((r, k) => r.map((v, d) => v - learningRate * drows[k][d])), "W - learning_rate * dW is larger than 1.8e308");
  return two ? out : out[0];
}

/** Centred (or one-sided) finite-difference gradient of a scalar function of a 1- or 2-dimensional array. */
export function numericalGradient(f, x, h = 1e-5, centered = true) {
  if (typeof f !== "function") throw new TypeError("f must be a function");
  realArray("x", x);
  nonnegative("h", h, true);
  const two = Array.isArray(x[0]);
  const point = two ? x.map((r) => [...r]) : [[...x]];
  const call = () => {
    const value = f(two ? point.map((r) => [...r]) : [...point[0]]);
    if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError("f must return a finite number");
    return value;
  };
  const base = centered ? null : call();
  const grad = point.map((row, r) => row.map((old, c) => {
    point[r][c] = old + h;
    const plus = call();
    let g;
    if (centered) {
      point[r][c] = old - h;
      g = (plus - call()) / (2 * h);
    } else {
      g = (plus - base) / h;
    }
    point[r][c] = old;
    return g;
  }));
  return two ? grad : grad[0];
}

/** The gradient-check figure: ||a - b|| / max(||a||, ||b||), 0 when both are 0 (numbers or arrays). */
export function relativeError(a, b) {
  const flat = (name, v) => {
    if (typeof v !== "number" && !Array.isArray(v)) throw new TypeError(`${name} must be a number or an array of numbers, got ${typeof v}`);
    const entries = typeof v === "number" ? [v] : v.flat(Infinity);
    for (const e of entries) if (typeof e !== "number") throw new TypeError(`${name} must hold numbers, found ${typeof e}`);
    return entries;
  };
  const fa = flat("a", a), fb = flat("b", b);
  if (fa.length !== fb.length) throw new RangeError("b must have the same shape as a");
  for (const v of fa.concat(fb)) if (!Number.isFinite(v)) throw new RangeError("a and b must contain only finite values");
  let largest = 0;
  for (const v of [fa, fb]) for (const e of v) largest = Math.max(largest, Math.abs(e));
  if (largest === 0) return 0;
  // Scaled by the largest |entry| first, as the reference does: neither the norms nor a - b can overflow.
  const sa = fa.map((v) => v / largest), sb = fb.map((v) => v / largest);
  const norm = (v) => Math.sqrt(v.reduce((sum, e) => sum + e * e, 0));
  return norm(sa.map((v, i) => v - sb[i])) / Math.max(norm(sa), norm(sb));
}

// ---------------------------------------------------------------- the demo's model: W (K, D) and b (K) kept apart

/** The three losses the demo offers: per-example values and the gradient of their mean with respect to S. */
export const LOSSES = {
  svm: { name: "Weston–Watkins multiclass SVM", perExample: hingeLosses, grad: hingeGrad, usesDelta: true },
  crammer_singer: { name: "Crammer–Singer multiclass SVM", perExample: crammerSingerLosses, grad: crammerSingerGrad, usesDelta: true },
  softmax: { name: "softmax cross-entropy", perExample: (S, y) => crossEntropyLosses(S, y), grad: (S, y) => crossEntropyGrad(S, y), usesDelta: false },
};

/**
 * Everything the demo shows for weights W (K, D) and biases b (K): the scores, each example's loss,
 * the mean data loss, the penalty reg * R, the total, and the gradient of the total (dW, db).
 *
 * The penalty follows spec chapter 4 (section 4.1): R is the sum of squares of every entry of the array
 * given to l2_penalty. By default that array is W alone, so b is not penalised (the notes' advice; in
 * contract terms: svm_loss(fold_bias(W, b), append_ones(X), y, reg=0) plus reg * l2_penalty(W)). With
 * penaliseBias the array is fold_bias(W, b), which is what svm_loss on the folded arrays computes.
 */
export function demoLoss(X, y, W, b, { loss = "svm", reg = 0, delta = 1.0, penaliseBias = false } = {}) {
  const kind = LOSSES[loss];
  if (!kind) throw new RangeError(`loss must be one of ${Object.keys(LOSSES).join(", ")}, got ${loss}`);
  const Wb = foldBias(W, b);
  const Xb = appendOnes(X);
  labels("y", y, X.length, W.length);
  const S = scores(X, W, b);
  const perExample = kind.usesDelta ? kind.perExample(S, y, delta) : kind.perExample(S, y);
  const dataLoss = perExample.reduce((a, v) => a + v, 0) / X.length;
  const penalised = penaliseBias ? Wb : W;
  const penalty = l2RegularizationLoss(penalised, reg);
  const G = kind.usesDelta ? kind.grad(S, y, delta) : kind.grad(S, y);
  const dWb = Wb.map((w, k) => w.map((_, d) => Xb.reduce((sum, x, i) => sum + G[i][k] * x[d], 0)));
  const D = W[0].length;
  const dW = dWb.map((row, k) => row.slice(0, D).map((v, d) => v + (2 * reg) * W[k][d]));
  const db = dWb.map((row, k) => row[D] + (penaliseBias ? (2 * reg) * b[k] : 0));
  return { S, perExample, dataLoss, penalty, total: dataLoss + penalty, dW, db, predicted: predict(S), accuracy: accuracy(S, y) };
}

/** One gradient-descent step on (W, b) of the demo's total loss; returns the new { W, b }. */
export function demoStep(X, y, W, b, options, learningRate) {
  const { dW, db } = demoLoss(X, y, W, b, options);
  return { W: sgdStep(W, dW, learningRate), b: sgdStep(b, db, learningRate) };
}

// ---------------------------------------------------------------- seeded data

/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same numbers everywhere. */
export function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()); // Box-Muller
  return { uniform, normal };
}

/**
 * The demo's toy data set: `perClass` points of each of three classes in the plane, from Gaussian blobs
 * whose centres sit on a circle of radius 2 (turned by a random angle), rounded to two decimals so the
 * numbers in the table are the numbers used.
 */
export function toyData(seed, perClass = 4) {
  const r = rng(seed);
  const turn = 2 * Math.PI * r.uniform();
  const X = [], y = [];
  for (let k = 0; k < 3; k++) {
    const angle = turn + (2 * Math.PI * k) / 3;
    const cx = 2 * Math.cos(angle), cy = 2 * Math.sin(angle);
    for (let n = 0; n < perClass; n++) {
      X.push([cx + 0.9 * r.normal(), cy + 0.9 * r.normal()].map((v) => Math.round(v * 100) / 100));
      y.push(k);
    }
  }
  return { X, y };
}

// ---------------------------------------------------------------- lcspec's contract names

/** The functions of lcspec's contract (reference.CONTRACT) this file provides, by their contract names. */
export const CONTRACT = {
  scores,
  append_ones: appendOnes,
  fold_bias: foldBias,
  hinge_losses: hingeLosses,
  squared_hinge_losses: squaredHingeLosses,
  crammer_singer_losses: crammerSingerLosses,
  softmax,
  log_softmax: logSoftmax,
  cross_entropy_losses: crossEntropyLosses,
  l2_penalty: l2Penalty,
  hinge_grad: hingeGrad,
  cross_entropy_grad: crossEntropyGrad,
  svm_loss: svmLoss,
  softmax_loss: softmaxLoss,
  numerical_gradient: numericalGradient,
  relative_error: relativeError,
  sgd_step: sgdStep,
  predict,
  accuracy,
};
