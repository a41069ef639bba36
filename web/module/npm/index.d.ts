// TypeScript declarations of the ConvLab engine's JS API (docs/api.md).

/** A pair of (height, width), or one number for both. */
export type Pair = number | [number, number];

export type LayerSpec =
  | { type: 'conv2d' | 'local2d'; filters: number; kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair }
  | { type: 'tiledconv2d'; filters: number; kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair; tiles?: number }
  | { type: 'maxpool' | 'avgpool' | 'wavgpool' | 'l2pool'; size?: Pair; stride?: Pair; padding?: Pair }
  | { type: 'globalavgpool' | 'flatten' | 'relu' | 'sigmoid' | 'tanh' }
  | { type: 'dense'; units: number }
  | { type: 'leaky_relu'; alpha?: number }
  | { type: 'dropout'; rate?: number };

export interface NetworkSpec {
  /** [C, H, W]; default [1, 28, 28]. */
  input?: [number, number, number];
  layers: LayerSpec[];
}

export type Schedule =
  | { type: 'constant' }
  | { type: 'step'; every: number; gamma: number }
  | { type: 'cosine'; steps: number; min?: number };

export type Optimizer =
  | { type: 'sgd'; lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number; schedule?: Schedule }
  | { type: 'adam'; lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; schedule?: Schedule };

/** One layer of describe(). */
export interface LayerDescription {
  type: string;
  outShape: [number, number, number];
  params: number;
  receptiveField: [number, number];
  jump: [number, number];
  rfStart: [number, number];
  flops: number;
}

/** JSON.parse(net.describe()). */
export interface NetworkDescription {
  input: [number, number, number];
  layers: LayerDescription[];
  params: number;
  flops: number;
  classNames: string[];
}

export declare class Network {
  /** Throws an Error naming the problem for an invalid spec. */
  constructor(spec: NetworkSpec | string, seed?: number);
  /** A model file (Uint8Array); throws for any bad file. */
  static load(bytes: Uint8Array | ArrayBuffer): Network;
  /** An ONNX model of the operators exportOnnx writes; throws "ONNX import: …" naming what it cannot read. */
  static fromOnnx(bytes: Uint8Array | ArrayBuffer): Network;
  /** JSON text of a NetworkDescription. */
  describe(): string;
  /** The spec as JSON text, every setting written out. */
  spec(): string;
  readonly classes: number;
  readonly inputSize: number;
  readonly steps: number;
  readonly threads: number;
  readonly classNames: string[];
  setClassNames(names: string[]): void;
  setThreads(n: number): void;
  setOptimizer(optimizer: Optimizer | string): void;
  /** One optimizer step; the batch's mean loss. */
  trainBatch(images: Float32Array | ArrayLike<number>, labels: Uint8Array | ArrayLike<number>, n: number): number;
  /** n × classes probabilities. */
  predict(images: Float32Array | ArrayLike<number>, n: number): Float32Array;
  inputGradient(image: Float32Array | ArrayLike<number>, classIndex: number): Float32Array;
  layerOutput(i: number): Float32Array;
  weights(i: number): Float32Array;
  biases(i: number): Float32Array;
  /** Layer i's weights and biases, in the layouts weights(i) / biases(i) give. */
  setParameters(i: number, weights: Float32Array | ArrayLike<number>, biases: Float32Array | ArrayLike<number>): void;
  /** A model file. */
  save(): Uint8Array;
  /** ONNX (opset 13): input "input" [N, C, H, W], output "probs" [N, classes]. */
  exportOnnx(): Uint8Array;
  /** The weights as safetensors, layers.I.weight / layers.I.bias. */
  exportSafetensors(): Uint8Array;
  /** Frees the network's engine memory. */
  delete(): void;
}

export interface Limits {
  maxLayers: number; maxChannels: number; maxInputSide: number; maxInputChannels: number; maxWindow: number;
  maxUnits: number; maxTiles: number; maxClasses: number; maxParams: number; maxBatch: number; maxModelFileBytes: number;
}

export type Shape4 = [number, number, number, number];
export type PoolKind = 'max' | 'avg' | 'wavg' | 'l2';

export interface Engine {
  Network: typeof Network;
  presets(): { name: string; spec: string }[];
  readonly limits: Limits;
  readonly maxModelFileBytes: number;
  conv2dForward(x: Float32Array, xShape: Shape4, w: Float32Array, wShape: Shape4, b: Float32Array | null,
                stride?: Pair, padding?: Pair, dilation?: Pair): { y: Float32Array; shape: Shape4 };
  conv2dBackward(x: Float32Array, xShape: Shape4, w: Float32Array, wShape: Shape4, dy: Float32Array,
                 stride?: Pair, padding?: Pair, dilation?: Pair): { dx: Float32Array; dw: Float32Array; db: Float32Array };
  pool2dForward(kind: PoolKind, x: Float32Array, xShape: Shape4, size: Pair, stride?: Pair, padding?: Pair):
    { y: Float32Array; shape: Shape4 };
  pool2dBackward(kind: PoolKind, x: Float32Array, xShape: Shape4, dy: Float32Array, size: Pair, stride?: Pair,
                 padding?: Pair): { dx: Float32Array };
}

/** Instantiates the WASM engine (threads where the host has shared memory). */
declare function createConvLabEngine(): Promise<Engine>;
export default createConvLabEngine;
export { createConvLabEngine };
