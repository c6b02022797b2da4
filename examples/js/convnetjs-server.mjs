#!/usr/bin/env node
// convnetjs (Karpathy's deep learning in the browser) mapped onto lcspec's contract, served over
// lcspec-protocol/1. Run: node examples/js/convnetjs-server.mjs
//
// | contract                  | convnetjs                                                           |
// |---------------------------|---------------------------------------------------------------------|
// | scores(X, W, b)           | FullyConnLayer: filters[k].w = W[k], biases.w = b (0 when b is None), forward per example |
// | hinge_losses(S, y, 1)     | SVMLayer.backward(y_i) per example: the loss it returns, unchanged  |
// | hinge_grad(S, y, 1)       | SVMLayer.backward(y_i): in_act.dw, the gradient of L_i; / N for the mean |
// | softmax(S)                | SoftmaxLayer.forward per example                                    |
// | cross_entropy_losses(S,y) | SoftmaxLayer.backward(y_i): -log p_y                                |
// | cross_entropy_grad(S, y)  | SoftmaxLayer.backward(y_i): in_act.dw = p - onehot(y_i); / N        |
//
// convnetjs has no batch axis: a Vol is one example, so each row of S (or X) goes through the layer
// on its own. Its arrays are Float64Array (convnetjs.zeros), so it computes in float64.

import { createRequire } from 'node:module';
import { NDArray, Unsupported, runServer } from './protocol.mjs';
import { contract } from './checks.mjs';

const require = createRequire(import.meta.url);

await runServer(async () => {
  const convnetjs = require('convnetjs');
  const { version } = require('convnetjs/package.json');

  const rows = (M) => {
    const [n, k] = M.shape;
    return Array.from({ length: n }, (_, i) => Array.from(M.data.subarray(i * k, (i + 1) * k)));
  };
  const vol = (row) => new convnetjs.Vol(row); // a plain Array: convnetjs copies it into a Float64Array
  const layerFor = (Layer, k) => new Layer({ in_sx: 1, in_sy: 1, in_depth: k });

  // Each row through `Layer`'s backward(y_i): (the loss it returns, the gradient it leaves in in_act.dw).
  const backward = (Layer, S, y) => {
    const [n, k] = S.shape;
    const losses = new Float64Array(n);
    const grads = new Float64Array(n * k);
    rows(S).forEach((row, i) => {
      const layer = layerFor(Layer, k);
      const V = vol(row);
      layer.forward(V, false);
      losses[i] = layer.backward(y[i]);
      grads.set(V.dw, i * k);
    });
    return { losses, grads, n, k };
  };

  const meanOver = ({ grads, n, k }) => new NDArray('float64', [n, k], grads.map((g) => g / n));

  const unitMargin = (delta) => {
    if (delta !== 1) throw new Unsupported(`convnetjs's SVMLayer fixes the margin at 1, got delta = ${delta}`);
  };

  return {
    name: 'convnetjs',
    version,
    language: `JavaScript (Node.js ${process.versions.node})`,
    precision: 'float64',
    constraints: { hinge_losses: { delta: 1.0 }, hinge_grad: { delta: 1.0 } },
    notes: [
      "convnetjs has no batch axis: every row of S (or X) goes through a layer on its own (a 1x1xK Vol).",
      "hinge_losses is SVMLayer.backward(y_i)'s loss as convnetjs returns it. Its loop runs over every class, "
        + 'the correct one included, whose margin s_y - s_y + 1 = 1 is always counted: each loss is the '
        + "contract's plus 1. The wrapper does not subtract it (HINGE-1 judges it).",
      'hinge_grad is SVMLayer.backward\'s in_act.dw (the gradient of L_i; the correct class\'s +1 and -1 cancel) divided by N, '
        + "since the contract's gradient is of the mean loss. Margin fixed at 1 (constraint delta = 1.0).",
      'cross_entropy_losses is SoftmaxLayer.backward(y_i), -log of the softmax probability (max-shifted exp, summed in order); '
        + 'cross_entropy_grad its in_act.dw = p - onehot(y) divided by N.',
      'scores is FullyConnLayer.forward with filters[k].w = W[k] and biases.w = b (zeros when b is None): '
        + 'a sequential dot product plus the bias, per example.',
      "Arguments are checked as lcspec's reference checks them (reference/_checks.py) before convnetjs sees them.",
    ],
    functions: {
      scores: contract('scores', ({ X, W, b }) => {
        const [k, d] = W.shape;
        const layer = new convnetjs.FullyConnLayer({ num_neurons: k, in_sx: 1, in_sy: 1, in_depth: d });
        for (let c = 0; c < k; c++) layer.filters[c].w.set(W.data.subarray(c * d, (c + 1) * d));
        layer.biases.w.set(b ? b.data : new Float64Array(k));
        const n = X.shape[0];
        const S = new Float64Array(n * k);
        rows(X).forEach((row, i) => S.set(layer.forward(vol(row), false).w, i * k));
        return new NDArray('float64', [n, k], S);
      }),

      hinge_losses: contract('hinge_losses', ({ S, y, delta }) => {
        unitMargin(delta);
        return new NDArray('float64', [S.shape[0]], backward(convnetjs.SVMLayer, S, y).losses);
      }),

      hinge_grad: contract('hinge_grad', ({ S, y, delta }) => {
        unitMargin(delta);
        return meanOver(backward(convnetjs.SVMLayer, S, y));
      }),

      softmax: contract('softmax', ({ S }) => {
        const [n, k] = S.shape;
        const P = new Float64Array(n * k);
        rows(S).forEach((row, i) => P.set(layerFor(convnetjs.SoftmaxLayer, k).forward(vol(row), false).w, i * k));
        return new NDArray('float64', [n, k], P);
      }),

      cross_entropy_losses: contract('cross_entropy_losses', ({ S, y }) => (
        new NDArray('float64', [S.shape[0]], backward(convnetjs.SoftmaxLayer, S, y).losses)
      )),

      cross_entropy_grad: contract('cross_entropy_grad', ({ S, y }) => meanOver(backward(convnetjs.SoftmaxLayer, S, y))),
    },
  };
});
