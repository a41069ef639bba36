// Memory soak in node: 20,000 training steps of the default network on MNIST, reporting
// RSS and the WASM heap after warm-up and at the end. Flat means no leak per step.
//   node bench/soak.mjs [--steps 20000] [--batch 8]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const STEPS = option('--steps', 20000), BATCH = option('--batch', 8), WARMUP = 500;

const engine = await require(path.join(root, 'build/wasm/convlab_engine.js'))();
const images = readFileSync(path.join(root, 'build/data/train-images.idx3-ubyte')).subarray(16);
const labels = readFileSync(path.join(root, 'build/data/train-labels.idx1-ubyte')).subarray(8);
const n = labels.length, x = new Float32Array(BATCH * 784), y = new Uint8Array(BATCH);
const spec = engine.presets()[0].spec;  // the default network
const net = new engine.Network(spec, 1);
net.setOptimizer({ type: 'sgd', lr: 0.02, momentum: 0.9 });
const mb = (b) => (b / 2 ** 20).toFixed(1);
let start = null;
const t0 = performance.now();
for (let step = 0; step < STEPS; step++) {
  for (let i = 0; i < BATCH; i++) {
    const k = (step * BATCH + i) % n;
    for (let p = 0; p < 784; p++) x[i * 784 + p] = images[k * 784 + p] / 255;
    y[i] = labels[k];
  }
  net.trainBatch(x, y, BATCH);
  if (step === WARMUP) start = { rss: process.memoryUsage().rss, heap: engine.HEAP8.length };
}
const end = { rss: process.memoryUsage().rss, heap: engine.HEAP8.length };
const seconds = (performance.now() - t0) / 1000;
console.log(`soak: ${STEPS} training steps of batch ${BATCH} in ${seconds.toFixed(0)} s (${((STEPS * BATCH) / seconds).toFixed(0)} examples/s)`);
console.log(`after ${WARMUP} steps: RSS ${mb(start.rss)} MB, WASM heap ${mb(start.heap)} MB`);
console.log(`after ${STEPS} steps: RSS ${mb(end.rss)} MB, WASM heap ${mb(end.heap)} MB`);
console.log(`growth: RSS ${mb(end.rss - start.rss)} MB, WASM heap ${mb(end.heap - start.heap)} MB`);
