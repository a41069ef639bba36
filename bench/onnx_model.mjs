// Writes the benchmark network (with ConvLab's weights) as an ONNX model, opset 13, for ONNX
// Runtime Web: a minimal protobuf encoder for the few ModelProto fields it needs.
const varint = (n) => {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);
const msg = (field, parts) => bytes(field, parts.flat());

const FLOAT = 1;
const tensor = (name, dims, values) =>
  msg(5, [...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, [...new Uint8Array(Float32Array.from(values).buffer)])]);
const attrInts = (name, values) => msg(5, [str(1, name), ...values.map((v) => int(8, v)), int(20, 7)]);
const attrInt = (name, value) => msg(5, [str(1, name), int(3, value), int(20, 2)]);
const node = (op, inputs, outputs, attrs = []) =>
  msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...attrs]);
const valueInfo = (field, name, dims) =>
  msg(field, [str(1, name), msg(2, [msg(1, [int(1, FLOAT), msg(2, dims.map((d) => msg(1, [typeof d === 'string' ? str(2, d) : int(1, d)])))])])]);

// W: ConvLab layouts — conv [O][C][kh][kw] (ONNX's own), dense [units][C·H·W] (ONNX Flatten is NCHW too).
export function onnxModel(W) {
  const graph = [
    node('Conv', ['x', 'c1w', 'c1b'], ['c1'], [attrInts('kernel_shape', [5, 5]), attrInts('pads', [2, 2, 2, 2])]),
    node('Relu', ['c1'], ['r1']),
    node('MaxPool', ['r1'], ['p1'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])]),
    node('Conv', ['p1', 'c2w', 'c2b'], ['c2'], [attrInts('kernel_shape', [5, 5]), attrInts('pads', [2, 2, 2, 2])]),
    node('Relu', ['c2'], ['r2']),
    node('MaxPool', ['r2'], ['p2'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])]),
    node('Flatten', ['p2'], ['f'], [attrInt('axis', 1)]),
    node('Gemm', ['f', 'dw', 'db'], ['logits'], [attrInt('transB', 1)]),
    node('Softmax', ['logits'], ['probs'], [attrInt('axis', 1)]),
    str(2, 'convlab_bench'),
    tensor('c1w', [8, 1, 5, 5], W.c1w), tensor('c1b', [8], W.c1b),
    tensor('c2w', [16, 8, 5, 5], W.c2w), tensor('c2b', [16], W.c2b),
    tensor('dw', [10, 784], W.dw), tensor('db', [10], W.db),
    valueInfo(11, 'x', ['n', 1, 28, 28]),
    valueInfo(12, 'probs', ['n', 10]),
  ];
  const model = [int(1, 7), str(2, 'convlab'), msg(7, graph), msg(8, [str(1, ''), int(2, 13)])];
  return Uint8Array.from(model.flat());
}
