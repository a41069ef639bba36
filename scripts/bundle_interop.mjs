// The page's ONNX and safetensors code as one classic script, loaded only when Keep's "Export
// ONNX" or "Export safetensors" is pressed or an .onnx file is opened: protobufjs's minimal runtime
// (global `protobuf`), npm onnx-proto's generated classes (CommonJS, given that runtime as its
// `require`), web/module/onnx_export.js (global `convlabOnnx`), onnx_import.js
// (`convlabOnnxImport`) and safetensors.js (`convlabSafetensors`).
//   node scripts/bundle_interop.mjs OUT.js
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onnxProto = require.resolve('onnx-proto');
// the protobufjs that onnx-proto itself resolves (its own major version)
const protobuf = createRequire(onnxProto).resolve('protobufjs/dist/minimal/protobuf.min.js');
const out = process.argv[2];
writeFileSync(out, [
  readFileSync(protobuf, 'utf8'),
  '(function () { var module = { exports: {} }; var require = function () { return self.protobuf; };',
  readFileSync(onnxProto, 'utf8'),
  'self.onnx = module.exports.onnx; })();',
  readFileSync(path.join(root, 'web/module/onnx_export.js'), 'utf8'),
  readFileSync(path.join(root, 'web/module/onnx_import.js'), 'utf8'),
  readFileSync(path.join(root, 'web/module/safetensors.js'), 'utf8'),
].join('\n'));
