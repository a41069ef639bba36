// Safetensors export of a ConvLab network's weights (https://github.com/huggingface/safetensors):
// u64 LE header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {…}}
// padded with spaces to 8 bytes, then the float32 data. Tensors are named layers.I.weight and
// layers.I.bias (I from 0, layers without parameters skipped) in ConvLab's layouts: conv2d
// [O, C, kh, kw]; dense [units, inputs]; local2d / tiledconv2d [sets, O, C·kh·kw] with a bias [O]
// or [O, H', W']. The metadata holds the spec ("convlab_spec") and the class names ("class_names").
'use strict';
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.convlabSafetensors = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  // Shapes of layer i's weights and biases, from the spec and the layer's input and output shapes.
  function shapes(layer, input, out, weightCount, biasCount) {
    const pair = (v) => (Array.isArray(v) ? v : [v, v]);
    const k = pair(layer.kernel || 1), C = input[0], O = out[0];
    switch (layer.type) {
      case 'conv2d': return [[O, C, k[0], k[1]], [O]];
      case 'dense': return [[O, input[0] * input[1] * input[2]], [O]];
      case 'local2d':
      case 'tiledconv2d': {
        const K = C * k[0] * k[1];
        return [[weightCount / (O * K), O, K], biasCount === O ? [O] : [O, out[1], out[2]]];
      }
      default: return [[weightCount], [biasCount]];
    }
  }

  function exportWeights({ spec, outShapes, weights, biases, classNames }) {
    const header = {}, chunks = [];
    let offset = 0;
    const add = (name, shape, values) => {
      header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * values.length] };
      chunks.push(Float32Array.from(values));
      offset += 4 * values.length;
    };
    let input = spec.input;
    spec.layers.forEach((layer, i) => {
      const w = weights(i), b = biases(i);
      if (w.length || b.length) {
        const [ws, bs] = shapes(layer, input, outShapes[i], w.length, b.length);
        add(`layers.${i}.weight`, ws, w);
        add(`layers.${i}.bias`, bs, b);
      }
      input = outShapes[i];
    });
    header.__metadata__ = { format: 'convlab', convlab_spec: JSON.stringify(spec) };
    if (classNames && classNames.length) header.__metadata__.class_names = JSON.stringify(classNames);
    let text = JSON.stringify(header);
    text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
    const head = new TextEncoder().encode(text);
    const bytes = new Uint8Array(8 + head.length + offset);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    let at = 8 + head.length;
    for (const c of chunks) {
      bytes.set(new Uint8Array(c.buffer), at);  // float32 little-endian, as every host here stores it
      at += c.byteLength;
    }
    return bytes;
  }

  // A ConvLab Network of the JS API (docs/api.md).
  function exportNetwork(net) {
    const described = JSON.parse(net.describe());
    return exportWeights({
      spec: JSON.parse(net.spec()),
      outShapes: described.layers.map((l) => l.outShape),
      weights: (i) => net.weights(i),
      biases: (i) => net.biases(i),
      classNames: described.classNames,
    });
  }

  return { exportWeights, exportNetwork };
});
