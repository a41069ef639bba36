// Share a setup: Build → "Copy link" puts the network and the Train settings into the URL fragment;
// the link opened in a fresh browser shows them in Build (a draft until used) and Train. A damaged,
// too long or impossible link is a message, and the page opens as usual.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, browserSuite, openPage, state, click, typeInto, waitFor, waitFrames } from './browser.mjs';

const env = await browserSuite();

test('Copy link → open it in a fresh browser: the same network in Build, the same Train settings', async () => {
  const { context, page, log } = await openPage(env);
  await click(page, 'tab:Build');  // the page opens on Inspect
  await click(page, 'preset');
  await click(page, 'preset:Dilated');
  await typeInto(page, 'layer1:filters', '5');  // an edited preset is "custom"
  await waitFor(page, () => window.convlab.state().buildPreset === 'custom');
  await click(page, 'tab:Train');
  await typeInto(page, 'field:epochs', '7');
  await typeInto(page, 'field:lr', '0.03');
  await click(page, 'tab:Build');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await click(page, 'button:copy-link');
  await waitFor(page, () => /Link copied/.test(window.convlab.state().message));
  const made = await state(page);
  assert.match(made.setupLink, /^setup=1\.[A-Za-z0-9_-]+$/);
  const url = await page.evaluate(() => location.href);
  assert.ok(url.endsWith('#' + made.setupLink), url);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  console.log(`the link: ${url.length} characters`);
  assert.deepEqual(log.problems, []);
  await context.close();

  const opened = await openPage(env, { url });
  // after everything has arrived (the data, the data set's model): the link's setup is still there
  await waitFor(opened.page, () => window.convlab.state().dataLoaded && window.convlab.state().testAccuracy !== null, null, 60000);
  const s = await state(opened.page);
  assert.deepEqual(s.buildSpec, made.buildSpec);
  assert.equal(s.buildSpec.layers[0].filters, 5);
  assert.deepEqual(s.trainSettings, made.trainSettings);
  assert.equal(s.trainSettings.epochs, 7);
  assert.ok(Math.abs(s.trainSettings.lr - 0.03) < 1e-6);
  assert.equal(s.buildPreset, 'custom');
  assert.equal(s.buildDraft, true, 'the Build network is a draft: the live model is still the default');
  assert.equal(s.model, 'default');
  assert.match(s.message, /Opened the setup of the link/);
  await click(opened.page, 'tab:Build');
  await waitFrames(opened.page, 2);
  await opened.page.screenshot({ path: path.join(artifacts, 'share-opened.png') });
  await click(opened.page, 'button:Use this network');
  await waitFor(opened.page, () => !window.convlab.state().buildDraft);
  assert.deepEqual(opened.log.problems, []);
  await opened.context.close();
});

test('a damaged, too long, another version or impossible link is a message; the page opens with its defaults', async () => {
  const impossible = Buffer.from(JSON.stringify({ spec: { layers: [{ type: 'conv2d', filters: 4, kernel: 40 }, { type: 'dense', units: 10 }] }, train: {} }))
    .toString('base64url');
  const cases = [
    ['#setup=1.%%%', /the link is damaged \("%" is not a base64url character\)/],
    ['#setup=1.' + 'A'.repeat(9000), /more than a setup can have \(8192\)/],
    ['#setup=7.abc', /version 7; this page reads version 1/],
    ['#setup=1.' + impossible, /layer 1 \(conv2d\): output height/],
  ];
  for (const [fragment, why] of cases) {
    const { context, page, log } = await openPage(env, { url: env.url + fragment });
    const s = await state(page);
    assert.match(s.error, /^The link's setup could not be opened: /);
    assert.match(s.error, why);
    assert.equal(s.buildPreset, 'LeNet-like');
    assert.equal(s.buildDraft, false);
    assert.equal(s.trainSettings.epochs, 25);
    assert.equal(s.model, 'default');
    if (fragment.includes('version') || fragment.startsWith('#setup=7')) {
      await waitFrames(page, 2);
      await page.screenshot({ path: path.join(artifacts, 'share-bad-link.png') });
    }
    assert.deepEqual(log.problems, []);
    await context.close();
  }
});
