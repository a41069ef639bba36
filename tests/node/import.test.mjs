// ONNX import (web/module/onnx_import.js through Network.fromOnnx): every preset and 60 random valid
// specs come back from their export with the same spec and the same weights, bit for bit; models
// written the way other tools write them (MatMul + Add, Gemm without transB, alpha/beta, auto_pad,
// Constant shapes, raw data, no Softmax) give ONNX Runtime Web's answers; what ConvLab cannot read
// is a message naming it; 5,000 damaged files (bytes, and fields of the decoded model) each import or
// throw "ONNX import: …", and the engine keeps working.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engine, rng, randInt, randArray, randomSpec } from './engine_module.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = path.join(root, 'node_modules/onnxruntime-web/dist') + '/';
const { Network } = engine;

function sameNetwork(a, b, what) {
  assert.equal(b.spec(), a.spec(), `${what}: the spec`);
  for (let i = 0; i < JSON.parse(a.spec()).layers.length; i++) {
    assert.deepEqual(b.weights(i), a.weights(i), `${what}: layer ${i}'s weights`);
    assert.deepEqual(b.biases(i), a.biases(i), `${what}: layer ${i}'s biases`);
  }
  const [c, h, w] = JSON.parse(a.spec()).input;
  const x = Float32Array.from(randArray(rng(5), 3 * c * h * w), (v) => (v + 1) / 2);
  assert.deepEqual(b.predict(x, 3), a.predict(x, 3), `${what}: predictions`);
}

test('every preset, trained a step, comes back from ONNX with its spec, weights and class names', () => {
  for (const preset of JSON.parse(engine.presetsJson())) {
    if (JSON.stringify(preset.spec).includes('wavgpool')) continue;  // not exportable (export.test.mjs)
    const net = new Network(preset.spec, 11);
    net.setOptimizer({ type: 'sgd', lr: 0.01, momentum: 0.9 });
    net.trainBatch(Float32Array.from(randArray(rng(1), 4 * 784), (v) => (v + 1) / 2), Uint8Array.of(1, 2, 3, 4), 4);
    net.setClassNames(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
    const back = Network.fromOnnx(net.exportOnnx());
    sameNetwork(net, back, preset.name);
    assert.deepEqual(back.classNames, net.classNames);
    net.delete(), back.delete();
  }
});

test('60 random valid specs (local2d, tiledconv2d and every other exportable kind) come back exactly', () => {
  const r = rng(77);
  let made = 0, tried = 0;
  const kinds = new Set();
  while (made < 60) {
    assert.ok(++tried < 5000, 'random specs: too few valid ones');
    let net;
    try {
      net = new Network(randomSpec(r), tried);
    } catch (e) {
      continue;
    }
    for (const l of JSON.parse(net.spec()).layers) kinds.add(l.type);
    const back = Network.fromOnnx(net.exportOnnx().buffer);  // an ArrayBuffer works too
    sameNetwork(net, back, `random spec ${made}: ${net.spec()}`);
    net.delete(), back.delete();
    made++;
  }
  for (const k of ['conv2d', 'local2d', 'tiledconv2d', 'maxpool', 'avgpool', 'l2pool', 'globalavgpool', 'flatten', 'dense', 'dropout'])
    assert.ok(kinds.has(k), `the random specs include ${k}`);
});

// --- models written as other tools write them -------------------------------------------------
const FLOAT = onnx.TensorProto.DataType.FLOAT, INT64 = onnx.TensorProto.DataType.INT64;
const At = onnx.AttributeProto.AttributeType;
function attr(name, value) {
  if (typeof value === 'string') return { name, type: At.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: At.INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: At.INT, i: value };
  return { name, type: At.FLOAT, f: value };
}
const node = (opType, input, output, attrs = {}) => ({ opType, input, output: [output], name: output,
  attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
const raw = (name, dims, values) => ({ name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) });
const floats = (name, dims, values) => ({ name, dims, dataType: FLOAT, floatData: Array.from(values) });
const ints = (name, values) => ({ name, dims: [values.length], dataType: INT64, int64Data: values });
const valueInfo = (name, dims) => ({ name, type: { tensorType: { elemType: FLOAT,
  shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } });
function model({ nodes, initializers = [], input = [1, 1, 28, 28], output, opset = 17, extraInputs = [] }) {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject({
    irVersion: 8, producerName: 'test', opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'g', node: nodes, initializer: initializers,
      input: [valueInfo('x', ['batch', ...input.slice(1)]), ...extraInputs], output: [valueInfo(output, ['batch', 3])] },
  })).finish();
}

async function againstOnnxRuntime(bytes, softmaxInGraph) {
  const net = Network.fromOnnx(bytes);
  const [c, h, w] = JSON.parse(net.spec()).input, n = 20;
  const x = Float32Array.from(randArray(rng(8), n * c * h * w), (v) => (v + 1) / 2);
  const session = await ort.InferenceSession.create(bytes);
  const out = (await session.run({ x: new ort.Tensor('float32', x, [n, c, h, w]) }))[session.outputNames[0]].data;
  const k = net.classes, probs = net.predict(x, n);
  let diff = 0;
  for (let e = 0; e < n; e++) {
    const row = Array.from(out.subarray(e * k, e * k + k));
    const max = Math.max(...row), sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    row.forEach((v, j) => { diff = Math.max(diff, Math.abs((softmaxInGraph ? v : Math.exp(v - max) / sum) - probs[e * k + j])); });
  }
  const spec = net.spec();
  net.delete();
  return { diff, spec: JSON.parse(spec) };
}

test('a model written as other tools write it (MatMul + Add, Gemm forms, auto_pad, Constant shapes, raw data) gives ONNX Runtime\'s answers', async () => {
  const r = rng(3);
  const wc = randArray(r, 4 * 1 * 3 * 3), bc = randArray(r, 4);
  const F = 4 * 7 * 7;
  const w1 = randArray(r, F * 6), b1 = randArray(r, 6), w2 = randArray(r, 6 * 3), b2 = randArray(r, 3);
  const bytes = model({
    nodes: [
      node('Conv', ['x', 'wc', 'bc'], 'c1', { auto_pad: 'SAME_UPPER', kernel_shape: [3, 3] }),
      node('LeakyRelu', ['c1'], 'a1', { alpha: 0.1 }),
      node('MaxPool', ['a1'], 'p1', { kernel_shape: [2, 2], strides: [2, 2] }),
      node('AveragePool', ['p1'], 'p2', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
      node('Identity', ['p2'], 'i1'),
      { opType: 'Constant', input: [], output: ['shape'], name: 'shape', attribute: [{ name: 'value', type: At.TENSOR, t: ints('', [-1, F]) }] },
      node('Reshape', ['i1', 'shape'], 'flat'),
      node('MatMul', ['flat', 'w1'], 'm1'),
      node('Add', ['m1', 'b1'], 'd1'),
      node('Tanh', ['d1'], 'a2'),
      node('Dropout', ['a2'], 'dr'),
      node('Gemm', ['dr', 'w2', 'b2'], 'logits', { alpha: 0.5, beta: 2.5 }),
    ],
    initializers: [raw('wc', [4, 1, 3, 3], wc), floats('bc', [4], bc), raw('w1', [F, 6], w1), floats('b1', [6], b1),
      floats('w2', [6, 3], w2), raw('b2', [3], b2)],
    output: 'logits',
  });
  const { diff, spec } = await againstOnnxRuntime(bytes, false);
  assert.deepEqual(spec.layers.map((l) => l.type), ['conv2d', 'leaky_relu', 'maxpool', 'avgpool', 'flatten', 'dense', 'tanh', 'dense']);
  assert.deepEqual(spec.layers[0].padding, [1, 1]);
  assert.ok(diff <= 1e-5, `|ONNX Runtime − engine| = ${diff}`);
  console.log(`other tools' forms: largest difference ${diff.toExponential(2)}`);
});

// --- what ConvLab cannot read -----------------------------------------------------------------
test('unsupported operators, attributes and data are messages naming them', () => {
  const conv = (attrs, extra = {}) => model({
    nodes: [node('Conv', ['x', 'w'], 'c', attrs), node('Flatten', ['c'], 'f'), node('Gemm', ['f', 'd'], 'y', { transB: 1 })],
    initializers: [floats('w', extra.wDims || [2, 1, 3, 3], new Float32Array(18)), floats('d', [3, 2 * 26 * 26], new Float32Array(3 * 2 * 26 * 26))],
    output: 'y',
  });
  const cases = [
    [model({ nodes: [node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], 'y')], output: 'y' }),
      /BatchNormalization \(node "y"\): the operator BatchNormalization is not one ConvLab reads/],
    [conv({ group: 2 }), /Conv \(node "c"\): group = 2 \(a grouped convolution\) is not supported/],
    [conv({ pads: [1, 1, 0, 0] }), /pads \[1, 1, 0, 0\] differ between the sides/],
    [conv({ foo: 3 }), /Conv \(node "c"\): the attribute "foo" is not supported/],
    [conv({}, { wDims: [2, 1, 3, 4] }), /weights: 18 floats for the shape \[2, 1, 3, 4\]/],
    [model({ nodes: [node('Relu', ['x'], 'y')], initializers: [{ name: 'w', dims: [2], dataType: FLOAT,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'weights.bin' }] }],
    output: 'y' }), /the data is in another file \(weights.bin\)/],
    [model({ nodes: [node('Conv', ['x', 'w'], 'y')], initializers: [{ name: 'w', dims: [1, 1, 1, 1], dataType: onnx.TensorProto.DataType.INT8, int32Data: [1] }], output: 'y' }),
      /: type INT8; ConvLab reads float32 weights/],
    [model({ nodes: [node('Conv', ['x', 'w'], 'y')], initializers: [floats('w', [1e9, 1e9, 1, 1], [])], output: 'y' }),
      /an absurd shape|values, more than a ConvLab network can hold/],
    [model({ nodes: [node('Relu', ['x'], 'a'), node('Relu', ['x'], 'y')], output: 'y' }), /does not take the previous layer's output/],
    [model({ nodes: [node('Relu', ['x'], 'a'), node('Add', ['a', 'z'], 'y')], output: 'y', extraInputs: [valueInfo('z', ['batch', 1, 28, 28])] }),
      /the graph has 2 inputs/],
    [model({ nodes: [node('Relu', ['x'], 'y')], output: 'y', opset: 5 }), /opset 5 is not supported/],
    [model({ nodes: [node('Relu', ['x'], 'y')], output: 'y' }), /the graph has no layer with weights/],
    [model({ nodes: [node('Relu', ['x'], 'y')], input: [1, 1, 0, 28], output: 'y' }), /ConvLab reads \[N, C, H, W\]/],
    [new Uint8Array([0xff, 0xff]), /this is not an ONNX model, or the file is damaged/],
    [new Uint8Array(0), /no graph of operators/],
  ];
  for (const [bytes, message] of cases) assert.throws(() => Network.fromOnnx(bytes), message);
  // the engine's own checks come back as import errors too
  const wide = model({ nodes: [node('Flatten', ['x'], 'f'), node('Gemm', ['f', 'd'], 'y', { transB: 1 })],
    initializers: [floats('d', [300, 784], new Float32Array(300 * 784))], output: 'y' });
  assert.throws(() => Network.fromOnnx(wide), /^Error: ONNX import: .*256/);
  assert.throws(() => Network.fromOnnx('not bytes'), /ONNX import: the model must be a Uint8Array/);
});

// --- damaged files ----------------------------------------------------------------------------
function mutateBytes(r, good) {
  let b = good.slice();
  switch (randInt(r, 0, 3)) {
    case 0: for (let k = randInt(r, 1, 8); k > 0; k--) b[randInt(r, 0, b.length - 1)] = randInt(r, 0, 255); break;
    case 1: b = b.subarray(0, randInt(r, 0, b.length - 1)).slice(); break;
    case 2: { const at = randInt(r, 0, b.length - 1); b = Uint8Array.from([...b.subarray(0, at), ...randArray(r, randInt(r, 1, 16)).map((v) => (v + 1) * 127), ...b.subarray(at)]); break; }
    default: { const at = randInt(r, 0, b.length - 1); b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + randInt(r, 1, 32))]); }
  }
  return b;
}

// A field of the decoded model changed, so that the damage reaches the importer's checks.
function mutateModel(r, good) {
  const m = onnx.ModelProto.toObject(onnx.ModelProto.decode(good), { longs: Number, bytes: Array, arrays: true });
  const g = m.graph, pick = (a) => a[randInt(r, 0, a.length - 1)];
  const any = () => pick([0, 1, -1, 2, 3, 7, 1e9, -1e9, 65536, 2 ** 40]);
  switch (randInt(r, 0, 9)) {
    case 0: { const n = pick(g.node); if (n.attribute && n.attribute.length) { const a = pick(n.attribute); if (a.ints) a.ints[randInt(r, 0, a.ints.length - 1)] = any(); else if ('i' in a) a.i = any(); else a.f = pick([NaN, -1, 1e30]); } break; }
    case 1: pick(g.node).opType = pick(['Conv', 'Gemm', 'Softmax', 'Reshape', 'LSTM', 'Relu', 'MaxPool', '']); break;
    case 2: { const n = pick(g.node); n.input[randInt(r, 0, Math.max(0, n.input.length - 1))] = pick(g.node).output[0]; break; }
    case 3: g.node.splice(randInt(r, 0, g.node.length - 1), 1); break;
    case 4: { const t = pick(g.initializer); t.dims[randInt(r, 0, Math.max(0, t.dims.length - 1))] = any(); break; }
    case 5: { const t = pick(g.initializer); if (t.floatData && t.floatData.length) t.floatData[randInt(r, 0, t.floatData.length - 1)] = pick([NaN, Infinity, 1e38]); else t.dataType = randInt(r, 0, 16); break; }
    case 6: { const t = pick(g.initializer); if (t.floatData) t.floatData = t.floatData.slice(0, randInt(r, 0, t.floatData.length)); break; }
    case 7: g.input[0].type.tensorType.shape.dim[randInt(r, 1, 3)] = { dimValue: any() }; break;
    case 8: { const i = randInt(r, 0, g.node.length - 2); [g.node[i], g.node[i + 1]] = [g.node[i + 1], g.node[i]]; break; }
    default: m.metadataProps = [{ key: pick(['class_names', 'convlab_spec']), value: pick(['[1,2]', '{', '["a"]', '{"layers":[{"type":"dropout","rate":7}]}', 'null']) }];
  }
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(m)).finish();
}

test('5,000 damaged ONNX files: each imports or throws "ONNX import: …"; the engine keeps working', () => {
  const sources = [
    JSON.parse(engine.presetsJson())[1].spec,
    { input: [1, 8, 8], layers: [{ type: 'local2d', filters: 2, kernel: 3 }, { type: 'tiledconv2d', filters: 2, kernel: 2, tiles: 2 },
      { type: 'l2pool', size: 2, padding: 1 }, { type: 'dense', units: 4 }, { type: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 3 }] },
    { input: [2, 9, 9], layers: [{ type: 'conv2d', filters: 3, kernel: 3, dilation: 2, padding: 1 }, { type: 'avgpool', size: 2, padding: 1 },
      { type: 'globalavgpool' }, { type: 'flatten' }, { type: 'dense', units: 5 }, { type: 'sigmoid' }, { type: 'dense', units: 2 }] },
  ].map((spec, k) => {
    const net = new Network(spec, k + 1);
    net.setClassNames(Array.from({ length: net.classes }, (_, j) => `class ${j}`));
    const bytes = net.exportOnnx();
    net.delete();
    return bytes;
  });
  const probe = new Network(JSON.parse(engine.presetsJson())[0].spec, 1);
  const image = Float32Array.from({ length: 784 }, (_, k) => (k % 29) / 29);
  const before = probe.predict(image, 1);
  const r = rng(4242);
  let imported = 0, refused = 0;
  const messages = new Map();
  for (let i = 0; i < 5000; i++) {
    const good = sources[i % sources.length];
    const bytes = i % 2 ? mutateBytes(r, good) : mutateModel(r, good);
    let net;
    try {
      net = Network.fromOnnx(bytes);
    } catch (e) {
      assert.ok(e instanceof Error, `file ${i}: threw ${e}`);
      assert.match(e.message, /^ONNX import: \S/, `file ${i}: ${e.stack}`);
      const key = e.message.replace(/\d+/g, 'N').slice(0, 60);
      messages.set(key, (messages.get(key) || 0) + 1);
      refused++;
      continue;
    }
    const [c, h, w] = JSON.parse(net.spec()).input;
    const p = net.predict(new Float32Array(c * h * w).fill(0.5), 1);
    assert.ok(p.every(Number.isFinite) && Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4, `file ${i}: probabilities ${p} of ${net.spec()}`);
    net.delete();
    imported++;
  }
  assert.deepEqual(probe.predict(image, 1), before, 'a network made before still reads the same');
  probe.delete();
  console.log(`damaged files: ${imported} imported (a change that keeps a valid model), ${refused} refused with ${messages.size} kinds of message`);
  assert.ok(refused > 2500 && messages.size > 30, `${refused} refused, ${messages.size} kinds`);
});
