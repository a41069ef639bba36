// The data assets as the build makes them: Fashion-MNIST converted from Debian's
// dataset-fashion-mnist gives the files whose SHA-256 the README lists, with its class names.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('Fashion-MNIST conversion: the hashes of the README; 12,000 / 2,000 images, 10 named classes, full-frame preprocessing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convlab-fashion-'));
  try {
    const out = path.join(dir, 'fashion.bin.gz');
    const printed = execFileSync(process.execPath, [path.join(root, 'scripts/pack_assets.mjs'), '/usr/share/datasets/fashion-mnist',
      out, '--name', 'Fashion-MNIST', '--classes', 'T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot',
      '--preprocess', 'fill', '--train', '12000', '--test', '2000'], { encoding: 'utf8' });
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const hashes = printed.trim().split('\n').map((line) => line.split(' ')[0]);
    assert.equal(hashes.length, 4);
    for (const h of hashes) assert.ok(readme.includes('`' + h + '`'), `the README lists ${h}`);
    const asset = gunzipSync(readFileSync(out));
    assert.equal(asset.readUInt32LE(0), 5);
    const sizes = [0, 1, 2, 3, 4].map((k) => asset.readUInt32LE(4 + 4 * k));
    let at = 24;
    const parts = sizes.map((n) => { const part = asset.subarray(at, at + n); at += n; return part; });
    assert.equal(at, asset.length);
    assert.equal(parts[0].readUInt32BE(4), 12000);
    assert.equal(parts[2].readUInt32BE(4), 2000);
    const meta = JSON.parse(parts[4].toString());
    assert.equal(meta.classNames.length, 10);
    assert.equal(meta.preprocess, 'fill');
    const counts = new Array(10).fill(0);
    for (const label of parts[1].subarray(8)) counts[label]++;
    assert.ok(Math.min(...counts) > 1000, `every class has > 1,000 training images: ${counts}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
