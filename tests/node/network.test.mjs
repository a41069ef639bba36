// The engine's JS API as docs/api.md specifies it: Network, describe, setOptimizer, trainBatch,
// predict, save/load, and readable Errors for every bad input.
import test from 'node:test';
import assert from 'node:assert/strict';
import { engine, rng, LENET } from './engine_module.mjs';

const { Network } = engine;

function batch(seed, n) {
  const r = rng(seed);
  const images = Float32Array.from({ length: n * 784 }, () => r());
  const labels = Uint8Array.from({ length: n }, () => Math.floor(r() * 10));
  return { images, labels };
}

test('describe() gives shapes, parameters, receptive fields and FLOPs', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  const d = JSON.parse(net.describe());
  assert.equal(d.layers.length, 7);
  assert.deepEqual(d.layers[0].outShape, [8, 28, 28]);
  assert.equal(d.layers[0].params, 208);
  assert.deepEqual(d.layers[0].receptiveField, [5, 5]);
  assert.equal(d.layers[0].flops, 2 * 25 * 8 * 784);
  assert.deepEqual(d.layers[5].outShape, [16, 7, 7]);
  assert.deepEqual(d.layers[5].receptiveField, [16, 16]);
  assert.equal(d.params, 208 + 3216 + 7850);
  net.delete();
});

test('an impossible spec throws an Error naming the layer and the formula', () => {
  const bad = { input: [1, 7, 7], layers: [{ type: 'conv2d', filters: 2, kernel: 5, dilation: 2 }, { type: 'dense', units: 10 }] };
  assert.throws(() => new Network(JSON.stringify(bad), 1), (e) => e instanceof Error && /^layer 1 \(conv2d\): output height ⌊\(7 \+ 2·0 − \(5−1\)·2 − 1\)\/1⌋ \+ 1 = −1 ≤ 0$/.test(e.message));
  assert.throws(() => new Network('{', 1), /not valid JSON/);
  assert.throws(() => new Network(JSON.stringify({ layers: [{ type: 'pool' }] }), 1), /unknown layer type/);
  assert.throws(() => new Network(JSON.stringify(LENET), -1), /seed/);
});

test('trainBatch lowers the loss on a fixed batch; predict gives probabilities', () => {
  const net = new Network(JSON.stringify(LENET), 7);
  net.setOptimizer('{"type":"sgd","lr":0.01,"momentum":0.9}');
  const { images, labels } = batch(1, 16);
  const first = net.trainBatch(images, labels, 16);
  let last = first;
  for (let i = 0; i < 30; i++) last = net.trainBatch(images, labels, 16);
  assert.ok(Number.isFinite(first));
  assert.ok(last < 0.2 * first, `loss ${first} → ${last}`);
  const p = net.predict(images, 16);
  assert.ok(p instanceof Float32Array);
  assert.equal(p.length, 160);
  for (let i = 0; i < 16; i++) {
    const row = p.subarray(10 * i, 10 * i + 10);
    assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-5);
    assert.equal(row.indexOf(Math.max(...row)), labels[i]);  // memorised
  }
  net.delete();
});

test('bad arguments to trainBatch and predict are Errors with messages', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  const { images, labels } = batch(2, 4);
  assert.throws(() => net.trainBatch(images, labels, 5), /images has 3136 values; 5 images of 784 need 3920/);
  assert.throws(() => net.trainBatch(images, labels.subarray(0, 3), 4), /labels has 3 entries for 4 images/);
  assert.throws(() => net.trainBatch(images, Uint8Array.from([1, 2, 10, 3]), 4), /label 10 of example 2 is not a class/);
  const nan = images.slice();
  nan[900] = NaN;
  assert.throws(() => net.trainBatch(nan, labels, 4), /image 1 has a NaN/);
  assert.throws(() => net.predict(images, 0), /positive integer/);
  assert.throws(() => net.predict(null, 1), /images must be a Float32Array/);
  assert.throws(() => net.setOptimizer('{"type":"rmsprop"}'), /unknown type "rmsprop"/);
  assert.throws(() => net.setOptimizer('{"type":"sgd","lr":-1}'), /"lr" = -1 is outside/);
  // still usable afterwards
  assert.ok(Number.isFinite(net.trainBatch(images, labels, 4)));
  net.delete();
});

test('same seed → identical save(); save → load → identical predictions and training', () => {
  const a = new Network(JSON.stringify(LENET), 42), b = new Network(JSON.stringify(LENET), 42);
  const { images, labels } = batch(3, 8);
  for (const net of [a, b]) {
    net.setOptimizer({ type: 'adam', lr: 0.001 });
    net.trainBatch(images, labels, 8);
  }
  const bytes = a.save();
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(bytes, b.save());
  const c = Network.load(bytes);
  assert.deepEqual(c.predict(images, 8), a.predict(images, 8));
  assert.equal(c.trainBatch(images, labels, 8), a.trainBatch(images, labels, 8));
  const other = new Network(JSON.stringify(LENET), 43);
  assert.notDeepEqual(other.save(), new Network(JSON.stringify(LENET), 42).save());
  for (const n of [a, b, c, other]) n.delete();
});

test('class names: set, kept through save → load, in describe(); a wrong count is an Error', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  assert.deepEqual(net.classNames, []);
  const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  net.setClassNames(names);
  const back = Network.load(net.save());
  assert.deepEqual(back.classNames, names);
  assert.deepEqual(JSON.parse(back.describe()).classNames, names);
  assert.throws(() => net.setClassNames(['a', 'b']), /2 class names for a network with 10 classes/);
  assert.throws(() => net.setClassNames('a,b'), /array of strings/);
  assert.deepEqual(net.classNames, names);
  for (const n of [net, back]) n.delete();
});

test('corrupt, truncated and foreign model files are rejected with a message', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  const good = net.save();
  const flipped = good.slice();
  flipped[good.length >> 1] ^= 1;
  assert.throws(() => Network.load(flipped), /checksum mismatch/);
  assert.throws(() => Network.load(good.subarray(0, good.length - 10)), /truncated/);
  assert.throws(() => Network.load(new TextEncoder().encode('<html>hello</html>')), /not a ConvLab model file/);
  assert.throws(() => Network.load('hello'), /needs a Uint8Array/);
  assert.throws(() => Network.load(new Uint8Array(0)), /only 0 bytes/);
  net.delete();
});

test('divergence at lr = 100 is an Error and the weights come back', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  net.setOptimizer({ type: 'sgd', lr: 100 });
  let error = null;
  for (let step = 0; step < 50 && !error; step++) {
    const { images, labels } = batch(100 + step, 16);
    try {
      net.trainBatch(images, labels, 16);
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof Error);
  assert.match(error.message, /diverged.*try a lower learning rate/);
  // the restored weights train on at a sane rate
  net.setOptimizer({ type: 'sgd', lr: 0.01, momentum: 0.9 });
  const { images, labels } = batch(5, 16);
  const first = net.trainBatch(images, labels, 16);
  let last = first;
  for (let i = 0; i < 40; i++) last = net.trainBatch(images, labels, 16);
  assert.ok(last < 0.5 * first, `after recovery: loss ${first} → ${last}`);
  net.delete();
});

test('inspection: layer outputs, weights and saliency have the described sizes', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  const { images } = batch(4, 1);
  net.predict(images, 1);
  assert.equal(net.layerOutput(0).length, 8 * 28 * 28);
  assert.equal(net.weights(0).length, 200);
  assert.equal(net.biases(3).length, 16);
  const g = net.inputGradient(images, 3);
  assert.equal(g.length, 784);
  assert.ok(g.some((v) => v !== 0));
  assert.throws(() => net.layerOutput(7), /no layer 7/);
  net.delete();
});

test('presets(): every preset builds; the first is the default network', () => {
  const presets = engine.presets();
  assert.ok(presets.length >= 7);
  assert.equal(presets[0].name, 'LeNet-like');
  for (const p of presets) new Network(p.spec, 1).delete();
});

test('raw core: a bad layer index is an error with a message, never layer 0', () => {
  const core = engine.NetworkCore.create(JSON.stringify(LENET), 1);
  assert.equal(engine.takeError(), '');
  for (const call of ['weights', 'biases', 'layerOutput']) {
    for (const bad of [-1, 7, 99]) {
      assert.equal(core[call](bad), null, `${call}(${bad})`);
      assert.match(engine.takeError(), new RegExp(`no layer ${bad} \\(the network has 7\\)`));
    }
  }
  assert.equal(core.weights(0).length, 200);
  core.delete();
});

test('predict takes more images than one batch: the whole 2,000-image test set at once', () => {
  const net = new Network(JSON.stringify(LENET), 1);
  const r = rng(5);
  const n = 2000;
  const images = Float32Array.from({ length: n * 784 }, () => r());
  const all = net.predict(images, n);
  assert.equal(all.length, n * 10);
  for (const i of [0, 1023, 1024, 1999]) {
    const one = net.predict(images.subarray(i * 784, (i + 1) * 784), 1);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(one[k] - all[i * 10 + k]) < 1e-6, `image ${i} class ${k}`);
  }
  assert.throws(() => net.trainBatch(images, new Uint8Array(n), n), /batch size 2000 is outside 1\.\.1024/);
  net.delete();
});

test('limits: the engine exports its own (engine/size_limits.h)', () => {
  assert.equal(engine.limits.maxBatch, 1024);
  assert.equal(engine.limits.maxChannels, 1024);
  assert.equal(engine.limits.maxModelFileBytes, engine.maxModelFileBytes);
  assert.equal(engine.limits.maxWindow, 64);
});

test('threads: the machine\'s cores by default (at most 8); 1, 2 and 3 threads train to the same bits', async () => {
  const os = await import('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const spec = { ...LENET, layers: [...LENET.layers.slice(0, -1), { type: 'dropout', rate: 0.3 }, LENET.layers.at(-1)] };
  const probe = new Network(spec, 1);
  assert.equal(probe.threads, Math.min(8, cores));
  assert.throws(() => probe.setThreads(0), /threads must be 1\.\.16, got 0/);
  assert.throws(() => probe.setThreads(17), /threads must be 1\.\.16, got 17/);
  probe.delete();
  const { images, labels } = batch(7, 40);
  let reference = null, referenceProbs = null;
  for (const threads of [1, 2, 3]) {
    const net = new Network(spec, 3);
    net.setThreads(threads);
    assert.equal(net.threads, threads);
    net.setOptimizer({ type: 'sgd', lr: 0.02, momentum: 0.9, schedule: { type: 'cosine', steps: 10 } });
    for (let k = 0; k < 5; k++) net.trainBatch(images, labels, 40);
    const bytes = net.save(), probs = net.predict(images, 40);
    if (!reference) [reference, referenceProbs] = [bytes, probs];
    else {
      assert.deepEqual(bytes, reference, `${threads} threads: other weights than 1 thread`);
      assert.deepEqual(probs, referenceProbs);
    }
    net.delete();
  }
});
