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

// A random valid spec: a few spatial layers, maybe a flatten or a dense, a dense head.
export function randomSpec(r) {
  const side = randInt(r, 8, 28), channels = randInt(r, 1, 3);
  const layers = [];
  const spatial = randInt(r, 1, 4);
  const pick = (a) => a[randInt(r, 0, a.length - 1)];
  for (let i = 0; i < spatial; i++) {
    const kind = pick(['conv2d', 'conv2d', 'local2d', 'tiledconv2d', 'maxpool', 'avgpool', 'l2pool', 'relu',
      'leaky_relu', 'sigmoid', 'tanh', 'dropout']);
    const k = randInt(r, 1, 3), s = randInt(r, 1, 2), p = randInt(r, 0, k - 1), d = randInt(r, 1, 2);
    if (kind === 'conv2d') layers.push({ type: kind, filters: randInt(r, 1, 6), kernel: [k, randInt(r, 1, 3)], stride: [s, randInt(r, 1, 2)], padding: [p, 0], dilation: [d, 1] });
    else if (kind === 'local2d') layers.push({ type: kind, filters: randInt(r, 1, 4), kernel: k, stride: s, padding: p });
    else if (kind === 'tiledconv2d') layers.push({ type: kind, filters: randInt(r, 1, 4), kernel: k, stride: s, padding: p, tiles: randInt(r, 1, 3) });
    else if (kind.endsWith('pool')) layers.push({ type: kind, size: randInt(r, 1, 3), stride: randInt(r, 1, 2), padding: randInt(r, 0, 1) });
    else if (kind === 'leaky_relu') layers.push({ type: kind, alpha: 0.05 + r() / 5 });
    else if (kind === 'dropout') layers.push({ type: kind, rate: 0.3 });
    else layers.push({ type: kind });
  }
  if (r() < 0.3) layers.push({ type: 'globalavgpool' });
  if (r() < 0.3) layers.push({ type: 'flatten' });
  if (r() < 0.5) layers.push({ type: 'dense', units: randInt(r, 2, 12) }, { type: pick(['relu', 'tanh', 'sigmoid']) });
  layers.push({ type: 'dense', units: randInt(r, 2, 10) });
  return JSON.stringify({ input: [channels, side, side], layers });
}

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
