// Shared by the browser tests: serve build/web/, launch Debian's Chromium headless with
// SwiftShader WebGL2, open the page, and act on it only as a user does (mouse, touch, keys).
import { after } from 'node:test';
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = path.join(root, 'build/test-artifacts');
mkdirSync(artifacts, { recursive: true });

// Two servers of build/web/: `url` sends the cross-origin isolation headers (the threaded build
// runs), `plainUrl` does not, like a plain static host (the single-thread build runs).
export async function startBrowser(extraArgs = []) {
  const server = await serve(path.join(root, 'build/web'), 0);
  const plainServer = await serve(path.join(root, 'build/web'), 0, { isolation: false });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-gpu-sandbox',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  const close = () => { server.close(); plainServer.close(); };
  return { server: { close }, servers: [server, plainServer], browser, url: `http://127.0.0.1:${server.address().port}/`,
    plainUrl: `http://127.0.0.1:${plainServer.address().port}/` };
}

// One browser (and its servers) for a test file, closed after its last test.
export async function browserSuite(extraArgs = []) {
  const env = await startBrowser(extraArgs);
  after(async () => {
    await env.browser.close();
    env.server.close();
  });
  return env;
}

// Opens the page in a fresh context (empty storage and cache) as a returning visitor (the first
// visit's steps dismissed and no test digit put on the pad; `firstVisit: true` for a new one);
// records every console error, page error and failed request in `problems`; `bytes` is what the
// servers have sent since (one page at a time: the bodies that crossed the network, not the
// answers of the browser's cache).
export async function openPage(env, options = {}) {
  const { url, firstVisit, ...contextOptions } = options;
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, ...contextOptions });
  if (!firstVisit) await context.addInitScript(() => { try { localStorage.setItem('convlab.introSeen', '1'); } catch { /* no storage */ } });
  const page = await context.newPage();
  const sent = () => env.servers.reduce((sum, s) => sum + s.bytesSent, 0);
  const sentBefore = sent();
  const log = { problems: [], get bytes() { return sent() - sentBefore; } };
  page.on('console', (m) => { if (m.type() === 'error') log.problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => log.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => log.problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const started = Date.now();
  await page.goto(url || env.url);
  await page.waitForFunction(() => window.convlab && window.convlab.ready, null, { timeout: 60000 });
  log.readyDriverMs = Date.now() - started;  // also counts goto()'s own work and the polling
  log.readyMs = await page.evaluate(() => window.convlab.readyMs);  // the page's clock, from navigation start
  return { context, page, log };
}

export const state = (page) => page.evaluate(() => window.convlab.state());
export const prediction = (page) => page.evaluate(() => window.convlab.prediction());

// Scrolls the named widget's panel with the mouse wheel, as a user would, until the widget is
// wholly on screen; returns its rectangle there.
export async function reveal(page, name) {
  const height = page.viewportSize().height;
  // A frame drawn after the caller's last wait: what it waited for may have been set outside a
  // frame (a file read, a worker's message), and the rectangles are those of the last frame drawn.
  await waitFrames(page, 1);
  for (let i = 0; i < 30; i++) {
    const r = await widget(page, name);
    if (r.y >= 0 && r.y + r.h <= height) return r;
    await page.mouse.move(r.x + 4, height / 2);
    await page.mouse.wheel(0, r.y + r.h > height ? 150 : -150);
    await waitFrames(page, 2);
  }
  throw new Error(`${name} could not be scrolled into view`);
}

// Waits until a frame drew the named widget (state().widgets), and returns its rectangle.
export async function widget(page, name, timeout = 10000) {
  const handle = await page.waitForFunction((n) => {
    const s = window.convlab.state();
    return s && s.widgets[n];
  }, name, { timeout });
  return handle.jsonValue();
}

// Waits until the page has drawn `count` more frames.
export async function waitFrames(page, count) {
  const now = (await state(page)).frames;
  await page.waitForFunction((until) => window.convlab.state().frames >= until, now + count, { timeout: 30000 });
}

// An ImGui button needs press and release on different frames: hold it for two frames, whatever
// the frame rate (a loaded machine draws a frame in more than 100 ms), then let two more pass.
// The pointer rests on the button for a frame first, as a hand's does (after a modal popup closes,
// ImGui picks the hovered window again only from a frame that saw the pointer move).
export async function clickAt(page, x, y) {
  await page.mouse.move(x, y);
  await waitFrames(page, 1);
  await page.mouse.down();
  await waitFrames(page, 2);
  await page.mouse.up();
  await waitFrames(page, 2);
}
export async function click(page, name) {
  const r = await reveal(page, name);  // scrolled to first, as a user would
  await clickAt(page, r.x + r.w / 2, r.y + r.h / 2);
}

// Types into a named field as a user does: click its left part, select all, type, then the key
// that ends the edit ('Enter'; null leaves the field being edited).
export async function typeInto(page, name, text, end = 'Enter') {
  const r = await reveal(page, name);
  await clickAt(page, r.x + Math.min(20, r.w / 4), r.y + r.h / 2);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(String(text));
  if (!end) return;
  await page.keyboard.press(end);
  // Enter lets the keyboard go a frame or two later: a click before that would only close the field
  if (end === 'Enter') await page.waitForFunction(() => !window.convlab.state().typing);
}

export async function waitFor(page, predicate, arg, timeout = 30000) {
  return page.waitForFunction(predicate, arg, { timeout });
}

// Strokes in pad units ([0,1]²), drawn with the mouse, one drag per stroke.
export async function drawStrokes(page, strokes) {
  const { pad } = await state(page);
  for (const stroke of strokes) {
    const at = ([u, v]) => [pad.x + u * pad.w, pad.y + v * pad.h];
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    await page.waitForTimeout(40);
    for (let i = 1; i < stroke.length; i++) {
      await page.mouse.move(...at(stroke[i]), { steps: 4 });
      await page.waitForTimeout(16);
    }
    await page.waitForTimeout(40);
    await page.mouse.up();
    await page.waitForTimeout(40);
  }
  await page.waitForTimeout(150);
}

const arc = (cx, cy, rx, ry, from, to, n = 24) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = from + ((to - from) * i) / n;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });

// Hand-drawn-like digits: how a visitor would draw them on the pad.
export const DIGITS = {
  0: [arc(0.5, 0.5, 0.22, 0.32, -Math.PI / 2, 1.5 * Math.PI + 0.2)],
  1: [[[0.45, 0.22], [0.55, 0.15], [0.55, 0.85]]],
  2: [[...arc(0.5, 0.35, 0.2, 0.18, Math.PI, 2.2 * Math.PI, 14), [0.3, 0.82], [0.72, 0.82]]],
  3: [[...arc(0.48, 0.33, 0.18, 0.16, -0.9 * Math.PI, 0.5 * Math.PI, 14), ...arc(0.48, 0.66, 0.2, 0.18, -0.5 * Math.PI, 0.9 * Math.PI, 14)]],
  4: [[[0.55, 0.15], [0.28, 0.6], [0.75, 0.6]], [[0.6, 0.35], [0.6, 0.88]]],
  7: [[[0.28, 0.2], [0.72, 0.2], [0.45, 0.85]]],
};

export async function clearPad(page) {
  await page.keyboard.press('c');
  await waitFor(page, () => window.convlab.state().inputInk === 0);
}
