// The page's JavaScript: starts the WASM app and its trainer worker (web/trainer_worker.js, on the
// threaded trainer build when the page is cross-origin isolated) and relays between them, fetches the
// default models and the data sets, keeps models and the user's examples in IndexedDB, downloads
// and uploads files, and exposes the test hook window.convlab. Everything else happens in C++ (web/app/).
'use strict';
(function () {
  const LEGACY_STORAGE_KEY = 'convlab.model';  // where earlier versions kept the MNIST model
  // Data sets by id: their asset (gzip) and the model the page starts from when none is kept.
  const DATA = {
    mnist: { asset: 'mnist.bin.gz', model: 'default.clmodel' },
    fashion: { asset: 'fashion.bin.gz', model: 'fashion.clmodel' },
    mine: { asset: null, model: null },
  };
  const MAX_IMPORT_BYTES = 64 << 20;  // an IDX file of the user's examples (5,000 × 784 is 4 MB)
  // A page that cannot run says so in words, never a blank canvas or an endless "Loading ConvLab…":
  // what this browser lacks is checked before anything loads, and any start-up failure is shown.
  function showStartupProblem(text) {
    let box = document.getElementById('loading');
    if (!box) {
      box = document.createElement('div');
      box.id = 'loading';
      document.body.appendChild(box);
    }
    box.className = 'problem';
    box.setAttribute('role', 'alert');
    box.textContent = text;
    window.convlab = Object.assign(window.convlab || {}, { ready: false, startupError: text });
  }
  function whatIsMissing() {
    if (typeof WebAssembly !== 'object') return 'WebAssembly';
    // a module with one SIMD instruction (v128.const, i8x16.popcnt): valid only where WASM SIMD runs
    const simd = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0,
      65, 0, 253, 15, 253, 98, 11]);
    if (!WebAssembly.validate(simd)) return 'WebAssembly SIMD';
    // a function with try … catch_all: valid only where WebAssembly exceptions (the app's C++ ones) run
    const exceptions = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0,
      6, 64, 25, 11, 11]);
    if (!WebAssembly.validate(exceptions)) return 'WebAssembly exceptions';
    let gl = null;
    try { gl = document.createElement('canvas').getContext('webgl2'); } catch (e) { /* treated as missing */ }
    if (!gl) return 'WebGL2';
    try { gl.getExtension('WEBGL_lose_context').loseContext(); } catch (e) { /* the probe's context is dropped anyway */ }
    return null;
  }
  const missing = whatIsMissing();
  if (missing) {
    showStartupProblem(`ConvLab cannot run in this browser: it needs ${missing}, which is ${missing === 'WebGL2'
      ? 'turned off or blocked here (a blocked graphics driver, a browser setting, or a flag such as --disable-webgl)'
      : 'not available here'}. Try a current Chrome, Edge, Firefox or Safari, with hardware acceleration on.`);
    return;
  }

  // Shared memory (and so threads) exists only in a cross-origin isolated page (COOP + COEP headers);
  // then the trainer runs its own threaded build. The page's UI thread runs no thread: its module
  // is always the single-thread one, smaller and quicker to start.
  const threaded = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  const build = 'convlab_app';
  const trainerBuild = threaded ? 'convlab_trainer_mt' : build;
  // The trainer leaves one core to the page; ?threads=N overrides (1..8).
  const asked = Number(new URLSearchParams(location.search).get('threads'));
  const trainerThreads = !threaded ? 1 : asked >= 1 && asked <= 8 ? Math.floor(asked)
    : Math.max(1, Math.min(8, (navigator.hardwareConcurrency || 2) - 1));
  // Compiled once, here, while the glue script loads; without threads the trainer worker gets the
  // same module.
  const wasm = WebAssembly.compileStreaming(fetch(build + '.wasm'));
  wasm.catch(() => {});  // reported where awaited
  let trainerWasm = null;  // the trainer's compiled module, asked for by startTrainer()
  let trainerModuleFailures = 0;
  let app = null;
  let worker = null;
  const dataBytes = {};     // decompressed assets by id, kept for the trainer (and its restart)
  let trainerData = null;   // the id the trainer has

  // ---- IndexedDB: one database for models and examples ----
  // Database "convlab", version 1: store "models" (key: data set id → {bytes, date, source}) and
  // store "examples" (key "mine" → {names (JSON), images, labels (IDX files)}).
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        if (!self.indexedDB) { reject(new Error('this browser has no IndexedDB')); return; }
        const open = indexedDB.open('convlab', 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore('models');
          open.result.createObjectStore('examples');
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error || new Error('IndexedDB cannot be opened'));
        open.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
      });
      dbPromise.catch(() => {});
    }
    return dbPromise;
  }
  async function dbRequest(store, mode, make) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const tx = database.transaction(store, mode);
      const request = make(tx.objectStore(store));
      let result;
      request.onsuccess = () => { result = request.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error || request.error || new Error('IndexedDB failed'));
      tx.onabort = () => reject(tx.error || new Error('IndexedDB aborted (out of space?)'));
    });
  }
  const dbGet = (store, key) => dbRequest(store, 'readonly', (s) => s.get(key));
  const dbPut = (store, key, value) => dbRequest(store, 'readwrite', (s) => s.put(value, key));
  const dbDelete = (store, key) => dbRequest(store, 'readwrite', (s) => s.delete(key));
  function storageFailed(what, e) {
    console.warn('ConvLab: could not keep ' + what + ':', e && e.message);
    app.ccall('convlab_storage_failed', null, ['string'], [what + ' (' + String((e && e.message) || e) + ')']);
  }

  // Bytes go to C++ through Module.convlabBytes (web/app/js_bytes.h), never through a heap view
  // kept here: such a view goes stale when the memory grows.
  function loadModelBytes(bytes, source) {
    app.convlabBytes = bytes;
    return app.ccall('convlab_load_model', 'number', ['number', 'string', 'number'], [bytes.length, source, 0]) === 1;
  }

  // An .onnx file, read by web/module/onnx_import.js (in interop.bundle.js, loaded the first time)
  // into a spec and its weights, which C++ checks and builds; any refusal is the page's message.
  function importOnnx(file) {
    const fail = (e) => app.ccall('convlab_import_model', 'number', ['string', 'string', 'number', 'string'],
      [file.name, '', 0, String((e && e.message) || e).replace(/^ONNX import: /, '') || 'unreadable']);
    const ready = self.convlabOnnxImport ? Promise.resolve() : loadScript('interop.bundle.js');
    return ready.then(() => file.arrayBuffer()).then((buffer) => {
      const m = self.convlabOnnxImport.importModel(new Uint8Array(buffer));
      const counts = m.weights.map((w, i) => [w.length, m.biases[i].length]);
      const values = new Float32Array(counts.reduce((n, [w, b]) => n + w + b, 0));
      let at = 0;
      m.weights.forEach((w, i) => { values.set(w, at); values.set(m.biases[i], at + w.length); at += w.length + m.biases[i].length; });
      app.convlabBytes = new Uint8Array(values.buffer);
      app.ccall('convlab_import_model', 'number', ['string', 'string', 'number', 'string'],
        [file.name, JSON.stringify({ spec: m.spec, classNames: m.classNames, counts }), values.length, '']);
    }).catch(fail);
  }

  let pendingAnnouncements = [];
  const INTRO_SEEN_KEY = 'convlab.introSeen';  // a first visit's three steps were dismissed

  // A link with a setup (#setup=1.…, web/app/setup_link.h) opens it in the Build and Train panels.
  function openSetup() {
    if (location.hash.length > 1) app.ccall('convlab_open_setup', null, ['string'], [location.hash]);
  }

  // The worker is made at once and keeps the page's commands until its module runs; a threaded
  // trainer's module is fetched only once the first frame is drawn, so as not to delay it.
  function startTrainer() {
    if (!trainerWasm) {
      trainerWasm = trainerBuild === build ? wasm
        : firstFrame.then(() => WebAssembly.compileStreaming(fetch(trainerBuild + '.wasm')));
    }
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
        restartTrainer(m.message);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (started === worker) restartTrainer(event.message || 'the worker failed');
    };
    trainerWasm.then((compiled) => started.postMessage({ type: 'init', script: trainerBuild + '.js',
      factory: trainerBuild === build ? 'createConvLabApp' : 'createConvLabTrainer', wasm: compiled }),
    (e) => {  // fetched again on the next start, a few times
      trainerWasm = null;
      if (started === worker && ++trainerModuleFailures <= 3) {
        setTimeout(() => restartTrainer('its module could not be loaded: ' + ((e && e.message) || e)), 1000);
      }
    });
    if (trainerData) worker.postMessage({ type: 'data', bytes: dataBytes[trainerData] });
    window.convlab.trainerWorkers++;
  }
  function restartTrainer(why) {
    console.warn('ConvLab: the trainer stopped:', why);
    worker.terminate();
    startTrainer();
    app.ccall('convlab_trainer_restarted', null, ['string'], [String(why)]);
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
  // A gzip asset, inflated as it arrives; progress(fraction) of the compressed bytes.
  async function fetchAsset(url, progress) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
    const total = Number(response.headers.get('content-length')) || 0;
    let received = 0;
    const counted = new TransformStream({
      transform(chunk, controller) {
        received += chunk.length;
        if (total && progress) progress(Math.min(1, received / total));
        controller.enqueue(chunk);
      },
    });
    const stream = response.body.pipeThrough(counted).pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  // The model is fetched at once, in parallel with compiling the app: the first frame waits for it.
  // MNIST (for training and the test set) waits for that first frame: inflating 9 MB on the main
  // thread while the app starts would delay the first frame by about half a second.
  let defaultModel = fetchBytes('default.clmodel');
  defaultModel.catch(() => {});  // reported where awaited
  // The model kept in this browser is looked up at once too: opening IndexedDB takes a few hundred
  // ms on a first visit, which then overlaps the download and compilation instead of following them.
  const keptAtStart = keptModel('mnist');
  let firstFrameDrawn;
  const firstFrame = new Promise((resolve) => { firstFrameDrawn = resolve; });

  async function loadDefaultModel(id) {
    if (!DATA[id].model) {  // my classes: a new network of the Build tab's architecture
      app._convlab_new_model_for_classes();
      return;
    }
    const bytes = await (id === 'mnist' && defaultModel ? defaultModel : fetchBytes(DATA[id].model));
    if (id === 'mnist') defaultModel = null;
    loadModelBytes(bytes, id === 'mnist' ? 'default' : 'default ' + id);
  }

  async function keptModel(id) {
    try {
      const kept = await dbGet('models', id);
      if (kept && kept.bytes) return kept.bytes;
    } catch (e) { /* no storage: start from the default */ }
    if (id !== 'mnist') return null;
    try {  // once: what earlier versions kept in localStorage moves to IndexedDB
      const legacy = localStorage.getItem(LEGACY_STORAGE_KEY);
      if (legacy) {
        const bytes = fromBase64(legacy);
        await dbPut('models', 'mnist', { bytes, date: Date.now(), source: 'localStorage' });
        localStorage.removeItem(LEGACY_STORAGE_KEY);
        return bytes;
      }
    } catch (e) { /* storage may be disabled */ }
    return null;
  }

  async function loadKeptModel(id, kept = keptModel(id)) {
    const bytes = await kept;
    if (!(bytes && loadModelBytes(bytes, 'browser storage'))) await loadDefaultModel(id);
  }

  async function loadDataset(id) {
    try {
      if (id === 'mnist') await firstFrame;
      const bytes = await fetchAsset(DATA[id].asset, (f) => app._convlab_dataset_progress(f));
      dataBytes[id] = bytes;
      app.convlabBytes = bytes;
      app.ccall('convlab_set_dataset', null, ['number', 'string'], [bytes.length, id]);
    } catch (e) {
      app.ccall('convlab_dataset_failed', null, ['string', 'string'], [id, String(e.message || e)]);
    }
  }

  async function listModels() {
    let list = [];
    try {
      const database = await db();
      list = await new Promise((resolve, reject) => {
        const found = [];
        const request = database.transaction('models', 'readonly').objectStore('models').openCursor();
        request.onsuccess = () => {
          const cursor = request.result;
          if (!cursor) { resolve(found); return; }
          if (String(cursor.key).startsWith('saved:')) {
            const m = cursor.value;
            const date = new Date(m.date);
            const pad = (n) => String(n).padStart(2, '0');
            found.push({ name: m.name, dataset: m.dataset, accuracy: m.accuracy,
              date: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}` });
          }
          cursor.continue();
        };
        request.onerror = () => reject(request.error);
      });
    } catch (e) { /* no storage: an empty list */ }
    app.ccall('convlab_models_listed', null, ['string'], [JSON.stringify(list)]);
  }

  async function restoreExamples() {
    let kept = null;
    try { kept = await dbGet('examples', 'mine'); } catch (e) { /* no storage */ }
    if (!kept) { app.ccall('convlab_set_my_examples', null, ['string', 'number', 'number'], ['', 0, 0]); return; }
    const bytes = new Uint8Array(kept.images.length + kept.labels.length);
    bytes.set(kept.images, 0);
    bytes.set(kept.labels, kept.images.length);
    app.convlabBytes = bytes;
    app.ccall('convlab_set_my_examples', null, ['string', 'number', 'number'], [kept.names, kept.images.length, kept.labels.length]);
  }

  function readFile(file) {
    return file.arrayBuffer().then((b) => new Uint8Array(b));
  }
  // The user's IDX files: images (3 dimensions) and labels (1) told apart by their header,
  // an optional names .json. Too large a file is refused before it is read.
  async function importExamples(files) {
    const fail = (why) => app.ccall('convlab_import_failed', null, ['string'], [why]);
    let images = null, labels = null, names = '';
    for (const file of files) {
      if (file.size > MAX_IMPORT_BYTES) { fail(`${file.name} has ${file.size} bytes, more than ${MAX_IMPORT_BYTES}`); return; }
      const bytes = await readFile(file);
      if (file.name.endsWith('.json')) names = new TextDecoder().decode(bytes);
      else if (bytes.length >= 4 && bytes[3] === 3) images = { file, bytes };
      else if (bytes.length >= 4 && bytes[3] === 1) labels = { file, bytes };
      else { fail(`${file.name} is not an IDX images or labels file`); return; }
    }
    if (!images || !labels) { fail('pick an images file and a labels file (IDX), and optionally the names .json'); return; }
    const both = new Uint8Array(images.bytes.length + labels.bytes.length);
    both.set(images.bytes, 0);
    both.set(labels.bytes, images.bytes.length);
    app.convlabBytes = both;
    app.ccall('convlab_import_examples', null, ['number', 'number', 'string', 'string', 'string'],
      [images.bytes.length, labels.bytes.length, images.file.name, labels.file.name, names]);
  }

  window.convlabHost = {
    ready() {  // the app drew its first frames with a model
      openSetup();
      window.addEventListener('hashchange', openSetup);
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
      input.accept = '.clmodel,.onnx,application/octet-stream';
      input.addEventListener('change', async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        if (/\.onnx$/i.test(file.name)) return importOnnx(file);
        if (file.size > app._convlab_max_model_file_bytes()) {  // the engine's limit: refused unread
          app.ccall('convlab_load_model', 'number', ['number', 'string', 'number'], [file.size, file.name, 1]);
          return;
        }
        loadModelBytes(new Uint8Array(await file.arrayBuffer()), file.name);
      });
      input.click();
    },
    storeModel(id, bytes) {
      dbPut('models', id, { bytes, date: Date.now() }).catch((e) => storageFailed('the model', e));
    },
    forgetModel(id) {
      dbDelete('models', id).catch(() => {});
    },
    loadKeptModel(id) {
      loadKeptModel(id).catch((e) => app.ccall('convlab_dataset_failed', null, ['string', 'string'], [id, 'its model: ' + e.message]));
    },
    fetchDataset(id) {
      if (dataBytes[id]) {
        app.convlabBytes = dataBytes[id];
        app.ccall('convlab_set_dataset', null, ['number', 'string'], [dataBytes[id].length, id]);
      } else {
        loadDataset(id);
      }
    },
    useTrainerData(id, bytes) {  // bytes: my examples, packed by the app; else the asset fetched here
      if (bytes) dataBytes[id] = bytes;
      trainerData = id;
      worker.postMessage({ type: 'data', bytes: dataBytes[id] });
    },
    storeExamples(names, images, labels) {
      dbPut('examples', 'mine', { names, images, labels, date: Date.now() }).catch((e) => storageFailed('your examples', e));
    },
    pickExampleFiles() {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.accept = '.idx3-ubyte,.idx1-ubyte,.idx,.json,application/octet-stream';
      input.addEventListener('change', () => importExamples(Array.from(input.files || [])));
      input.click();
    },
    // Models kept by name: store "models", key "saved:NAME" → {bytes, name, dataset, accuracy, date}.
    keepNamedModel(name, dataset, accuracy, bytes) {
      dbPut('models', 'saved:' + name, { bytes, name, dataset, accuracy, date: Date.now() })
        .then(() => listModels(), (e) => storageFailed(`the model "${name}" (the current model is unchanged)`, e));
    },
    namedModel(action, name, newName) {
      const key = 'saved:' + name;
      let done;
      if (action === 'list') done = Promise.resolve();
      else if (action === 'delete') done = dbDelete('models', key);
      else if (action === 'load') {
        done = dbGet('models', key).then((m) => {
          if (!m) throw new Error(`no model "${name}" is kept`);
          loadModelBytes(m.bytes, name);
        });
      } else if (action === 'rename') {
        done = dbGet('models', key).then((m) => {
          if (!m) throw new Error(`no model "${name}" is kept`);
          return dbPut('models', 'saved:' + newName, { ...m, name: newName }).then(() => dbDelete('models', key));
        });
      }
      done.then(() => listModels(), (e) => storageFailed(`the change to "${name}"`, e));
    },
    // format 'onnx' or 'safetensors'. The exporters (interop.bundle.js, ~45 KB compressed) are
    // loaded the first time one is used.
    exportModel(format, json, params) {
      const name = format === 'onnx' ? 'convlab-model.onnx' : 'convlab-model.safetensors';
      const done = (bytes, error) => app.ccall('convlab_export_done', null, ['string', 'number', 'string'], [name, bytes, error]);
      const ready = self.convlabOnnx ? Promise.resolve() : loadScript('interop.bundle.js');
      ready.then(() => {
        const d = JSON.parse(json);
        const view = (i, which) => params.subarray(d.params[i][2 * which], d.params[i][2 * which] + d.params[i][2 * which + 1]);
        const model = {
          spec: d.spec, outShapes: d.outShapes, classNames: d.classNames,
          weights: (i) => view(i, 0), biases: (i) => view(i, 1),
        };
        const bytes = format === 'onnx' ? self.convlabOnnx.exportModel(model) : self.convlabSafetensors.exportWeights(model);
        window.convlabHost.download(bytes, name);
        done(bytes.length, '');
      }).catch((e) => done(0, String((e && e.message) || e)));
    },
    introWanted() {  // asked by the app before its first frame: a first visit?
      try { return !localStorage.getItem(INTRO_SEEN_KEY); } catch (e) { return false; }
    },
    introSeen() {
      try { localStorage.setItem(INTRO_SEEN_KEY, '1'); } catch (e) { /* it shows again next time */ }
    },
    // "Copy link": the page's address with the setup as its fragment, into the address bar (no
    // reload, no history entry) and, where the browser lets the page, onto the clipboard.
    shareSetup(fragment) {
      const url = location.href.split('#')[0] + '#' + fragment;
      history.replaceState(null, '', url);
      const copied = (ok) => app.ccall('convlab_setup_link_shared', null, ['number'], [ok ? 1 : 0]);
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(() => copied(true), () => copied(false));
      else copied(false);
    },
    // The live region (index.html): texts of one moment are said together; the region is emptied
    // first, so that the same text said again is heard again.
    announce(text) {
      window.convlab.announcements.push(text);
      if (!pendingAnnouncements.length) {
        document.getElementById('announcer').textContent = '';
        setTimeout(() => {
          document.getElementById('announcer').textContent = pendingAnnouncements.join(' ');
          pendingAnnouncements = [];
        }, 50);
      }
      pendingAnnouncements.push(text);
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
    // 'pause', 'step', 'reset', 'use', 'evaluate', 'preset:N'), at once, between frames (and
    // without the question Reset and Use ask when training would be lost).
    act: (name) => app.ccall('convlab_act', 'number', ['string'], [name]) === 1,
    memoryBytes: () => app.HEAPU8.buffer.byteLength,  // the page's WASM memory (it never shrinks)
    build,  // the page's module
    trainerBuild,  // the trainer worker's module
    trainerWorkers: 0,   // trainer workers started (1, unless one failed and was replaced)
    // For tests of the recovery: a message the trainer cannot read, which stops its module.
    injectTrainerFault: () => worker.postMessage({ type: 'command', json: '{not json', bytes: new Uint8Array(0) }),
    announcements: [],  // everything said in the live region, in order
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

  const canvas = document.getElementById('canvas');
  loadScript(build + '.js').then(() => wasm).then((compiled) => {
    // The app redraws only what changed since the last frame (web/gfx/ui_renderer.h), so the canvas
    // keeps its pixels from one frame to the next; GLFW's window then takes this context as it is.
    canvas.getContext('webgl2', { preserveDrawingBuffer: true, alpha: false, antialias: false, depth: false, stencil: false });
    return createConvLabApp({
      canvas,
      instantiateWasm(imports, receive) {
        WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled), failedToStart);
        return {};
      },
    });
  }).then(async (module) => {
    app = module;
    app._convlab_set_trainer_threads(threaded ? 1 : 0, trainerThreads);
    startTrainer();
    document.getElementById('loading').remove();
    await loadKeptModel('mnist', keptAtStart);
    restoreExamples();
    loadDataset('mnist');
  }).catch(failedToStart);

  function failedToStart(e) {
    console.warn('ConvLab failed to start:', e);
    showStartupProblem(`ConvLab could not start: ${(e && e.message) || e}. Reload the page; if this happens again, ` +
      'the files on this server may be incomplete.');
  }
})();
