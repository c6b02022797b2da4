#!/usr/bin/env node
// The demo's own model, docs/pages/demo/linear.js, served over lcspec-protocol/1 (spec/protocol.md), so
// the judge checks the JavaScript the demo page computes with, argument checks included:
//
//   cd /tmp && lcspec check "cmd:node /work/main/docs/tests/demo_server.mjs" --level strict \
//       --deviations /work/main/docs/tests/demo_server.deviations
//
// Every contract function is linear.js's own, by linear.js's own mapping (its `CONTRACT` export:
// scores -> scores, append_ones -> appendOnes, svm_loss -> svmLoss, ...). The server only converts:
//
// | protocol value                         | what linear.js is given                                  |
// |----------------------------------------|----------------------------------------------------------|
// | float, int, 0-d numeric array          | a number (an int becomes a double: JS has no integers)   |
// | bool, string, null                     | themselves                                               |
// | n-d array                              | nested JS arrays of rows (numbers, booleans, strings...) |
// | list, tuple                            | a JS array (entries converted the same way)              |
// | the judge's function (`f`)             | a synchronous function (see "call-backs" below)          |
//
// and back: a nested array of numbers becomes a float64 array (its shape read off the nesting; an empty
// batch keeps the column count the inputs imply), predict's labels an int64 array, a number a float,
// the [loss, dW] pair of the full losses a tuple. Nothing is checked here: linear.js does all the
// argument checking it does on the page. Its errors are its own: a TypeError stays a TypeError, a
// RangeError is the contract's ValueError (linear.js's header says so). A TypeError or RangeError the
// JavaScript engine raised by itself (a crash inside linear.js, not one of its checks, which all say
// what an argument "must" be or that a result "overflowed") is reported as such, not as a check.
//
// Call-backs. linear.js's numericalGradient calls f synchronously, while the judge answers a
// call-back over stdin, asynchronously. The server replays: it runs numericalGradient with an f that
// answers the calls it has already sent to the judge from a log, in order, and stops at the first new
// one; it then asks the judge that one call and runs numericalGradient again. The judge sees each call
// of f once, in linear.js's order, and linear.js sees the judge's answers (or errors) in that order.

import { NDArray, Tuple, runServer } from '../../examples/js/protocol.mjs';
import { CONTRACT } from '../pages/demo/linear.js';

// ---------------------------------------------------------------- protocol values -> linear.js

/** A protocol value (decoded by protocol.mjs) as a JS caller of linear.js would hold it. */
function toJS(v) {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof Tuple) return v.items.map(toJS);
  if (v instanceof NDArray) return nestedOf(v);
  return v; // number, boolean, string, null, Opaque, function
}

function entryOf(a, j) {
  switch (a.kind) {
    case 'f': return a.data[j];
    case 'i': case 'u': return Number(a.data[j]);
    case 'b': return Boolean(a.data[j]);
    case 'c': return { re: a.data[2 * j], im: a.data[2 * j + 1] };
    case 'O': return toJS(a.data[j]);
    default: return a.data[j]; // str
  }
}

function nestedOf(a) {
  if (a.ndim === 0) return entryOf(a, 0);
  let next = 0;
  const build = (axis) => Array.from({ length: a.shape[axis] }, () => (
    axis === a.ndim - 1 ? entryOf(a, next++) : build(axis + 1)
  ));
  // An empty axis ends the nesting early; the entries of the later axes are never reached.
  return build(0);
}

/** The shape of a protocol value, as far as it has one (an empty list has shape (0,)). */
function shapeOf(v) {
  if (v instanceof NDArray) return v.shape;
  const items = v instanceof Tuple ? v.items : v;
  if (!Array.isArray(items)) return [];
  return items.length ? [items.length, ...shapeOf(items[0])] : [0];
}

// ---------------------------------------------------------------- linear.js's results -> protocol values

function isNumberGrid(value) {
  if (!Array.isArray(value)) return typeof value === 'number';
  return value.every(isNumberGrid);
}

/**
 * A nested JS array of numbers as an array of `dtype`. `empty` is the shape to report when linear.js
 * returns no rows at all ([]), where the nesting cannot say how many columns there were.
 */
function arrayOf(value, dtype, empty) {
  if (!Array.isArray(value) || !isNumberGrid(value)) return value; // not an array of numbers: as it is
  const shape = [];
  for (let level = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat = value.flat(Infinity);
  if (flat.length !== shape.reduce((x, y) => x * y, 1)) return value; // ragged: the judge sees a list
  if (value.length === 0 && empty) shape.splice(0, shape.length, ...empty);
  const data = dtype === 'int64' ? BigInt64Array.from(flat, (x) => BigInt(x)) : Float64Array.from(flat);
  return new NDArray(dtype, shape, data);
}

const float = (empty) => (value) => arrayOf(value, 'float64', empty);
const pair = (empty) => (value) => (
  Array.isArray(value) && value.length === 2 ? new Tuple([value[0], arrayOf(value[1], 'float64', empty)]) : value
);

// Per contract function: its parameters in signature order (spec/protocol.md section 9), and how its
// result travels back. `empty(args)` gives the result's shape for a batch of no rows.
const cols = (A) => shapeOf(A)[1] ?? 0;
const rowsOf = (A) => shapeOf(A)[0] ?? 0;
const SIGNATURES = {
  scores: [['X', 'W', 'b'], ({ W }) => float([0, rowsOf(W)])],
  append_ones: [['X'], ({ X }) => float([0, cols(X) + 1])],
  fold_bias: [['W', 'b'], ({ W }) => float([0, cols(W) + 1])],
  hinge_losses: [['S', 'y', 'delta'], () => float([0])],
  squared_hinge_losses: [['S', 'y', 'delta'], () => float([0])],
  crammer_singer_losses: [['S', 'y', 'delta'], () => float([0])],
  softmax: [['S'], ({ S }) => float([0, cols(S)])],
  log_softmax: [['S'], ({ S }) => float([0, cols(S)])],
  cross_entropy_losses: [['S', 'y'], () => float([0])],
  l2_penalty: [['W'], () => (v) => v],
  hinge_grad: [['S', 'y', 'delta'], ({ S }) => float([0, cols(S)])],
  cross_entropy_grad: [['S', 'y'], ({ S }) => float([0, cols(S)])],
  svm_loss: [['W', 'X', 'y', 'reg', 'delta'], ({ W }) => pair(shapeOf(W))],
  softmax_loss: [['W', 'X', 'y', 'reg'], ({ W }) => pair(shapeOf(W))],
  numerical_gradient: [['f', 'x', 'h', 'centered'], ({ x }) => float(shapeOf(x))],
  relative_error: [['a', 'b'], () => (v) => v],
  sgd_step: [['W', 'dW', 'learning_rate'], ({ W }) => float(shapeOf(W))],
  predict: [['S'], () => (v) => arrayOf(v, 'int64', [0])],
  accuracy: [['S', 'y'], () => (v) => v],
};

// ---------------------------------------------------------------- errors

// linear.js's own checks all say what an argument "must" be, or that a result "overflowed".
const OWN_CHECK = /\bmust\b|\boverflowed\b/;

/** An error from inside linear.js: its own checks keep their class; the engine's are named as such. */
function engineErrorsApart(err) {
  if ((err instanceof TypeError || err instanceof RangeError) && !OWN_CHECK.test(err.message)) {
    return Object.assign(new Error(err.message), { type: `JavaScript ${err.name} (not a check of linear.js)` });
  }
  return err;
}

// ---------------------------------------------------------------- call-backs, by replay

const STOP = Symbol('a call of f not yet answered by the judge');

/**
 * Run `body(wrap)` where `wrap(g)` turns the judge's asynchronous function g into a synchronous one,
 * by replaying `body` from the start once per new call of g (see the header).
 */
async function replaying(body) {
  const answered = []; // {value} or {error}, in the order linear.js made the calls
  for (;;) {
    let next = 0;
    let pending = null;
    const wrap = (g) => (typeof g !== 'function' ? g : (...args) => {
      if (next < answered.length) {
        const a = answered[next++];
        if ('error' in a) throw a.error;
        return a.value;
      }
      pending = { g, args };
      throw STOP;
    });
    try {
      const result = body(wrap);
      if (pending) throw new Error('linear.js caught the exception that stands for an unanswered call-back');
      return result;
    } catch (err) {
      if (err !== STOP) throw err;
    }
    try {
      answered.push({ value: toJS(await pending.g(...pending.args.map(float()))) });
    } catch (error) {
      answered.push({ error });
    }
  }
}

// ---------------------------------------------------------------- the server

function serverFunction(name) {
  const fn = CONTRACT[name];
  const [params, resultOf] = SIGNATURES[name];
  return async (args) => {
    const result = await replaying((wrap) => {
      try {
        return fn(...params.map((p) => wrap(toJS(args[p]))));
      } catch (err) {
        throw err === STOP ? err : engineErrorsApart(err);
      }
    });
    return resultOf(args)(result);
  };
}

const functions = Object.fromEntries(Object.keys(SIGNATURES).filter((n) => n in CONTRACT).map((n) => [n, serverFunction(n)]));

await runServer(() => ({
  name: 'lcspec demo (docs/pages/demo/linear.js)',
  version: '',
  language: 'javascript',
  precision: 'float64',
  notes: [
    "Every function is linear.js's own, as its CONTRACT export maps the contract's names; the server only converts "
      + 'values (arrays to nested JS arrays of rows, ints to doubles) and checks nothing: the argument checks judged are linear.js\'s.',
    'Errors: a TypeError is a TypeError, a RangeError a ValueError (as linear.js documents). A TypeError or RangeError '
      + 'of the JavaScript engine itself, not one of linear.js\'s checks, is reported as "JavaScript TypeError (not a check of linear.js)".',
    'numerical_gradient: linear.js calls f synchronously; the server replays the call, answering the calls of f already '
      + 'made from a log, so the judge sees each call of f once, in linear.js\'s order.',
    'Arguments are converted afresh for each call, so a change linear.js made to them would not be seen (no "modified").',
  ],
  functions,
}));
