// The page without a mouse and without sight: keyboard-only panel switching, Tab to Start, Space to
// start and pause, W/A/S/D shifting the drawing; a screen reader's view (the accessibility tree):
// the canvas's label and the live region saying the prediction after a stroke, each epoch's
// result and an error.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { artifacts, browserSuite, openPage, state, waitFor, waitFrames, drawStrokes, DIGITS, click, typeInto } from './browser.mjs';

const env = await browserSuite();

test('keyboard only: 1–5 open the panels, Tab reaches Start, Space starts and pauses training, W/A/S/D shift the drawing', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  for (const [key, panel] of [['3', 'Train'], ['5', 'Keep'], ['2', 'Data'], ['4', 'Inspect'], ['1', 'Build'], ['3', 'Train']]) {
    await page.keyboard.press(key);
    await waitFor(page, (p) => window.convlab.state().panel === p, panel);
  }
  let tabs = 0;
  while ((await state(page)).focused !== 'button:Start') {
    assert.ok(++tabs <= 60, `Tab never reached Start (focus: ${(await state(page)).focused})`);
    await page.keyboard.press('Tab');
    await waitFrames(page, 3);  // the focus moves on the frame after the key, and is reported on the next
  }
  await waitFrames(page, 2);
  await page.screenshot({ path: path.join(artifacts, 'keyboard-focus-start.png') });
  await page.keyboard.press('Space');
  await waitFor(page, () => window.convlab.state().training);
  await waitFor(page, () => window.convlab.state().examplesSeen > 0, null, 60000);
  assert.equal((await state(page)).focused, 'button:Pause', 'the focus stays on the button as it becomes Pause');
  await page.keyboard.press('Space');
  await waitFor(page, () => !window.convlab.state().training);
  console.log(`Tab pressed ${tabs} times to reach Start from the Train tab`);

  await drawStrokes(page, DIGITS[1]);
  for (const key of ['d', 'd', 's', 'a', 'w', 'w']) await page.keyboard.press(key);
  await waitFor(page, () => window.convlab.state().shift.join() === '-1,1');
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('screen readers: the canvas says what the page is; a live region says the prediction, each epoch and errors', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  const canvas = await page.locator('#canvas').ariaSnapshot();
  assert.match(canvas, /application "ConvLab: draw a digit with the mouse or a finger and a convolutional network reads it/);
  await drawStrokes(page, DIGITS[3]);
  await page.waitForFunction(() => /Reads 3, \d+%\./.test(document.getElementById('announcer').textContent));
  const region = await page.locator('#announcer').ariaSnapshot();
  assert.match(region, /status: .*Reads 3, \d+%\./);
  // nothing while a stroke is drawn: at most one reading per finished stroke
  const said = await page.evaluate(() => window.convlab.announcements);
  const readings = said.filter((t) => t.startsWith('Reads')).length;
  assert.ok(readings >= 1 && readings <= DIGITS[3].length, said.join(' | '));

  await click(page, 'tab:Train');
  await click(page, 'button:Start');
  await page.waitForFunction(() => /Epoch 1 of \d+ done: test accuracy \d+\.\d%\./.test(document.getElementById('announcer').textContent),
    null, { timeout: 120000 });
  await click(page, 'button:Pause');
  await waitFor(page, () => !window.convlab.state().training);

  const corrupt = path.join(artifacts, 'not-a-model.clmodel');
  writeFileSync(corrupt, 'hello');
  await click(page, 'tab:Keep');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:Load')]);
  await chooser.setFiles(corrupt);
  await page.waitForFunction(() => /Error: Could not load not-a-model\.clmodel/.test(document.getElementById('announcer').textContent));
  const tree = await page.locator('body').ariaSnapshot();
  assert.match(tree, /status: "?Error: Could not load not-a-model\.clmodel: .* the current model is unchanged\./);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('number fields take what a number is made of: "c4" typed into epochs is 4, "x0.05q" into the learning rate 0.05; the C typed there clears nothing', async () => {
  const { context, page, log } = await openPage(env);
  await drawStrokes(page, DIGITS[1]);
  const ink = (await state(page)).inputInk;
  assert.ok(ink > 0);
  await click(page, 'tab:Train');
  await typeInto(page, 'field:epochs', 'c4');
  await typeInto(page, 'field:lr', 'x0.05q');
  const s = await state(page);
  assert.equal(s.trainSettings.epochs, 4);
  assert.ok(Math.abs(s.trainSettings.lr - 0.05) < 1e-7, `lr ${s.trainSettings.lr}`);
  assert.equal(s.inputInk, ink, 'typing "c" in a field cleared the drawing');
  assert.deepEqual(log.problems, []);
  await context.close();
});
