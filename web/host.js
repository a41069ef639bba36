// The page's JavaScript: starts the WASM app, fetches the default model and MNIST, keeps the last
// model in localStorage, downloads and uploads model files, and exposes the read-only test hook
// window.convlab. Everything else happens in C++ (web/app/).
'use strict';
(function () {
  const STORAGE_KEY = 'convlab.model';
  let app = null;

  function loadModelBytes(bytes, source) {
    const ptr = app._malloc(Math.max(1, bytes.length));
    app.HEAPU8.set(bytes, ptr);
    const ok = app.ccall('convlab_load_model', 'number', ['number', 'number', 'string'], [ptr, bytes.length, source]);
    app._free(ptr);
    return ok === 1;
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
      const ptr = app._malloc(bytes.length);
      app.HEAPU8.set(bytes, ptr);
      app._convlab_set_dataset(ptr, bytes.length);
      app._free(ptr);
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
          app.ccall('convlab_load_model', 'number', ['number', 'number', 'string'], [0, file.size, file.name]);
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
  };

  const json = (fn) => (app ? JSON.parse(app.UTF8ToString(fn())) : null);
  window.convlab = {
    ready: false,
    prediction: () => json(() => app._convlab_prediction_json()),
    state: () => json(() => app._convlab_state_json()),
    input: () => json(() => app._convlab_input_json()),
    layerOutput: (i) => json(() => app._convlab_layer_json(i)),
  };

  createConvLabApp({ canvas: document.getElementById('canvas') }).then(async (module) => {
    app = module;
    document.getElementById('loading').remove();
    let stored = null;
    try { stored = localStorage.getItem(STORAGE_KEY); } catch (e) { /* storage may be disabled */ }
    if (!(stored && loadModelBytes(fromBase64(stored), 'browser storage'))) await loadDefaultModel();
    loadDataset();
  }).catch((e) => console.error('ConvLab failed to start:', e));
})();
