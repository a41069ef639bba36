// Training off the UI thread: the build each host gets, training in a hidden tab (the animation
// frames stopped), predictions that always come from a snapshot the trainer published, and 1,000
// rapid Start/Pause/Step/Reset/preset clicks that neither deadlock, crash nor leak.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, browserSuite, openPage, state, prediction, click, waitFor, drawStrokes, DIGITS, typeInto } from './browser.mjs';
import { engine } from '../node/engine_module.mjs';

const env = await browserSuite();

// Examples the trainer has gone through, read without a frame (the hook reads the last report).
const seen = async (page) => (await state(page)).examplesSeen;

async function trainAndCheckProgress(page) {
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await click(page, 'tab:Train');
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().examplesSeen > 2000 && window.convlab.state().trainer.snapshots > 0, null, 60000);
  const s = await state(page);
  assert.equal(s.error, null);
  assert.ok(s.steps > 0, 'the page shows trained weights');
}

test('a cross-origin isolated page runs the threaded trainer build; its trainer worker trains and sends snapshots', async () => {
  const { context, page, log } = await openPage(env);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.equal(await page.evaluate(() => window.convlab.build), 'convlab_app');
  assert.equal(await page.evaluate(() => window.convlab.trainerBuild), 'convlab_trainer_mt');
  await trainAndCheckProgress(page);
  const s = await state(page);
  assert.equal(s.trainer.threaded, true);
  assert.ok(s.trainer.threads >= 1);
  await page.screenshot({ path: path.join(artifacts, 'train-threaded.png') });
  await click(page, 'button:Pause');
  await waitFor(page, () => !window.convlab.state().trainerRunning && window.convlab.state().trainer.pending === 0);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('a threaded trainer whose module fails to load is fetched again: the page says so, then trains', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => { try { localStorage.setItem('convlab.introSeen', '1'); } catch { /* no storage */ } });
  let asked = 0;
  await context.route(/convlab_trainer_mt\.wasm$/, (route) => (asked++ === 0 ? route.fulfill({ status: 503, body: 'busy' }) : route.continue()));
  const page = await context.newPage();
  await page.goto(env.url);
  await page.waitForFunction(() => window.convlab && window.convlab.ready, null, { timeout: 60000 });
  await waitFor(page, () => window.convlab.trainerWorkers === 2 && window.convlab.state().error !== null);
  assert.match((await state(page)).error,
    /^The trainer stopped \(its module could not be loaded: .+\); it was restarted with the weights shown\.$/);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await click(page, 'tab:Train');
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().examplesSeen > 1000 && window.convlab.state().trainer.snapshots > 0, null, 60000);
  assert.equal((await state(page)).trainer.threaded, true);
  assert.equal(asked, 2);
  await context.close();
});

test('the threaded build trains on 2 threads when asked (?threads=2)', async () => {
  const { context, page, log } = await openPage(env, { url: env.url + '?threads=2' });
  await trainAndCheckProgress(page);
  assert.equal((await state(page)).trainer.threads, 2);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('a host without the isolation headers gets the single-thread build, still training in a worker', async () => {
  const { context, page, log } = await openPage(env, { url: env.plainUrl });
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  assert.equal(await page.evaluate(() => window.convlab.build), 'convlab_app');
  assert.equal(await page.evaluate(() => window.convlab.trainerBuild), 'convlab_app');
  await trainAndCheckProgress(page);
  const s = await state(page);
  assert.equal(s.trainer.threaded, false);
  assert.equal(s.trainer.threads, 1);
  await page.screenshot({ path: path.join(artifacts, 'train-single-thread.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('training goes on while the tab is hidden (no animation frames) and the page catches up when shown', async () => {
  const { context, page, log } = await openPage(env);
  await trainAndCheckProgress(page);
  // A hidden tab: requestAnimationFrame stops calling back (Emscripten asks for every frame anew).
  await page.evaluate(() => {
    window.shownRaf = window.requestAnimationFrame;
    window.pendingFrame = null;
    window.requestAnimationFrame = (callback) => { window.pendingFrame = callback; return 0; };
  });
  await page.waitForTimeout(500);  // the frame in flight
  const hidden = await state(page);
  await page.waitForTimeout(10000);
  const after = await state(page);
  assert.equal(after.frames, hidden.frames, 'no frame was drawn while hidden');
  const trained = after.examplesSeen - hidden.examplesSeen;
  console.log(`trained while hidden for 10 s: ${trained} examples`);
  assert.ok(trained > 1000, `examples trained while hidden: ${trained}`);
  assert.ok(after.lossPoints > hidden.lossPoints, 'the loss curve grew while hidden');
  assert.ok(after.trainer.snapshots > hidden.trainer.snapshots, 'snapshots arrived while hidden');
  // Shown again: frames resume and draw the state that arrived meanwhile.
  await page.evaluate(() => {
    window.requestAnimationFrame = window.shownRaf;
    if (window.pendingFrame) window.shownRaf(window.pendingFrame);
  });
  await waitFor(page, (n) => window.convlab.state().frames > n + 5, after.frames);
  await page.screenshot({ path: path.join(artifacts, 'train-after-hidden.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('every prediction shown while training equals the prediction of a snapshot the trainer published', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await drawStrokes(page, DIGITS[4]);
  const input = Float32Array.from(await page.evaluate(() => window.convlab.input()));
  const first = await prediction(page);
  await page.evaluate(() => { window.convlab.keepSnapshots = true; });
  await click(page, 'tab:Train');
  await click(page, 'button:Start');
  // Read predictions as fast as the page answers, while snapshots come in.
  const observed = [];
  const until = Date.now() + 6000;
  while (Date.now() < until) {
    const p = await prediction(page);
    if (!observed.length || p.probs.some((v, i) => v !== observed.at(-1).probs[i])) observed.push(p);
  }
  await click(page, 'button:Pause');
  await waitFor(page, () => window.convlab.state().trainer.pending === 0);
  const snapshots = (await page.evaluate(() => window.convlab.snapshots.map((bytes) => {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }))).map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  assert.ok(snapshots.length >= 5, `snapshots published: ${snapshots.length}`);
  assert.ok(observed.length >= 5, `distinct predictions seen: ${observed.length}`);
  // Each snapshot's prediction of the same 28×28 input, computed by the engine in node.
  const published = [first.probs];
  for (const bytes of snapshots) {
    const net = engine.Network.load(bytes);
    published.push(Array.from(net.predict(input, 1)));
    net.delete();
  }
  for (const p of observed) {
    const closest = Math.min(...published.map((q) => Math.max(...q.map((v, i) => Math.abs(v - p.probs[i])))));
    assert.ok(closest <= 1e-6, `a prediction that no published snapshot gives (closest differs by ${closest})`);
  }
  console.log(`${observed.length} distinct predictions, each that of one of ${snapshots.length} snapshots`);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('a run that diverges in the worker stops with the engine\'s message; the page keeps the last sane weights and works on', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  await drawStrokes(page, DIGITS[7]);
  await click(page, 'tab:Train');
  await typeInto(page, 'field:lr', '1000');
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().error !== null, null, 60000);
  const s = await state(page);
  assert.match(s.error, /^Training stopped: training diverged at step \d+: .*The weights that last gave a sane loss are restored; try a lower learning rate\.$/);
  await waitFor(page, () => !window.convlab.state().training && window.convlab.state().trainer.pending === 0);
  const p = await prediction(page);
  assert.ok(p.probs.every(Number.isFinite), 'the weights shown are sane');
  assert.equal(p.digit, 7, 'and still read the drawing');
  await page.screenshot({ path: path.join(artifacts, 'train-diverged.png') });
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('a trainer worker that fails is replaced: the page says so, keeps its weights and trains again', async () => {
  const { context, page, log } = await openPage(env);
  await trainAndCheckProgress(page);
  const shown = await page.evaluate(() => window.convlab.prediction());
  await page.evaluate(() => window.convlab.injectTrainerFault());
  await waitFor(page, () => window.convlab.trainerWorkers === 2 && window.convlab.state().error !== null);
  const s = await state(page);
  assert.match(s.error, /^The trainer stopped \(.*\); it was restarted with the weights shown\.$/);
  assert.equal(s.training, false);
  assert.deepEqual((await page.evaluate(() => window.convlab.prediction())).probs, shown.probs, 'the weights shown stay');
  // a new generation: the run starts again from the weights shown
  assert.equal(s.examplesSeen, 0);
  await click(page, 'button:Start');
  await waitFor(page, () => window.convlab.state().examplesSeen > 1000, null, 60000);
  assert.deepEqual(log.problems, []);
  await context.close();
});

test('1,000 rapid Start/Pause/Step/Reset/preset/Use clicks: no deadlock, no crash, no leak', async () => {
  const { context, page, log } = await openPage(env);
  await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
  const cdp = await context.newCDPSession(page);
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return {
      jsMB: (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20,
      workers: page.workers().length,
      trainers: await page.evaluate(() => window.convlab.trainerWorkers),
      wasmMB: (await page.evaluate(() => window.convlab.memoryBytes())) / 2 ** 20,
    };
  };
  const actions = ['start', 'pause', 'step', 'reset', 'preset:1', 'preset:0', 'use', 'start', 'pause', 'evaluate'];
  // A fixed sequence of random actions with random gaps of 0–8 ms (mulberry32, seed 7).
  let a = 7;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const burst = (n) => page.evaluate(async ([names, seq]) => {
    for (const [name, gap] of seq) {
      if (!window.convlab.act(name)) throw new Error('unknown action ' + name);
      if (gap) await new Promise((r) => setTimeout(r, gap));
    }
    return names.length;
  }, [actions, Array.from({ length: n }, () => [actions[Math.floor(random() * actions.length)], Math.floor(random() * 9)])]);
  const settle = async () => {
    await page.evaluate(() => window.convlab.act('pause'));
    await waitFor(page, () => {
      const s = window.convlab.state();
      return s.trainer.pending === 0 && !s.trainerRunning && !s.evaluating;
    }, null, 60000);
  };
  await burst(200);  // warm-up: heaps reach their working size
  await settle();
  const before = await measure();
  await burst(1000);
  await settle();
  const after = await measure();
  console.log(`after 1,000 clicks: JS heap ${before.jsMB.toFixed(2)} → ${after.jsMB.toFixed(2)} MB, ` +
    `page WASM memory ${before.wasmMB} → ${after.wasmMB} MB, workers ${before.workers} → ${after.workers}`);
  assert.equal(after.trainers, 1, 'the trainer never failed and was replaced');
  assert.equal(after.workers, before.workers, 'no worker left behind');
  assert.ok(after.jsMB - before.jsMB < 2, `JS heap grew by ${(after.jsMB - before.jsMB).toFixed(2)} MB`);
  assert.equal(after.wasmMB, before.wasmMB, 'the page\'s WASM memory grew');
  // Still alive: a start trains, a pause stops, the page draws.
  await page.evaluate(() => window.convlab.act('start'));
  const from = await seen(page);
  await waitFor(page, (n) => window.convlab.state().examplesSeen > n + 500, from, 60000);
  await settle();
  const s = await state(page);
  assert.equal(s.training, false);
  assert.equal(s.error, null);
  assert.deepEqual(log.problems, []);
  await context.close();
});
