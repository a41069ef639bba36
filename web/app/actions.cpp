// What the panels share: the model in use, the drawing's prediction, the trainer's slices.
#include <algorithm>
#include <new>

#include "app.h"

namespace convlab {

App app;
ImFont* big_font = nullptr;
const ImVec4 kRed(1.0f, 0.42f, 0.42f, 1.0f), kDim(0.65f, 0.65f, 0.7f, 1.0f);

void mark(const std::string& name) {
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  app.widgets[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

Heatmap& heatmap(const std::string& key) { return app.heatmaps[key]; }

std::unique_ptr<Network> build_network(const NetworkSpec& spec, uint64_t seed) {
  try {
    return std::make_unique<Network>(spec, seed);
  } catch (const std::bad_alloc&) {
    app.error = "This network does not fit in memory; the current model is unchanged.";
  } catch (const std::exception& e) {
    app.error = std::string("Cannot build this network: ") + e.what() + " — the current model is unchanged.";
  }
  return nullptr;
}

void model_changed() {
  app.model_version++;
  app.draw.changed = true;
}

void use_network(std::unique_ptr<Network> net, const std::string& source) {
  app.net = std::move(net);
  app.model_source = source;
  app.trainer.reset();
  // the Build panel edits a copy of the current architecture
  app.build.spec = app.net->spec();
  app.build.info = app.net->info();
  app.build.error.clear();
  app.probs.assign(app.net->classes(), 0.0f);
  model_changed();
}

void store_model() {
  if (!app.net) return;
  try {
    auto bytes = app.net->save();
    js_store_model(bytes.data(), (int)bytes.size());
  } catch (const std::exception& e) {
    app.error = std::string("The model could not be kept in this browser: ") + e.what();
  }
}

void update_input() {
  DrawState& d = app.draw;
  if (!app.net || (!d.changed && d.pad_read == d.pad.version())) return;
  d.changed = false;
  d.pad_read = d.pad.version();
  d.in = pad_input(d.pad, d.shift_y, d.shift_x);
  d.input_version++;
  app.probs.assign(app.net->classes(), 0.0f);
  app.digit = -1;
  if (app.net->input_size() != d.in.input.size()) return;  // another input shape: nothing to show from the pad
  try {
    app.net->predict(d.in.input.data(), 1, app.probs.data());
  } catch (const std::exception& e) {
    app.error = std::string("Prediction failed: ") + e.what();
    return;
  }
  if (!d.in.empty) app.digit = (int)(std::max_element(app.probs.begin(), app.probs.end()) - app.probs.begin());
}

void run_trainer_slice(double budget_ms) {
  if (!app.net) return;
  const TrainerUpdate u = app.trainer.work(*app.net, budget_ms);
  if (u.model_changed) model_changed();
  if (u.failed) app.error = app.trainer.error;
  if (u.finished) app.message = app.trainer.message;
  if (u.epoch_ended) store_model();  // a run's end is an epoch's end too
}

void clear_pad() { app.draw.pad.clear(); }
void undo_stroke() { app.draw.pad.undo(); }

}  // namespace convlab
