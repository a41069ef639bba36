// Raw operations against TensorFlow.js's CPU backend (an independent implementation) on random
// shapes, strides, paddings and dilations: forward values and gradients to 1e-4 relative.
// TF.js refuses stride > 1 together with dilation > 1 and has no gradient for dilation > 1, and
// its pooling with a numeric padding assumes square windows and strides: those cases are left to
// the doctest naive references.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { engine, rng, randInt, randArray } from './engine_module.mjs';

// The union package's CommonJS bundle registers every gradient (tfjs-core's own bundle does not).
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
await tf.setBackend('cpu');

const nchwToNhwc = (a, [n, c, h, w]) => tf.transpose(tf.tensor4d(a, [n, c, h, w]), [0, 2, 3, 1]);
const nhwcToNchw = (t) => tf.transpose(t, [0, 3, 1, 2]);

function relErr(actual, expected) {
  let err = 0, scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(actual[i] - expected[i]));
  return actual.length === expected.length ? err / scale : Infinity;
}

test('conv2d forward and backward match TF.js on 250 random configurations', () => {
  const r = rng(1);
  let checked = 0;
  while (checked < 250) {
    const [kh, kw] = [randInt(r, 1, 7), randInt(r, 1, 7)];
    const [sh, sw] = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const [dh, dw] = sh > 1 || sw > 1 ? [1, 1] : [randInt(r, 1, 3), randInt(r, 1, 3)];
    const [ph, pw] = [randInt(r, 0, 3), randInt(r, 0, 3)];
    const n = randInt(r, 1, 4), c = randInt(r, 1, 4), o = randInt(r, 1, 6);
    const h = Math.max(1, (kh - 1) * dh + 1 - 2 * ph) + randInt(r, 0, 6);
    const w = Math.max(1, (kw - 1) * dw + 1 - 2 * pw) + randInt(r, 0, 6);
    const xShape = [n, c, h, w], wShape = [o, c, kh, kw];
    const x = randArray(r, n * c * h * w), weights = randArray(r, o * c * kh * kw), b = randArray(r, o);
    const ours = engine.conv2dForward(x, xShape, weights, wShape, b, [sh, sw], [ph, pw], [dh, dw]);

    const xt = nchwToNhwc(x, xShape);
    const wt = tf.transpose(tf.tensor4d(weights, wShape), [2, 3, 1, 0]);  // [kh, kw, c, o]
    const pad = [[0, 0], [ph, ph], [pw, pw], [0, 0]];
    const conv = (xx, ww) => tf.conv2d(xx, ww, [sh, sw], pad, 'NHWC', [dh, dw]);
    const ref = nhwcToNchw(tf.add(conv(xt, wt), tf.tensor1d(b)));
    assert.deepEqual(ours.shape, ref.shape, `shape for ${JSON.stringify({ xShape, wShape, sh, sw, ph, pw, dh, dw })}`);
    assert.ok(relErr(ours.y, ref.dataSync()) < 1e-4);

    checked++;
    if (dh > 1 || dw > 1) {
      tf.dispose([xt, wt, ref]);
      continue;
    }
    const dy = randArray(r, ours.y.length);
    const grads = engine.conv2dBackward(x, xShape, weights, wShape, dy, [sh, sw], [ph, pw], [dh, dw]);
    const dyt = nchwToNhwc(dy, ours.shape);
    const [gx, gw] = tf.grads((xx, ww) => tf.sum(tf.mul(conv(xx, ww), dyt)))([xt, wt]);
    assert.ok(relErr(grads.dx, nhwcToNchw(gx).dataSync()) < 1e-4, 'dx');
    assert.ok(relErr(grads.dw, tf.transpose(gw, [3, 2, 0, 1]).dataSync()) < 1e-4, 'dw');
    assert.ok(relErr(grads.db, tf.sum(dyt, [0, 1, 2]).dataSync()) < 1e-4, 'db');
    tf.dispose([xt, wt, ref, dyt, gx, gw]);
  }
});

test('max and average pooling match TF.js on 250 random configurations, with padding', () => {
  const r = rng(2);
  for (let i = 0; i < 250; i++) {
    const kind = i % 2 ? 'max' : 'avg';
    const padded = i % 4 >= 2;
    const k = randInt(r, 1, 4), s = randInt(r, 1, 3);
    const size = padded ? [k, k] : [k, randInt(r, 1, 4)], stride = padded ? [s, s] : [s, randInt(r, 1, 3)];
    const p = padded ? randInt(r, 0, k - 1) : 0;
    const xShape = [randInt(r, 1, 3), randInt(r, 1, 3), size[0] + randInt(r, 0, 6), size[1] + randInt(r, 0, 6)];
    const x = randArray(r, xShape.reduce((a, b) => a * b));
    const ours = engine.pool2dForward(kind, x, xShape, size, stride, p);
    const xt = nchwToNhwc(x, xShape);
    const pool = (xx) => (kind === 'max' ? tf.maxPool : tf.avgPool)(xx, size, stride, padded ? p : 'valid');
    const ref = nhwcToNchw(pool(xt));
    assert.deepEqual(ours.shape, ref.shape);
    assert.ok(relErr(ours.y, ref.dataSync()) < 1e-4, `${kind} forward`);
    const dy = randArray(r, ours.y.length);
    const dyt = nchwToNhwc(dy, ours.shape);
    const { dx } = engine.pool2dBackward(kind, x, xShape, dy, size, stride, p);
    if (kind === 'avg' && p > 0) {
      // TF.js's AvgPoolGrad divides by the whole window even where its forward counts only the real
      // cells, so its gradient is not its forward's. Compare with the exact adjoint of TF.js's
      // forward instead: average pooling is linear, pooling one-hot images gives its matrix A.
      const [, , h, w] = xShape, [, , oh, ow] = ours.shape;
      const eye = tf.oneHot(tf.range(0, h * w, 1, 'int32'), h * w).reshape([h * w, h, w, 1]);
      const A = pool(eye.toFloat()).dataSync();  // A[k][o]: output o's weight on input pixel k
      const adjoint = new Float32Array(x.length);
      for (let plane = 0; plane < x.length / (h * w); plane++)
        for (let k = 0; k < h * w; k++) {
          let sum = 0;
          for (let o = 0; o < oh * ow; o++) sum += A[k * oh * ow + o] * dy[plane * oh * ow + o];
          adjoint[plane * h * w + k] = sum;
        }
      assert.ok(relErr(dx, adjoint) < 1e-4, 'avg backward (padded) vs the adjoint of TF.js forward');
      tf.dispose([xt, ref, dyt, eye]);
      continue;
    }
    const gx = tf.grad((xx) => tf.sum(tf.mul(pool(xx), dyt)))(xt);
    assert.ok(relErr(dx, nhwcToNchw(gx).dataSync()) < 1e-4, `${kind} backward`);
    tf.dispose([xt, ref, dyt, gx]);
  }
});

test('L2 pooling equals √(Σ x²) over the real cells (TF.js has no L2 pool: √(avgPool(x²)·count))', () => {
  const r = rng(3);
  for (let i = 0; i < 100; i++) {
    const size = [randInt(r, 1, 4), randInt(r, 1, 4)], stride = [randInt(r, 1, 3), randInt(r, 1, 3)];
    const xShape = [1, randInt(r, 1, 3), size[0] + randInt(r, 0, 5), size[1] + randInt(r, 0, 5)];
    const x = randArray(r, xShape.reduce((a, b) => a * b));
    const ours = engine.pool2dForward('l2', x, xShape, size, stride, 0);
    const sq = nchwToNhwc(x.map((v) => v * v), xShape);
    const ref = nhwcToNchw(tf.sqrt(tf.mul(tf.avgPool(sq, size, stride, 'valid'), size[0] * size[1])));
    assert.ok(relErr(ours.y, ref.dataSync()) < 1e-4);
    tf.dispose([sq, ref]);
  }
});

test('raw operations reject bad arguments with messages', () => {
  const x = new Float32Array(16), w = new Float32Array(9);
  assert.throws(() => engine.conv2dForward(x, [1, 1, 4, 4], w, [1, 1, 3, 3], null, 1, 0, 3), /output height ⌊\(4 \+ 2·0 − \(3−1\)·3 − 1\)\/1⌋ \+ 1 = −2 ≤ 0/);
  assert.throws(() => engine.conv2dForward(x, [1, 1, 4, 5], w, [1, 1, 3, 3], null, 1, 0, 1), /x has 16 values, its shape needs 20/);
  assert.throws(() => engine.conv2dForward(x, [1, 2, 2, 4], w, [1, 1, 3, 3], null, 1, 0, 1), /input channels/);
  assert.throws(() => engine.conv2dForward(x, [1, 1, 4], w, [1, 1, 3, 3], null, 1, 0, 1), /xShape must be an array of 4 integers/);
  assert.throws(() => engine.conv2dForward(x, [1, 1, 4, 4], w, [1, 1, 3, 3], null, 0, 0, 1), /stride must be an integer in 1..64/);
  assert.throws(() => engine.pool2dForward('median', x, [1, 1, 4, 4], 2), /not one of max, avg, wavg, l2/);
  assert.throws(() => engine.pool2dForward('max', x, [1, 1, 4, 4], 2, 2, 2), /padding must be smaller/);
});
