// The trainer's side of the page, run in a Web Worker (web/trainer_worker.js) by the threaded
// trainer module (convlab_trainer_mt: this file and the engine) or by the page's own module without
// its main(): a TrainerHost (trainer.h) answers the page's commands and posts reports, with weight
// snapshots, back to it.

#include <emscripten.h>

#include <algorithm>
#include <new>
#include <vector>

#include "datasets.h"
#include "js_bytes.h"
#include "trainer.h"

using namespace convlab;

EM_JS(void, js_post_report, (const char* json, const uint8_t* snapshot, int size), {
  const bytes = HEAPU8.slice(snapshot, snapshot + size);
  postMessage({ type: 'report', json: UTF8ToString(json), snapshot: bytes }, [bytes.buffer]);
});

namespace {
TrainerHost host;

void post(const TrainerReport& r) {
  if (r.json.is_null()) return;
  const std::string text = r.json.dump();
  js_post_report(text.c_str(), r.snapshot.data(), (int)r.snapshot.size());
}

}  // namespace

EM_JS(void, js_take_bytes, (uint8_t* dest), {
  HEAPU8.set(Module['convlabBytes'], dest);
  Module['convlabBytes'] = null;
});

std::vector<uint8_t> take_js_bytes(int size) {
  std::vector<uint8_t> bytes((size_t)std::max(0, size));
  if (size > 0) js_take_bytes(bytes.data());
  return bytes;
}

extern "C" {

// A packed data asset (datasets.h), `size` bytes in Module.convlabBytes. Returns 1 on success.
EMSCRIPTEN_KEEPALIVE int convlab_worker_set_dataset(int size) {
  try {
    const std::vector<uint8_t> bytes = take_js_bytes(size);
    host.set_data(parse_dataset_asset(bytes.data(), bytes.size(), "data set"));
    return 1;
  } catch (const std::exception&) {
    return 0;  // the page parsed the same bytes and says what is wrong with them
  }
}

// One command (JSON, trainer.h), with a model file of `size` bytes in Module.convlabBytes for "model".
EMSCRIPTEN_KEEPALIVE void convlab_worker_command(const char* json, int size) {
  std::vector<uint8_t> bytes;
  try {
    bytes = take_js_bytes(size);
  } catch (const std::bad_alloc&) {
    bytes.clear();  // the host then reports that it cannot hold the model
  }
  post(host.command(nlohmann::json::parse(json), bytes.data(), bytes.size()));
}

// Trains or evaluates for about budget_ms; returns 1 while there is more to do.
EMSCRIPTEN_KEEPALIVE int convlab_worker_work(double budget_ms) {
  post(host.work(budget_ms));
  return host.busy() ? 1 : 0;
}

}  // extern "C"
