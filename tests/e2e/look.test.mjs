// How the page looks, read from its pixels: a first visit opens on the feature maps of a test digit;
// text reads at a contrast of at least 4.5:1 where it is drawn (measured on the screenshot, WCAG's
// formula); the legend bars carry the colour scale the pictures are drawn with, and their end
// values are the engine's.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifacts, browserSuite, openPage, state, prediction, click, waitFor, waitFrames, widget, reveal, drawStrokes, DIGITS,
} from './browser.mjs';
import { grab } from './png.mjs';

const env = await browserSuite();

const linear = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
const contrast = (a, b) => (Math.max(luminance(a), luminance(b)) + 0.05) / (Math.min(luminance(a), luminance(b)) + 0.05);

// The most common colour of a widget's pixels is its background; the pixel that differs most from
// it is the core of a glyph's stroke: their contrast is the text's.
async function textContrast(page, name) {
  const px = await grab(page, await reveal(page, name));
  const counts = new Map();
  for (let y = 0; y < px.height; y++)
    for (let x = 0; x < px.width; x++) {
      const key = px.rgb(x, y).join(',');
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  const background = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  let best = 1, text = background;
  for (const key of counts.keys()) {
    const rgb = key.split(',').map(Number), ratio = contrast(rgb, background);
    if (ratio > best) best = ratio, text = rgb;
  }
  return { ratio: best, background, text };
}

test('a first visit opens on the feature maps of a test digit; "Got it" is remembered and the pad then starts empty', async () => {
  const { context, page, log } = await openPage(env, { firstVisit: true });
  assert.equal((await state(page)).introShown, true);
  assert.equal((await state(page)).panel, 'Inspect');
  await waitFor(page, () => window.convlab.state().inputInk > 0, null, 60000);
  assert.match((await state(page)).message, /^Test image #0 \(a \d\) is on the pad\.$/);
  const label = Number((await state(page)).message.match(/\(a (\d)\)/)[1]);
  const p = await prediction(page);
  assert.equal(p.digit, label, `the shipped model reads the first visit's digit (${label}) as ${p.digit}`);
  assert.equal(p.sure, true);
  // the maps are of the digit: layer 2 (relu) has lit cells (not the blank maps of an empty pad)
  await waitFrames(page, 3);
  const px = await grab(page, await widget(page, 'fmap:1'));
  const dark = [0.27 * 255, 0, 0.33 * 255];  // the sequential scale's 0
  let lit = 0;
  for (let y = 0; y < px.height; y += 2)
    for (let x = 0; x < px.width; x += 2) {
      const rgb = px.rgb(x, y);
      if (Math.abs(rgb[0] - dark[0]) + Math.abs(rgb[1] - dark[1]) + Math.abs(rgb[2] - dark[2]) > 90) lit++;
    }
  assert.ok(lit > 50, `only ${lit} lit cells in the first visit's feature maps`);
  await page.screenshot({ path: path.join(artifacts, 'first-visit.png') });
  // C clears it; the steps stay until "Got it", which is remembered
  await page.keyboard.press('c');
  await waitFor(page, () => window.convlab.state().inputInk === 0);
  await click(page, 'button:intro-done');
  await waitFor(page, () => !window.convlab.state().introShown);
  await page.reload();
  await page.waitForFunction(() => window.convlab && window.convlab.ready, null, { timeout: 60000 });
  await waitFor(page, () => window.convlab.state().testExamples > 0, null, 60000);
  await waitFrames(page, 5);
  const again = await state(page);
  assert.equal(again.introShown, false);
  assert.equal(again.inputInk, 0, 'a returning visitor finds the pad empty');
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('text reads at 4.5:1 or more where it is drawn: header, hints, buttons, tabs, the answer bar, errors (measured on the pixels)', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[7]);
  await waitFor(page, () => window.convlab.prediction().digit === 7);
  const answer = `bar:${(await prediction(page)).digit}`;
  const measured = {};
  for (const name of ['header', 'button:Clear', 'tab:Inspect', 'tab:Build', 'tab:Feature maps', answer, 'button:random-digit'])
    measured[name] = await textContrast(page, name);
  // a red error line: a setup link that cannot be read
  await page.goto(`${env.url}#setup=1.%%%`);
  await page.waitForFunction(() => window.convlab && window.convlab.ready, null, { timeout: 60000 });
  await waitFor(page, () => window.convlab.state().error !== null);
  await waitFrames(page, 2);
  measured.error = await textContrast(page, 'status:error');
  for (const [name, m] of Object.entries(measured)) console.log(`${name}: ${m.ratio.toFixed(2)}:1 (text ${m.text} on ${m.background})`);
  for (const [name, m] of Object.entries(measured)) assert.ok(m.ratio >= 4.5, `${name}: ${m.ratio.toFixed(2)}:1`);
  await page.screenshot({ path: path.join(artifacts, 'theme-error.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('legend bars: the scale the pictures are drawn in, ends at the engine\'s largest value, a map\'s cell found on its bar', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[3]);
  await waitFor(page, () => window.convlab.prediction().digit !== null);
  await click(page, 'tab:Feature maps');
  await waitFrames(page, 3);
  const { legends } = await state(page);
  // layer 1 (conv, signed: blue…white…red from −m to +m), layer 2 (relu: purple…yellow from 0 to m)
  for (const [layer, signed] of [[0, true], [1, false]]) {
    const values = await page.evaluate((i) => window.convlab.layerOutput(i), layer);
    const m = Math.max(...values.map(Math.abs));
    const ends = legends[`fmap${layer}`];
    assert.ok(ends, `no legend for layer ${layer + 1}`);
    assert.ok(Math.abs(ends.hi - m) <= 1e-5 * m, `layer ${layer + 1}: the legend ends at ${ends.hi}, the engine's largest |value| is ${m}`);
    assert.equal(ends.lo, signed ? -ends.hi : 0);
  }
  // the bar's colours: the diverging scale's stops at its ends and its middle
  const bar = await grab(page, await widget(page, 'legend:fmap0'));
  const y = Math.floor(bar.height / 2), at = (t) => bar.rgb(Math.min(bar.width - 1, Math.floor(t * bar.width)), y);
  const near = (rgb, want, tol = 12) => rgb.every((v, k) => Math.abs(v - want[k] * 255) <= tol);
  assert.ok(near(at(0.01), [0.13, 0.40, 0.67]), `left end ${at(0.01)}`);
  assert.ok(near(at(0.5), [0.97, 0.97, 0.97], 16), `middle ${at(0.5)}`);
  assert.ok(near(at(0.99), [0.70, 0.09, 0.17]), `right end ${at(0.99)}`);
  // read layer 2's brightest cell off the picture with its legend: the bar's colour closest to the
  // cell's gives its value; compare with the engine's
  const values = await page.evaluate(() => window.convlab.layerOutput(1));
  const ends = legends.fmap1;
  const maps = await grab(page, await widget(page, 'fmap:1'));
  const cell = maps.height / 28;  // 8 maps of 28×28 in a row, one cell apart
  const seqBar = await grab(page, await widget(page, 'legend:fmap1'));
  let checked = 0, worst = 0;
  for (let k = 0; k < values.length && checked < 40; k += 97) {
    const c = Math.floor(k / 784), yy = Math.floor((k % 784) / 28), xx = k % 28;
    const rgb = maps.rgb(Math.floor((c * 29 + xx + 0.5) * cell), Math.floor((yy + 0.5) * cell));
    let best = 0, bestDistance = Infinity;
    for (let x = 0; x < seqBar.width; x++) {
      const b = seqBar.rgb(x, Math.floor(seqBar.height / 2));
      const d = Math.abs(b[0] - rgb[0]) + Math.abs(b[1] - rgb[1]) + Math.abs(b[2] - rgb[2]);
      if (d < bestDistance) bestDistance = d, best = x;
    }
    const read = ends.lo + ((best + 0.5) / seqBar.width) * (ends.hi - ends.lo);
    worst = Math.max(worst, Math.abs(read - values[k]) / ends.hi);
    checked++;
  }
  console.log(`${checked} cells read off the legend: worst error ${(100 * worst).toFixed(1)}% of the scale`);
  assert.ok(checked >= 30);
  assert.ok(worst < 0.05, `a cell read off the legend is ${(100 * worst).toFixed(1)}% of the scale away from the engine's value`);
  await page.screenshot({ path: path.join(artifacts, 'legend-feature-maps.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});
