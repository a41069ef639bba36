// The page as a user meets it, in headless Chromium (SwiftShader WebGL2): load, draw, predict,
// clear/undo, presets, an impossible architecture, training, pause, save/load, a corrupt file,
// touch on a phone viewport. Screenshots of every panel land in build/test-artifacts/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  artifacts, browserSuite, openPage, state, prediction, click, waitFor, drawStrokes, DIGITS, clearPad, typeInto,
} from './browser.mjs';

const env = await browserSuite();

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });

test('first load: the page renders, the default model predicts, nothing fails', async () => {
  const { context, page, log } = await openPage(env);
  const s = await state(page);
  assert.equal(s.model, 'default');
  assert.equal(s.error, null);
  assert.ok(s.pad.w >= 200 && s.pad.h >= 200, `pad ${JSON.stringify(s.pad)}`);
  await waitFor(page, () => window.convlab.state().dataLoaded && window.convlab.state().testAccuracy !== null);
  const after = await state(page);
  assert.ok(after.testAccuracy >= 0.985, `default model test accuracy ${after.testAccuracy}`);
  console.log(`ready after ${log.readyMs.toFixed(0)} ms (page clock; ${log.readyDriverMs} ms for the driver); page loaded ${log.bytes} bytes; default model ${(100 * after.testAccuracy).toFixed(2)}% on the 2,000`);
  assert.ok(log.bytes < 3 * 1024 * 1024, `page weight ${log.bytes} bytes`);
  await shot(page, 'panel-build');
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('drawing digits with the mouse: the right prediction, a changed 28×28 preview; clear and undo', async () => {
  const { context, page, log } = await openPage(env);
  assert.equal((await state(page)).inputInk, 0);
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    await clearPad(page);
    await drawStrokes(page, strokes);
    const s = await state(page);
    assert.ok(s.inputInk > 20, `the 28×28 input changed (ink ${s.inputInk})`);
    const p = await prediction(page);
    assert.equal(p.digit, Number(digit), `drew ${digit}, the network read ${p.digit} (${p.probs.map((x) => x.toFixed(2))})`);
    assert.ok(Math.abs(p.probs.reduce((a, b) => a + b) - 1) < 1e-4);
    await shot(page, `draw-${digit}`);
  }
  await clearPad(page);
  assert.equal((await prediction(page)).digit, null);
  await page.keyboard.press('Control+z');  // undo the clear: the 7 comes back
  await waitFor(page, () => window.convlab.prediction().digit === 7);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('presets rebuild the table; an impossible architecture is a red message, not a crash', async () => {
  const { context, page, log } = await openPage(env);
  assert.equal((await state(page)).layers, 10);
  await click(page, 'tab:Build');  // the page opens on Inspect
  await click(page, 'preset');
  await click(page, 'preset:Tiny');
  await waitFor(page, () => window.convlab.state().layers === 4);
  await shot(page, 'build-tiny');
  // Kernel 40 on a 28×28 input: the first field of layer 1's kernel
  await typeInto(page, 'layer1:kernel', '40');
  await waitFor(page, () => window.convlab.state().buildError !== null);
  const s = await state(page);
  assert.match(s.buildError, /^layer 1 \(conv2d\): output height ⌊\(28 \+ 2·0 − \(40−1\)·1 − 1\)\/2⌋ \+ 1 = −5 ≤ 0$/);
  await click(page, 'button:Use this network');  // disabled: nothing happens
  assert.equal((await state(page)).model, 'default');
  await shot(page, 'build-impossible');
  // the page still predicts
  await drawStrokes(page, DIGITS[1]);
  assert.equal((await prediction(page)).digit, 1);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('training: examples flow, the loss falls (fps reported), pause stops it', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded);
  await click(page, 'tab:Train');
  await click(page, 'button:Reset');  // fresh random weights: the loss starts near ln 10
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().training);
  const losses = [], fps = [];
  for (let i = 0; i < 16; i++) {
    await page.waitForTimeout(500);
    const s = await state(page);
    if (s.trainLoss !== null) losses.push(s.trainLoss);
    if (i >= 4) fps.push(s.fps);
  }
  const s = await state(page);
  assert.ok(s.training);
  assert.ok(s.examplesSeen > 500, `examples seen ${s.examplesSeen}`);
  const mean = (a) => a.reduce((x, y) => x + y) / a.length;
  const early = s.trainLossFirst, late = mean(losses.slice(-3));  // the run's first batch: about ln 10
  assert.ok(late < 0.6 * early, `loss ${early.toFixed(3)} → ${late.toFixed(3)}`);
  const fpsMean = mean(fps);
  console.log(`training: ${s.examplesSeen} examples in 8 s, ${s.examplesPerSecond.toFixed(0)} examples/s, fps ${fpsMean.toFixed(1)} (min ${Math.min(...fps).toFixed(1)}), loss ${early.toFixed(3)} → ${late.toFixed(3)}`);
  // fps is reported, not asserted: a wall-clock figure belongs to bench/browser_bench.mjs.
  // The first epoch ends with an evaluation on the 2,000 test digits.
  await waitFor(page, () => window.convlab.state().testAccuracyEpoch >= 1, null, 90000);
  const evaluated = await state(page);
  console.log(`after epoch 1: test accuracy ${(100 * evaluated.testAccuracy).toFixed(2)}%`);
  assert.ok(evaluated.testAccuracy > 0.85, `test accuracy after one epoch ${evaluated.testAccuracy}`);
  await shot(page, 'panel-train');
  await click(page, 'button:Pause');
  await waitFor(page, () => !window.convlab.state().training);
  // the trainer confirms: nothing trains after its reply
  await waitFor(page, () => !window.convlab.state().trainerRunning && window.convlab.state().trainer.pending === 0);
  const paused = (await state(page)).examplesSeen;
  await page.waitForTimeout(1000);
  assert.equal((await state(page)).examplesSeen, paused);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('inspect: every view renders for a drawing', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().testAccuracy !== null);
  await drawStrokes(page, DIGITS[4]);
  await click(page, 'tab:Inspect');
  for (const tab of ['Feature maps', 'Filters', 'Histograms', 'Saliency', 'Test set', 'im2col']) {
    await click(page, `tab:${tab}`);
    await page.waitForTimeout(300);
    await shot(page, `panel-inspect-${tab.toLowerCase().replace(' ', '-')}`);
  }
  // (the shift buttons of the equivariance demo are tested in pictures.test.mjs)
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('keep: save → load in a fresh browser gives the same prediction; a corrupt file is refused', async () => {
  // Train a little so the saved model differs from the default
  const first = await openPage(env);
  await waitFor(first.page, () => window.convlab.state().dataLoaded);
  await click(first.page, 'tab:Train');
  for (let i = 0; i < 5; i++) await click(first.page, 'button:Step');
  await drawStrokes(first.page, DIGITS[2]);
  const before = await prediction(first.page);
  await click(first.page, 'tab:Keep');
  await shot(first.page, 'panel-keep');
  const [download] = await Promise.all([first.page.waitForEvent('download'), click(first.page, 'button:Save')]);
  const saved = path.join(artifacts, 'saved.clmodel');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 7).toString(), 'CONVLAB');
  await first.context.close();

  const second = await openPage(env);  // fresh storage: the default model
  const { page } = second;
  assert.equal((await state(page)).model, 'default');
  await drawStrokes(page, DIGITS[2]);
  await click(page, 'tab:Keep');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:Load')]);
  await chooser.setFiles(saved);
  await waitFor(page, () => window.convlab.state().model === 'saved.clmodel');
  const after = await prediction(page);
  assert.equal(after.digit, before.digit);
  after.probs.forEach((p, k) => assert.ok(Math.abs(p - before.probs[k]) < 1e-6, `class ${k}: ${p} vs ${before.probs[k]}`));

  const corrupt = path.join(artifacts, 'corrupt.clmodel');
  const bytes = readFileSync(saved);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(corrupt, bytes);
  const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:Load')]);
  await chooser2.setFiles(corrupt);
  await waitFor(page, () => window.convlab.state().error !== null);
  const s = await state(page);
  assert.match(s.error, /Could not load corrupt\.clmodel: model file is corrupt: checksum mismatch — the current model is unchanged\./);
  assert.equal(s.model, 'saved.clmodel');
  assert.deepEqual((await prediction(page)).probs, after.probs);
  await shot(page, 'keep-corrupt-file');

  // reload: the last model comes back from the browser's storage
  await page.reload();
  await page.waitForFunction(() => window.convlab && window.convlab.ready);
  assert.equal((await state(page)).model, 'browser storage');
  assert.deepEqual(second.log.problems, []);
  await second.context.close();
});

test('phone viewport: renders at 390×844 (3× pixels) and draws with a finger', async () => {
  const { context, page, log } = await openPage(env, {
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  });
  const s = await state(page);
  assert.ok(s.pad.x >= 0 && s.pad.x + s.pad.w <= 390, `pad fits the screen: ${JSON.stringify(s.pad)}`);
  const cdp = await context.newCDPSession(page);
  const touch = async (type, u, v) => cdp.send('Input.dispatchTouchEvent', {
    type, touchPoints: type === 'touchEnd' ? [] : [{ x: s.pad.x + u * s.pad.w, y: s.pad.y + v * s.pad.h }],
  });
  // a "1" with a finger
  await touch('touchStart', 0.5, 0.15);
  for (let i = 1; i <= 12; i++) {
    await page.waitForTimeout(20);
    await touch('touchMove', 0.5, 0.15 + (0.7 * i) / 12);
  }
  await page.waitForTimeout(50);
  await touch('touchEnd');
  await page.waitForTimeout(300);
  await shot(page, 'phone');
  assert.ok((await state(page)).inputInk > 10, 'touch drew on the pad');
  assert.equal((await prediction(page)).digit, 1);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('locked down: the CSP forbids eval and other origins; once loaded, the page works offline', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded);
  const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'self'/);
  // The page's own rules judge what it runs (page.evaluate itself is exempt, so the probes are a
  // string timer, i.e. eval, an inline script and requests to another origin).
  await page.evaluate(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective));
    window.evalRan = false;
    setTimeout('window.evalRan = true', 0);
    const img = new Image();
    img.src = 'http://example.com/pixel.png';
    setTimeout(() => fetch('http://example.com/').catch(() => {}), 0);
  });
  await assert.rejects(page.addScriptTag({ content: 'window.inlineRan = true' }), /Content Security Policy/);
  await page.waitForTimeout(500);
  const probe = await page.evaluate(() => ({ evalRan: window.evalRan, inlineRan: !!window.inlineRan, violations: window.violations }));
  assert.equal(probe.evalRan, false, 'eval ran');
  assert.equal(probe.inlineRan, false, 'an inline script ran');
  for (const directive of ['script-src', 'script-src-elem', 'img-src', 'connect-src'])
    assert.ok(probe.violations.includes(directive), `no ${directive} violation: ${probe.violations}`);
  log.problems = log.problems.filter((p) => !p.includes('example.com') && !p.includes('Content Security Policy'));

  await context.setOffline(true);
  await drawStrokes(page, DIGITS[7]);
  assert.equal((await prediction(page)).digit, 7);
  await click(page, 'tab:Train');
  await click(page, 'button:Step');
  // the trainer's worker answers the step with its report: offline too
  await waitFor(page, () => window.convlab.state().examplesSeen > 0 && window.convlab.state().trainer.snapshots > 0);
  assert.deepEqual(log.problems, []);
  await context.close();
});
