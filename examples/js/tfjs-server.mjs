#!/usr/bin/env node
// TensorFlow.js (tfjs-core with the pure-JS CPU backend) mapped onto lcspec's contract, served over
// lcspec-protocol/1. Run: node examples/js/tfjs-server.mjs
//
// | contract                  | TensorFlow.js                                                        |
// |---------------------------|----------------------------------------------------------------------|
// | scores(X, W, b)           | tf.matMul(X, W, false, true), plus b (tf.add) when given             |
// | softmax(S)                | tf.softmax(S)                                                        |
// | log_softmax(S)            | tf.logSoftmax(S)                                                     |
// | cross_entropy_losses(S,y) | tf.losses.softmaxCrossEntropy(tf.oneHot(y, K), S, undefined, 0, Reduction.NONE) |
// | cross_entropy_grad(S, y)  | tf.grad of the same per-example losses, seeded with dy = 1/N (the mean's gradient) |
// | predict(S)                | tf.argMax(S, 1) (int32)                                              |
// | accuracy(S, y)            | tf.mean(tf.cast(tf.equal(tf.argMax(S, 1), y), 'float32'))            |
//
// tfjs computes in float32: every float input is rounded to float32 on the way in (that rounding is
// tfjs's, as it would be for any caller), and results are returned as tfjs gives them, Float32Array
// with dtype float32.

import { createRequire } from 'node:module';
import { NDArray, runServer } from './protocol.mjs';
import { contract } from './checks.mjs';

const require = createRequire(import.meta.url);

await runServer(async () => {
  // One tfjs-core instance for both packages (require resolves them to the same module).
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();

  const f32 = (A) => tf.tensor(Float32Array.from(A.data), A.shape, 'float32');
  const int32 = (y) => tf.tensor1d(Int32Array.from(y), 'int32');
  const out = (t) => {
    const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
    return new NDArray(dtype, t.shape.slice(), t.dataSync().slice());
  };
  const run = (body) => {
    const t = tf.tidy(body);
    try {
      return out(t);
    } finally {
      t.dispose();
    }
  };
  const onehot = (y, k) => tf.cast(tf.oneHot(int32(y), k), 'float32');
  const crossEntropy = (S, y, reduction) => tf.losses.softmaxCrossEntropy(onehot(y, S.shape[1]), S, undefined, 0, reduction);

  return {
    name: 'TensorFlow.js (tfjs-core + tfjs-backend-cpu)',
    version: tf.version_core,
    language: `JavaScript (Node.js ${process.versions.node})`,
    precision: 'float32',
    notes: [
      'TensorFlow.js computes in float32: float64 inputs are rounded to float32 by the wrapper on the way in '
        + '(as tf.tensor does), and every float result is tfjs\'s Float32Array, returned with dtype float32.',
      'cross_entropy_losses is tf.losses.softmaxCrossEntropy(tf.oneHot(y, K), S) with Reduction.NONE: '
        + 'logSumExp(S) subtracted from S, times the one-hot labels, summed per row.',
      'cross_entropy_grad is tf.grad of the same per-example losses with dy = 1/N, the gradient of their mean (the '
        + "contract's gradient is of the mean loss): tfjs's custom gradient (exp(logSoftmax) - onehot) times float32(1/N). "
        + "tfjs-core's Node bundle registers no gradient for Mean, so the seed stands in for Reduction.MEAN.",
      'predict is tf.argMax(S, 1) (int32); accuracy the float32 mean of tf.equal(argMax, y), a float32 scalar.',
      'scores is tf.matMul(X, W, false, true), plus b when given.',
      "Arguments are checked as lcspec's reference checks them (reference/_checks.py) before tfjs sees them.",
    ],
    functions: {
      scores: contract('scores', ({ X, W, b }) => run(() => {
        const S = tf.matMul(f32(X), f32(W), false, true);
        return b ? tf.add(S, f32(b)) : S;
      })),
      softmax: contract('softmax', ({ S }) => run(() => tf.softmax(f32(S)))),
      log_softmax: contract('log_softmax', ({ S }) => run(() => tf.logSoftmax(f32(S)))),
      cross_entropy_losses: contract('cross_entropy_losses', ({ S, y }) => run(() => (
        crossEntropy(f32(S), y, tf.Reduction.NONE)
      ))),
      cross_entropy_grad: contract('cross_entropy_grad', ({ S, y }) => run(() => {
        // The gradient of the mean: the per-example losses' gradient seeded with dy = 1/N, the seed
        // Reduction.MEAN's Mean would pass down (tfjs-core's Node bundle registers no Mean gradient).
        const dy = tf.fill([S.shape[0]], 1 / S.shape[0], 'float32');
        return tf.grad((s) => crossEntropy(s, y, tf.Reduction.NONE))(f32(S), dy);
      })),
      predict: contract('predict', ({ S }) => run(() => tf.argMax(f32(S), 1))),
      accuracy: contract('accuracy', ({ S, y }) => run(() => (
        tf.mean(tf.cast(tf.equal(tf.argMax(f32(S), 1), int32(y)), 'float32'))
      ))),
    },
  };
});
