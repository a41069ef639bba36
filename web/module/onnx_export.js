// ONNX export of a ConvLab network (opset 13, IR version 8), written with the maintained protobuf
// classes of npm onnx-proto (protobufjs). One module for the JS API (Network.exportOnnx), the
// command line (scripts/export-onnx.mjs) and the page (loaded on demand with its protobuf runtime).
//
// Input "input" [N, C, H, W] (N symbolic), first output "probs" [N, classes] (a Softmax).
//   conv2d → Conv; maxpool / avgpool (count_include_pad = 0) / l2pool → MaxPool / AveragePool /
//   LpPool p = 2; globalavgpool → GlobalAveragePool; flatten → Flatten; dense → Flatten + Gemm;
//   relu / leaky_relu / sigmoid / tanh → Relu / LeakyRelu / Sigmoid / Tanh; dropout → nothing.
//   local2d and tiledconv2d (no ONNX operator): the patches by a Conv with one-hot kernels
//   (im2col, docs/math.md §5), then each output position's own weights by a batched MatMul — exact.
//   wavgpool has no exact equivalent and is refused, naming the layer.
'use strict';
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory(require('onnx-proto').onnx);
  else root.convlabOnnx = factory(root.onnx);
})(typeof self !== 'undefined' ? self : this, function (onnx) {
  const FLOAT = onnx.TensorProto.DataType.FLOAT, INT64 = onnx.TensorProto.DataType.INT64;
  const A = onnx.AttributeProto.AttributeType;

  function attribute(name, value) {
    if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
    if (Number.isInteger(value)) return onnx.AttributeProto.create({ name, type: A.INT, i: value });
    return onnx.AttributeProto.create({ name, type: A.FLOAT, f: value });
  }

  // The network as the exporter needs it: spec (every setting written out), each layer's output
  // shape, its weights and biases (ConvLab's layouts), class names.
  function exportModel({ spec, outShapes, weights, biases, classNames }) {
    const nodes = [], initializers = [];
    let count = 0;
    const fresh = (base) => `${base}_${count++}`;
    const floats = (name, dims, values) => {
      initializers.push(onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: Array.from(values) }));
      return name;
    };
    const ints = (name, values) => {
      initializers.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, int64Data: values }));
      return name;
    };
    const node = (opType, inputs, attrs = {}, output = fresh(opType.toLowerCase())) => {
      nodes.push(onnx.NodeProto.create({
        opType, input: inputs, output: [output], name: output,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }));
      return output;
    };

    let x = 'input';
    let flat = false;  // the tensor is [N, F] (after Flatten/Gemm) rather than [N, C, H, W]
    let shape = spec.input;  // [C, H, W] of x
    const spatial = () => {  // a layer that needs [N, C, H, W] after a flat one: its [F, 1, 1] view
      if (flat) x = node('Reshape', [x, ints(fresh('shape'), [0, shape[0], shape[1], shape[2]])]), flat = false;
    };
    const pair = (v) => (Array.isArray(v) ? v : [v, v]);

    spec.layers.forEach((layer, i) => {
      const out = outShapes[i];
      const kernel = pair(layer.kernel || layer.size), stride = pair(layer.stride || 1);
      const padding = pair(layer.padding || 0), dilation = pair(layer.dilation || 1);
      const geometry = { kernel_shape: kernel, strides: stride, pads: [padding[0], padding[1], padding[0], padding[1]] };
      switch (layer.type) {
        case 'conv2d':
          spatial();
          x = node('Conv', [x, floats(`layer${i}_weight`, [out[0], shape[0], kernel[0], kernel[1]], weights(i)),
            floats(`layer${i}_bias`, [out[0]], biases(i))], { ...geometry, dilations: dilation });
          break;
        case 'local2d':
        case 'tiledconv2d': {
          spatial();
          const [C, O] = [shape[0], out[0]], K = C * kernel[0] * kernel[1], L = out[1] * out[2];
          // one-hot kernels: output channel k = (c, a, b) copies input channel c at tap (a, b)
          const onehot = new Float32Array(K * K);
          for (let k = 0; k < K; k++) onehot[k * K + k] = 1;
          const patches = node('Conv', [x, floats(`layer${i}_taps`, [K, C, kernel[0], kernel[1]], onehot)],
            { ...geometry, dilations: dilation });
          const rows = node('Transpose', [node('Reshape', [patches, ints(fresh('shape'), [0, K, L])])], { perm: [2, 0, 1] });
          // per position l = (i, j): its kernel set's weights as [K, O] (ConvLab: [sets][O][K])
          const w = weights(i), tiles = layer.type === 'tiledconv2d' ? layer.tiles : 0;
          const full = new Float32Array(L * K * O);
          for (let l = 0; l < L; l++) {
            const r = Math.floor(l / out[2]), c = l % out[2];
            const set = tiles ? (r % tiles) * tiles + (c % tiles) : l;
            for (let o = 0; o < O; o++)
              for (let k = 0; k < K; k++) full[(l * K + k) * O + o] = w[(set * O + o) * K + k];
          }
          const products = node('MatMul', [rows, floats(`layer${i}_weight`, [L, K, O], full)]);
          const maps = node('Reshape', [node('Transpose', [products], { perm: [1, 2, 0] }),
            ints(fresh('shape'), [0, O, out[1], out[2]])]);
          const b = biases(i);
          x = node('Add', [maps, floats(`layer${i}_bias`, b.length === O ? [O, 1, 1] : [O, out[1], out[2]], b)]);
          break;
        }
        case 'maxpool':
          spatial();
          x = node('MaxPool', [x], geometry);
          break;
        case 'avgpool':
          spatial();
          x = node('AveragePool', [x], { ...geometry, count_include_pad: 0 });
          break;
        case 'l2pool':
          spatial();
          x = node('LpPool', [x], { ...geometry, p: 2 });
          break;
        case 'globalavgpool':
          spatial();
          x = node('GlobalAveragePool', [x]);
          break;
        case 'flatten':
          x = node('Flatten', [x], { axis: 1 });
          flat = true;
          break;
        case 'dense':
          x = node('Gemm', [node('Flatten', [x], { axis: 1 }),
            floats(`layer${i}_weight`, [out[0], shape[0] * shape[1] * shape[2]], weights(i)),
            floats(`layer${i}_bias`, [out[0]], biases(i))], { transB: 1 });
          flat = true;
          break;
        case 'relu': x = node('Relu', [x]); break;
        case 'leaky_relu': x = node('LeakyRelu', [x], { alpha: layer.alpha }); break;
        case 'sigmoid': x = node('Sigmoid', [x]); break;
        case 'tanh': x = node('Tanh', [x]); break;
        case 'dropout': break;  // inference: the identity
        default:
          throw new Error(`ONNX export: layer ${i + 1} (${layer.type}) has no exact ONNX equivalent` +
            (layer.type === 'wavgpool' ? ' (its edge-renormalised weighted average); replace it with avgpool to export' : ''));
      }
      shape = out;
    });
    node('Softmax', [node('Flatten', [x], { axis: 1 })], { axis: 1 }, 'probs');

    const classes = outShapes[outShapes.length - 1].reduce((a, b) => a * b, 1);
    const tensorType = (dims) => onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    });
    const graph = onnx.GraphProto.create({
      name: 'convlab',
      node: nodes,
      initializer: initializers,
      input: [onnx.ValueInfoProto.create({ name: 'input', type: tensorType(['N', ...spec.input]) })],
      output: [onnx.ValueInfoProto.create({ name: 'probs', type: tensorType(['N', classes]) })],
    });
    const metadata = [onnx.StringStringEntryProto.create({ key: 'convlab_spec', value: JSON.stringify(spec) })];
    if (classNames && classNames.length)
      metadata.push(onnx.StringStringEntryProto.create({ key: 'class_names', value: JSON.stringify(classNames) }));
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'ConvLab',
      producerVersion: '1',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
      graph,
      metadataProps: metadata,
    });
    // a copy of its own: in node protobufjs writes small messages into a shared pool (a Buffer,
    // whose slice() is a view), which the next encode overwrites
    return new Uint8Array(onnx.ModelProto.encode(model).finish());
  }

  // A ConvLab Network of the JS API (docs/api.md).
  function exportNetwork(net) {
    const spec = JSON.parse(net.spec());
    const described = JSON.parse(net.describe());
    return exportModel({
      spec,
      outShapes: described.layers.map((l) => l.outShape),
      weights: (i) => net.weights(i),
      biases: (i) => net.biases(i),
      classNames: described.classNames,
    });
  }

  return { exportModel, exportNetwork };
});
