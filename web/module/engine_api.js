// The engine's JavaScript API (docs/api.md), on top of the Embind core in bindings.cpp. Linked with --post-js, so it runs inside the module and sees HEAPF32 etc.
// Every failure arrives as an Error with the engine's message.

function convlabCheck(result) {
  const message = Module['takeError']();
  if (message) throw new Error(message);
  return result;
}

// Grow-only buffers on the WASM heap, one per use, so that a training or inference loop
// allocates nothing once it has seen its largest batch.
class ConvLabScratch {
  constructor() { this.ptr = 0; this.bytes = 0; }
  reserve(bytes) {
    if (bytes > this.bytes) {
      Module['_free'](this.ptr);
      this.ptr = Module['_malloc'](bytes);
      this.bytes = this.ptr ? bytes : 0;
      if (!this.ptr) throw new Error('out of memory');
    }
    return this.ptr;
  }
  put(array, Type, name) {
    if (array == null || typeof array.length !== 'number') throw new Error(name + ' must be a ' + Type.name);
    const data = array instanceof Type ? array : Type.from(array);
    const ptr = this.reserve(Math.max(1, data.byteLength));
    new Type(HEAPU8.buffer, ptr, data.length).set(data);
    return { ptr: ptr, length: data.length };
  }
  free() { Module['_free'](this.ptr); this.ptr = 0; this.bytes = 0; }
}

// The ONNX and safetensors modules (web/module/onnx_export.js, onnx_import.js, safetensors.js):
// next to this module in node; in a page, the globals their bundle (interop.bundle.js) defines.
function convlabInterop(file, global) {
  const key = 'interop:' + file;
  if (!Module[key]) {
    if (ENVIRONMENT_IS_NODE) Module[key] = require(scriptDirectory + file);
    else if (typeof self !== 'undefined' && self[global]) Module[key] = self[global];
    else throw new Error('ONNX and safetensors: load interop.bundle.js first');
  }
  return Module[key];
}

// Threads where the module has shared memory (the threaded build, in node or a cross-origin
// isolated page): the machine's cores, at most 8. Results do not depend on it.
function convlabDefaultThreads() {
  if (typeof SharedArrayBuffer === 'undefined' || !(wasmMemory.buffer instanceof SharedArrayBuffer)) return 1;
  let cores = 1;
  if (ENVIRONMENT_IS_NODE) {
    const os = require('os');
    cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } else if (typeof navigator !== 'undefined') {
    cores = navigator.hardwareConcurrency || 1;
  }
  return Math.max(1, Math.min(8, cores));
}

function convlabBatchSize(n) {
  if (!Number.isInteger(n) || n < 1) throw new Error('n must be a positive integer, got ' + n);
  return n;
}

class ConvLabNetwork {
  constructor(spec, seed) {
    this.inputs = new ConvLabScratch();
    this.labels = new ConvLabScratch();
    this.outputs = new ConvLabScratch();
    if (spec instanceof Module['NetworkCore']) {  // from Network.load
      this.core = spec;
    } else {
      const text = typeof spec === 'string' ? spec : JSON.stringify(spec);
      const s = seed === undefined ? 0 : Number(seed);
      if (!Number.isInteger(s) || s < 0) throw new Error('seed must be a whole number ≥ 0');
      this.core = convlabCheck(Module['NetworkCore']['create'](text, s));
    }
    this.setThreads(Module['defaultThreads']);
  }
  // An ONNX model of the operators exportOnnx writes (web/module/onnx_import.js): a Network with its
  // weights and class names, or an Error "ONNX import: …" naming what it cannot read.
  static fromOnnx(bytes) {
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    const model = convlabInterop('onnx_import.js', 'convlabOnnxImport').importModel(bytes);
    let net;
    try {
      net = new ConvLabNetwork(model.spec, 0);
      model.weights.forEach((w, i) => net.setParameters(i, w, model.biases[i]));
      if (model.classNames.length) net.setClassNames(model.classNames);
      // finite weights can still overflow (a damaged file): such a network is refused
      if (!net.predict(new Float32Array(net.inputSize).fill(0.5), 1).every(Number.isFinite))
        throw new Error('its weights are so large that a plain grey image gives no finite scores');
      return net;
    } catch (e) {
      if (net) net.delete();
      throw new Error('ONNX import: ' + e.message);
    }
  }
  static load(bytes) {
    if (!(bytes instanceof Uint8Array)) {
      if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
      else throw new Error('Network.load needs a Uint8Array');
    }
    // Too large: the engine refuses it from its size alone, before anything is copied in.
    if (bytes.length > Module['maxModelFileBytes']) return convlabCheck(Module['NetworkCore']['load'](0, bytes.length));
    const scratch = new ConvLabScratch();
    try {
      const buf = scratch.put(bytes, Uint8Array, 'bytes');
      return new ConvLabNetwork(convlabCheck(Module['NetworkCore']['load'](buf.ptr, buf.length)));
    } finally {
      scratch.free();
    }
  }
  describe() { return this.core.describe(); }
  spec() { return this.core.spec(); }
  get classes() { return this.core.classes(); }
  get inputSize() { return this.core.inputSize(); }
  get steps() { return this.core.steps(); }
  // The classes' names ([] when unnamed), kept in model files; setClassNames([...]) gives one per class.
  get classNames() { return JSON.parse(this.core.classNames()); }
  setClassNames(names) {
    if (!Array.isArray(names)) throw new Error('class names must be an array of strings');
    convlabCheck(this.core.setClassNames(JSON.stringify(names)));
  }
  // Training and inference threads, 1 to 16 (the weights do not depend on it); they start with
  // the next step. Where the module has no shared memory only 1 works.
  get threads() { return this.core.threads(); }
  setThreads(n) {
    if (!Number.isInteger(n)) throw new Error('threads must be an integer, got ' + n);
    convlabCheck(this.core.setThreads(n));
  }
  setOptimizer(json) {
    convlabCheck(this.core.setOptimizer(typeof json === 'string' ? json : JSON.stringify(json)));
  }
  trainBatch(images, labels, n) {
    convlabBatchSize(n);
    const x = this.inputs.put(images, Float32Array, 'images');
    const y = this.labels.put(labels, Uint8Array, 'labels');
    return convlabCheck(this.core.trainBatch(x.ptr, x.length, y.ptr, y.length, n));
  }
  predict(images, n) {
    convlabBatchSize(n);
    const x = this.inputs.put(images, Float32Array, 'images');
    const count = n * this.core.classes();
    const out = this.outputs.reserve(4 * count);
    convlabCheck(this.core.predict(x.ptr, x.length, n, out));
    return new Float32Array(HEAPF32.buffer, out, count).slice();
  }
  // ∂(score of classIndex)/∂(input) for one image: the saliency map.
  inputGradient(image, classIndex) {
    const x = this.inputs.put(image, Float32Array, 'image');
    const count = this.core.inputSize();
    const out = this.outputs.reserve(4 * count);
    convlabCheck(this.core.inputGradient(x.ptr, x.length, classIndex, out));
    return new Float32Array(HEAPF32.buffer, out, count).slice();
  }
  layerOutput(i) { return convlabCheck(this.core.layerOutput(this.layerIndex(i))).slice(); }
  weights(i) { return convlabCheck(this.core.weights(this.layerIndex(i))).slice(); }
  biases(i) { return convlabCheck(this.core.biases(this.layerIndex(i))).slice(); }
  // Layer i's weights and biases (the layouts weights(i) / biases(i) give), e.g. from another tool.
  setParameters(i, weights, biases) {
    const w = this.inputs.put(weights, Float32Array, 'weights');
    const b = this.outputs.put(biases, Float32Array, 'biases');
    convlabCheck(this.core.setParameters(this.layerIndex(i), w.ptr, w.length, b.ptr, b.length));
  }
  layerIndex(i) {
    if (!Number.isInteger(i) || i < 0 || i >= this.core.layers()) throw new Error('no layer ' + i);
    return i;
  }
  save() { return this.core.save().slice(); }
  // The network as an ONNX model (opset 13, IR version 8; docs/api.md lists the operators):
  // Uint8Array. A layer without an exact ONNX equivalent (wavgpool) is an Error naming it.
  exportOnnx() { return convlabInterop('onnx_export.js', 'convlabOnnx').exportNetwork(this); }
  // The weights as safetensors (web/module/safetensors.js: layers.I.weight / .bias, the spec and
  // class names in the metadata): Uint8Array.
  exportSafetensors() { return convlabInterop('safetensors.js', 'convlabSafetensors').exportNetwork(this); }
  delete() {
    this.core.delete();
    for (const buffer of [this.inputs, this.labels, this.outputs]) buffer.free();
  }
}
Module['Network'] = ConvLabNetwork;
let convlabThreads = 0;
Object.defineProperty(Module, 'defaultThreads', {
  get() { return convlabThreads || (convlabThreads = convlabDefaultThreads()); },
});
// The engine's size limits (engine/size_limits.h): maxBatch, maxChannels, maxModelFileBytes, …
// (Read once, when first asked: Embind registers its functions only when the runtime starts.)
let convlabLimits = null;
Object.defineProperty(Module, 'limits', {
  get() { return convlabLimits || (convlabLimits = Object.freeze(JSON.parse(Module['limitsJson']()))); },
});
// [{name, spec}]: the page's preset architectures; presets()[0] is the default network.
Module['presets'] = () => JSON.parse(Module['presetsJson']());

Module['conv2dForward'] = function (x, xShape, w, wShape, b, stride, padding, dilation) {
  return convlabCheck(Module['conv2dForwardCore'](x, xShape, w, wShape, b, stride ?? 1, padding ?? 0, dilation ?? 1));
};
Module['conv2dBackward'] = function (x, xShape, w, wShape, dy, stride, padding, dilation) {
  return convlabCheck(Module['conv2dBackwardCore'](x, xShape, w, wShape, dy, stride ?? 1, padding ?? 0, dilation ?? 1));
};
Module['pool2dForward'] = function (kind, x, xShape, size, stride, padding) {
  return convlabCheck(Module['pool2dForwardCore'](String(kind), x, xShape, size, stride ?? null, padding ?? null));
};
Module['pool2dBackward'] = function (kind, x, xShape, dy, size, stride, padding) {
  return convlabCheck(Module['pool2dBackwardCore'](String(kind), x, xShape, dy, size, stride ?? null, padding ?? null));
};
