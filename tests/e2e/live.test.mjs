// Which model is live, and nothing lost by a click: the header names the live model ("the shipped
// LeNet-like · 98.9%", "your Tiny · 1 epoch · …"); Start on the shipped model says it fine-tunes and
// offers a fresh copy; Reset and "Use this network" ask before throwing training away; an unsure
// answer looks unsure. The Train plots: loss against examples seen, accuracy per epoch and the
// learning rate, each with a read-out checked against the trainer's numbers; and the loss plot of a
// long run read as pixels against the trainer's losses.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifacts, browserSuite, openPage, state, prediction, click, typeInto, waitFor, waitFrames, widget, reveal, drawStrokes, DIGITS,
} from './browser.mjs';
import { decodePng, grab } from './png.mjs';

const env = await browserSuite();

test('the live model is named; a fresh copy; Reset and Use ask before training is lost; an unsure answer looks unsure', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().testAccuracy !== null, null, 60000);
  assert.match((await state(page)).modelName, /^the shipped LeNet-like · 98\.\d%$/);
  // a single dot: the shipped model gives it some class, unsure, and the page shows it so
  await drawStrokes(page, [[[0.5, 0.5], [0.51, 0.505]]]);
  await waitFor(page, () => window.convlab.prediction().digit !== null);
  const p = await prediction(page);
  console.log(`a dot: ${p.label} at ${(100 * Math.max(...p.probs)).toFixed(1)}%`);
  assert.equal(p.sure, false, `a dot read as ${p.label} at ${Math.max(...p.probs)}`);
  await page.waitForFunction(() => /Unsure: perhaps/.test(document.getElementById('announcer').textContent));
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'prediction-unsure.png') });
  // without a mouse: a random test digit onto the pad, read by the model
  await click(page, 'button:random-digit');
  await waitFor(page, () => /^Test image #\d+ \(a \d\) is on the pad\.$/.test(window.convlab.state().message));
  await waitFor(page, () => window.convlab.prediction().digit !== null);
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'random-test-digit.png') });
  await click(page, 'button:Clear');
  await click(page, 'tab:Train');
  await click(page, 'button:fresh-copy');
  await waitFor(page, () => /^your LeNet-like \(untrained\)/.test(window.convlab.state().modelName));
  await click(page, 'button:Step');
  await waitFor(page, () => window.convlab.state().steps > 0);
  const stepped = await state(page);
  assert.match(stepped.modelName, /^your LeNet-like · 0 epochs/);
  // Reset asks; Cancel keeps the model
  await click(page, 'button:Reset');
  await widget(page, 'button:Yes');
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'ask-before-reset.png') });
  await click(page, 'button:Cancel');
  await waitFrames(page, 2);
  assert.equal((await state(page)).steps, stepped.steps, 'nothing reset before the answer');
  // "Use this network" asks too; Yes replaces the model
  await click(page, 'tab:Build');
  await click(page, 'preset');
  await click(page, 'preset:Tiny');
  await waitFor(page, () => window.convlab.state().buildDraft);
  await click(page, 'button:Use this network');
  await widget(page, 'button:Yes');
  await waitFrames(page, 2);
  assert.equal((await state(page)).steps, stepped.steps);
  await click(page, 'button:Yes');
  await waitFor(page, () => /^your Tiny \(untrained\)/.test(window.convlab.state().modelName));
  assert.equal((await state(page)).buildDraft, false);

  assert.deepEqual(log.problems, []);
  await context.close();
});

test('the Train plots: loss per batch and its average against examples seen, accuracy per epoch, the learning rate; read-outs equal the trainer\'s numbers', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await click(page, 'tab:Build');  // the page opens on Inspect
  await click(page, 'preset');
  await click(page, 'preset:Tiny');
  await click(page, 'button:Use this network');
  await click(page, 'tab:Train');
  await typeInto(page, 'field:epochs', '2');
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().epoch === 2 && !window.convlab.state().training &&
    window.convlab.state().testAccuracies.length === 2, null, 120000);
  await waitFrames(page, 2);
  const s = await state(page);
  await page.screenshot({ path: path.join(artifacts, 'train-plots.png') });

  // the loss plot: hover at 60% of its width; the read-out is the batch there and the moving average
  const loss = await reveal(page, 'plot:loss');
  await page.mouse.move(loss.x + 0.6 * loss.w, loss.y + loss.h / 2);
  await waitFor(page, () => window.convlab.state().plotHover.plot === 'loss');
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'train-plot-loss-hover.png') });
  const h = (await state(page)).plotHover;
  const perPoint = s.batch / 1000, k = Math.round((h.x - perPoint) / perPoint);
  const raw = s.lossHistory;
  assert.ok(k > 0 && k < raw.length, `point ${k} of ${raw.length}`);
  assert.ok(Math.abs(h.values[0] - raw[k]) < 1e-6, `every batch: ${h.values[0]} vs ${raw[k]}`);
  let average = raw[0];
  for (let j = 1; j <= k; j++) average = 0.95 * average + 0.05 * raw[j];
  assert.ok(Math.abs(h.values[1] - average) < 1e-4, `moving average: ${h.values[1]} vs ${average}`);

  // the accuracy plot: hover over epoch 2
  const acc = await reveal(page, 'plot:accuracy');
  await page.mouse.move(acc.x + 0.95 * acc.w, acc.y + acc.h / 2);
  await waitFor(page, () => window.convlab.state().plotHover.plot === 'accuracy');
  const a = (await state(page)).plotHover;
  assert.equal(Math.round(a.x), 2);
  assert.ok(Math.abs(a.values[0] - 100 * s.testAccuracies[1]) < 1e-4, `test: ${a.values[0]} vs ${s.testAccuracies[1]}`);
  assert.ok(a.values[1] > 50 && a.values[1] <= 100, `train: ${a.values[1]}`);

  // the learning rate: cosine from lr to 0 over the 2 epochs — half of lr at the middle
  const lr = await reveal(page, 'plot:lr');
  const frame = { x: lr.x + 0.5 * lr.w };
  await page.mouse.move(frame.x, lr.y + lr.h / 2);
  await waitFor(page, () => window.convlab.state().plotHover.plot === 'lr');
  const l = (await state(page)).plotHover;
  const rate = s.trainSettings.lr, expected = rate * 0.5 * (1 + Math.cos(Math.PI * l.x / 2));
  assert.ok(Math.abs(l.values[0] - expected) < 0.02 * rate, `lr at epoch ${l.x.toFixed(2)}: ${l.values[0]} vs ${expected}`);
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'train-plot-lr-hover.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

// The loss plot of a long run, read as pixels: with more batches than the plot has pixel columns,
// each column must show the whole range of its batches' losses (joined to the column before, as a
// line through every point would be) and the moving average — the extent of ink in every column
// is computed here from the trainer's own losses and compared row by row.
test('the loss plot over thousands of batches, read as pixels: every column spans its batches\' losses', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await click(page, 'tab:Build');
  await click(page, 'preset');
  await click(page, 'preset:Tiny');
  await click(page, 'button:Use this network');
  await click(page, 'tab:Train');
  await typeInto(page, 'field:batch', '8');
  await typeInto(page, 'field:epochs', '2');
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().epoch === 2 && !window.convlab.state().training, null, 180000);
  await page.mouse.move(5, 5);  // no hover line or tooltip over the plot
  const rect = await reveal(page, 'plot:loss');
  await waitFrames(page, 3);
  const s = await state(page);
  const raw = s.lossHistory;
  const px = await grab(page, rect);
  await page.screenshot({ path: path.join(artifacts, 'train-plot-loss-long.png'), clip: { x: rect.x, y: rect.y, width: rect.w, height: rect.h } });

  // ink: the curves and the frame's border, not the plot's background or its faint grid
  const bg = [13, 14, 17];
  const ink = (x, y) => { const p = px.rgb(x, y); return Math.abs(p[0] - bg[0]) + Math.abs(p[1] - bg[1]) + Math.abs(p[2] - bg[2]) > 120; };
  const columnInk = (x, y0, y1) => { let n = 0; for (let y = y0; y < y1; y++) n += ink(x, y); return n; };
  const rowInk = (y, x0, x1) => { let n = 0; for (let x = x0; x < x1; x++) n += ink(x, y); return n; };
  // the frame: its border is the first and last column and row that are ink nearly all along
  let left = 0, right = px.width - 1, top = 0, bottom = px.height - 1;
  while (left < px.width && columnInk(left, 0, px.height) < 0.5 * px.height) left++;
  while (right > left && columnInk(right, 0, px.height) < 0.5 * px.height) right--;
  while (top < px.height && rowInk(top, left, right) < 0.9 * (right - left)) top++;
  while (bottom > top && rowInk(bottom, left, right) < 0.9 * (right - left)) bottom--;
  const width = right + 1 - left, height = bottom + 1 - top;
  assert.ok(width > 400 && width < px.width && height > 80, `frame ${left},${top} ${width}×${height} in ${px.width}×${px.height}`);
  assert.ok(raw.length > 2 * width, `${raw.length} batches for ${width} columns`);

  // what the page should draw, from the trainer's losses (web/app/panels/train.cpp, web/gfx/plot.cpp)
  const average = [];
  raw.forEach((v, k) => average.push(k ? 0.95 * average[k - 1] + 0.05 * v : v));
  const yMax = Math.max(0.1, 1.1 * Math.max(...average));
  const py = (v) => Math.min(bottom, Math.max(top, bottom + 1 - v / yMax * height));
  const columns = new Map();  // column → {lo, hi, last, mean of the average}
  raw.forEach((v, k) => {
    const c = Math.min(width - 1, Math.floor((k + 1) / raw.length * width));
    const col = columns.get(c) || { lo: v, hi: v, last: v, sum: 0, n: 0 };
    col.lo = Math.min(col.lo, v), col.hi = Math.max(col.hi, v), col.last = v, col.sum += average[k], col.n++;
    columns.set(c, col);
  });
  const expected = new Map();
  let before = null;
  for (const [c, col] of [...columns.entries()].sort((a, b) => a[0] - b[0])) {
    const hi = before === null ? col.hi : Math.max(col.hi, before), lo = before === null ? col.lo : Math.min(col.lo, before);
    const mean = col.sum / col.n;
    expected.set(c, { top: Math.min(py(hi) - 0.5, py(mean) - 1), bottom: Math.max(py(lo) + 0.5, py(mean) + 1) });
    before = col.last;
  }

  // every column away from the legend (top right) and the frame's edges, within 2.5 px; the column
  // a pixel belongs to is allowed one column of slack (the frame starts at a fractional x)
  let checked = 0, matched = 0;
  const misses = [];
  for (let x = left + 3; x < right - 160; x++) {
    let inkTop = -1, inkBottom = -1;
    for (let y = top + 1; y < bottom; y++) if (ink(x, y)) { if (inkTop < 0) inkTop = y; inkBottom = y; }
    checked++;
    const fits = [-1, 0, 1].some((d) => {
      const e = expected.get(x - left + d);
      return e && inkTop >= 0 && Math.abs(inkTop - e.top) <= 2.5 && Math.abs(inkBottom + 1 - e.bottom) <= 2.5;
    });
    if (fits) matched++;
    else if (misses.length < 5) misses.push(`x ${x}: ink ${inkTop}..${inkBottom}, expected ${JSON.stringify(expected.get(x - left))}`);
  }
  console.log(`loss plot of ${raw.length} batches on ${width} columns: ${matched} of ${checked} columns as computed`);
  assert.ok(matched >= 0.97 * checked, `${matched} of ${checked} columns: ${misses.join('; ')}`);
  assert.deepEqual(log.problems, []);
  await context.close();
});

// The page redraws only the rectangles where something changed (web/gfx/damage.h) and keeps the
// rest of the last frame. Whatever happened in between — training, a digit drawn, a button hovered,
// the Inspect views' images recoloured — what the canvas shows must be what a full redraw draws.
test('a frame redraws only what changed, and the canvas then equals a full redraw', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  const canvasPixels = 1280 * 800;
  const sameAsFullRedraw = async (name) => {
    await page.mouse.move(640, 795);  // hover nothing
    await waitFrames(page, 5);
    const partial = await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
    await page.evaluate(() => window.convlab.act('redraw-all'));
    await waitFrames(page, 3);
    const full = await page.screenshot();
    const a = decodePng(partial), b = decodePng(full);
    let differ = 0;
    for (let y = 0; y < a.height; y++)
      for (let x = 0; x < a.width; x++) if (a.rgb(x, y).join() !== b.rgb(x, y).join()) differ++;
    assert.equal(differ, 0, `${name}: ${differ} pixels differ from a full redraw`);
  };

  await click(page, 'tab:Train');
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().trainerRunning);
  await page.waitForTimeout(1500);
  const s0 = await state(page);
  await page.waitForTimeout(2000);
  const s1 = await state(page);
  const perFrame = (s1.redrawnPixelsTotal - s0.redrawnPixelsTotal) / (s1.frames - s0.frames);
  console.log(`training: ${(100 * perFrame / canvasPixels).toFixed(1)}% of the canvas redrawn a frame on average`);
  assert.ok(s1.examplesSeen > s0.examplesSeen);
  assert.ok(perFrame > 0 && perFrame < 0.5 * canvasPixels, `${perFrame} pixels a frame`);
  // while it trains: a digit on the pad, a button hovered and left
  await drawStrokes(page, DIGITS[3]);
  const pause = await widget(page, 'button:Pause');
  await page.mouse.move(pause.x + pause.w / 2, pause.y + pause.h / 2);
  await waitFrames(page, 3);
  await page.mouse.move(640, 795);
  await page.waitForTimeout(1000);
  await click(page, 'button:Pause');
  await waitFor(page, () => !window.convlab.state().trainerRunning);
  await sameAsFullRedraw('redraw-after-training');

  // the Inspect views: images recoloured by shaders as the drawing changes
  await click(page, 'tab:Inspect');
  await waitFrames(page, 3);
  await drawStrokes(page, DIGITS[7]);
  await sameAsFullRedraw('redraw-inspect');
  assert.deepEqual(log.problems, []);
  await context.close();
});
