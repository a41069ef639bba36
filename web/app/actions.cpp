// What the panels share: the model in use, the drawing's prediction, the commands to the trainer.
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <functional>
#include <new>

#include "app.h"
#include "presets.h"

namespace convlab {

App app;
ImFont* big_font = nullptr;
const ImVec4 kRed = to_vec4(palette::kError), kDim = to_vec4(palette::kTextDim);

void mark(const std::string& name) {
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  app.widgets[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
  if (ImGui::GetIO().NavVisible && ImGui::IsItemFocused()) app.focused = name;
}

// A screen reader hears the page through one live region (host.js): what the network reads once a
// stroke ends (not while drawing, nor at every weight snapshot of a run), each evaluation, and every
// error and status line.
void announce_changes() {
  App::Announced& said = app.announced;
  const DrawState& d = app.draw;
  if (!d.pad.stroking() && app.net && !app.probs.empty() &&
      (said.pad_version != d.pad.version() || said.shift_y != d.shift_y || said.shift_x != d.shift_x)) {
    said.pad_version = d.pad.version(), said.shift_y = d.shift_y, said.shift_x = d.shift_x;
    char text[96];
    if (app.digit < 0) std::snprintf(text, sizeof text, "The pad is empty.");
    else std::snprintf(text, sizeof text, prediction_is_sure() ? "Reads %s, %.0f%%." : "Unsure: perhaps %s, %.0f%%.",
                       class_name(app.digit).c_str(), 100.0 * app.probs[app.digit]);
    js_announce(text);
  }
  const TrainerStatus& t = app.trainer;
  if (t.have_eval && t.eval_version != said.eval_version) {
    said.eval_version = t.eval_version;
    char text[128];
    const double accuracy = 100.0 * t.last_eval.accuracy();
    if (t.evaluated_epoch > 0 && t.epochs > 0)
      std::snprintf(text, sizeof text, "Epoch %d of %d done: test accuracy %.1f%%.", t.evaluated_epoch, t.epochs, accuracy);
    else
      std::snprintf(text, sizeof text, "Test accuracy %.1f%%.", accuracy);
    js_announce(text);
  }
  if (app.error != said.error) {
    said.error = app.error;
    if (!app.error.empty()) js_announce(("Error: " + app.error).c_str());
  }
  if (app.message != said.message) {
    said.message = app.message;
    if (!app.message.empty()) js_announce(app.message.c_str());
  }
}

void legend(const std::string& name, const Heatmap& h, const char* unit, float width) {
  const LegendBar bar = colour_legend(name.c_str(), h, unit, width);
  app.widgets["legend:" + name] = {bar.min.x, bar.min.y, bar.max.x - bar.min.x, bar.max.y - bar.min.y};
  app.legends[name] = {bar.lo, bar.hi};
}

void same_line_if_fits(float width) {
  const float right = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width;
  if (right <= ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
}

void tip(const char* text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled | ImGuiHoveredFlags_DelayShort)) ImGui::SetTooltip("%s", text);
}

void hint(const char* fmt, ...) {
  ImGui::PushStyleColor(ImGuiCol_Text, kDim);
  va_list args;
  va_start(args, fmt);
  ImGui::TextWrappedV(fmt, args);
  va_end(args);
  ImGui::PopStyleColor();
}

float field_width(float width) { return app.touch_screen ? width + 2 * (ImGui::GetFrameHeight() - ImGui::GetFontSize()) : width; }

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

float labeled(float field_width, const char* label) {
  const char* end = std::strstr(label, "##");
  return field_width + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, end).x;
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

namespace {

uint64_t send_command(nlohmann::json cmd, const std::vector<uint8_t>& bytes = {}) {
  cmd["id"] = ++app.link.last_command;
  cmd["gen"] = app.link.generation;
  const std::string text = cmd.dump();
  js_trainer_command(text.c_str(), bytes.data(), (int)bytes.size());
  return app.link.last_command;
}

}  // namespace

bool TrainerLink::pending() const { return last_command > app.trainer.acked; }

void use_network(std::unique_ptr<Network> net, const std::string& source, std::vector<uint8_t> file) {
  // the trainer gets the file the network was read from as it is, or else the network written out
  std::vector<uint8_t> bytes = std::move(file);
  try {
    if (bytes.empty()) bytes = net->save();
  } catch (const std::exception&) {
    app.error = "This network does not fit in memory; the current model is unchanged.";
    return;
  }
  // the Build panel edits a copy of the live architecture, unless it holds a draft of the user's
  // (edited, or from a link): a model loaded meanwhile must not throw that away
  const bool build_follows = !app.net || !build_is_draft();
  app.net = std::move(net);
  app.model_source = source;
  const int preset = preset_of(app.net->spec());
  app.model_arch = preset >= 0 ? kPresets[preset].name : "custom network";
  // A new generation: whatever the trainer still reports about the previous model is dropped.
  app.link.generation++;
  app.trainer = TrainerStatus{};
  app.trainer.generation = app.link.generation;
  app.trainer.acked = app.link.last_command;
  app.link.intended_running = false, app.link.store_after = 0;
  send_command({{"cmd", "model"}, {"threads", app.link.threads}}, bytes);
  if (build_follows) set_build_spec(app.net->spec());
  app.probs.assign(app.net->classes(), 0.0f);
  model_changed();
}

bool training_shown() { return app.link.pending() ? app.link.intended_running : app.trainer.running; }

std::string why_cannot_train() {
  if (!app.net) return "no model";
  if (!app.train) return data_status();
  if (!model_fits_data())
    return "the model's classes are not those of " + std::string(kDataNames[app.data.active]) +
           (app.data.active == kMine ? " — make a network for your classes (Data tab)" : "");
  if (app.data.active == kMine) {
    const std::string why = cannot_train_classes(*app.train, app.data.mine.names, app.settings.batch);
    if (!why.empty()) return why;
  }
  return cannot_train(*app.net, app.train);
}

void start_training() {
  if (!why_cannot_train().empty() || training_shown()) return;
  TrainSettings& s = app.settings;
  // Start after a finished run trains as many epochs again.
  if (app.trainer.has_run && app.trainer.epoch >= s.epochs) s.epochs = app.trainer.epoch + s.epochs;
  app.link.intended_running = true;
  app.error.clear(), app.message.clear();
  send_command({{"cmd", "start"}, {"settings", settings_to_json(s)}});
}

void pause_training() {
  if (!training_shown()) return;
  app.link.intended_running = false;
  app.link.store_after = send_command({{"cmd", "pause"}});  // keep the model when it has stopped
}

void step_training() {
  if (!why_cannot_train().empty() || training_shown()) return;
  send_command({{"cmd", "step"}, {"settings", settings_to_json(app.settings)}});
}

void evaluate_model() {
  if (!app.trainer.evaluating) send_command({{"cmd", "evaluate"}});
}

void reset_weights() {
  if (!app.net) return;
  if (auto net = build_network(app.net->spec(), (uint64_t)app.settings.seed)) {
    use_network(std::move(net), "new (untrained)");
    app.message = "Weights reset (seed " + std::to_string(app.settings.seed) + ").";
  }
}

void use_built_network() {
  if (!app.build.error.empty()) return;
  if (auto net = build_network(app.build.spec, (uint64_t)app.settings.seed)) {
    use_network(std::move(net), "new (untrained)");
    app.message = "New network built; train it in the Train tab.";
    app.error.clear();
  }
}

void apply_trainer_report(const std::string& json, std::vector<uint8_t> snapshot) {
  ReportEvents ev;
  try {
    ev = apply_report(app.trainer, nlohmann::json::parse(json));
  } catch (const std::exception& e) {
    app.error = std::string("A message from the trainer could not be read: ") + e.what();
    return;
  }
  if (ev.stale) return;
  if (!snapshot.empty()) {
    try {
      app.net = std::make_unique<Network>(Network::load(snapshot.data(), snapshot.size()));
      app.link.snapshots++;
      model_changed();
    } catch (const std::exception& e) {
      app.error = std::string("The trained weights could not be shown: ") + e.what();
      snapshot.clear();
    }
  }
  if (!app.link.pending()) app.link.intended_running = app.trainer.running;
  if (ev.failed) app.error = app.trainer.error;
  if (ev.finished) app.message = app.trainer.message;
  const bool paused = app.link.store_after && app.trainer.acked >= app.link.store_after;
  if (!snapshot.empty() && (ev.epoch_ended || paused))
    js_store_model(kDataIds[app.data.active], snapshot.data(), (int)snapshot.size());
  if (paused) app.link.store_after = 0;
}

void trainer_restarted(const std::string& why) {
  app.error = "The trainer stopped (" + why + "); it was restarted with the weights shown.";
  if (!app.net) return;
  const std::string source = app.model_source;
  try {
    std::vector<uint8_t> bytes = app.net->save();
    auto net = std::make_unique<Network>(Network::load(bytes.data(), bytes.size()));
    use_network(std::move(net), source, std::move(bytes));
  } catch (const std::exception&) {
    app.error = "The trainer stopped (" + why + ") and cannot be restarted: out of memory.";
  }
}

void store_model() {
  if (!app.net) return;
  try {
    auto bytes = app.net->save();
    js_store_model(kDataIds[app.data.active], bytes.data(), (int)bytes.size());
  } catch (const std::exception& e) {
    app.error = std::string("The model could not be kept in this browser: ") + e.what();
  }
}

void update_input() {
  DrawState& d = app.draw;
  if (!app.net || (!d.changed && d.pad_read == d.pad.version())) return;
  d.changed = false;
  d.pad_read = d.pad.version();
  const TrainTestData* data = active_data();
  d.in = pad_input(d.pad, d.shift_y, d.shift_x, data ? data->preprocess : Preprocess::Digit);
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

int preset_of(const NetworkSpec& spec, int first) {
  const std::string text = spec_to_json(spec);
  if (first >= 0 && first < (int)std::size(kPresets) && text == spec_to_json(parse_spec(kPresets[first].spec))) return first;
  for (int i = 0; i < (int)std::size(kPresets); i++)
    if (text == spec_to_json(parse_spec(kPresets[i].spec))) return i;
  return -1;
}

std::string live_model_name() {
  if (!app.net) return "loading…";
  const std::string& arch = app.model_arch;
  const std::string& source = app.model_source;
  std::string name = source == "default" ? "the shipped " + arch
                     : source.rfind("default ", 0) == 0 ? "the shipped " + source.substr(8) + " " + arch
                     : source == "browser storage" ? "your " + arch + " (kept in this browser)"
                     : source.find("untrained") != std::string::npos ? "your " + arch
                     : source;
  const TrainerStatus& t = app.trainer;
  if (t.has_run) {
    name += " · " + std::to_string(t.epoch) + (t.epoch == 1 ? " epoch" : " epochs");
  } else if (app.net->steps() == 0) {
    name += " (untrained)";
  }
  if (t.evaluating) name += " · evaluating…";
  else if (t.have_eval) {
    char accuracy[32];
    std::snprintf(accuracy, sizeof accuracy, " · %.1f%%", 100 * t.last_eval.accuracy());
    name += accuracy;
  }
  return name;
}

void unless_training_is_lost(const std::string& what, std::function<void()> act) {
  if (!app.trainer.has_run) return act();
  ask(what + " The live model (" + live_model_name() + ") and its training are lost unless you keep it first\n"
             "(Keep: \"Keep in this browser\" or \"Save model file\").",
      std::move(act));
}

void load_test_digit(int index) {
  if (!app.test || index < 0 || index >= app.test->n) return;
  std::vector<float> image((size_t)app.test->h * app.test->w);
  app.test->images(index, 1, image.data());
  app.draw.pad.load_image(image.data(), app.test->h, app.test->w);
  app.draw.shift_y = app.draw.shift_x = 0, app.draw.changed = true;
  app.message = "Test image #" + std::to_string(index) + " (a " + class_name(app.test->labels[index]) + ") is on the pad.";
}

bool prediction_is_sure() {
  if (app.digit < 0 || app.draw.in.too_small()) return false;
  float second = 0;
  for (int k = 0; k < (int)app.probs.size(); k++)
    if (k != app.digit) second = std::max(second, app.probs[k]);
  return app.probs[app.digit] >= kSureProbability && app.probs[app.digit] - second >= kSureMargin;
}

namespace {
struct Confirm {
  std::string text;
  std::function<void()> yes;
  bool open = false, opening = false;
} confirm;
}  // namespace

void ask(std::string text, std::function<void()> yes) { confirm = {std::move(text), std::move(yes), true, true}; }

void confirm_popup() {
  if (!confirm.open) return;
  if (confirm.opening) ImGui::OpenPopup("Confirm"), confirm.opening = false;
  ImGui::SetNextWindowBgAlpha(1.0f);
  if (ImGui::BeginPopupModal("Confirm", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(confirm.text.c_str());
    const bool yes = ImGui::Button("Yes");
    mark("button:Yes");
    ImGui::SameLine();
    const bool no = ImGui::Button("Cancel");
    mark("button:Cancel");
    if (yes || no) {
      if (yes) confirm.yes();
      confirm.open = false;
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  } else {
    confirm.open = false;
  }
}

void clear_pad() { app.draw.pad.clear(); }
void undo_stroke() { app.draw.pad.undo(); }

}  // namespace convlab
