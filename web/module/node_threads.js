// Node only, for the threaded builds: this module's thread-pool workers (node's worker_threads)
// must not keep node running once a script is done. Emscripten makes them with `new Worker(…)`,
// which resolves `Worker` in this module's own scope first: the function below is that Worker. It
// makes the real one and unref()s it once the runtime has started (not before: while the pool's
// workers load, they are all that keeps node waiting for the module). A worker made later, when
// the pool is exhausted, is unref()'d as soon as Emscripten listens to it. Other modules in the
// same process (another Emscripten build, ONNX Runtime Web) keep the global Worker untouched.
var convlabWorkers = [];
var convlabWorkersStarted = false;
function Worker(...args) {
  const worker = new globalThis.Worker(...args);
  if (typeof process === 'object' && process.versions && process.versions.node) {
    convlabWorkers.push(worker);
    const on = worker.on.bind(worker);
    worker.on = (...listener) => {
      const result = on(...listener);
      if (convlabWorkersStarted) worker.unref();
      return result;
    };
  }
  return worker;
}
{
  const chained = Module['onRuntimeInitialized'];
  Module['onRuntimeInitialized'] = () => {
    convlabWorkersStarted = true;
    for (const worker of convlabWorkers) if (worker.unref) worker.unref();
    if (chained) chained();
  };
}
