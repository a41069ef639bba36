// A browser that cannot run the page: Chromium with --disable-webgl gets a readable message saying
// what is missing and what to try — not a blank canvas or an endless "Loading ConvLab…"; nothing
// but that page is fetched. And a start-up failure (the app's script missing) is a message too.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, browserSuite } from './browser.mjs';

const env = await browserSuite(['--disable-webgl']);

test('without WebGL2 (--disable-webgl) the page says what is missing and what to try', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [], fetched = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => fetched.push(path.basename(new URL(r.url()).pathname) || 'index.html'));
  await page.goto(env.url);
  await page.waitForFunction(() => window.convlab && window.convlab.startupError, null, { timeout: 30000 });
  const text = await page.locator('#loading').innerText();
  assert.match(text, /ConvLab cannot run in this browser: it needs WebGL2/);
  assert.match(text, /Try a current Chrome, Edge, Firefox or Safari/);
  assert.equal(await page.locator('#loading').getAttribute('role'), 'alert');
  assert.deepEqual(errors, []);
  assert.ok(!fetched.some((f) => f.endsWith('.wasm')), `no WASM fetched: ${fetched}`);
  await page.screenshot({ path: path.join(artifacts, 'no-webgl.png') });
  await context.close();
});

test('a start-up failure (the app\'s script cannot load) is a visible message', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // as if the server had lost a file: every probe passes, the app's script does not come
  await page.addInitScript(() => {
    HTMLCanvasElement.prototype.getContext = function () { return {}; };  // WebGL2 probe answers
  });
  await page.route(/convlab_app\.js$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(env.url);
  await page.waitForFunction(() => window.convlab && window.convlab.startupError, null, { timeout: 30000 });
  assert.match(await page.locator('#loading').innerText(), /ConvLab could not start: cannot load convlab_app\.js/);
  await context.close();
});
