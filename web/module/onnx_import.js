// ONNX import: a chain of the operators ConvLab exports (web/module/onnx_export.js; docs/api.md
// lists them) becomes a ConvLab spec with each layer's weights and biases in the engine's layouts.
// One module for the JS API (Network.fromOnnx), the page (Keep → Load model file…, loaded on
// demand) and tests. Anything else — another operator or attribute, a branch in the graph, external
// data, a non-float tensor, an absurd dimension — is an Error "ONNX import: …" naming it; the file
// is only ever read, never run.
//
//   Conv (group 1, symmetric pads or auto_pad) → conv2d; the exporter's local2d / tiledconv2d
//   pattern (one-hot Conv, Reshape, Transpose, MatMul, Transpose, Reshape, Add) → local2d, or
//   tiledconv2d when the positions' weights repeat with a period t ≤ 16 and the bias is per channel;
//   MaxPool / AveragePool (count_include_pad 0 when padded) / LpPool p = 2 → maxpool / avgpool /
//   l2pool; GlobalAveragePool → globalavgpool; Flatten → flatten (or nothing on a flat tensor; with
//   the Gemm it feeds: dense); Gemm, or MatMul (+ Add), on a flat tensor → dense; Reshape of a flat
//   tensor to [N, F, 1, 1] → nothing, of a map to [N, F] → flatten; Relu / LeakyRelu / Sigmoid /
//   Tanh → relu / leaky_relu / sigmoid / tanh; Dropout / Identity → nothing; a last Softmax → the
//   engine's own (without one the output is read as the class scores).
'use strict';
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory(require('onnx-proto').onnx);
  else root.convlabOnnxImport = factory(root.onnx);
})(typeof self !== 'undefined' ? self : this, function (onnx) {
  const DataType = onnx.TensorProto.DataType, A = onnx.AttributeProto.AttributeType;
  const MAX_FLOATS = 16 << 20;     // engine/size_limits.h max_params: 64 MB of float32
  const MAX_FILE_BYTES = 256 << 20;  // the exporter writes a local2d's weights per position
  const MAX_TILES = 16;             // engine/size_limits.h max_tiles
  const OPSETS = [7, 21];

  function fail(message) { throw new Error('ONNX import: ' + message); }

  // protobufjs gives int64 as a Long, a number or (with no Long library) a string
  function num(v, what) {
    const n = v != null && typeof v === 'object' && typeof v.toNumber === 'function' ? v.toNumber() : Number(v);
    if (!Number.isSafeInteger(n)) fail(`${what} is not a whole number (${v})`);
    return n;
  }
  const product = (dims) => dims.reduce((a, b) => a * b, 1);

  // A tensor's values: float32 (weights) or int64 (shapes), stored in the file, never elsewhere.
  function values(t, what) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData && t.externalData.length)) {
      const location = (t.externalData || []).find((e) => e.key === 'location');
      fail(`${what}: the data is in another file${location ? ` (${location.value})` : ''}; save the model with its weights inside`);
    }
    const dims = (t.dims || []).map((d) => num(d, `a dimension of ${what}`));
    if (dims.some((d) => d < 0 || d > MAX_FLOATS)) fail(`${what}: an absurd shape [${dims.join(', ')}]`);
    const count = product(dims);
    if (count > MAX_FLOATS) fail(`${what}: ${count} values, more than a ConvLab network can hold (${MAX_FLOATS})`);
    const raw = t.rawData && t.rawData.length ? t.rawData : null;
    if (t.dataType === DataType.FLOAT) {
      if (raw) {
        if (raw.length !== 4 * count) fail(`${what}: ${raw.length} bytes of data for ${count} floats`);
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        return { dims, data: Float32Array.from({ length: count }, (_, k) => view.getFloat32(4 * k, true)) };
      }
      if ((t.floatData || []).length !== count) fail(`${what}: ${(t.floatData || []).length} floats for the shape [${dims.join(', ')}]`);
      return { dims, data: Float32Array.from(t.floatData) };
    }
    if (t.dataType === DataType.INT64) {
      let ints;
      if (raw) {
        if (raw.length !== 8 * count) fail(`${what}: ${raw.length} bytes of data for ${count} int64 values`);
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        ints = Array.from({ length: count }, (_, k) => num(view.getBigInt64(8 * k, true), `a value of ${what}`));
      } else {
        ints = (t.int64Data || []).map((v) => num(v, `a value of ${what}`));
      }
      if (ints.length !== count) fail(`${what}: ${ints.length} values for the shape [${dims.join(', ')}]`);
      return { dims, data: ints };
    }
    const type = Object.keys(DataType).find((k) => DataType[k] === t.dataType) || t.dataType;
    fail(`${what}: type ${type}; ConvLab reads float32 weights (and int64 shapes)`);
  }

  // A node's attributes, read only by the names its operator allows.
  function attributes(node, allowed, label) {
    const byName = {};
    for (const a of node.attribute || []) {
      if (!allowed.includes(a.name)) fail(`${label}: the attribute "${a.name}" is not supported`);
      byName[a.name] = a;
    }
    const get = (name, type, what) => {
      const a = byName[name];
      if (!a) return undefined;
      if (a.type !== type) fail(`${label}: the attribute "${name}" should be ${what}`);
      return a;
    };
    return {
      int: (name, dflt) => { const a = get(name, A.INT, 'an integer'); return a ? num(a.i, `${label}: ${name}`) : dflt; },
      float: (name, dflt) => { const a = get(name, A.FLOAT, 'a float'); return a ? a.f : dflt; },
      ints: (name, dflt) => { const a = get(name, A.INTS, 'a list of integers'); return a ? a.ints.map((v) => num(v, `${label}: ${name}`)) : dflt; },
      string: (name, dflt) => { const a = get(name, A.STRING, 'a string'); return a ? new TextDecoder().decode(a.s) : dflt; },
      tensor: (name) => get(name, A.TENSOR, 'a tensor'),
    };
  }

  // conv2d_output_size (docs/math.md §1): ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1
  const outSize = (n, k, s, p, d) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

  // kernel/strides/pads/dilations of a Conv or pool as ConvLab pairs; pads must be the same on
  // both sides of an axis (auto_pad SAME_* when that works out even).
  function geometry(at, label, shape, kernel, withDilations) {
    const strides = at.ints('strides', [1, 1]), dilations = withDilations ? at.ints('dilations', [1, 1]) : [1, 1];
    let pads = at.ints('pads', [0, 0, 0, 0]);
    if (kernel.length !== 2 || strides.length !== 2 || dilations.length !== 2 || pads.length !== 4)
      fail(`${label}: only 2-D windows are supported (kernel [${kernel}], strides [${strides}], pads [${pads}])`);
    const autoPad = at.string('auto_pad', 'NOTSET');
    if (autoPad === 'VALID') pads = [0, 0, 0, 0];
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const total = [0, 1].map((a) => {
        const out = Math.ceil(shape[1 + a] / strides[a]);
        return Math.max(0, (out - 1) * strides[a] + dilations[a] * (kernel[a] - 1) + 1 - shape[1 + a]);
      });
      if (total.some((t) => t % 2)) fail(`${label}: auto_pad ${autoPad} pads one side more than the other here; ConvLab pads both sides alike`);
      pads = [total[0] / 2, total[1] / 2, total[0] / 2, total[1] / 2];
    } else if (autoPad !== 'NOTSET') fail(`${label}: auto_pad "${autoPad}" is not supported`);
    if (pads[0] !== pads[2] || pads[1] !== pads[3])
      fail(`${label}: pads [${pads.join(', ')}] differ between the sides; ConvLab pads both sides of an axis alike`);
    for (const v of [...kernel, ...strides, ...dilations]) if (v < 1) fail(`${label}: a kernel, stride or dilation below 1`);
    if (pads.some((p) => p < 0)) fail(`${label}: negative padding`);
    const padding = [pads[0], pads[1]];
    const out = [0, 1].map((a) => outSize(shape[1 + a], kernel[a], strides[a], padding[a], dilations[a]));
    if (out.some((n) => n < 1)) fail(`${label}: the output would be ${out[0]}×${out[1]}, nothing left of the ${shape[1]}×${shape[2]} input`);
    return { kernel, stride: strides, padding, dilation: dilations, out };
  }

  // A layer as the engine's spec() writes it: keys in alphabetical order.
  const canonical = (layer) => Object.fromEntries(Object.keys(layer).sort().map((k) => [k, layer[k]]));

  function importModel(bytes) {
    if (!(bytes instanceof Uint8Array)) fail('the model must be a Uint8Array');
    if (bytes.length > MAX_FILE_BYTES) fail(`the file has ${bytes.length} bytes, more than ConvLab reads (${MAX_FILE_BYTES})`);
    let model;
    try {
      model = onnx.ModelProto.decode(bytes);
    } catch (e) {
      fail(`this is not an ONNX model, or the file is damaged (${e.message})`);
    }
    const graph = model.graph;
    if (!graph || !(graph.node || []).length) fail('the file has no graph of operators (is it an ONNX model?)');
    const opset = (model.opsetImport || []).find((o) => !o.domain || o.domain === 'ai.onnx');
    const version = opset ? num(opset.version, 'the opset version') : 0;
    if (version < OPSETS[0] || version > OPSETS[1]) fail(`opset ${version} is not supported (ConvLab reads opsets ${OPSETS[0]}–${OPSETS[1]})`);

    // constants: initializers and Constant nodes
    const constants = new Map();
    for (const t of graph.initializer || []) {
      if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData && t.externalData.length)) values(t, `the tensor "${t.name}"`);
      constants.set(t.name, t);
    }
    const nodes = [];
    for (const n of graph.node) {
      const label = `${n.opType || '?'} (node "${n.name || (n.output || [])[0] || '?'}")`;
      if (n.domain && n.domain !== 'ai.onnx') fail(`${label} is from the operator set "${n.domain}", which ConvLab does not read`);
      if (n.opType === 'Constant') {
        const t = attributes(n, ['value'], label).tensor('value');
        if (!t || !(n.output || [])[0]) fail(`${label}: only a tensor "value" is supported`);
        constants.set(n.output[0], t.t);
      } else {
        nodes.push({ node: n, label });
      }
    }
    const inputs = (graph.input || []).filter((v) => !constants.has(v.name));
    if (inputs.length !== 1) fail(`the graph has ${inputs.length} inputs; ConvLab networks take one image batch`);
    const type = inputs[0].type && inputs[0].type.tensorType;
    if (!type || type.elemType !== DataType.FLOAT) fail(`the input "${inputs[0].name}" is not a float tensor`);
    const dims = ((type.shape && type.shape.dim) || []).map((d) => (d.dimParam ? d.dimParam : d.dimValue == null ? '?' : num(d.dimValue, 'an input dimension')));
    if (dims.length !== 4 || dims.slice(1).some((d) => typeof d !== 'number' || d < 1))
      fail(`the input "${inputs[0].name}" has the shape [${dims.join(', ')}]; ConvLab reads [N, C, H, W] with fixed C, H and W`);

    const layers = [], weights = [], biases = [];
    let shape = dims.slice(1), flat = false, cur = inputs[0].name, softmax = false;
    const add = (layer, w = new Float32Array(0), b = new Float32Array(0), out = shape) => {
      layers.push(layer), weights.push(w), biases.push(b);
      shape = out;
    };
    const constant = (name, what) => {
      if (!constants.has(name)) fail(`${what} ("${name}") is computed in the graph; ConvLab reads only weights stored in the file`);
      return values(constants.get(name), what);
    };
    const dataInput = (item, k = 0) => {
      const ins = item.node.input || [];
      if (ins[k] !== cur) fail(`${item.label} does not take the previous layer's output: ConvLab reads a chain of layers, no branches`);
      return ins;
    };
    const features = () => shape[0] * shape[1] * shape[2];

    // The exporter's local2d / tiledconv2d (web/module/onnx_export.js): a Conv with one-hot kernels
    // (every patch as K = C·kh·kw channels), Reshape [N, K, L], Transpose [2, 0, 1], MatMul by
    // [L, K, O], Transpose [1, 2, 0], Reshape [N, O, H', W'], Add the bias. null when the nodes
    // after node i are not that.
    const patches = (i, w, g) => {
      const [K, C, kh, kw] = w.dims, [H, W] = g.out, L = H * W;
      if (K !== C * kh * kw) return null;
      for (let r = 0; r < K; r++) for (let c = 0; c < K; c++) if (w.data[r * K + c] !== (r === c ? 1 : 0)) return null;
      const ops = nodes.slice(i + 1, i + 7).map((x) => x.node);
      if (ops.map((o) => o.opType).join() !== 'Reshape,Transpose,MatMul,Transpose,Reshape,Add') return null;
      let from = nodes[i].node.output[0];
      for (const o of ops) {
        if (!o.input || o.input[0] !== from || !o.output || !o.output[0]) return null;
        from = o.output[0];
      }
      const same = (a, b) => a.length === b.length && a.every((v, k) => v === b[k]);
      const shapeOf = (o) => (constants.has(o.input[1]) ? values(constants.get(o.input[1]), 'a shape').data.map((v, a) => (a === 0 && v === -1 ? 0 : v)) : []);
      const perm = (o) => (o.attribute || []).length === 1 && o.attribute[0].name === 'perm' ? o.attribute[0].ints.map((v) => num(v, 'perm')) : [];
      if (!same(shapeOf(ops[0]), [0, K, L]) || !same(perm(ops[1]), [2, 0, 1]) || !same(perm(ops[3]), [1, 2, 0])) return null;
      if (!constants.has(ops[2].input[1]) || !constants.has(ops[5].input[1])) return null;
      const m = values(constants.get(ops[2].input[1]), `${nodes[i + 3].label}'s weights`);
      if (m.dims.length !== 3 || m.dims[0] !== L || m.dims[1] !== K) return null;
      const O = m.dims[2];
      if (!same(shapeOf(ops[4]), [0, O, H, W])) return null;
      const bias = values(constants.get(ops[5].input[1]), `${nodes[i + 6].label}'s bias`).data;
      if (bias.length !== O && bias.length !== O * L) return null;
      // position l's weights in ConvLab's order [O][K]
      const at = (l, o, k) => m.data[(l * K + k) * O + o];
      const repeats = (t) => {
        for (let l = 0; l < L; l++) {
          const r = Math.floor(l / W), c = l % W, rep = (r % t) * W + (c % t);
          for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) if (at(l, o, k) !== at(rep, o, k)) return false;
        }
        return true;
      };
      let tiles = 0;
      if (bias.length === O) for (let t = 1; t <= Math.min(MAX_TILES, H, W) && !tiles; t++) if (repeats(t)) tiles = t;
      const sets = tiles ? tiles * tiles : L;
      const weights = new Float32Array(sets * O * K);
      for (let s = 0; s < sets; s++) {
        const l = tiles ? Math.floor(s / tiles) * W + (s % tiles) : s;
        for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) weights[(s * O + o) * K + k] = at(l, o, k);
      }
      const biases = tiles ? Float32Array.from(bias)
        : Float32Array.from({ length: O * L }, (_, j) => (bias.length === O ? bias[Math.floor(j / L)] : bias[j]));
      const layer = { type: tiles ? 'tiledconv2d' : 'local2d', filters: O, kernel: g.kernel, stride: g.stride, padding: g.padding, dilation: g.dilation };
      if (tiles) layer.tiles = tiles;
      return { layer, weights, biases, output: ops[5].output[0] };
    };

    for (let i = 0; i < nodes.length; i++) {
      const item = nodes[i], n = item.node, label = item.label;
      if (softmax) fail(`${label} comes after the Softmax; ConvLab's Softmax is the network's last step`);
      const next = nodes[i + 1] && nodes[i + 1].node;
      const feedsNext = (op) => next && next.opType === op && (next.input || [])[0] === n.output[0];
      switch (n.opType) {
        case 'Conv': {
          const ins = dataInput(item);
          if (flat) fail(`${label}: a Conv on a flat tensor; reshape it to [N, F, 1, 1] first`);
          const at = attributes(n, ['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad'], label);
          if (at.int('group', 1) !== 1) fail(`${label}: group = ${at.int('group', 1)} (a grouped convolution) is not supported`);
          const w = constant(ins[1], `${label}'s weights`);
          if (w.dims.length !== 4 || w.dims[1] !== shape[0])
            fail(`${label}: weights of shape [${w.dims.join(', ')}] on ${shape[0]} input channels`);
          const kernel = at.ints('kernel_shape', w.dims.slice(2));
          if (kernel[0] !== w.dims[2] || kernel[1] !== w.dims[3]) fail(`${label}: kernel_shape [${kernel}] differs from its weights' [${w.dims.slice(2)}]`);
          const g = geometry(at, label, shape, kernel, true);
          const b = ins[2] ? constant(ins[2], `${label}'s bias`) : { dims: [w.dims[0]], data: new Float32Array(w.dims[0]) };
          if (b.data.length !== w.dims[0]) fail(`${label}: ${b.data.length} biases for ${w.dims[0]} filters`);
          const local = !ins[2] && patches(i, w, g);
          if (local) {
            add(local.layer, local.weights, local.biases, [local.layer.filters, g.out[0], g.out[1]]);
            cur = local.output;
            i += 6;
            continue;
          }
          add({ type: 'conv2d', filters: w.dims[0], kernel: g.kernel, stride: g.stride, padding: g.padding, dilation: g.dilation },
            w.data, b.data, [w.dims[0], g.out[0], g.out[1]]);
          break;
        }
        case 'MaxPool':
        case 'AveragePool':
        case 'LpPool': {
          dataInput(item);
          if (flat) fail(`${label}: pooling a flat tensor; reshape it to [N, F, 1, 1] first`);
          if ((n.output || []).length > 1 && n.output[1]) fail(`${label}: the Indices output is not supported`);
          const allowed = { MaxPool: ['kernel_shape', 'strides', 'pads', 'dilations', 'ceil_mode', 'storage_order', 'auto_pad'],
            AveragePool: ['kernel_shape', 'strides', 'pads', 'ceil_mode', 'count_include_pad', 'auto_pad'],
            LpPool: ['kernel_shape', 'strides', 'pads', 'p', 'auto_pad'] }[n.opType];
          const at = attributes(n, allowed, label);
          const kernel = at.ints('kernel_shape');
          if (!kernel) fail(`${label} has no kernel_shape`);
          const g = geometry(at, label, shape, kernel, n.opType === 'MaxPool');
          if (g.dilation.some((d) => d !== 1)) fail(`${label}: dilated pooling is not supported`);
          if (at.int('ceil_mode', 0)) {
            const ceil = [0, 1].map((a) => Math.ceil((shape[1 + a] + 2 * g.padding[a] - kernel[a]) / g.stride[a]) + 1);
            if (ceil[0] !== g.out[0] || ceil[1] !== g.out[1]) fail(`${label}: ceil_mode = 1 changes the output size here; ConvLab rounds down`);
          }
          if (n.opType === 'AveragePool' && at.int('count_include_pad', 0) && g.padding.some((p) => p > 0))
            fail(`${label}: count_include_pad = 1 averages the padding in; ConvLab's avgpool averages only the pixels in the image`);
          if (n.opType === 'LpPool' && at.int('p', 2) !== 2) fail(`${label}: p = ${at.int('p', 2)}; ConvLab has the p = 2 pool (l2pool)`);
          const type = { MaxPool: 'maxpool', AveragePool: 'avgpool', LpPool: 'l2pool' }[n.opType];
          add({ type, size: kernel, stride: g.stride, padding: g.padding }, undefined, undefined, [shape[0], g.out[0], g.out[1]]);
          break;
        }
        case 'GlobalAveragePool':
          dataInput(item);
          attributes(n, [], label);
          if (flat) fail(`${label} on a flat tensor`);
          add({ type: 'globalavgpool' }, undefined, undefined, [shape[0], 1, 1]);
          break;
        case 'Flatten': {
          dataInput(item);
          const axis = attributes(n, ['axis'], label).int('axis', 1);
          if (axis !== 1) fail(`${label}: axis = ${axis}; ConvLab flattens everything but the batch (axis 1)`);
          if (feedsNext('Gemm') || feedsNext('MatMul')) break;  // the dense layer flattens its input itself
          if (!flat) add({ type: 'flatten' }, undefined, undefined, [features(), 1, 1]);
          flat = true;
          break;
        }
        case 'Reshape': {
          const ins = dataInput(item);
          attributes(n, ['allowzero'], label);
          const to = constant(ins[1], `${label}'s shape`).data;
          const F = features();
          const target = to.map((v, a) => (v === 0 && a === 0 ? -1 : v));
          if (target.length === 4 && target[0] === -1 && target[1] === F && target[2] === 1 && target[3] === 1 && (flat || (shape[1] === 1 && shape[2] === 1))) {
            flat = false;  // [N, F] as [N, F, 1, 1]: the same values
          } else if (target.length === 2 && target[0] === -1 && (target[1] === F || target[1] === -1)) {
            if (!flat) add({ type: 'flatten' }, undefined, undefined, [F, 1, 1]);
            flat = true;
          } else {
            fail(`${label} to [${to.join(', ')}]: ConvLab's layers keep [C, H, W] maps or flat vectors`);
          }
          break;
        }
        case 'Gemm': {
          const ins = dataInput(item);
          // a Flatten right before it was left to this dense layer
          if (!flat && !(i > 0 && nodes[i - 1].node.opType === 'Flatten')) fail(`${label} on a [C, H, W] map; flatten it first`);
          const at = attributes(n, ['alpha', 'beta', 'transA', 'transB'], label);
          if (at.int('transA', 0)) fail(`${label}: transA = 1 is not supported`);
          const F = features();
          const B = constant(ins[1], `${label}'s weights`);
          const transB = at.int('transB', 0);
          if (B.dims.length !== 2 || B.dims[transB ? 1 : 0] !== F) fail(`${label}: weights of shape [${B.dims.join(', ')}] for ${F} inputs`);
          const units = B.dims[transB ? 0 : 1];
          const alpha = at.float('alpha', 1), beta = at.float('beta', 1);
          const w = new Float32Array(units * F);
          for (let o = 0; o < units; o++)
            for (let f = 0; f < F; f++) w[o * F + f] = alpha * (transB ? B.data[o * F + f] : B.data[f * units + o]);
          const b = new Float32Array(units);
          if (ins[2]) {
            const C = constant(ins[2], `${label}'s bias`);
            if (C.data.length !== units && C.data.length !== 1) fail(`${label}: a bias of shape [${C.dims.join(', ')}] for ${units} units`);
            for (let o = 0; o < units; o++) b[o] = beta * C.data[C.data.length === 1 ? 0 : o];
          }
          add({ type: 'dense', units }, w, b, [units, 1, 1]);
          flat = true;
          break;
        }
        case 'MatMul': {
          const ins = dataInput(item);
          if (!flat && !(i > 0 && nodes[i - 1].node.opType === 'Flatten')) fail(`${label} on a [C, H, W] map; flatten it first`);
          attributes(n, [], label);
          const F = features();
          const B = constant(ins[1], `${label}'s weights`);
          if (B.dims.length !== 2 || B.dims[0] !== F) fail(`${label}: weights of shape [${B.dims.join(', ')}] for ${F} inputs`);
          const units = B.dims[1];
          const w = new Float32Array(units * F);
          for (let o = 0; o < units; o++) for (let f = 0; f < F; f++) w[o * F + f] = B.data[f * units + o];
          const b = new Float32Array(units);
          if (feedsNext('Add')) {  // the bias of a dense layer written as MatMul + Add
            const bias = constant(next.input[1], `${nodes[i + 1].label}'s bias`);
            if (bias.data.length !== units) fail(`${nodes[i + 1].label}: a bias of ${bias.data.length} values for ${units} units`);
            b.set(bias.data);
            attributes(next, [], nodes[i + 1].label);
            add({ type: 'dense', units }, w, b, [units, 1, 1]);
            flat = true;
            cur = next.output[0];
            i += 1;
            continue;
          }
          add({ type: 'dense', units }, w, b, [units, 1, 1]);
          flat = true;
          break;
        }
        case 'Relu': case 'Sigmoid': case 'Tanh':
          dataInput(item);
          attributes(n, [], label);
          add({ type: n.opType.toLowerCase() });
          break;
        case 'LeakyRelu':
          dataInput(item);
          add({ type: 'leaky_relu', alpha: attributes(n, ['alpha'], label).float('alpha', 0.01) });
          break;
        case 'Dropout':
          dataInput(item);
          attributes(n, ['ratio', 'seed', 'is_test'], label);
          if ((n.output || []).length > 1 && n.output[1] && nodes.some((o) => (o.node.input || []).includes(n.output[1])))
            fail(`${label}: its mask output is used`);
          break;  // inference: the identity
        case 'Identity':
          dataInput(item);
          break;
        case 'Softmax': {
          dataInput(item);
          const axis = attributes(n, ['axis'], label).int('axis', version >= 13 ? -1 : 1);
          if (!flat && !(shape[1] === 1 && shape[2] === 1)) fail(`${label} over a [C, H, W] map; ConvLab's Softmax is over the class scores`);
          if (axis !== 1 && axis !== -1) fail(`${label}: axis = ${axis}; ConvLab's Softmax is over the classes (axis 1)`);
          softmax = true;
          break;
        }
        default:
          fail(`${label}: the operator ${n.opType} is not one ConvLab reads (see its README's formats section)`);
      }
      cur = (n.output || [])[0];
      if (!cur) fail(`${label} has no output`);
    }
    const outputs = graph.output || [];
    if (!outputs.length || outputs[0].name !== cur)
      fail(`the graph's first output${outputs.length ? ` "${outputs[0].name}"` : ''} is not the end of its chain of layers`);
    if (!layers.some((l) => l.type === 'dense' || l.type.endsWith('conv2d') || l.type === 'local2d'))
      fail('the graph has no layer with weights');

    const meta = Object.fromEntries((model.metadataProps || []).map((p) => [p.key, p.value]));
    let classNames = [];
    if (meta.class_names) {
      try { classNames = JSON.parse(meta.class_names); } catch (e) { fail('the class_names in its metadata are not JSON'); }
      if (!Array.isArray(classNames) || classNames.some((s) => typeof s !== 'string')) fail('the class_names in its metadata are not a list of strings');
    }
    // Dropout is the identity at inference, so the graph has none; a file written by ConvLab keeps
    // its spec in the metadata, and its dropout layers come back when every other layer matches.
    if (meta.convlab_spec) {
      let written = null;
      try { written = JSON.parse(meta.convlab_spec); } catch (e) { /* only a hint */ }
      const kept = written && Array.isArray(written.layers) ? written.layers : [];
      const others = kept.filter((l) => l && l.type !== 'dropout');
      if (kept.length > others.length && others.length === layers.length &&
          others.every((l, k) => JSON.stringify(l) === JSON.stringify(canonical(layers[k])))) {
        const out = { layers: [], weights: [], biases: [] };
        let k = 0;
        for (const l of kept) {
          const drop = l.type === 'dropout';
          out.layers.push(drop ? { type: 'dropout', rate: Number(l.rate) } : layers[k]);
          out.weights.push(drop ? new Float32Array(0) : weights[k]);
          out.biases.push(drop ? new Float32Array(0) : biases[k]);
          if (!drop) k++;
        }
        return { spec: { input: dims.slice(1), layers: out.layers }, weights: out.weights, biases: out.biases, classNames };
      }
    }
    return { spec: { input: dims.slice(1), layers }, weights, biases, classNames };
  }

  return { importModel };
});
