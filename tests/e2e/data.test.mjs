// Own data, as a user brings it: three classes drawn with the mouse, trained from scratch, read
// back; kept across a reload; exported as IDX and imported into a fresh browser; bad files refused.
// And Fashion-MNIST: downloaded when picked, with its default model and named classes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  artifacts, browserSuite, openPage, state, prediction, click, waitFor, drawStrokes, clearPad, typeInto, waitFrames, widget,
} from './browser.mjs';

const env = await browserSuite();

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });

const ring = (cx, cy, r) => [Array.from({ length: 27 }, (_, i) => {
  const t = (i / 24) * 2 * Math.PI;
  return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
})];
const cross = (cx, cy, r) => [[[cx - r, cy - r], [cx + r, cy + r]], [[cx + r, cy - r], [cx - r, cy + r]]];
const bar = (cx, cy, r) => [[[cx, cy - r], [cx + 0.02, cy + r]]];
const SHAPES = [ring, cross, bar];
// Varied in position and size, as a person draws them.
const PLACES = [[0.5, 0.5, 0.3], [0.35, 0.4, 0.2], [0.62, 0.6, 0.25], [0.45, 0.55, 0.35], [0.6, 0.38, 0.18],
  [0.4, 0.62, 0.28], [0.55, 0.45, 0.22], [0.5, 0.5, 0.15]];
const NEW_PLACES = [[0.42, 0.47, 0.26], [0.58, 0.55, 0.2]];

async function myExamples(page) {
  return (await state(page)).myExampleCounts;
}

// A fresh browser on the Data tab with My classes picked (and in use).
async function openMyClasses() {
  const opened = await openPage(env);
  const { page } = opened;
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await click(page, 'tab:Data');
  await click(page, 'data:mine');
  await waitFor(page, () => window.convlab.state().dataset === 'mine');
  return opened;
}

// Downloads the three exported files; returns their paths.
async function exportIdx(page, tag) {
  const downloads = [];
  const got = new Promise((resolve) => {
    page.on('download', (d) => { downloads.push(d); if (downloads.length === 3) resolve(); });
  });
  await click(page, 'button:export-idx');
  await got;
  const files = [];
  for (const d of downloads) {
    const file = path.join(artifacts, `${tag}-${d.suggestedFilename()}`);
    await d.saveAs(file);
    files.push(file);
  }
  return files.sort();
}

test('my classes: draw 8 circles, crosses and lines, train from scratch, read new ones; kept on reload; IDX out and back in', async () => {
  const { context, page, log } = await openMyClasses();
  // nothing kept for my classes yet: a new network of the Build tab's architecture, one output per class
  await waitFor(page, () => window.convlab.state().modelFitsData);
  let s = await state(page);
  assert.deepEqual(s.myClasses, ['circle', 'cross', 'line']);
  assert.deepEqual(s.classNames, ['circle', 'cross', 'line']);
  assert.match(s.whyCannotTrain, /the class "circle" has no examples yet/);

  for (let k = 0; k < PLACES.length; k++) {
    for (let c = 0; c < 3; c++) {
      await drawStrokes(page, SHAPES[c](...PLACES[k]));
      if (k % 2) {
        await page.keyboard.press(`Shift+${c + 1}`);  // the keymap's Shift+1…3
      } else {
        await click(page, `button:add:${c}`);
      }
      await waitFor(page, ([cls, n]) => window.convlab.state().myExampleCounts[cls] === n, [c, k + 1]);
      await waitFor(page, () => window.convlab.state().inputInk === 0);  // the pad is cleared for the next drawing
    }
  }
  assert.deepEqual(await myExamples(page), [8, 8, 8]);
  await shot(page, 'data-my-classes');

  // train from scratch: 21 examples (every 5th of each class is held out), a batch smaller than them
  await click(page, 'tab:Train');
  assert.equal((await state(page)).batch, 8, 'my classes have their own settings: batches of 8');
  await typeInto(page, 'field:batch', 32);
  await waitFor(page, () => /21 training examples are fewer than the batch size \(32\)/.test(window.convlab.state().whyCannotTrain));
  await typeInto(page, 'field:batch', 8);
  await waitFor(page, () => window.convlab.state().whyCannotTrain === '');
  s = await state(page);
  assert.equal(s.trainExamples, 21);
  assert.equal(s.testExamples, 3);
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().testAccuracyEpoch >= 60 && !window.convlab.state().training, null, 120000);
  s = await state(page);
  assert.equal(s.error, null);
  console.log(`my classes: loss ${s.trainLossFirst.toFixed(3)} → ${s.trainLoss.toFixed(3)}, held-out accuracy ${s.testAccuracy}`);
  await shot(page, 'data-my-classes-trained');

  let right = 0;
  const reads = [];
  for (const place of NEW_PLACES)
    for (let c = 0; c < 3; c++) {
      await clearPad(page);
      await drawStrokes(page, SHAPES[c](...place));
      const p = await prediction(page);
      reads.push(`${['circle', 'cross', 'line'][c]}→${p.label}`);
      assert.equal(p.probs.length, 3);
      if (p.label === ['circle', 'cross', 'line'][c]) right++;
      assert.equal(p.label, s.classNames[p.digit]);
    }
  console.log(`new drawings read: ${reads.join(', ')}`);
  assert.ok(right >= 5, `${right} of 6 new drawings read right: ${reads}`);
  await shot(page, 'data-my-classes-predict');

  // reload: the examples and the names are still there
  await page.reload();
  await page.waitForFunction(() => window.convlab && window.convlab.ready && window.convlab.state().myExamplesRestored, null, { timeout: 60000 });
  s = await state(page);
  assert.deepEqual(s.myExampleCounts, [8, 8, 8]);
  assert.deepEqual(s.myClasses, ['circle', 'cross', 'line']);
  // … and the model trained for them comes back with my classes
  await click(page, 'tab:Data');
  await click(page, 'data:mine');
  await waitFor(page, () => window.convlab.state().dataset === 'mine' && window.convlab.state().model === 'browser storage');
  assert.deepEqual((await state(page)).classNames, ['circle', 'cross', 'line']);

  const exported = await exportIdx(page, 'first');
  assert.deepEqual(exported.map((f) => path.basename(f)),
    ['first-my-classes-images.idx3-ubyte', 'first-my-classes-labels.idx1-ubyte', 'first-my-classes-names.json']);
  const images = readFileSync(exported[0]);
  assert.deepEqual([...images.subarray(0, 4)], [0, 0, 8, 3]);
  assert.equal(images.readUInt32BE(4), 24);
  assert.deepEqual(log.problems, []);
  await context.close();

  // a fresh browser: import them, the same examples (exported again, byte for byte)
  const fresh = await openMyClasses();
  assert.ok((await state(fresh.page)).myExamplesRestored);
  assert.deepEqual((await state(fresh.page)).myExampleCounts, [0, 0, 0]);

  // bad files first: a wrong magic, and labels beyond the classes — messages, nothing changes
  const badMagic = path.join(artifacts, 'bad-magic-images.idx3-ubyte');
  const bytes = Buffer.from(images);
  bytes[0] = 7;
  bytes[3] = 3;
  writeFileSync(badMagic, bytes);
  const buttonBefore = await widget(fresh.page, 'button:import-idx');
  let [chooser] = await Promise.all([fresh.page.waitForEvent('filechooser'), click(fresh.page, 'button:import-idx')]);
  await chooser.setFiles([badMagic, exported[1]]);
  await waitFor(fresh.page, () => window.convlab.state().error !== null);
  await waitFrames(fresh.page, 1);  // the error's line drawn: the panels did not move under the pointer
  assert.deepEqual(await widget(fresh.page, 'button:import-idx'), buttonBefore);
  assert.match((await state(fresh.page)).error, /bad-magic-images\.idx3-ubyte: not an IDX file \(bad magic\)/);
  const badLabels = path.join(artifacts, 'bad-labels.idx1-ubyte');
  const labels = Buffer.from(readFileSync(exported[1]));
  labels[8 + 5] = 7;
  writeFileSync(badLabels, labels);
  [chooser] = await Promise.all([fresh.page.waitForEvent('filechooser'), click(fresh.page, 'button:import-idx')]);
  await chooser.setFiles([exported[0], badLabels]);
  await waitFor(fresh.page, () => /label 7 of example 5/.test(window.convlab.state().error || ''));
  assert.deepEqual((await state(fresh.page)).myExampleCounts, [0, 0, 0]);
  await shot(fresh.page, 'data-import-refused');

  [chooser] = await Promise.all([fresh.page.waitForEvent('filechooser'), click(fresh.page, 'button:import-idx')]);
  await chooser.setFiles(exported);
  await waitFor(fresh.page, () => window.convlab.state().myExampleCounts.join() === '8,8,8');
  const again = await exportIdx(fresh.page, 'second');
  for (let k = 0; k < 3; k++) assert.ok(readFileSync(again[k]).equals(readFileSync(exported[k])), `${path.basename(again[k])} is the same`);
  assert.deepEqual(fresh.log.problems, []);
  await fresh.context.close();
});

test('renaming or removing a class with examples asks first; the live model follows the class count', async () => {
  const { context, page, log } = await openMyClasses();
  await waitFor(page, () => window.convlab.state().modelFitsData);
  await drawStrokes(page, ring(0.5, 0.5, 0.3));
  await click(page, 'button:add:0');
  await waitFor(page, () => window.convlab.state().myExampleCounts[0] === 1);
  await click(page, 'button:rename:0');
  await typeInto(page, 'field:class-name:0', 'ring');
  await widget(page, 'button:Yes');  // "Rename "circle" (1 examples) to "ring"?"
  await waitFrames(page, 2);  // an auto-sized popup is placed on its second frame
  await shot(page, 'data-confirm-rename');
  assert.deepEqual((await state(page)).myClasses, ['circle', 'cross', 'line']);
  await click(page, 'button:Yes');
  await waitFor(page, () => window.convlab.state().myClasses[0] === 'ring');
  assert.deepEqual((await state(page)).classNames, ['ring', 'cross', 'line'], 'the model is renamed too');
  // a fourth class: the model no longer fits; a new network for the four
  await typeInto(page, 'field:new-class', 'star', null);
  await click(page, 'button:add-class');
  await waitFor(page, () => window.convlab.state().myClasses.length === 4 && !window.convlab.state().modelFitsData);
  assert.match((await state(page)).whyCannotTrain, /make a network for your classes/);
  await shot(page, 'data-new-class');
  await click(page, 'button:fine-tune');
  await waitFor(page, () => window.convlab.state().modelFitsData);
  const s = await state(page);
  assert.deepEqual(s.classNames, ['ring', 'cross', 'line', 'star']);
  assert.match(s.model, /fine-tuned/);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('Fashion-MNIST: downloaded when picked (with progress), its default model ≥ 88% on the 2,000, named classes', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  const before = log.bytes;
  await click(page, 'tab:Data');
  await click(page, 'data:fashion');
  await waitFor(page, () => window.convlab.state().dataset === 'fashion' && window.convlab.state().model === 'default fashion', null, 60000);
  const downloaded = log.bytes - before;
  assert.ok(downloaded > 5e6 && downloaded < 7e6, `downloaded ${downloaded} bytes`);
  await waitFor(page, () => window.convlab.state().testAccuracy !== null, null, 60000);
  const s = await state(page);
  assert.equal(s.trainExamples, 12000);
  assert.equal(s.testExamples, 2000);
  assert.equal(s.classNames[0], 'T-shirt/top');
  assert.equal(s.classNames[9], 'Ankle boot');
  console.log(`Fashion-MNIST: ${downloaded} bytes; default model ${(100 * s.testAccuracy).toFixed(2)}% on the 2,000`);
  assert.ok(s.testAccuracy >= 0.88, `default Fashion-MNIST model ${s.testAccuracy}`);
  // a drawing of trousers: two legs from a waistband (scaled to fill the frame)
  await drawStrokes(page, [[[0.3, 0.15], [0.7, 0.15]], [[0.32, 0.15], [0.3, 0.9]], [[0.68, 0.15], [0.7, 0.9]],
    [[0.5, 0.2], [0.48, 0.9]]]);
  const p = await prediction(page);
  assert.equal(p.probs.length, 10);
  assert.equal(p.label, s.classNames[p.digit]);
  console.log(`a drawing of trousers reads "${p.label}"`);
  await click(page, 'tab:Inspect');
  await click(page, 'tab:Test set');
  await waitFrames(page, 3);
  await shot(page, 'data-fashion');
  // back to MNIST: its model comes back
  await click(page, 'tab:Data');
  await click(page, 'data:mnist');
  await waitFor(page, () => window.convlab.state().dataset === 'mnist' && window.convlab.state().classNames[0] === '0');
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('digit classes can mix in MNIST: classes named 3 and 5 train on MNIST\'s 3s and 5s too', async () => {
  const { context, page, log } = await openMyClasses();
  for (const [k, name] of [[0, '3'], [1, '5']]) {
    await click(page, `button:rename:${k}`);
    await typeInto(page, `field:class-name:${k}`, name);  // no examples yet: nothing to ask
    await waitFor(page, ([i, n]) => window.convlab.state().myClasses[i] === n, [k, name]);
  }
  assert.equal((await state(page)).widgets['check:mix-mnist'], undefined, 'no mixing while a class is not a digit');
  await click(page, 'button:rename:2');
  await typeInto(page, 'field:class-name:2', '8');
  await waitFor(page, () => window.convlab.state().myClasses.join() === '3,5,8');
  await click(page, 'check:mix-mnist');
  await waitFor(page, () => window.convlab.state().trainExamples > 2000);
  const s = await state(page);
  console.log(`3, 5, 8 with MNIST mixed in: ${s.trainExamples} training examples, ${s.testExamples} held out`);
  assert.equal(s.testExamples, 0, 'the test set stays my own drawings');
  assert.equal(s.whyCannotTrain, '', 'MNIST\'s digits are examples of my digit classes');
  assert.deepEqual(log.problems, []);
  await context.close();
});
