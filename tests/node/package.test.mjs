// The engine as an npm package: scripts/pack_npm.mjs → npm pack → installed into an empty folder,
// used from an ES module and from CommonJS (new Network, trainBatch, predict, save/load, exportOnnx, fromOnnx),
// and a TypeScript example type-checked against its declarations with tsc --noEmit.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'convlab-npm-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const run = (cmd, args, cwd = dir) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const USE = `
const engine = await createConvLabEngine();
const net = new engine.Network({ input: [1, 8, 8], layers: [
  { type: 'conv2d', filters: 2, kernel: 3, padding: 1 }, { type: 'relu' }, { type: 'maxpool', size: 2 },
  { type: 'dense', units: 3 }] }, 1);
net.setOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9 });
const images = Float32Array.from({ length: 6 * 64 }, (_, k) => (k * 37 % 17) / 17);
const labels = Uint8Array.from([0, 1, 2, 0, 1, 2]);
const first = net.trainBatch(images, labels, 6);
let last = first;
for (let i = 0; i < 30; i++) last = net.trainBatch(images, labels, 6);
const probs = net.predict(images, 6);
const back = engine.Network.load(net.save());
const onnx = net.exportOnnx();
const imported = engine.Network.fromOnnx(onnx);
console.log(JSON.stringify({ first, last, probs: probs.length, same: back.predict(images, 6).every((p, k) => p === probs[k]),
  onnx: onnx.length, fromOnnx: imported.predict(images, 6).every((p, k) => p === probs[k]), tensors: net.exportSafetensors().length }));
process.exit(0);
`;

test('npm pack → install into an empty folder → use from ESM and CommonJS; tsc --noEmit on a TypeScript example', () => {
  const tarball = run(process.execPath, [path.join(root, 'scripts/pack_npm.mjs')], root).trim();
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'uses-convlab', private: true }));
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);

  writeFileSync(path.join(dir, 'use.mjs'), `import createConvLabEngine from 'convlab-engine';\n${USE}`);
  const esm = JSON.parse(run(process.execPath, ['use.mjs']).trim().split('\n').pop());
  assert.ok(esm.last < esm.first, `the loss falls: ${esm.first} → ${esm.last}`);
  assert.equal(esm.probs, 18);
  assert.ok(esm.same, 'save → load predicts the same');
  assert.ok(esm.fromOnnx, 'exportOnnx → Network.fromOnnx predicts the same');
  assert.ok(esm.onnx > 100 && esm.tensors > 100);

  writeFileSync(path.join(dir, 'use.cjs'), `const { createConvLabEngine } = require('convlab-engine');\n(async () => {${USE}})();`);
  const cjs = JSON.parse(run(process.execPath, ['use.cjs']).trim().split('\n').pop());
  assert.deepEqual(cjs, esm, 'CommonJS and ESM load the same engine');

  writeFileSync(path.join(dir, 'example.ts'), `import createConvLabEngine, { NetworkSpec, NetworkDescription } from 'convlab-engine';
async function main(): Promise<number> {
  const engine = await createConvLabEngine();
  const spec: NetworkSpec = { input: [1, 28, 28], layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'dense', units: 10 }] };
  const net = new engine.Network(spec, 1);
  net.setOptimizer({ type: 'adam', lr: 0.001 });
  const loss: number = net.trainBatch(new Float32Array(784), new Uint8Array([3]), 1);
  const d: NetworkDescription = JSON.parse(net.describe());
  const onnx: Uint8Array = net.exportOnnx();
  const back: InstanceType<typeof engine.Network> = engine.Network.fromOnnx(onnx);
  back.setParameters(0, back.weights(0), back.biases(0));
  net.delete();
  return loss + d.params + onnx.length + engine.limits.maxBatch;
}
main();
`);
  writeFileSync(path.join(dir, 'bad.ts'), `import createConvLabEngine from 'convlab-engine';
createConvLabEngine().then((engine) => { const n = new engine.Network({ layers: [{ type: 'conv2d', kernel: 3 }] }); n.trainBatch('x', [], 1); });
`);
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
  run(process.execPath, [tsc, ...options, 'example.ts']);
  // and the declarations do catch mistakes: a conv2d without filters, a string for images
  assert.throws(() => run(process.execPath, [tsc, ...options, 'bad.ts']),
    (e) => /filters/.test(e.stdout) && /string/.test(e.stdout));
});
