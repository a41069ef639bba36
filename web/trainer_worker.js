// The trainer's Web Worker: runs the module the page compiled for it — the threaded trainer
// (convlab_trainer_mt) in a cross-origin isolated page, else the page's own module without its
// main(), so that nothing is downloaded or compiled twice — and drives its TrainerHost
// (web/app/trainer.h): commands from the page are handled between slices of training, reports and
// weight snapshots go back. Workers are not throttled like a hidden tab's animation frames, so
// training goes on when the tab is hidden.
'use strict';
let app = null;
const waiting = [];  // messages that came before the module was ready
const SLICE_MS = 40;  // a command waits at most about this long for the trainer to look up

// Slices follow each other through a MessageChannel: setTimeout(0) would add ≥ 4 ms each.
const tick = new MessageChannel();
let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  tick.port2.postMessage(0);
}
tick.port1.onmessage = () => {
  scheduled = false;
  if (app._convlab_worker_work(SLICE_MS)) schedule();
};

function handle(message) {
  if (message.type === 'data') {
    app.convlabBytes = message.bytes;
    app._convlab_worker_set_dataset(message.bytes.length);
  } else if (message.type === 'command') {
    app.convlabBytes = message.bytes;
    app.ccall('convlab_worker_command', null, ['string', 'number'], [message.json, message.bytes.length]);
  }
  schedule();
}

function fail(why) {
  postMessage({ type: 'fatal', message: String(why && why.message ? why.message : why) });
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type !== 'init') {
    if (app) handle(message);
    else waiting.push(message);
    return;
  }
  try {
    importScripts(message.script);
  } catch (e) {
    fail(e);
    return;
  }
  self[message.factory]({
    noInitialRun: true,
    mainScriptUrlOrBlob: message.script,  // for the threaded build's own workers
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(message.wasm, imports).then((instance) => receive(instance, message.wasm), fail);
      return {};
    },
    onAbort: fail,
    print: () => {},
    printErr: (text) => console.warn('ConvLab trainer:', text),
  }).then((module) => {
    app = module;
    for (const m of waiting.splice(0)) handle(m);
  }, fail);
};
self.onerror = (event) => fail(event.message);
