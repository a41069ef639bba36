// The Explain view, used as a student would: click a unit of a feature map, read its value computed
// from the patch, the kernel and the bias, flip the kernel, move with the arrows, close with Esc —
// and every number checked against the engine's own outputs in the page (input(), layerOutput()).
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { engine } from '../node/engine_module.mjs';
import { grab } from './png.mjs';
import { artifacts, browserSuite, openPage, state, widget, click, clickAt, waitFor, waitFrames, drawStrokes, DIGITS, typeInto } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = await browserSuite();

const explanation = (page) => page.evaluate(() => window.convlab.explanation());
const near = (a, b, rel = 1e-5) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

// The pixel of unit (c, y, x) in layer i's feature-map picture (web/app/inspect/feature_maps.cpp:
// maps 8 to a row, a one-cell gap between maps; a flat layer is one row of units).
async function unitPoint(page, layer, shape, c, y, x) {
  const r = await widget(page, `fmap:${layer}`);
  const [C, H, W] = shape;
  if (H === 1 && W === 1) {
    const cell = r.w / C;
    return [r.x + (c + 0.5) * cell, r.y + r.h / 2];
  }
  const perRow = Math.min(C, 8);
  const cell = r.w / (perRow * (W + 1) - 1);
  return [r.x + ((c % perRow) * (W + 1) + x + 0.5) * cell, r.y + (Math.floor(c / perRow) * (H + 1) + y + 0.5) * cell];
}

test('Explain: a convolution unit computed from the patch, the kernel and the bias of the user\'s drawing', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[4]);
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Feature maps');
  const input = await page.evaluate(() => window.convlab.input());
  const conv = await page.evaluate(() => window.convlab.layerOutput(0));
  // hover the corner unit: its receptive field is the 3×3 corner of the image (5×5 kernel, padding 2)
  const corner = await unitPoint(page, 0, [8, 28, 28], 0, 0, 0);
  await page.mouse.move(...corner);
  await waitFrames(page, 3);
  const rf = await page.evaluate(() => window.convlab.receptiveField());
  assert.equal(rf.filter((v) => v).length, 9);
  assert.equal(rf[0] + rf[2 * 28 + 2], 2);
  // click unit (3, 10, 12) of layer 1 (conv2d 8 filters 5×5, padding 2)
  await clickAt(page, ...(await unitPoint(page, 0, [8, 28, 28], 3, 10, 12)));
  await waitFor(page, () => { const e = window.convlab.explanation(); return e && e.layer === 0; });
  const e = await explanation(page);
  assert.deepEqual([e.type, e.channel, e.y, e.x, e.kh, e.kw, e.inChannels], ['conv2d', 3, 10, 12, 5, 5, 1]);
  assert.ok(near(e.value, conv[(3 * 28 + 10) * 28 + 12]), `explained ${e.value}, engine ${conv[(3 * 28 + 10) * 28 + 12]}`);
  assert.ok(near(e.value, e.engineValue));
  for (let t = 0; t < 25; t++) {
    assert.equal(e.tapY[t], 10 - 2 + Math.floor(t / 5));
    assert.equal(e.tapX[t], 12 - 2 + (t % 5));
    assert.ok(near(e.patch[t], input[e.tapY[t] * 28 + e.tapX[t]]), `patch tap ${t}`);
  }
  const sum = e.patch.reduce((s, v, t) => s + v * e.kernel[t], e.bias);
  assert.ok(near(sum, e.value, 1e-4), `Σ x·w + b = ${sum}, shown ${e.value}`);
  await page.screenshot({ path: path.join(artifacts, 'explain-conv.png') });
  // the flip toggle: a true convolution gives another value, computed with the flipped kernel
  await click(page, 'explain:flip');
  await waitFor(page, () => window.convlab.explanation().flipped);
  const flipped = e.patch.reduce((s, v, t) => s + v * e.kernel[24 - t], e.bias);
  assert.ok(near((await explanation(page)).flippedValue, flipped, 1e-4));
  assert.ok(Math.abs(flipped - e.value) > 1e-4, 'flipping changes the value');
  await page.screenshot({ path: path.join(artifacts, 'explain-conv-flipped.png') });
  // arrows move the unit, Esc closes the view
  await page.keyboard.press('ArrowRight');
  await waitFor(page, () => window.convlab.explanation().x === 13);
  await page.keyboard.press('ArrowDown');
  await waitFor(page, () => window.convlab.explanation().y === 11);
  await page.keyboard.press('Escape');
  await waitFor(page, () => window.convlab.explanation() === null);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Explain: a max-pooling unit names its winning cell; a dense unit lists its largest contributions and sees the whole image', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[7]);
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Feature maps');
  const layers = await page.evaluate(() => window.convlab.state().layers);
  assert.ok(layers >= 8);
  // layer 3: maxpool 2×2 over layer 2's 8×28×28
  const before = await page.evaluate(() => window.convlab.layerOutput(1));
  const pooled = await page.evaluate(() => window.convlab.layerOutput(2));
  await clickAt(page, ...(await unitPoint(page, 2, [8, 14, 14], 2, 6, 7)));
  await waitFor(page, () => { const e = window.convlab.explanation(); return e && e.layer === 2; });
  const p = await explanation(page);
  assert.equal(p.type, 'maxpool');
  assert.equal(p.counted, 4);
  const windowValues = p.tapY.map((yy, t) => before[(2 * 28 + yy) * 28 + p.tapX[t]]);
  assert.deepEqual(p.patch.map((v) => Math.fround(v)), windowValues.map((v) => Math.fround(v)));
  const best = Math.max(...windowValues);
  assert.equal(p.winner, windowValues.indexOf(best), 'the first maximum in row order');
  assert.ok(near(p.value, pooled[(2 * 14 + 6) * 14 + 7]));
  await page.screenshot({ path: path.join(artifacts, 'explain-maxpool.png') });
  // the last dense layer: unit 7 (the class score of 7); a click opened Explain, so back to the maps
  await click(page, 'tab:Feature maps');
  // the last layer is below the fold: scroll the maps with the wheel, as a user does
  await page.mouse.move(700, 500);
  await page.mouse.wheel(0, 800);
  await waitFrames(page, 4);
  const last = layers - 1;
  const scores = await page.evaluate((i) => window.convlab.layerOutput(i), last);
  await clickAt(page, ...(await unitPoint(page, last, [10, 1, 1], 7, 0, 0)));
  await waitFor(page, (i) => { const e = window.convlab.explanation(); return e && e.layer === i; }, last);
  const d = await explanation(page);
  assert.equal(d.type, 'dense');
  assert.ok(near(d.value, scores[7], 1e-4), `dense ${d.value} vs ${scores[7]}`);
  const shown = d.topWeight.reduce((s, w, k) => s + w * d.topInput[k], d.bias + d.rest);
  assert.ok(near(shown, d.value, 1e-4), 'the listed contributions + the rest + bias make the value');
  const rf = await page.evaluate(() => window.convlab.receptiveField());
  assert.equal(rf.filter((v) => v).length, 28 * 28, 'a dense unit sees every pixel');
  await page.screenshot({ path: path.join(artifacts, 'explain-dense.png') });
  assert.equal((await state(page)).error, null);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Build: each row shows the output-size formula with its numbers, and it follows an edit as it is typed', async () => {
  const { context, page, log } = await openPage(env);
  await click(page, 'tab:Build');
  await waitFor(page, () => window.convlab.state().formulas.length > 0);
  const before = (await state(page)).formulas;
  assert.equal(before[0], 'H′ = W′ = ⌊(28 + 2·2 − (5−1)·1 − 1)/1⌋ + 1 = 28');
  assert.equal(before[2], 'H′ = W′ = ⌊(28 + 2·0 − (2−1)·1 − 1)/2⌋ + 1 = 14');
  // layer 1's padding: 2 → 0 on the height only; the row and the ones below follow
  await typeInto(page, 'layer1:padding', '0', null);
  await waitFor(page, () => window.convlab.state().formulas[0].startsWith('H′ = ⌊(28 + 2·0'));
  const after = (await state(page)).formulas;
  assert.equal(after[0], 'H′ = ⌊(28 + 2·0 − (5−1)·1 − 1)/1⌋ + 1 = 24,  W′ = ⌊(28 + 2·2 − (5−1)·1 − 1)/1⌋ + 1 = 28');
  assert.equal(after[2], 'H′ = ⌊(24 + 2·0 − (2−1)·1 − 1)/2⌋ + 1 = 12,  W′ = ⌊(28 + 2·0 − (2−1)·1 − 1)/2⌋ + 1 = 14');
  await page.screenshot({ path: path.join(artifacts, 'build-formulas.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Saliency answers "why not 9?" (a click on the bar of 9) with the engine\'s gradient, and offers SmoothGrad', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[4]);
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Saliency');
  await waitFor(page, () => { const s = window.convlab.saliency(); return s && s.class === 4; });
  await click(page, 'bar:9');
  await waitFor(page, () => { const s = window.convlab.saliency(); return s && s.class === 9; });
  const s9 = await page.evaluate(() => window.convlab.saliency());
  const input = Float32Array.from(await page.evaluate(() => window.convlab.input()));
  const net = engine.Network.load(readFileSync(path.join(root, 'build/web/default.clmodel')));
  const expected = Array.from(net.inputGradient(input, 9));
  const scale = Math.max(...expected.map(Math.abs));
  assert.ok(scale > 0);
  assert.ok(s9.map.every((v, i) => Math.abs(v - expected[i]) <= 1e-4 * scale), 'the page\'s map is ∂(score of 9)/∂(input)');
  await page.screenshot({ path: path.join(artifacts, 'saliency-why-not-9.png') });
  await click(page, 'saliency:smooth');
  await waitFor(page, () => { const s = window.convlab.saliency(); return s && s.smooth; });
  const smooth = await page.evaluate(() => window.convlab.saliency());
  assert.equal(smooth.class, 9);
  assert.ok(smooth.map.some((v, i) => Math.abs(v - s9.map[i]) > 1e-3 * scale), 'SmoothGrad differs from the plain map');
  await page.screenshot({ path: path.join(artifacts, 'saliency-smoothgrad.png') });
  // Shifts: the probabilities of the drawing moved ±6 px, as the engine gives them
  await click(page, 'tab:Shifts');
  await waitFor(page, () => window.convlab.shifts() !== null);
  const shifts = await page.evaluate(() => window.convlab.shifts());
  assert.equal(shifts.across.length, 13 * 10);
  const centred = Float32Array.from(shifts.centred);
  for (const s of [-6, -2, 0, 3, 6]) {
    const moved = new Float32Array(784);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
      const sx = x - s;
      if (sx >= 0 && sx < 28) moved[y * 28 + x] = centred[y * 28 + sx];
    }
    const p = net.predict(moved, 1);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(shifts.across[(s + 6) * 10 + k] - p[k]) < 1e-5, `shift ${s}, class ${k}`);
  }
  net.delete();
  await page.screenshot({ path: path.join(artifacts, 'shifts.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Filters: every kernel set of a locally connected layer, picked with a slider, and the biases', async () => {
  const { context, page, log } = await openPage(env);
  await click(page, 'tab:Build');  // the page opens on Inspect
  await click(page, 'preset');
  await click(page, 'preset:Locally connected');
  await click(page, 'button:Use this network');
  await waitFor(page, () => window.convlab.state().model === 'new (untrained)');
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Filters');
  const picture = await widget(page, 'filters:3');  // local2d: 36 kernel sets (6×6 outputs)
  const first = await grab(page, picture);
  const slider = await widget(page, 'filters:set:3');
  // the right end of the slider's frame (240 px wide; its label follows): the last set
  await clickAt(page, slider.x + Math.min(slider.w, 240) - 3, slider.y + slider.h / 2);
  await waitFrames(page, 3);
  const last = await grab(page, picture);
  let differing = 0;
  for (let y = 0; y < first.height; y += 2)
    for (let x = 0; x < first.width; x += 2) differing += first.rgb(x, y).some((v, k) => Math.abs(v - last.rgb(x, y)[k]) > 8);
  await page.screenshot({ path: path.join(artifacts, 'filters-kernel-sets.png') });
  assert.ok(differing > 20, `the last kernel set's picture differs from the first's (${differing} pixels)`);
  await page.screenshot({ path: path.join(artifacts, 'filters-kernel-sets.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Pooling: one feature map of the drawing pooled four ways, as the engine\'s raw pooling op computes them', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[2]);
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Pooling');
  await waitFor(page, () => window.convlab.pooling() !== null);
  const p = await page.evaluate(() => window.convlab.pooling());
  assert.deepEqual([p.layer, p.channel, p.size, p.stride, p.padding, p.out], [1, 0, 2, 2, 0, [14, 14]]);
  const relu = await page.evaluate(() => window.convlab.layerOutput(1));
  assert.deepEqual(p.map.map(Math.fround), relu.slice(0, 784).map(Math.fround), 'the map: layer 2 (relu), channel 0, what the network pools');
  const x = Float32Array.from(p.map);
  for (const [kind, key] of [['max', 'max'], ['avg', 'avg'], ['wavg', 'wavg'], ['l2', 'l2']]) {
    const { y } = engine.pool2dForward(kind, x, [1, 1, 28, 28], 2, 2, 0);
    assert.ok(p[key].every((v, i) => Math.abs(v - y[i]) <= 1e-6 * Math.max(1, Math.abs(y[i]))), kind);
  }
  // a 2×2 window's Gaussian weights are equal: the weighted average is the plain one
  assert.ok(p.weights.every((w) => Math.abs(w - 0.25) < 1e-6));
  assert.ok(p.wavg.every((v, i) => Math.abs(v - p.avg[i]) <= 1e-5 * Math.max(1, Math.abs(v))));
  await page.screenshot({ path: path.join(artifacts, 'pooling-four-kinds.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('im2col: the notes\' 4×4 / 2×2 / stride-2 example through the engine\'s im2col; hovering a column shades its patch', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[3]);
  await click(page, 'tab:Inspect');
  await click(page, 'tab:im2col');
  const e = await page.evaluate(() => window.convlab.im2colExample());
  // I′ as the notes write it: [I11 I12 I21 I22; I13 I14 I23 I24; I31 I32 I41 I42; I33 I34 I43 I44]
  assert.deepEqual(e.patches, [11, 12, 21, 22, 13, 14, 23, 24, 31, 32, 41, 42, 33, 34, 43, 44]);
  for (let p = 0; p < 4; p++) for (let k = 0; k < 4; k++) assert.equal(e.col[k * 4 + p], e.patches[p * 4 + k], 'col = I′ᵀ');
  assert.deepEqual(e.product, e.direct);
  // the network's col: hovering column p shades the patch of output (p / 28, p mod 28)
  const col = await widget(page, 'im2col:col');
  // mouse events land on whole CSS pixels: the column is the one under that pixel
  const mx = Math.floor(col.x + ((28 * 10 + 12 + 0.5) / 784) * col.w);
  const p = Math.floor(((mx - col.x) / col.w) * 784);
  await page.mouse.move(mx, col.y + col.h / 2);
  await waitFrames(page, 3);
  const rf = await page.evaluate(() => window.convlab.receptiveField());
  const shaded = rf.flatMap((v, i) => (v ? [i] : []));
  assert.equal(shaded.length, 25);
  const [oy, ox] = [Math.floor(p / 28), p % 28];
  assert.deepEqual([Math.floor(shaded[0] / 28), shaded[0] % 28], [oy - 2, ox - 2], `the 5×5 patch under output (${oy}, ${ox})`);
  await page.screenshot({ path: path.join(artifacts, 'im2col-example.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Backprop: the drawing\'s backward pass for a picked label; a convolution\'s ∂L/∂X the notes\' way equals the engine\'s; the weights stay', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[7]);
  const before = await page.evaluate(() => window.convlab.prediction());
  const steps = (await state(page)).steps;
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Backprop');
  await waitFor(page, () => window.convlab.backprop() !== null);
  // layer 4: the second conv2d (8 → 16 channels, 5×5, padding 2); label 1, which the drawing is not
  await click(page, 'backprop:layer');
  await click(page, 'backprop:layer:3');
  await typeInto(page, 'backprop:label', '1');
  await waitFor(page, () => { const b = window.convlab.backprop(); return b && b.layer === 3 && b.label === 1; });
  const b = await page.evaluate(() => window.convlab.backprop());
  assert.ok(Math.abs(b.loss + Math.log(before.probs[1])) < 1e-3 * Math.max(1, b.loss), `L = ${b.loss}, −log p(1) = ${-Math.log(before.probs[1])}`);
  assert.equal(b.dx.length, 8 * 14 * 14);
  assert.equal(b.dxNotes.length, b.dx.length);
  const scale = Math.max(...b.dx.map(Math.abs));
  assert.ok(scale > 0);
  assert.ok(b.dxMaxDiff <= 1e-5 * scale, `notes vs engine: ${b.dxMaxDiff} (scale ${scale})`);
  for (let o = 0; o < 16; o++) {
    const sum = b.dy.slice(o * 196, (o + 1) * 196).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(b.db[o] - sum) <= 1e-4 * Math.max(1e-3, Math.abs(sum)), `∂L/∂b[${o}] = Σ ∂L/∂Y`);
  }
  await page.screenshot({ path: path.join(artifacts, 'backprop-conv.png') });
  // nothing changed: the same prediction, the same steps
  const after = await page.evaluate(() => window.convlab.prediction());
  assert.deepEqual(after.probs, before.probs);
  assert.equal((await state(page)).steps, steps);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('One keymap: "?" lists every key, none means two things in one place; T starts and pauses training', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  const keys = await page.evaluate(() => window.convlab.keymap());
  const places = keys.map((k) => `${k.where}:${k.keys}`);
  assert.equal(new Set(places).size, places.length, `a key twice in one place: ${places}`);
  // a page-wide key applies in every place too: no other place may reuse it
  const pageKeys = new Set(keys.filter((k) => k.where === 'page').map((k) => k.keys));
  for (const k of keys) if (k.where !== 'page') assert.ok(!pageKeys.has(k.keys), `${k.keys} means two things`);
  for (const k of ['C', 'Ctrl+Z', 'T', '?', 'Esc', '←', 'Shift+1', 'Shift+0']) assert.ok(keys.some((e) => e.keys === k), `${k} is listed`);
  await page.keyboard.press('?');
  await waitFor(page, () => window.convlab.state().helpOpen);
  await page.screenshot({ path: path.join(artifacts, 'keys-overlay.png') });
  await page.keyboard.press('?');
  await waitFor(page, () => !window.convlab.state().helpOpen);
  await page.keyboard.press('t');
  await waitFor(page, () => window.convlab.state().training);
  await waitFor(page, () => window.convlab.state().examplesSeen > 0, null, 60000);
  await page.keyboard.press('t');
  await waitFor(page, () => !window.convlab.state().training);
  assert.deepEqual(log.problems, []);
  await context.close();
});
