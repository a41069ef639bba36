// Converts a ConvLab model file to ONNX (web/module/onnx_export.js, through the engine's JS API).
//   node scripts/export-onnx.mjs MODEL.clmodel OUT.onnx
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [model, out] = process.argv.slice(2);
if (!model || !out) {
  console.error('usage: node scripts/export-onnx.mjs MODEL.clmodel OUT.onnx');
  process.exit(2);
}
const engine = await require(path.join(root, 'build/wasm/convlab_engine.js'))();
try {
  const net = engine.Network.load(readFileSync(model));
  const bytes = net.exportOnnx();
  writeFileSync(out, bytes);
  console.log(`wrote ${out} (${bytes.length} bytes): input [N, ${JSON.parse(net.spec()).input.join(', ')}], output probs [N, ${net.classes}]`);
  process.exit(0);
} catch (e) {
  console.error(`export-onnx: ${e.message}`);
  process.exit(1);
}
