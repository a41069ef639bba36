// Hostile input through the JS API: 10,000 mutated model files into Network.load and 10,000
// random specs into new Network. Each loads or throws an Error with a message; the process stays
// alive and its memory (the WASM heap and the process RSS) does not grow.
import test from 'node:test';
import assert from 'node:assert/strict';
import { engine, rng, randInt } from './engine_module.mjs';

const { Network } = engine;
const TINY = {
  input: [1, 28, 28],
  layers: [{ type: 'conv2d', filters: 4, kernel: 3, stride: 2 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'dense', units: 10 }],
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function reseal(bytes) {  // recompute the CRC-32 so that a mutation reaches the deeper checks
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length - 4; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, (c ^ 0xffffffff) >>> 0, true);
  return bytes;
}

function mutate(r, good) {
  let b = good.slice();
  switch (randInt(r, 0, 5)) {
    case 0: for (let k = randInt(r, 1, 8); k > 0; k--) b[randInt(r, 0, b.length - 1)] = randInt(r, 0, 255); break;
    case 1: b = b.subarray(0, randInt(r, 0, b.length - 1)).slice(); break;
    case 2: { const more = new Uint8Array(b.length + randInt(r, 1, 64)); more.set(b); b = more; break; }
    case 3: for (let k = randInt(r, 1, 4); k > 0; k--) b[randInt(r, 8, 35)] = randInt(r, 0, 255); break;  // header fields
    case 4: { const at = randInt(r, 32, 32 + 200); b[at] = randInt(r, 32, 126); break; }  // the spec JSON
    default: b = Uint8Array.from({ length: randInt(r, 0, 200) }, () => randInt(r, 0, 255));
  }
  return r() < 0.5 && b.length >= 36 ? reseal(b) : b;
}

function checkMemoryFlat(label, run) {
  run(1000);  // warm-up: the allocator reaches its working size
  const heap = engine.HEAP8.length, rss = process.memoryUsage().rss;
  run(9000);
  const heapGrowth = engine.HEAP8.length - heap, rssGrowthMB = (process.memoryUsage().rss - rss) / 2 ** 20;
  console.log(`${label}: WASM heap ${heap} → ${engine.HEAP8.length} bytes, RSS growth ${rssGrowthMB.toFixed(1)} MB`);
  assert.equal(heapGrowth, 0, 'the WASM heap grew');
  assert.ok(rssGrowthMB < 32, `RSS grew by ${rssGrowthMB} MB`);
}

test('10,000 mutated model files: each loads or throws an Error; memory stays flat', () => {
  const net = new Network(TINY, 1);
  net.setOptimizer({ type: 'adam', lr: 0.01 });
  net.trainBatch(new Float32Array(784).fill(0.5), Uint8Array.of(3), 1);
  const good = net.save();
  net.delete();
  const r = rng(99);
  let loaded = 0, rejected = 0;
  const messages = new Set();
  checkMemoryFlat('mutated model files', (count) => {
    for (let i = 0; i < count; i++) {
      try {
        const m = Network.load(mutate(r, good));
        m.predict(new Float32Array(m.inputSize).fill(0.1), 1);
        m.delete();
        loaded++;
      } catch (e) {
        assert.ok(e instanceof Error, `threw ${typeof e}: ${e}`);
        assert.ok(e.message.length > 10, `message "${e.message}"`);
        messages.add(e.message.replace(/[0-9]+/g, 'N'));
        rejected++;
      }
    }
  });
  console.log(`loaded ${loaded}, rejected ${rejected} with ${messages.size} distinct messages`);
  assert.ok(rejected > 5000);
});

const TYPES = ['conv2d', 'tiledconv2d', 'local2d', 'maxpool', 'avgpool', 'wavgpool', 'l2pool', 'globalavgpool', 'dense',
  'flatten', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'dropout', 'conv3d', ''];
function randomValue(r) {
  switch (randInt(r, 0, 9)) {
    case 0: return -randInt(r, 0, 5);
    case 1: return [randInt(r, 0, 6), randInt(r, 0, 6)];
    case 2: return 2.5;
    case 3: return 'three';
    case 4: return 1e12;
    case 5: return null;
    case 6: return [1, 2, 3];
    default: return randInt(r, 1, 6);
  }
}
function randomSpec(r) {
  if (r() < 0.05) return String.fromCharCode(...Array.from({ length: randInt(r, 0, 40) }, () => randInt(r, 32, 126)));
  const layers = Array.from({ length: randInt(r, 0, 6) }, () => {
    const l = { type: TYPES[randInt(r, 0, TYPES.length - 1)] };
    for (const key of ['filters', 'kernel', 'stride', 'padding', 'dilation', 'size', 'units', 'tiles', 'alpha', 'rate', 'bogus'])
      if (r() < 0.35) l[key] = randomValue(r);
    return l;
  });
  if (r() < 0.7) layers.push({ type: 'dense', units: randInt(r, 1, 12) });
  const input = r() < 0.8 ? [randInt(r, 1, 3), randInt(r, 1, 20), randInt(r, 1, 20)] : randomValue(r);
  return JSON.stringify({ input, layers });
}

test('10,000 random specs: each builds or throws an Error naming the problem; memory stays flat', () => {
  const r = rng(7);
  let built = 0, rejected = 0;
  checkMemoryFlat('random specs', (count) => {
    for (let i = 0; i < count; i++) {
      try {
        const net = new Network(randomSpec(r), i);
        net.predict(new Float32Array(net.inputSize).fill(0.3), 1);
        net.delete();
        built++;
      } catch (e) {
        assert.ok(e instanceof Error, `threw ${typeof e}: ${e}`);
        assert.match(e.message, /layer|spec|JSON|class scores|seed/);
        rejected++;
      }
    }
  });
  console.log(`built ${built}, rejected ${rejected}`);
  assert.ok(built > 100 && rejected > 1000);
});

test('limits are checked before allocating, and the message names the limit', () => {
  assert.throws(() => new Network({ input: [16, 256, 256], layers: [{ type: 'conv2d', filters: 1024, kernel: 1 }, { type: 'dense', units: 10 }] }, 1),
    /over the limit of 8388608/);
  assert.throws(() => new Network({ input: [1, 28, 28], layers: [{ type: 'dense', units: 8192 }, { type: 'dense', units: 8192 }, { type: 'dense', units: 10 }] }, 1),
    /parameters, over the limit of 16777216/);
  assert.throws(() => new Network({ input: [1, 300, 28], layers: [{ type: 'dense', units: 10 }] }, 1), /outside 1\.\.256/);
  const net = new Network(TINY, 1);
  // a training step is capped; inference is not (it runs in slices)
  assert.throws(() => net.trainBatch(new Float32Array(2000 * 784), new Uint8Array(2000), 2000), /batch size 2000 is outside 1\.\.1024/);
  const big = new Uint8Array(65 << 20);
  big.set(new TextEncoder().encode('CONVLAB'));
  const heap = engine.HEAP8.length;
  assert.throws(() => Network.load(big), /over the limit of 67108864/);
  assert.equal(engine.HEAP8.length, heap, 'refused without being copied into the WASM heap');
  net.delete();
});
