// The page in headless Chromium (SwiftShader WebGL2, i.e. the CPU draws every frame): time to the
// first frame with the model loaded, bytes the page loads, fps idle and while training, and a
// training soak that samples the JS heap.
//   node bench/browser_bench.mjs [--soak-minutes 5]
import { startBrowser, openPage, state, click, waitFor } from '../tests/e2e/browser.mjs';

const args = process.argv.slice(2);
const soakMinutes = args.includes('--soak-minutes') ? Number(args[args.indexOf('--soak-minutes') + 1]) : 5;
const env = await startBrowser();
// The first page of a fresh browser also pays for starting its GPU process (SwiftShader); a user's
// browser is usually running already: five more loads, each in a new context (empty cache), give
// the usual figure.
const cold = await openPage(env);
await cold.context.close();
const warm = [];
for (let i = 0; i < 5; i++) {
  const load = await openPage(env);
  warm.push(load.log);
  await load.context.close();
}
const { context, page, log } = await openPage(env);
await waitFor(page, () => window.convlab.state().dataLoaded, null, 60000);
await page.waitForTimeout(4000);
const idleFps = (await state(page)).fps;
const cdp = await context.newCDPSession(page);
const heapMB = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;

await click(page, 'tab:Train');
await click(page, 'button:Start');
await waitFor(page, () => window.convlab.state().training);
await page.waitForTimeout(3000);
const fps = [];
for (let i = 0; i < 10; i++) {
  await page.waitForTimeout(1000);
  fps.push((await state(page)).fps);
}
const s = await state(page);
console.log(`Page in headless Chromium ${env.browser.version()} (SwiftShader: frames drawn on the CPU)`);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`first frame with the model loaded, ms after navigation start (the page's clock; in brackets as the test ` +
  `driver sees it, goto() and polling included):`);
console.log(`  browser already running: median ${median(warm.map((l) => l.readyMs)).toFixed(0)} ` +
  `(${median(warm.map((l) => l.readyDriverMs))}) of ${warm.map((l) => l.readyMs.toFixed(0)).join(', ')}`);
console.log(`  first page of a fresh browser: ${cold.log.readyMs.toFixed(0)} (${cold.log.readyDriverMs})`);
console.log(`bytes loaded: ${log.bytes} (${(log.bytes / 2 ** 20).toFixed(2)} MB)`);
console.log(`fps idle: ${idleFps.toFixed(1)}; while training: mean ${(fps.reduce((a, b) => a + b) / fps.length).toFixed(1)}, min ${Math.min(...fps).toFixed(1)}`);
console.log(`training in the page: ${s.examplesPerSecond.toFixed(0)} examples/s`);

if (soakMinutes > 0) {
  // keep training: raise the epoch count so that the run does not finish during the soak
  const samples = [];
  const t0 = Date.now();
  await cdp.send('HeapProfiler.collectGarbage');
  samples.push({ minute: 0, heapMB: await heapMB(), examples: (await state(page)).examplesSeen });
  while (Date.now() - t0 < soakMinutes * 60000) {
    await page.waitForTimeout(30000);
    const st = await state(page);
    if (!st.training) {  // an epoch target was reached: start again
      await click(page, 'button:Start');
    }
    await cdp.send('HeapProfiler.collectGarbage');
    samples.push({ minute: (Date.now() - t0) / 60000, heapMB: await heapMB(), examples: st.examplesSeen, fps: st.fps });
  }
  console.log(`soak: ${soakMinutes} min of training, JS heap after GC:`);
  for (const x of samples) console.log(`  ${x.minute.toFixed(1)} min  heap ${x.heapMB.toFixed(2)} MB  examples ${x.examples}${x.fps ? `  fps ${x.fps.toFixed(1)}` : ''}`);
  console.log(`JS heap growth: ${(samples.at(-1).heapMB - samples[0].heapMB).toFixed(2)} MB`);
}
if (log.problems.length) console.log('problems:', log.problems);
await context.close();
await env.browser.close();
env.server.close();
