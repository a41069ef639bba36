// Loads build/wasm/convlab_engine.js (MODULARIZE) once for all node tests.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const createConvLabEngine = require(path.join(root, 'build/wasm/convlab_engine.js'));
export const engine = await createConvLabEngine();

// A small deterministic generator for test data (mulberry32).
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const randInt = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
export const randArray = (r, n) => Float32Array.from({ length: n }, () => 2 * r() - 1);

export const LENET = {
  input: [1, 28, 28],
  layers: [
    { type: 'conv2d', filters: 8, kernel: 5, stride: 1, padding: 2, dilation: 1 },
    { type: 'relu' },
    { type: 'maxpool', size: 2, stride: 2 },
    { type: 'conv2d', filters: 16, kernel: 5, padding: 2 },
    { type: 'relu' },
    { type: 'maxpool', size: 2 },
    { type: 'dense', units: 10 },
  ],
};
