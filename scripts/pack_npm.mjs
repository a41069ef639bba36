// Makes the engine's npm package, build/npm/convlab-engine-VERSION.tgz: the WASM module (+ its
// thread worker), the ONNX/safetensors modules, ESM and CommonJS entries and TypeScript declarations
// (web/module/npm/), with a package.json and a README. Needs `scripts/build.sh wasm` first.
//   node scripts/pack_npm.mjs            prints the tarball's path
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build/npm/convlab-engine');
const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of ['convlab_engine.js', 'convlab_engine.wasm', 'convlab_engine.worker.js', 'onnx_export.js', 'onnx_import.js', 'safetensors.js'])
  copyFileSync(path.join(root, 'build/wasm', f), path.join(out, f));
for (const f of ['index.cjs', 'index.mjs', 'index.d.ts']) copyFileSync(path.join(root, 'web/module/npm', f), path.join(out, f));
writeFileSync(path.join(out, 'package.json'), JSON.stringify({
  name: 'convlab-engine',
  version: own.version,
  description: 'ConvLab\'s CNN engine (C++ SIMD, WebAssembly): build, train, inspect and export small CNNs in node or the browser',
  license: own.license,
  main: 'index.cjs',
  types: 'index.d.ts',
  exports: { '.': { types: './index.d.ts', import: './index.mjs', require: './index.cjs' } },
  engines: { node: '>=18' },
  dependencies: { 'onnx-proto': own.devDependencies['onnx-proto'] },
}, null, 2) + '\n');
writeFileSync(path.join(out, 'README.md'), `# convlab-engine

ConvLab's CNN engine as a WebAssembly module. The API is documented in docs/api.md of the ConvLab
repository; TypeScript declarations come with the package.

\`\`\`js
import createConvLabEngine from 'convlab-engine';
const engine = await createConvLabEngine();
const net = new engine.Network({ input: [1, 28, 28], layers: [
  { type: 'conv2d', filters: 8, kernel: 5, padding: 2 }, { type: 'relu' },
  { type: 'maxpool', size: 2 }, { type: 'dense', units: 10 }] }, 1);
net.setOptimizer({ type: 'sgd', lr: 0.05, momentum: 0.9 });
const loss = net.trainBatch(images, labels, n);   // Float32Array n×784, Uint8Array n
const probs = net.predict(images, n);
const model = net.save(), onnx = net.exportOnnx(), tensors = net.exportSafetensors();
const again = engine.Network.fromOnnx(onnx);        // an ONNX model back (its operators permitting)
\`\`\`
`);
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.dirname(out)], { cwd: out, encoding: 'utf8' }).trim();
console.log(path.join(path.dirname(out), tarball.split('\n').pop()));
