// The page's JavaScript: picks the build (threaded when the page is cross-origin isolated), starts
// the WASM app and its trainer worker (web/trainer_worker.js) and relays between them, fetches the
// default model and MNIST, keeps the last model in localStorage, downloads and uploads model files,
// and exposes the test hook window.convlab. Everything else happens in C++ (web/app/).
'use strict';
(function () {
  const STORAGE_KEY = 'convlab.model';
  // Shared memory (and so threads) exists only in a cross-origin isolated page (COOP + COEP headers).
  const threaded = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  const build = threaded ? 'convlab_app_mt' : 'convlab_app';
  // The trainer leaves one core to the page; ?threads=N overrides (1..8).
  const asked = Number(new URLSearchParams(location.search).get('threads'));
  const trainerThreads = !threaded ? 1 : asked >= 1 && asked <= 8 ? Math.floor(asked)
    : Math.max(1, Math.min(8, (navigator.hardwareConcurrency || 2) - 1));
  // Compiled once, here, while the glue script loads; the trainer worker gets the same module.
  const wasm = WebAssembly.compileStreaming(fetch(build + '.wasm'));
  wasm.catch(() => {});  // reported where awaited
  let app = null;
  let worker = null;
  let datasetBytes = null;  // kept for a trainer that has to be restarted

  // Bytes go to C++ through Module.convlabBytes (web/app/js_bytes.h), never through a heap view
  // kept here: another thread may have grown the memory under it.
  function loadModelBytes(bytes, source) {
    app.convlabBytes = bytes;
    return app.ccall('convlab_load_model', 'number', ['number', 'string', 'number'], [bytes.length, source, 0]) === 1;
  }

  function startTrainer(compiled) {
    const started = new Worker('trainer_worker.js');
    worker = started;
    worker.onmessage = (event) => {
      const m = event.data;
      if (started !== worker) return;  // a replaced worker's last words
      if (m.type === 'report') {
        if (window.convlab.keepSnapshots && m.snapshot.length) window.convlab.snapshots.push(m.snapshot.slice());
        app.convlabBytes = m.snapshot;
        app.ccall('convlab_trainer_report', null, ['string', 'number'], [m.json, m.snapshot.length]);
      } else if (m.type === 'fatal') {
        restartTrainer(compiled, m.message);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (started === worker) restartTrainer(compiled, event.message || 'the worker failed');
    };
    worker.postMessage({ type: 'init', script: build + '.js', wasm: compiled });
    if (datasetBytes) worker.postMessage({ type: 'data', bytes: datasetBytes });
    window.convlab.trainerWorkers++;
  }
  function restartTrainer(compiled, why) {
    console.warn('ConvLab: the trainer stopped:', why);
    worker.terminate();
    startTrainer(compiled);
    app.ccall('convlab_trainer_restarted', null, ['string'], [String(why)]);
  }

  function toBase64(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function fromBase64(text) {
    const s = atob(text);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return bytes;
  }

  async function fetchBytes(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
    return new Uint8Array(await response.arrayBuffer());
  }
  async function fetchDataset() {
    const response = await fetch('mnist.bin.gz');
    if (!response.ok) throw new Error('HTTP ' + response.status);
    const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  // The model is fetched at once, in parallel with compiling the app: the first frame waits for it.
  // MNIST (for training and the test set) waits for that first frame: inflating 9 MB on the main
  // thread while the app starts would delay the first frame by about half a second.
  let defaultModel = fetchBytes('default.clmodel');
  defaultModel.catch(() => {});  // reported where awaited
  let firstFrameDrawn;
  const firstFrame = new Promise((resolve) => { firstFrameDrawn = resolve; });

  async function loadDefaultModel() {
    const bytes = await (defaultModel || fetchBytes('default.clmodel'));
    defaultModel = null;
    loadModelBytes(bytes, 'default');
  }

  async function loadDataset() {
    try {
      await firstFrame;
      const bytes = await fetchDataset();
      app.convlabBytes = bytes;
      app._convlab_set_dataset(bytes.length);
      datasetBytes = bytes;
      worker.postMessage({ type: 'data', bytes });
    } catch (e) {
      app.ccall('convlab_dataset_failed', null, ['string'], [String(e.message || e)]);
    }
  }

  window.convlabHost = {
    ready() {  // the app drew its first frames with a model
      window.convlab.readyMs = performance.now();  // since navigation start
      window.convlab.ready = true;
      firstFrameDrawn();
    },
    download(bytes, name) {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      a.download = name;
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    },
    // The file is only ever handed to the engine's checked loader: never run, never shown as HTML.
    pickModelFile() {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = '.clmodel,application/octet-stream';
      input.addEventListener('change', async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        if (file.size > app._convlab_max_model_file_bytes()) {  // the engine's limit: refused unread
          app.ccall('convlab_load_model', 'number', ['number', 'string', 'number'], [file.size, file.name, 1]);
          return;
        }
        loadModelBytes(new Uint8Array(await file.arrayBuffer()), file.name);
      });
      input.click();
    },
    storeModel(bytes) {
      try {
        localStorage.setItem(STORAGE_KEY, toBase64(bytes));
      } catch (e) {
        console.warn('ConvLab: the model could not be kept in this browser:', e.message);
      }
    },
    forgetModel() {
      try { localStorage.removeItem(STORAGE_KEY); } catch (e) { /* storage may be disabled */ }
    },
    loadDefaultModel() {
      loadDefaultModel().catch((e) => console.error('ConvLab:', e.message));
    },
    trainerCommand(json, bytes) {
      worker.postMessage({ type: 'command', json, bytes }, [bytes.buffer]);
    },
  };

  const json = (fn) => (app ? JSON.parse(app.UTF8ToString(fn())) : null);
  window.convlab = {
    ready: false,
    prediction: () => json(() => app._convlab_prediction_json()),
    state: () => json(() => app._convlab_state_json()),
    input: () => json(() => app._convlab_input_json()),
    layerOutput: (i) => json(() => app._convlab_layer_json(i)),
    explanation: () => json(() => app._convlab_explanation_json()),
    receptiveField: () => json(() => app._convlab_receptive_field_json()),
    saliency: () => json(() => app._convlab_saliency_json()),
    shifts: () => json(() => app._convlab_shifts_json()),
    pooling: () => json(() => app._convlab_pooling_json()),
    im2colExample: () => json(() => app._convlab_im2col_example_json()),
    backprop: () => json(() => app._convlab_backprop_json()),
    keymap: () => json(() => app._convlab_keymap_json()),
    // What a click on Start, Pause, Step, Reset, "Use this network" or a preset does ('start',
    // 'pause', 'step', 'reset', 'use', 'evaluate', 'preset:N'), at once, between frames.
    act: (name) => app.ccall('convlab_act', 'number', ['string'], [name]) === 1,
    memoryBytes: () => app.HEAPU8.buffer.byteLength,  // the page's WASM memory (it never shrinks)
    build,
    trainerWorkers: 0,   // trainer workers started (1, unless one failed and was replaced)
    // For tests of the recovery: a message the trainer cannot read, which stops its module.
    injectTrainerFault: () => worker.postMessage({ type: 'command', json: '{not json', bytes: new Uint8Array(0) }),
    keepSnapshots: false,  // when set, every weight snapshot the trainer sends is kept in `snapshots`
    snapshots: [],
  };

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error('cannot load ' + src));
      document.body.appendChild(script);
    });
  }

  loadScript(build + '.js').then(() => wasm).then((compiled) => createConvLabApp({
    canvas: document.getElementById('canvas'),
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled),
        (e) => console.error('ConvLab failed to start:', e));
      return {};
    },
  }).then((module) => [module, compiled])).then(async ([module, compiled]) => {
    app = module;
    app._convlab_set_trainer_threads(threaded ? 1 : 0, trainerThreads);
    startTrainer(compiled);
    document.getElementById('loading').remove();
    let stored = null;
    try { stored = localStorage.getItem(STORAGE_KEY); } catch (e) { /* storage may be disabled */ }
    if (!(stored && loadModelBytes(fromBase64(stored), 'browser storage'))) await loadDefaultModel();
    loadDataset();
  }).catch((e) => console.error('ConvLab failed to start:', e));
})();
