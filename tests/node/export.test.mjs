// Export (web/module/, through Network.exportOnnx and exportSafetensors). ONNX: every preset and
// 60 random valid specs run in ONNX Runtime Web (node, wasm) and give the engine's probabilities to
// 1e-5 on 100 MNIST test digits (or random inputs for other shapes); every file passes Debian's
// python3-onnx checker with full_check (Debian's /usr/bin/python3, whatever else is on PATH);
// wavgpool is refused by name. Safetensors: every preset's weights read back, by layer.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engine, rng, randArray, randomSpec } from './engine_module.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ort = require('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = path.join(root, 'node_modules/onnxruntime-web/dist') + '/';
const { Network } = engine;

const dir = mkdtempSync(path.join(os.tmpdir(), 'convlab-onnx-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// 100 MNIST test digits as floats (build/data, made by scripts/mnist_to_idx.mjs).
const digits = (() => {
  const idx = readFileSync(path.join(root, 'build/data/test-images.idx3-ubyte'));
  return Float32Array.from(idx.subarray(16, 16 + 100 * 784), (v) => v / 255);
})();

async function check(net, name, r) {
  const spec = JSON.parse(net.spec());
  const [c, h, w] = spec.input;
  const n = 100;
  const x = c === 1 && h === 28 && w === 28 ? digits : Float32Array.from(randArray(r, n * c * h * w), (v) => (v + 1) / 2);
  const bytes = net.exportOnnx();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 0);
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  const session = await ort.InferenceSession.create(bytes);
  assert.equal(session.outputNames[0], 'probs');
  const got = (await session.run({ input: new ort.Tensor('float32', x, [n, c, h, w]) })).probs.data;
  const want = net.predict(x, n);
  assert.equal(got.length, want.length);
  let diff = 0;
  for (let k = 0; k < want.length; k++) diff = Math.max(diff, Math.abs(got[k] - want[k]));
  assert.ok(diff <= 1e-5, `${name}: |ONNX Runtime − engine| = ${diff}`);
  return { file, diff };
}

const files = [];

test('every preset exports, runs in ONNX Runtime Web and gives the engine\'s probabilities (1e-5)', async () => {
  const r = rng(7);
  let worst = 0;
  for (const preset of JSON.parse(engine.presetsJson())) {
    const net = new Network(preset.spec, 3);
    const { file, diff } = await check(net, preset.name.replace(/\W+/g, '_'), r);
    files.push(file);
    worst = Math.max(worst, diff);
    net.delete();
  }
  console.log(`presets: largest difference ${worst.toExponential(2)}`);
});

test('60 random valid specs (every exportable layer kind) match the engine in ONNX Runtime Web', async () => {
  const r = rng(2024);
  let made = 0, tried = 0, worst = 0;
  const kinds = new Set();
  while (made < 60) {
    tried++;
    assert.ok(tried < 5000, 'random specs: too few valid ones');
    let net;
    try {
      net = new Network(randomSpec(r), tried);
    } catch (e) {
      continue;  // an impossible geometry: the engine says why (tested in hostile.test.mjs)
    }
    for (const l of JSON.parse(net.spec()).layers) kinds.add(l.type);
    const { file, diff } = await check(net, `random_${made}`, r);
    files.push(file);
    worst = Math.max(worst, diff);
    net.delete();
    made++;
  }
  for (const k of ['conv2d', 'local2d', 'tiledconv2d', 'maxpool', 'avgpool', 'l2pool', 'globalavgpool', 'flatten', 'dense',
    'relu', 'leaky_relu', 'sigmoid', 'tanh', 'dropout'])
    assert.ok(kinds.has(k), `the random specs include ${k}`);
  console.log(`random specs: ${made} of ${tried} tried, largest difference ${worst.toExponential(2)}`);
});

test('wavgpool is refused naming the layer; class names go into the metadata', async () => {
  const net = new Network(JSON.stringify({ input: [1, 28, 28], layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'wavgpool', size: 2 }, { type: 'dense', units: 3 }] }), 1);
  assert.throws(() => net.exportOnnx(), /layer 2 \(wavgpool\) has no exact ONNX equivalent/);
  net.delete();
  const named = new Network(JSON.stringify({ input: [1, 28, 28], layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'dense', units: 3 }] }), 1);
  named.setClassNames(['circle', 'cross', 'line']);
  const { onnx } = require('onnx-proto');
  const model = onnx.ModelProto.decode(named.exportOnnx());
  const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta.class_names), ['circle', 'cross', 'line']);
  assert.equal(JSON.parse(meta.convlab_spec).layers.length, 2);
  assert.equal(Number(model.irVersion), 8);
  assert.equal(Number(model.opsetImport[0].version), 13);
  named.delete();
});

test('every exported file passes onnx.checker.check_model(full_check=True) (Debian python3-onnx)', () => {
  assert.ok(files.length >= 67, `${files.length} files`);
  const script = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint(len(sys.argv) - 1, "checked, onnx", onnx.__version__)';
  const out = execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
  console.log(out.trim());
});

// Reads a safetensors file back: {tensors: {name: Float32Array + shape}, metadata}.
function readSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0, 'the header is padded to 8 bytes');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const data = bytes.slice(8 + n);
  const tensors = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    assert.equal(t.dtype, 'F32');
    const values = new Float32Array(data.buffer.slice(t.data_offsets[0], t.data_offsets[1]));
    assert.equal(values.length, t.shape.reduce((a, b) => a * b, 1), `${name}: its shape covers its data`);
    tensors[name] = { values, shape: t.shape };
  }
  return { tensors, metadata: header.__metadata__ };
}

test('safetensors: every preset\'s weights by layer, in their shapes, equal to the engine\'s; the spec and names in the metadata', () => {
  for (const preset of JSON.parse(engine.presetsJson())) {
    const net = new Network(preset.spec, 5);
    if (preset.name === 'Locally connected') net.setClassNames(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const { tensors, metadata } = readSafetensors(net.exportSafetensors());
    const spec = JSON.parse(net.spec());
    assert.deepEqual(JSON.parse(metadata.convlab_spec), spec);
    let named = 0;
    spec.layers.forEach((layer, i) => {
      const w = net.weights(i), b = net.biases(i);
      if (!w.length) return assert.equal(tensors[`layers.${i}.weight`], undefined);
      named++;
      assert.deepEqual(tensors[`layers.${i}.weight`].values, w, `${preset.name} layer ${i} weights`);
      assert.deepEqual(tensors[`layers.${i}.bias`].values, b);
      if (layer.type === 'conv2d') assert.equal(tensors[`layers.${i}.weight`].shape.length, 4);
      if (layer.type === 'dense') assert.equal(tensors[`layers.${i}.weight`].shape[0], layer.units);
    });
    assert.equal(Object.keys(tensors).length, 2 * named);
    if (preset.name === 'Locally connected') assert.equal(JSON.parse(metadata.class_names).length, 10);
    net.delete();
  }
});
