// The page on a phone (390×844, touch, 3× pixels) and on big screens: every panel one tap away
// (the drawing is a tab of its own), controls a finger can hit (≥ 44 CSS px), rows that wrap
// instead of running off the right edge, a finger drag outside the pad scrolls, a finger on the pad
// draws, no console error; at 1920 and 2560 px the pad grows with the window.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, browserSuite, openPage, state, prediction, waitFor, waitFrames, widget } from './browser.mjs';

const env = await browserSuite();

test('phone: tabs first, 44-px targets, taps switch panels, a finger draws, a drag scrolls, nothing runs off the right', async () => {
  const { context, page, log } = await openPage(env, {
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  });
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  const cdp = await context.newCDPSession(page);
  const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  const tap = async (name) => {
    const r = await widget(page, name);
    await touch('touchStart', r.x + r.w / 2, r.y + r.h / 2);
    await page.waitForTimeout(60);
    await touch('touchEnd');
    await waitFrames(page, 3);
  };
  let s = await state(page);
  assert.equal(s.touchScreen, true);
  assert.equal(s.panel, 'Draw', 'a phone opens on the drawing');

  // a "1" with a finger on the pad
  const pad = s.widgets.pad;
  await touch('touchStart', pad.x + 0.5 * pad.w, pad.y + 0.15 * pad.h);
  for (let i = 1; i <= 12; i++) {
    await page.waitForTimeout(20);
    await touch('touchMove', pad.x + 0.5 * pad.w, pad.y + (0.15 + (0.7 * i) / 12) * pad.h);
  }
  await touch('touchEnd');
  await waitFor(page, () => window.convlab.prediction().digit !== null);
  assert.equal((await prediction(page)).digit, 1);
  await page.screenshot({ path: path.join(artifacts, 'phone-draw.png') });

  // a drag on the 28×28 preview (outside the pad) scrolls the page up to the last bars
  const before = (await widget(page, 'bar:9')).y;
  const preview = await widget(page, 'input');
  const y0 = Math.min(preview.y + preview.h / 2, 800);
  assert.ok(before > 844, 'the last bar starts below the screen');
  await touch('touchStart', preview.x + preview.w / 2, y0);
  for (let i = 1; i <= 10; i++) {
    await page.waitForTimeout(20);
    await touch('touchMove', preview.x + preview.w / 2, y0 - 30 * i);
  }
  await touch('touchEnd');
  await waitFrames(page, 3);
  const after = (await widget(page, 'bar:9')).y;
  assert.ok(before - after > 100, `the drag scrolled: bar 9 at y ${before} → ${after}`);
  await page.screenshot({ path: path.join(artifacts, 'phone-scrolled.png') });

  // every panel one tap away, its controls big enough for a finger and inside the screen
  const faults = [];
  for (const panel of ['Build', 'Data', 'Train', 'Inspect', 'Keep', 'Draw']) {
    await tap(`tab:${panel}`);
    await waitFor(page, (p) => window.convlab.state().panel === p, panel);
    await waitFrames(page, 2);
    s = await state(page);
    await page.screenshot({ path: path.join(artifacts, `phone-${panel.toLowerCase()}.png`) });
    for (const [name, r] of Object.entries(s.widgets)) {
      if (r.h === 0) continue;  // scrolled out of its panel: not drawn
      if ((name.startsWith('tab:') || name.startsWith('button:') || name.startsWith('field:')) && r.h < 44)
        faults.push(`${panel}: ${name} is ${r.h.toFixed(1)} px tall`);
      if (!name.startsWith('tab:') && r.x + r.w > 390 + 0.5)
        faults.push(`${panel}: ${name} runs off the right edge (${(r.x + r.w).toFixed(0)} px)`);
    }
  }
  assert.deepEqual(faults, []);

  // a plot's read-out without a hover: a tap on the learning-rate plot shows the value there
  await tap('tab:Train');
  const visible = async () => { const r = await widget(page, 'plot:lr'); return r.h > 0 && r.y + r.h < 844; };
  for (let i = 0; i < 20 && !(await visible()); i++) {
    await touch('touchStart', 195, 700);
    for (let k = 1; k <= 5; k++) await touch('touchMove', 195, 700 - 40 * k), await page.waitForTimeout(20);
    await touch('touchEnd');
    await waitFrames(page, 2);
  }
  const plot = await widget(page, 'plot:lr');
  await touch('touchStart', plot.x + plot.w / 2, plot.y + plot.h / 2);
  await page.waitForTimeout(60);
  await touch('touchEnd');
  await waitFrames(page, 3);
  const hover = (await state(page)).plotHover;
  assert.ok(await visible(), 'the plot scrolled into view');
  assert.ok(hover && hover.plot === 'lr' && hover.values.length === 1 && hover.values[0] > 0, JSON.stringify(hover));
  await page.screenshot({ path: path.join(artifacts, 'phone-plot-tap.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('big screens: the pad and the pictures grow with the window (1920×1080, 2560×1440)', async () => {
  const sides = [];
  for (const [width, height] of [[1280, 800], [1920, 1080], [2560, 1440]]) {
    const { context, page, log } = await openPage(env, { viewport: { width, height } });
    await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
    const s = await state(page);
    sides.push(s.widgets.pad.w);
    await page.screenshot({ path: path.join(artifacts, `screen-${width}.png`) });
    assert.deepEqual(log.problems, []);
    await context.close();
  }
  console.log(`pad side: ${sides.join(', ')} px`);
  assert.equal(sides[0], 300);
  assert.ok(sides[1] > 1.2 * sides[0] && sides[2] > 1.2 * sides[1], `the pad grows: ${sides}`);
});
