// Taking a model elsewhere from the page: Keep → "Export ONNX" (the exporters are fetched only then)
// gives a file that ONNX Runtime runs to the page's own prediction of the drawing, and that Keep →
// "Load model file…" reads back; "Export safetensors" the weights by layer; models kept by name in
// the browser (IndexedDB).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  artifacts, browserSuite, openPage, state, prediction, click, waitFor, drawStrokes, DIGITS, typeInto, widget, waitFrames,
} from './browser.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ort = require('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = path.join(root, 'node_modules/onnxruntime-web/dist') + '/';

const env = await browserSuite();

test('Keep → Export ONNX and safetensors: the exporters load on demand; ONNX Runtime reads the drawing as the page does', async () => {
  const { context, page, log } = await openPage(env);
  const firstLoad = log.bytes;
  await drawStrokes(page, DIGITS[3]);
  const input = await page.evaluate(() => window.convlab.input());
  const p = await prediction(page);
  await click(page, 'tab:Keep');
  const [download] = await Promise.all([page.waitForEvent('download'), click(page, 'button:export-onnx')]);
  assert.equal(download.suggestedFilename(), 'convlab-model.onnx');
  const file = path.join(artifacts, 'exported.onnx');
  await download.saveAs(file);
  await waitFor(page, () => /Exported convlab-model\.onnx/.test(window.convlab.state().message));
  console.log(`first load ${firstLoad} bytes; the exporter and the file ${log.bytes - firstLoad} bytes more`);
  assert.ok(firstLoad < 3 * 1024 * 1024);
  const session = await ort.InferenceSession.create(file);
  const probs = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(input), [1, 1, 28, 28]) })).probs.data;
  probs.forEach((v, k) => assert.ok(Math.abs(v - p.probs[k]) < 1e-5, `class ${k}: ONNX ${v}, page ${p.probs[k]}`));
  // safetensors: the same weights, named by layer
  const [second] = await Promise.all([page.waitForEvent('download'), click(page, 'button:export-safetensors')]);
  assert.equal(second.suggestedFilename(), 'convlab-model.safetensors');
  const tensors = path.join(artifacts, 'exported.safetensors');
  await second.saveAs(tensors);
  const bytes = readFileSync(tensors);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
  assert.deepEqual(header['layers.0.weight'].shape, [8, 1, 5, 5]);
  assert.deepEqual(header['layers.9.weight'].shape, [10, 64]);
  assert.equal(JSON.parse(header.__metadata__.convlab_spec).layers.length, 10);
  assert.equal((await state(page)).error, null);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Keep → Load model file… reads the exported .onnx in a fresh browser: the same prediction; a damaged one is a message', async () => {
  const exported = path.join(artifacts, 'exported.onnx');  // the test above
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[3]);
  const shipped = await prediction(page);
  await click(page, 'tab:Keep');
  const before = log.bytes;
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:Load')]);
  await chooser.setFiles(exported);
  await waitFor(page, () => window.convlab.state().model === 'exported.onnx');
  console.log(`ONNX import: the importer ${log.bytes - before} bytes`);
  const loaded = await prediction(page);
  loaded.probs.forEach((v, k) => assert.ok(Math.abs(v - shipped.probs[k]) < 1e-6, `class ${k}: ${v} vs ${shipped.probs[k]}`));
  assert.equal((await state(page)).error, null);
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'keep-onnx-loaded.png') });

  const damaged = path.join(artifacts, 'damaged.onnx');
  writeFileSync(damaged, readFileSync(exported).subarray(0, 5000));
  const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:Load')]);
  await chooser2.setFiles(damaged);
  await waitFor(page, () => window.convlab.state().error !== null);
  const s = await state(page);
  assert.match(s.error, /^Could not load damaged\.onnx: this is not an ONNX model, or the file is damaged \(.*\) — the current model is unchanged\.$/);
  assert.equal(s.model, 'exported.onnx');
  assert.deepEqual((await prediction(page)).probs, loaded.probs);
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'keep-onnx-damaged.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

// The list comes from IndexedDB between frames, and a table fits its columns to new rows on the
// frame after it first draws them: wait for the named widget and two more frames, so that a click
// lands where the row now is.
async function settle(page, name) {
  await widget(page, name);
  await waitFrames(page, 2);
}

test('Keep: models kept by name in IndexedDB — two kept, one renamed, one deleted after a question; after a reload the list is there and one loads', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded && window.convlab.state().testAccuracy !== null, null, 60000);
  await click(page, 'tab:Keep');
  await waitFor(page, () => Array.isArray(window.convlab.state().keptModels));
  assert.deepEqual((await state(page)).keptModels, []);
  await typeInto(page, 'field:keep-name', 'default as shipped', null);
  await click(page, 'button:keep-named');
  await waitFor(page, () => window.convlab.state().keptModels.length === 1);
  await settle(page, 'button:kept-load:default as shipped');
  // a second one with other weights: a few steps of training
  await click(page, 'tab:Train');
  for (let i = 0; i < 3; i++) await click(page, 'button:Step');
  await waitFor(page, () => window.convlab.state().steps > 0);
  await drawStrokes(page, DIGITS[7]);
  const stepped = await prediction(page);
  await click(page, 'tab:Keep');
  await typeInto(page, 'field:keep-name', 'three steps', null);
  await click(page, 'button:keep-named');
  await waitFor(page, () => window.convlab.state().keptModels.length === 2);
  await settle(page, 'button:kept-rename:three steps');
  await click(page, 'button:kept-rename:three steps');
  await typeInto(page, 'field:kept-rename:three steps', 'my first model');
  await waitFor(page, () => window.convlab.state().keptModels.includes('my first model'));
  await settle(page, 'button:kept-load:my first model');
  await click(page, 'button:kept-delete:default as shipped');
  await widget(page, 'button:Yes');
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'keep-named-models.png') });
  assert.equal((await state(page)).keptModels.length, 2, 'nothing deleted before the answer');
  await click(page, 'button:Yes');
  await waitFor(page, () => window.convlab.state().keptModels.join() === 'my first model');

  await page.reload();
  await page.waitForFunction(() => window.convlab && window.convlab.ready, null, { timeout: 60000 });
  await click(page, 'tab:Keep');
  await waitFor(page, () => (window.convlab.state().keptModels || []).join() === 'my first model');
  await settle(page, 'button:kept-load:my first model');
  await click(page, 'button:kept-load:my first model');
  await waitFor(page, () => window.convlab.state().model === 'my first model');
  await drawStrokes(page, DIGITS[7]);
  const loaded = await prediction(page);
  loaded.probs.forEach((p, k) => assert.ok(Math.abs(p - stepped.probs[k]) < 1e-6, `class ${k}: ${p} vs ${stepped.probs[k]}`));
  assert.equal((await state(page)).error, null);
  assert.deepEqual(log.problems, []);
  await context.close();
});
