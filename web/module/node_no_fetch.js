// Emscripten 3.1.6 loads .wasm with fetch() whenever fetch exists; Node 20 has fetch but cannot
// fetch a file path. Under node, hide fetch so the module reads the file instead.
if (typeof process === 'object' && process.versions && process.versions.node) {
  delete globalThis.fetch;
}
