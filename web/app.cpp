// ConvLab's page: Dear ImGui over WebGL2 (GLFW backend), one function per panel.
// Training and test evaluation are time-sliced inside the frame loop so the UI stays smooth.
#include "app.h"

#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <nlohmann/json.hpp>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "preprocess.h"
#include "presets.h"
#include "ui_font.h"
#include "ui_renderer.h"

using namespace convlab;

namespace {

App app;
GLFWwindow* window = nullptr;
double device_pixel_ratio = 1.0, css_width = 0, css_height = 0;
// Keep in step with UI_FONT_UNICODES in web/web.cmake.
const ImWchar kUiGlyphRanges[] = {0x0020, 0x007E, 0x00B0, 0x00B0, 0x00B2, 0x00B2, 0x00B7, 0x00B7, 0x00D7, 0x00D7,
                                  0x03A0, 0x03A0, 0x03A3, 0x03A3, 0x03B1, 0x03B1, 0x03B5, 0x03B5, 0x03BB, 0x03BC,
                                  0x03C3, 0x03C3, 0x2026, 0x2026, 0x2192, 0x2192, 0x2202, 0x2202, 0x2212, 0x2212,
                                  0x2264, 0x2265, 0x230A, 0x230B, 0};
ImFont* big_font = nullptr;
const ImVec4 kRed(1.0f, 0.42f, 0.42f, 1.0f), kDim(0.65f, 0.65f, 0.7f, 1.0f);

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- JavaScript side (index.html defines the window.convlabHost helpers) ----

EM_JS(void, js_download, (const uint8_t* bytes, int size, const char* name), {
  window.convlabHost.download(HEAPU8.slice(bytes, bytes + size), UTF8ToString(name));
});
EM_JS(void, js_pick_model_file, (), { window.convlabHost.pickModelFile(); });
EM_JS(void, js_store_model, (const uint8_t* bytes, int size), {
  window.convlabHost.storeModel(HEAPU8.slice(bytes, bytes + size));
});
EM_JS(void, js_forget_model, (), { window.convlabHost.forgetModel(); });
EM_JS(void, js_set_ready, (), { window.convlabHost.ready(); });

Heatmap& heatmap(const std::string& key) { return app.heatmaps[key]; }

// Remembers the last item's rectangle under a name (read by the test hook).
void mark(const std::string& name) {
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  app.widgets[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

// ---- model, data, drawing ----

void model_changed() {
  app.model_version++;
  app.draw.changed = true;
}

void start_evaluation(bool ends_epoch = false) {
  if (!app.test || !app.net) return;
  app.eval = std::make_unique<EvaluationRun>(*app.test);
  app.eval_ends_epoch = ends_epoch;
}

void use_network(std::unique_ptr<Network> net, const std::string& source) {
  app.net = std::move(net);
  app.model_source = source;
  app.training.reset_progress();
  app.have_eval = false;
  app.evaluated_epoch = -1;
  // the build panel edits a copy of the current architecture
  app.build.spec = app.net->spec();
  app.build.info = app.net->info();
  app.build.error.clear();
  model_changed();
  start_evaluation();
}

void store_model() {
  auto bytes = app.net->save();
  js_store_model(bytes.data(), (int)bytes.size());
}

void update_input() {
  DrawState& d = app.draw;
  if (!d.changed || !app.net) return;
  d.changed = false;
  d.empty = !mnist_preprocess(d.canvas.data(), kCanvasSide, kCanvasSide, d.centred.data());
  shift_image(d.centred.data(), 28, 28, d.shift_y, d.shift_x, d.input.data());
  d.input_version++;
  if (app.net->input_size() != 784) {  // a custom input shape: nothing to show from the pad
    app.digit = -1;
    return;
  }
  app.probs.assign(app.net->classes(), 0.0f);
  app.net->predict(d.input.data(), 1, app.probs.data());
  app.digit = d.empty ? -1 : (int)(std::max_element(app.probs.begin(), app.probs.end()) - app.probs.begin());
}

void stamp(float cx, float cy) {  // an anti-aliased disc: coverage = clamp(r + ½ − distance)
  DrawState& d = app.draw;
  const float r = d.brush_px;
  for (int y = std::max(0, (int)(cy - r - 1)); y <= std::min(kCanvasSide - 1, (int)(cy + r + 1)); y++)
    for (int x = std::max(0, (int)(cx - r - 1)); x <= std::min(kCanvasSide - 1, (int)(cx + r + 1)); x++) {
      float dist = std::hypot(x + 0.5f - cx, y + 0.5f - cy);
      float v = std::clamp(r + 0.5f - dist, 0.0f, 1.0f);
      float& c = d.canvas[y * kCanvasSide + x];
      c = std::max(c, v);
    }
  d.pad_dirty = true;
}

void stroke_to(float x, float y) {
  DrawState& d = app.draw;
  float dx = x - d.last_x, dy = y - d.last_y, len = std::hypot(dx, dy);
  int steps = std::max(1, (int)std::ceil(len / std::max(1.0f, d.brush_px * 0.3f)));
  for (int s = 1; s <= steps; s++) stamp(d.last_x + dx * s / steps, d.last_y + dy * s / steps);
  d.last_x = x, d.last_y = y;
  d.changed = true;
}

void clear_pad() {
  app.draw.undo.push_back(app.draw.canvas);
  std::fill(app.draw.canvas.begin(), app.draw.canvas.end(), 0.0f);
  app.draw.changed = app.draw.pad_dirty = true;
}

void undo_stroke() {
  if (app.draw.undo.empty()) return;
  app.draw.canvas = app.draw.undo.back();
  app.draw.undo.pop_back();
  app.draw.changed = app.draw.pad_dirty = true;
}

// ---- training, evaluated in slices of the frame ----

OptimizerConfig optimizer_of(const TrainState& t) {
  OptimizerConfig o;
  o.type = t.optimizer == 1 ? OptimizerConfig::Adam : OptimizerConfig::SGD;
  o.lr = t.lr, o.momentum = t.momentum, o.nesterov = t.nesterov, o.weight_decay = t.weight_decay;
  return o;
}

void ensure_run() {
  TrainState& t = app.training;
  if (!t.run) {
    t.run = std::make_unique<TrainingRun>(*app.train, (uint64_t)t.seed + 1);
  }
  t.run->batch_size = t.batch;
  t.run->augment.max_shift_px = t.augment ? t.shift_px : 0.0f;
  t.run->augment.max_rotate_deg = t.augment ? t.rotate_deg : 0.0f;
  app.net->set_optimizer(optimizer_of(t));
}

// One batch; returns false when training stopped (an error or the last epoch).
bool train_one_batch() {
  TrainState& t = app.training;
  ensure_run();
  const int epoch_before = t.run->epoch(), n = std::min(t.batch, app.train->n - t.run->position());
  double start = now_ms();
  try {
    t.last_loss = t.run->step(*app.net);
  } catch (const Error& e) {
    t.running = false;
    app.error = std::string("Training stopped: ") + e.what();
    model_changed();
    return false;
  }
  t.train_ms += now_ms() - start;
  // training accuracy of this batch, from the probabilities the step already computed
  const auto& probs = app.net->last_train_probs();
  const auto& labels = t.run->last_labels();
  const int classes = app.net->classes();
  for (int i = 0; i < n; i++) {
    const float* row = probs.data() + (size_t)i * classes;
    t.epoch_correct += (int)(std::max_element(row, row + classes) - row) == labels[i];
  }
  // a moving average keeps the curve readable at thousands of batches
  t.loss_history.push_back(t.loss_history.empty() ? t.last_loss : 0.95f * t.loss_history.back() + 0.05f * t.last_loss);
  t.epoch_seen += n;
  model_changed();
  if (t.run->epoch() != epoch_before) {  // an epoch ended: evaluate on the 2,000 test digits
    t.train_acc_history.push_back(t.epoch_seen ? (float)t.epoch_correct / t.epoch_seen : 0.0f);
    t.epoch_correct = t.epoch_seen = 0;
    start_evaluation(true);
    if (t.run->epoch() >= t.epochs) {
      t.running = false;
      app.message = "Finished " + std::to_string(t.epochs) + " epochs.";
      return false;
    }
  }
  return true;
}

void update_training_and_evaluation() {
  TrainState& t = app.training;
  // Per-frame training budget, to hold 30 fps with a margin: it grows while frames come at least
  // 32 times a second and shrinks fast when they do not (a software GPU shares the CPU with
  // training), and never exceeds what is left of 28 ms after the frame's own work.
  if (t.running) {
    const double cap_ms = std::max(2.0, 28.0 - app.frame_work_ms);
    app.train_budget_ms += app.frame_interval_ms <= 1000.0 / 32 ? 0.25 : -1.0;
    app.train_budget_ms = std::clamp(app.train_budget_ms, 1.0, cap_ms);
  }
  const double budget_ms = t.running ? app.train_budget_ms : 12.0, start = now_ms();
  // An epoch's test evaluation runs first and alone: its accuracy is that of one set of weights.
  if (t.running && app.train && app.net)
    while (!app.eval && now_ms() - start < budget_ms)
      if (!train_one_batch()) break;
  if (t.running && t.train_ms > 0)
    t.examples_per_s = (float)((t.run->examples_seen() - t.examples_at_start) / (t.train_ms / 1000.0));
  while (app.eval && now_ms() - start < budget_ms) {
    if (!app.eval->step(*app.net, 100)) continue;
    app.last_eval = app.eval->result();
    app.have_eval = true;
    app.evaluated_epoch = t.run ? t.run->epoch() : 0;
    if (app.eval_ends_epoch) t.test_acc_history.push_back((float)app.last_eval.accuracy());
    app.eval.reset();
    model_changed();  // the evaluation's forward passes replaced the drawing's activations
  }
}

// ---- panels ----

void draw_pad(float side) {
  DrawState& d = app.draw;
  ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", ImVec2(side, side));
  mark("pad");
  const bool active = ImGui::IsItemActive();
  ImVec2 m = ImGui::GetIO().MousePos;
  float x = (m.x - pos.x) * kCanvasSide / side, y = (m.y - pos.y) * kCanvasSide / side;
  if (active && !d.stroking) {
    d.undo.push_back(d.canvas);
    if (d.undo.size() > 30) d.undo.erase(d.undo.begin());
    d.stroking = true, d.last_x = x, d.last_y = y;
    stamp(x, y);
    d.changed = true;
  } else if (active) {
    if (x != d.last_x || y != d.last_y) stroke_to(x, y);
  } else {
    d.stroking = false;
  }
  Heatmap& h = heatmap("pad");
  if (d.pad_dirty) h.update(d.canvas.data(), kCanvasSide, kCanvasSide, Colormap::Gray, 1.0f, 1);
  d.pad_dirty = false;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddImage(h.texture(), pos, ImVec2(pos.x + side, pos.y + side));
  dl->AddRect(pos, ImVec2(pos.x + side, pos.y + side), IM_COL32(120, 120, 140, 255));
  if (d.empty)
    dl->AddText(ImVec2(pos.x + 10, pos.y + 10), IM_COL32(150, 150, 160, 255), "draw a digit here");
}

void draw_panel(float side) {
  DrawState& d = app.draw;
  draw_pad(side);
  if (ImGui::Button("Clear (C)")) clear_pad();
  ImGui::SameLine();
  ImGui::BeginDisabled(d.undo.empty());
  if (ImGui::Button("Undo (Ctrl+Z)")) undo_stroke();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(60.0f, side - ImGui::GetCursorPosX() + ImGui::GetStyle().WindowPadding.x));
  ImGui::SliderFloat("##brush", &d.brush_px, 4.0f, 24.0f, "brush %.0f px");
  ImGuiIO& io = ImGui::GetIO();
  if (!io.WantTextInput) {
    if (ImGui::IsKeyPressed(ImGuiKey_C, false) && !io.KeyCtrl) clear_pad();
    if (ImGui::IsKeyPressed(ImGuiKey_Z, false) && io.KeyCtrl) undo_stroke();
  }
}

// The 28×28 image the network receives, with the shift arrows of the equivariance demo.
void input_preview(float cell) {
  DrawState& d = app.draw;
  Heatmap& h = heatmap("input");
  if (d.input_version != d.shown_version || h.rows() == 0 || h.size().x != 28 * cell) {
    h.update(d.input.data(), 28, 28, Colormap::Gray, 1.0f, (int)cell, true);
    d.shown_version = d.input_version;
  }
  ImGui::Image(h.texture(), ImVec2(28 * cell, 28 * cell));
  ImVec2 img_min = ImGui::GetItemRectMin();
  // receptive field of the hovered unit, outlined on the input
  if (app.inspect.hover_layer >= 0 && app.net && app.inspect.hover_layer < (int)app.net->info().size()) {
    const LayerInfo& f = app.net->info()[app.inspect.hover_layer];
    float y0 = (float)(f.rf_start.h + app.inspect.hover_unit_y * f.jump.h);
    float x0 = (float)(f.rf_start.w + app.inspect.hover_unit_x * f.jump.w);
    ImVec2 a(img_min.x + x0 * cell, img_min.y + y0 * cell);
    ImVec2 b(a.x + f.receptive_field.w * cell, a.y + f.receptive_field.h * cell);
    ImGui::GetWindowDrawList()->AddRect(a, b, IM_COL32(255, 80, 60, 255), 0, 0, 2.0f);
  }
  ImGui::TextColored(kDim, "what the network sees (28×28)");
  ImGui::Text("shift");
  ImGui::SameLine();
  if (ImGui::ArrowButton("left", ImGuiDir_Left)) d.shift_x--, d.changed = true;
  ImGui::SameLine();
  if (ImGui::ArrowButton("up", ImGuiDir_Up)) d.shift_y--, d.changed = true;
  ImGui::SameLine();
  if (ImGui::ArrowButton("down", ImGuiDir_Down)) d.shift_y++, d.changed = true;
  ImGui::SameLine();
  if (ImGui::ArrowButton("right", ImGuiDir_Right)) d.shift_x++, d.changed = true;
  ImGui::SameLine();
  ImGui::Text("(%+d, %+d)", d.shift_x, d.shift_y);
  if (d.shift_x || d.shift_y) {
    ImGui::SameLine();
    if (ImGui::SmallButton("reset")) d.shift_x = d.shift_y = 0, d.changed = true;
  }
}

void predict_panel() {
  if (!app.net) {
    ImGui::TextColored(kDim, "loading the model…");
    return;
  }
  ImGui::PushFont(big_font);
  if (app.digit >= 0) ImGui::Text("%d", app.digit);
  else ImGui::TextColored(kDim, "?");
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::BeginGroup();
  for (int k = 0; k < (int)app.probs.size() && k < 10; k++) {
    float p = app.draw.empty ? 0.0f : app.probs[k];
    ImGui::Text("%d", k);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, k == app.digit ? ImVec4(0.95f, 0.6f, 0.2f, 1) : ImVec4(0.35f, 0.55f, 0.85f, 1));
    char label[16];
    std::snprintf(label, sizeof label, "%.1f%%", 100.0f * p);
    ImGui::ProgressBar(p, ImVec2(-1, 0), label);
    ImGui::PopStyleColor();
  }
  ImGui::EndGroup();
}

// Every parameter of one layer, editable, on the line of its name; returns true on a change.
bool edit_layer(LayerSpec& l, const std::string& mark_prefix) {
  bool changed = false;
  auto pair = [&](const char* label, Pair& p, int lo) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    if (ImGui::InputInt2(label, &p.h)) {
      p.h = std::clamp(p.h, lo, 64), p.w = std::clamp(p.w, lo, 64);
      changed = true;
    }
    mark(mark_prefix + label);
  };
  switch (l.type) {
    case LayerType::Conv2d:
    case LayerType::TiledConv2d:
    case LayerType::Local2d:
      ImGui::SameLine();
      ImGui::SetNextItemWidth(40);
      if (ImGui::InputInt("filters", &l.filters, 0)) l.filters = std::clamp(l.filters, 1, 256), changed = true;
      pair("kernel", l.conv.kernel, 1);
      pair("stride", l.conv.stride, 1);
      pair("padding", l.conv.padding, 0);
      pair("dilation", l.conv.dilation, 1);
      if (l.type == LayerType::TiledConv2d) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(40);
        if (ImGui::InputInt("tiles", &l.tiles, 0)) l.tiles = std::clamp(l.tiles, 1, 16), changed = true;
      }
      break;
    case LayerType::MaxPool:
    case LayerType::AvgPool:
    case LayerType::WAvgPool:
    case LayerType::L2Pool:
      pair("size", l.pool.size, 1);
      pair("stride", l.pool.stride, 1);
      pair("padding", l.pool.padding, 0);
      if (l.type == LayerType::WAvgPool)
        ImGui::TextColored(kDim, "weights: Gaussian window, σ = (size−1)/2, renormalised over real cells");
      break;
    case LayerType::Dense:
      ImGui::SameLine();
      ImGui::SetNextItemWidth(60);
      if (ImGui::InputInt("units", &l.units, 0)) l.units = std::clamp(l.units, 1, 4096), changed = true;
      break;
    case LayerType::LeakyRelu:
      ImGui::SameLine();
      ImGui::SetNextItemWidth(110);
      changed |= ImGui::SliderFloat("alpha", &l.alpha, 0.0f, 1.0f);
      break;
    case LayerType::Dropout:
      ImGui::SameLine();
      ImGui::SetNextItemWidth(110);
      changed |= ImGui::SliderFloat("rate", &l.rate, 0.0f, 0.9f);
      break;
    default: break;
  }
  return changed;
}

void validate_build() {
  BuildState& b = app.build;
  try {
    b.info = analyze(b.spec);
    b.error.clear();
  } catch (const Error& e) {
    b.error = e.what();
    b.info.clear();
  }
}

void layer_table(const NetworkSpec& spec, const std::vector<LayerInfo>& info) {
  if (!ImGui::BeginTable("layers", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit))
    return;
  for (const char* h : {"#", "layer", "output C×H×W", "params", "receptive field", "FLOPs"}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  uint64_t params = 0, flops = 0;
  for (size_t i = 0; i < info.size(); i++) {
    const LayerInfo& f = info[i];
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::Text("%zu", i + 1);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(layer_type_name(spec.layers[i].type));
    ImGui::TableSetColumnIndex(2);
    ImGui::Text("%d×%d×%d", f.out.c, f.out.h, f.out.w);
    ImGui::TableSetColumnIndex(3);
    ImGui::Text("%llu", (unsigned long long)f.params());
    ImGui::TableSetColumnIndex(4);
    ImGui::Text("%d×%d", f.receptive_field.h, f.receptive_field.w);
    ImGui::TableSetColumnIndex(5);
    ImGui::Text("%llu", (unsigned long long)f.flops);
    params += f.params(), flops += f.flops;
  }
  ImGui::EndTable();
  ImGui::Text("total: %llu parameters, %.2f MFLOPs per example", (unsigned long long)params, flops / 1e6);
}

void build_panel() {
  BuildState& b = app.build;
  ImGui::SetNextItemWidth(260);
  const bool open = ImGui::BeginCombo("preset", kPresets[b.preset].name);
  mark("preset");
  if (open) {
    for (int i = 0; i < (int)std::size(kPresets); i++) {
      const bool picked = ImGui::Selectable(kPresets[i].name, i == b.preset);
      mark(std::string("preset:") + kPresets[i].name);
      if (picked) {
        b.preset = i;
        b.spec = parse_spec(kPresets[i].spec);
        validate_build();
      }
    }
    ImGui::EndCombo();
  }
  if (!b.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kRed);
    ImGui::TextWrapped("Impossible network: %s", b.error.c_str());
    ImGui::PopStyleColor();
  } else {
    layer_table(b.spec, b.info);
  }
  ImGui::BeginDisabled(!b.error.empty());
  const bool use = ImGui::Button("Use this network (new random weights)");
  mark("button:Use this network");
  if (use) {
    app.training.running = false;
    use_network(std::make_unique<Network>(b.spec, (uint64_t)app.training.seed), "new (untrained)");
    app.message = "New network built; train it in the Train tab.";
    app.error.clear();
  }
  ImGui::EndDisabled();
  ImGui::TextColored(kDim, "H' = ⌊(H + 2p − (k−1)·d − 1)/s⌋ + 1    R_k = 1 + Σ (K_j − 1)·Π S_i, a dilated kernel spans (K−1)·d + 1");
  ImGui::SeparatorText("layers");
  bool changed = false;
  int remove = -1, move_up = -1;
  for (int i = 0; i < (int)b.spec.layers.size(); i++) {
    LayerSpec& l = b.spec.layers[i];
    ImGui::PushID(i);
    ImGui::Text("%d. %s", i + 1, layer_type_name(l.type));
    ImGui::SameLine(130);
    if (ImGui::SmallButton("up") && i > 0) move_up = i;
    ImGui::SameLine();
    if (ImGui::SmallButton("down") && i + 1 < (int)b.spec.layers.size()) move_up = i + 1;
    ImGui::SameLine();
    if (ImGui::SmallButton("remove")) remove = i;
    changed |= edit_layer(l, "layer" + std::to_string(i + 1) + ":");
    ImGui::PopID();
  }
  if (remove >= 0) b.spec.layers.erase(b.spec.layers.begin() + remove), changed = true;
  if (move_up > 0) std::swap(b.spec.layers[move_up], b.spec.layers[move_up - 1]), changed = true;
  ImGui::Separator();
  static const LayerType kAddable[] = {LayerType::Conv2d, LayerType::TiledConv2d, LayerType::Local2d, LayerType::MaxPool,
                                       LayerType::AvgPool, LayerType::WAvgPool, LayerType::L2Pool, LayerType::GlobalAvgPool,
                                       LayerType::Dense, LayerType::Flatten, LayerType::Relu, LayerType::LeakyRelu,
                                       LayerType::Sigmoid, LayerType::Tanh, LayerType::Dropout};
  ImGui::SetNextItemWidth(150);
  if (ImGui::BeginCombo("##add", layer_type_name(kAddable[b.add_type]))) {
    for (int i = 0; i < (int)std::size(kAddable); i++)
      if (ImGui::Selectable(layer_type_name(kAddable[i]), i == b.add_type)) b.add_type = i;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button("Add layer before the last")) {
    LayerSpec l;
    l.type = kAddable[b.add_type];
    l.filters = 8, l.conv.kernel = {3, 3}, l.conv.padding = {1, 1}, l.units = 32, l.tiles = 2;
    b.spec.layers.insert(b.spec.layers.end() - (b.spec.layers.empty() ? 0 : 1), l);
    changed = true;
  }
  if (changed) validate_build();
}

void train_panel() {
  TrainState& t = app.training;
  if (!app.train) {
    ImGui::TextColored(kDim, "%s", app.data_status.c_str());
    return;
  }
  const bool locked = t.running;
  ImGui::BeginDisabled(locked);
  ImGui::SetNextItemWidth(120);
  ImGui::Combo("optimizer", &t.optimizer, "SGD\0Adam\0");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("learning rate", &t.lr, 0.0f, 0.0f, "%.4f");
  t.lr = std::clamp(t.lr, 0.0f, 1000.0f);
  if (t.optimizer == 0) {
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("momentum", &t.momentum, 0.0f, 0.99f);
    ImGui::SameLine();
    ImGui::Checkbox("Nesterov", &t.nesterov);
  }
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("weight decay", &t.weight_decay, 0.0f, 0.0f, "%.5f");
  t.weight_decay = std::clamp(t.weight_decay, 0.0f, 1.0f);
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("batch size", &t.batch);
  t.batch = std::clamp(t.batch, 1, 512);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("epochs", &t.epochs);
  t.epochs = std::clamp(t.epochs, 1, 200);
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("seed", &t.seed);
  t.seed = std::max(0, t.seed);
  ImGui::SameLine();
  ImGui::Checkbox("augment", &t.augment);
  if (t.augment) {
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("shift px", &t.shift_px, 0.0f, 4.0f);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("rotate °", &t.rotate_deg, 0.0f, 30.0f);
  }
  ImGui::EndDisabled();
  const bool can_train = app.net && app.net->input_size() == 784 && app.net->classes() == 10;
  if (!can_train) ImGui::TextColored(kRed, "This network does not take 28×28 digits to 10 classes: it cannot train on MNIST.");
  ImGui::BeginDisabled(!can_train);
  if (!t.running) {
    const bool start = ImGui::Button(t.run ? "Resume" : "Start");
    mark("button:Start");
    if (start) {
      ensure_run();
      if (t.run->epoch() >= t.epochs) t.epochs = t.run->epoch() + t.epochs;  // train further
      t.running = true;
      t.train_ms = 0, t.examples_at_start = t.run->examples_seen();
      app.error.clear();
    }
  } else {
    const bool pause = ImGui::Button("Pause");
    mark("button:Pause");
    if (pause) {
      t.running = false;
      store_model();
    }
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(t.running);
  if (ImGui::Button("Step one batch")) train_one_batch();
  mark("button:Step");
  ImGui::SameLine();
  const bool reset = ImGui::Button("Reset weights");
  mark("button:Reset");
  if (reset) {
    use_network(std::make_unique<Network>(app.net->spec(), (uint64_t)t.seed), "new (untrained)");
    app.message = "Weights reset (seed " + std::to_string(t.seed) + ").";
  }
  ImGui::EndDisabled();
  ImGui::EndDisabled();
  if (t.run) {
    const int n = app.train->n;
    float done = (float)(t.run->epoch() * n + t.run->position()) / (float)(t.epochs * n);
    double left_s = t.examples_per_s > 0 ? ((double)t.epochs * n - (t.run->epoch() * n + t.run->position())) / t.examples_per_s : 0;
    char overlay[128];
    std::snprintf(overlay, sizeof overlay, "epoch %d/%d  batch %d/%d  %.0f examples/s  %.0f s left", t.run->epoch() + 1 > t.epochs ? t.epochs : t.run->epoch() + 1,
                  t.epochs, t.run->position() / std::max(1, t.batch), (n + t.batch - 1) / t.batch, t.examples_per_s,
                  t.running ? left_s : 0.0);
    ImGui::ProgressBar(std::min(1.0f, done), ImVec2(-1, 0), overlay);
  }
  if (!t.loss_history.empty()) {
    char label[64];
    std::snprintf(label, sizeof label, "training loss %.4f", t.last_loss);
    ImGui::PlotLines("##loss", t.loss_history.data(), (int)t.loss_history.size(), 0, label, 0.0f, FLT_MAX, ImVec2(-1, 110));
  }
  if (!t.test_acc_history.empty() || !t.train_acc_history.empty()) {
    char label[96];
    std::snprintf(label, sizeof label, "accuracy per epoch: test %.2f%%  train %.2f%%",
                  t.test_acc_history.empty() ? 0.0f : 100 * t.test_acc_history.back(),
                  t.train_acc_history.empty() ? 0.0f : 100 * t.train_acc_history.back());
    ImGui::PlotLines("##test", t.test_acc_history.data(), (int)t.test_acc_history.size(), 0, label, 0.8f, 1.0f, ImVec2(-1, 80));
    ImGui::PlotLines("##train", t.train_acc_history.data(), (int)t.train_acc_history.size(), 0, "train", 0.8f, 1.0f, ImVec2(-1, 60));
  }
  if (app.have_eval) ImGui::Text("test accuracy on the 2,000: %.2f%%", 100 * app.last_eval.accuracy());
  else if (app.eval) ImGui::TextColored(kDim, "evaluating on the test digits…");
}

// Feature maps of every layer for the current drawing; hovering a unit outlines its receptive
// field on the input preview.
void feature_maps_tab() {
  InspectState& in = app.inspect;
  in.hover_layer = -1;
  ImGui::TextColored(kDim, "Feature maps of your drawing. Hover a unit: its receptive field is outlined on the 28×28 input.");
  ImGui::TextColored(kDim, "Shift the input with the arrows: the maps shift with it (equivariance), the prediction stays (invariance).");
  for (size_t i = 0; i < app.net->info().size(); i++) {
    const Tensor& t = app.net->layer_output(i);
    const LayerInfo& f = app.net->info()[i];
    const int C = f.out.c, H = f.out.h, W = f.out.w;
    if (t.shape.n < 1) continue;
    const bool flat = H == 1 && W == 1;
    int rows = 1, cols = C;
    std::vector<float> atlas;
    if (flat) atlas.assign(t.ptr(), t.ptr() + C);
    else atlas = make_atlas(t.ptr(), C, H, W, std::min(C, 8), &rows, &cols);
    const int cell = flat ? std::max(4, std::min(24, 400 / std::max(1, C))) : std::max(1, std::min(6, 56 / std::max(H, W)));
    Heatmap& h = heatmap("fmap" + std::to_string(i));
    const bool signed_values = std::any_of(t.ptr(), t.ptr() + f.out.per_example(), [](float v) { return v < 0; });
    h.update(atlas.data(), rows, cols, signed_values ? Colormap::Diverging : Colormap::Sequential,
             max_abs(atlas.data(), atlas.size()), cell);
    ImGui::Text("%zu. %s  %d×%d×%d   receptive field %d×%d", i + 1, layer_type_name(app.net->spec().layers[i].type), C, H, W,
                f.receptive_field.h, f.receptive_field.w);
    ImGui::Image(h.texture(), h.size());
    if (!ImGui::IsItemHovered()) continue;
    ImVec2 m = ImGui::GetIO().MousePos, o = ImGui::GetItemRectMin();
    int r = (int)((m.y - o.y) / cell), c = (int)((m.x - o.x) / cell);
    int channel, uy, ux;
    if (flat) channel = c, uy = ux = 0;
    else channel = (r / (H + 1)) * std::min(C, 8) + c / (W + 1), uy = r % (H + 1), ux = c % (W + 1);
    if (channel >= C || uy >= H || ux >= W) continue;
    in.hover_layer = (int)i, in.hover_unit_y = uy, in.hover_unit_x = ux;
    ImGui::SetTooltip("channel %d, unit (%d, %d) = %.4f\nreceptive field %d×%d from input pixel (%d, %d)", channel, uy, ux,
                      t.data[((size_t)channel * H + uy) * W + ux], f.receptive_field.h, f.receptive_field.w,
                      f.rf_start.h + uy * f.jump.h, f.rf_start.w + ux * f.jump.w);
  }
}

void filters_tab() {
  ImGui::TextColored(kDim, "Kernels of each convolutional layer: a row per output channel, a column per input channel.");
  ImGui::TextColored(kDim, "Blue negative, white zero, red positive (scale: the layer's largest |weight|).");
  bool any = false;
  for (size_t i = 0; i < app.net->spec().layers.size(); i++) {
    const LayerSpec& l = app.net->spec().layers[i];
    if (l.type != LayerType::Conv2d && l.type != LayerType::TiledConv2d && l.type != LayerType::Local2d) continue;
    any = true;
    const int c_in = i == 0 ? app.net->spec().input.c : app.net->info()[i - 1].out.c;
    const int kh = l.conv.kernel.h, kw = l.conv.kernel.w, planes = l.filters * c_in;
    ParamView w = app.net->weights(i);  // the first kernel set: tiled/local layers have more
    int rows, cols;
    // one input channel: the filters side by side; else a row per filter, a column per channel
    auto atlas = make_atlas(w.data, planes, kh, kw, c_in == 1 ? std::min(planes, 16) : c_in, &rows, &cols);
    Heatmap& h = heatmap("filters" + std::to_string(i));
    int cell = std::max(2, std::min(12, 420 / std::max(1, cols)));
    h.update(atlas.data(), rows, cols, Colormap::Diverging, max_abs(w.data, (size_t)planes * kh * kw), cell);
    ImGui::Text("%zu. %s: %d filters of %d×%d×%d%s", i + 1, layer_type_name(l.type), l.filters, c_in, kh, kw,
                l.type == LayerType::Conv2d ? "" : " (first kernel set shown)");
    ImGui::Image(h.texture(), h.size());
  }
  if (!any) ImGui::Text("This network has no convolutional layer.");
}

void histograms_tab() {
  ImGui::TextColored(kDim, "Activation statistics of each layer for the current drawing.");
  for (size_t i = 0; i < app.net->info().size(); i++) {
    const Tensor& t = app.net->layer_output(i);
    const size_t n = app.net->info()[i].out.per_example();
    if (t.shape.n < 1) continue;
    const float* v = t.ptr();
    float lo = *std::min_element(v, v + n), hi = *std::max_element(v, v + n);
    double mean = 0, sq = 0;
    size_t zeros = 0;
    for (size_t k = 0; k < n; k++) mean += v[k], sq += (double)v[k] * v[k], zeros += v[k] == 0.0f;
    mean /= n;
    const double sd = std::sqrt(std::max(0.0, sq / n - mean * mean));
    float bins[30] = {};
    for (size_t k = 0; k < n; k++) bins[std::min(29, (int)(30 * (v[k] - lo) / std::max(1e-9f, hi - lo)))]++;
    char label[160];
    std::snprintf(label, sizeof label, "%zu. %s  mean %.3f  sd %.3f  min %.3f  max %.3f  zeros %.0f%%", i + 1,
                  layer_type_name(app.net->spec().layers[i].type), mean, sd, lo, hi, 100.0 * zeros / n);
    ImGui::TextUnformatted(label);
    ImGui::PushID((int)i);
    ImGui::PlotHistogram("##h", bins, 30, 0, nullptr, 0.0f, FLT_MAX, ImVec2(-1, 50));
    ImGui::PopID();
  }
}

void saliency_tab() {
  if (app.digit < 0) {
    ImGui::Text("Draw a digit to see which pixels its prediction depends on.");
    return;
  }
  static std::vector<float> grad(784);
  static uint64_t version = ~0ull;
  static int for_digit = -1;
  if (version != app.model_version || for_digit != app.digit) {
    app.net->input_gradient(app.draw.input.data(), app.digit, grad.data());
    app.net->predict(app.draw.input.data(), 1, app.probs.data());  // keep the drawing's activations
    version = app.model_version, for_digit = app.digit;
  }
  ImGui::TextWrapped("Saliency: ∂(score of %d)/∂(pixel). Red pixels raise the score when brighter, blue ones lower it.", app.digit);
  Heatmap& h = heatmap("saliency");
  h.update(grad.data(), 28, 28, Colormap::Diverging, max_abs(grad.data(), grad.size()), 8, true);
  ImGui::Image(h.texture(), h.size());
  ImGui::SameLine();
  Heatmap& in = heatmap("saliency_input");
  in.update(app.draw.input.data(), 28, 28, Colormap::Gray, 1.0f, 8, true);
  ImGui::Image(in.texture(), in.size());
}

// A grid of digits from the test set (indices), as one atlas.
void digit_gallery(const char* key, const std::vector<int>& indices) {
  if (indices.empty()) return;
  const int count = std::min<int>((int)indices.size(), 60), columns = 12;
  std::vector<float> planes((size_t)count * 784);
  for (int k = 0; k < count; k++)
    std::copy_n(app.test->images.data() + (size_t)indices[k] * 784, 784, planes.data() + (size_t)k * 784);
  int rows, cols;
  auto atlas = make_atlas(planes.data(), count, 28, 28, columns, &rows, &cols);
  Heatmap& h = heatmap(key);
  h.update(atlas.data(), rows, cols, Colormap::Gray, 1.0f, 2);
  ImGui::Image(h.texture(), h.size());
  if (ImGui::IsItemHovered()) {
    ImVec2 m = ImGui::GetIO().MousePos, o = ImGui::GetItemRectMin();
    int k = (int)((m.y - o.y) / 2 / 29) * columns + (int)((m.x - o.x) / 2 / 29);
    if (k >= 0 && k < count)
      ImGui::SetTooltip("test digit #%d: true %d, predicted %d", indices[k], app.test->labels[indices[k]],
                        app.last_eval.predicted[indices[k]]);
  }
}

void test_set_tab() {
  if (!app.test) {
    ImGui::TextColored(kDim, "%s", app.data_status.c_str());
    return;
  }
  if (!app.have_eval) {
    ImGui::TextColored(kDim, app.eval ? "evaluating on the 2,000 test digits…" : "no evaluation yet");
    if (!app.eval && ImGui::Button("Evaluate")) start_evaluation();
    return;
  }
  const Evaluation& e = app.last_eval;
  ImGui::Text("Test accuracy %.2f%% (%d of %d), mean loss %.4f", 100 * e.accuracy(), e.correct, e.examples, e.mean_loss());
  ImGui::SameLine();
  if (!app.eval && ImGui::SmallButton("re-evaluate")) start_evaluation();
  ImGui::TextColored(kDim, "Confusion matrix: rows true digit, columns prediction. Click a cell to see its digits.");
  InspectState& in = app.inspect;
  if (ImGui::BeginTable("confusion", 11, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("");
    for (int p = 0; p < 10; p++) ImGui::TableSetupColumn(std::to_string(p).c_str());
    ImGui::TableHeadersRow();
    int row_max = 1;
    for (int t = 0; t < 10; t++)
      for (int p = 0; p < 10; p++) row_max = std::max(row_max, e.confusion[t][p]);
    for (int t = 0; t < 10; t++) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::Text("%d", t);
      for (int p = 0; p < 10; p++) {
        ImGui::TableSetColumnIndex(p + 1);
        int count = e.confusion[t][p];
        float a = count ? 0.15f + 0.85f * std::sqrt((float)count / row_max) : 0.0f;
        ImU32 bg = t == p ? ImGui::GetColorU32(ImVec4(0.2f, 0.55f, 0.3f, a)) : ImGui::GetColorU32(ImVec4(0.8f, 0.25f, 0.2f, a));
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, bg);
        char label[32];
        std::snprintf(label, sizeof label, "%d##c%d%d", count, t, p);
        if (ImGui::Selectable(label, in.confusion_true == t && in.confusion_pred == p, 0, ImVec2(30, 0)))
          in.confusion_true = t, in.confusion_pred = p;
      }
    }
    ImGui::EndTable();
  }
  if (in.confusion_true >= 0) {
    std::vector<int> cell;
    for (int k = 0; k < e.examples; k++)
      if (app.test->labels[k] == in.confusion_true && e.predicted[k] == in.confusion_pred) cell.push_back(k);
    ImGui::Text("true %d predicted %d: %zu digits", in.confusion_true, in.confusion_pred, cell.size());
    digit_gallery("cell", cell);
  }
  std::vector<int> wrong;
  for (int k = 0; k < e.examples; k++)
    if (e.predicted[k] != app.test->labels[k]) wrong.push_back(k);
  ImGui::Text("Misclassified test digits (%zu; hover for true/predicted):", wrong.size());
  digit_gallery("wrong", wrong);
}

// im2col on the first conv2d layer: Y = W · col, the convolution as one matrix product.
void im2col_tab() {
  int layer = -1;
  for (size_t i = 0; i < app.net->spec().layers.size() && layer < 0; i++)
    if (app.net->spec().layers[i].type == LayerType::Conv2d) layer = (int)i;
  if (layer < 0) {
    ImGui::Text("This network has no conv2d layer.");
    return;
  }
  const LayerSpec& l = app.net->spec().layers[layer];
  const Shape xs = layer == 0 ? app.net->spec().input : app.net->info()[layer - 1].out;
  const Shape ys = app.net->info()[layer].out;
  const int K = xs.c * l.conv.kernel.h * l.conv.kernel.w, P = ys.h * ys.w;
  const float* x = layer == 0 ? app.draw.input.data() : app.net->layer_output(layer - 1).ptr();
  std::vector<float> col((size_t)K * P), y((size_t)l.filters * P);
  im2col(x, xs.c, xs.h, xs.w, l.conv, ys.h, ys.w, col.data());
  ParamView w = app.net->weights(layer);
  for (int o = 0; o < l.filters; o++)
    for (int p = 0; p < P; p++) {
      float s = 0;
      for (int k = 0; k < K; k++) s += w.data[(size_t)o * K + k] * col[(size_t)k * P + p];
      y[(size_t)o * P + p] = s;
    }
  ImGui::TextWrapped("Layer %d: each column of col is one %d×%d×%d patch of the input (zeros where it hangs over the padding); "
                     "each row of W is one filter. Their product W·col (%d×%d · %d×%d) is the convolution without bias, "
                     "a row per output channel: reshape a row to %d×%d to get its feature map.",
                     layer + 1, xs.c, l.conv.kernel.h, l.conv.kernel.w, l.filters, K, K, P, ys.h, ys.w);
  const float width = std::max(200.0f, ImGui::GetContentRegionAvail().x);
  Heatmap& hw = heatmap("im2col_w");
  hw.update(w.data, l.filters, K, Colormap::Diverging, max_abs(w.data, (size_t)l.filters * K), 8);
  ImGui::Text("W (%d×%d)", l.filters, K);
  ImGui::Image(hw.texture(), hw.size());
  Heatmap& hc = heatmap("im2col_col");
  hc.update(col.data(), K, P, Colormap::Gray, 1.0f, 1);
  ImGui::Text("col (%d×%d), stretched to fit", K, P);
  ImGui::Image(hc.texture(), ImVec2(width, (float)std::min(K * 4, 200)));
  Heatmap& hy = heatmap("im2col_y");
  hy.update(y.data(), l.filters, P, Colormap::Diverging, max_abs(y.data(), y.size()), 1);
  ImGui::Text("W·col (%d×%d)", l.filters, P);
  ImGui::Image(hy.texture(), ImVec2(width, (float)l.filters * 8));
}

void inspect_panel() {
  if (!app.net || app.net->input_size() != 784) {
    ImGui::Text("Inspection needs a network that takes the 28×28 drawing.");
    return;
  }
  if (!ImGui::BeginTabBar("inspect")) return;
  struct Tab {
    const char* name;
    void (*draw)();
  };
  static const Tab tabs[] = {{"Feature maps", feature_maps_tab}, {"Filters", filters_tab}, {"Histograms", histograms_tab},
                             {"Saliency", saliency_tab},         {"Test set", test_set_tab}, {"im2col", im2col_tab}};
  for (const Tab& t : tabs) {
    const bool open = ImGui::BeginTabItem(t.name);
    mark(std::string("tab:") + t.name);
    if (!open) continue;
    ImGui::BeginChild("content");
    t.draw();
    ImGui::EndChild();
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

void keep_panel() {
  if (!app.net) return;
  ImGui::Text("Current model: %s", app.model_source.c_str());
  ImGui::Text("%zu parameters, %llu training steps", app.net->param_count(), (unsigned long long)app.net->steps());
  const bool save = ImGui::Button("Save model file");
  mark("button:Save");
  if (save) {
    auto bytes = app.net->save();
    js_download(bytes.data(), (int)bytes.size(), "convlab-model.clmodel");
    app.message = "Saved convlab-model.clmodel (" + std::to_string(bytes.size()) + " bytes).";
  }
  ImGui::SameLine();
  if (ImGui::Button("Load model file…")) js_pick_model_file();
  mark("button:Load");
  ImGui::SameLine();
  if (ImGui::Button("Back to the default model")) {
    js_forget_model();
    EM_ASM({ window.convlabHost.loadDefaultModel(); });
  }
  ImGui::TextColored(kDim, "The last model is kept in this browser and restored on reload (after each epoch, pause or load).");
  ImGui::TextColored(kDim, "Model files are checked (size, version, shapes, checksum) before anything is used.");
}

void main_window() {
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  // No background: the frame's clear is one, and a full-screen blend less is a quarter of a
  // software GPU's frame.
  ImGui::Begin("ConvLab", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoBackground);
  ImGui::Text("ConvLab");
  ImGui::SameLine();
  ImGui::TextColored(kDim, "draw a digit, watch a CNN read it, train your own, look inside   |   model: %s   |   %s   |   %.0f fps",
                     app.model_source.empty() ? "loading…" : app.model_source.c_str(),
                     app.train ? "MNIST 8,000 / 2,000" : app.data_status.c_str(), io.Framerate);
  if (!app.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kRed);
    ImGui::TextWrapped("%s", app.error.c_str());
    ImGui::PopStyleColor();
  }
  if (!app.message.empty()) ImGui::TextWrapped("%s", app.message.c_str());
  const bool wide = io.DisplaySize.x >= 900;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float side = wide ? 300.0f : std::min(io.DisplaySize.x - 2 * ImGui::GetStyle().WindowPadding.x, 360.0f);
  auto left_column = [&] {
    draw_panel(side);
    input_preview(wide ? 4.0f : 3.0f);
    predict_panel();
  };
  if (wide) {
    ImGui::BeginChild("left", ImVec2(side + 2 * spacing, 0));
    left_column();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("right");
  } else {
    left_column();
  }
  if (ImGui::BeginTabBar("panels")) {
    struct Panel {
      const char* name;
      void (*draw)();
    };
    static const Panel panels[] = {{"Build", build_panel}, {"Train", train_panel}, {"Inspect", inspect_panel}, {"Keep", keep_panel}};
    for (const Panel& p : panels) {
      const bool open = ImGui::BeginTabItem(p.name);
      mark(std::string("tab:") + p.name);
      if (!open) continue;
      p.draw();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  if (wide) ImGui::EndChild();
  ImGui::End();
}

// ---- frame loop, hi-DPI, fonts ----

// The canvas fills the page; its backing store has devicePixelRatio pixels per CSS pixel and
// ImGui lays out in CSS pixels. (glfwSetWindowSize is avoided: Emscripten 3.1.6's GLFW asks for
// fullscreen whenever the size equals the screen's.)
void sync_canvas_size() {
  double w, h;
  emscripten_get_element_css_size("#canvas", &w, &h);
  const double dpr = emscripten_get_device_pixel_ratio();
  if (w == css_width && h == css_height && dpr == device_pixel_ratio) return;
  css_width = w, css_height = h;
  emscripten_set_canvas_element_size("#canvas", (int)std::lround(w * dpr), (int)std::lround(h * dpr));
  if (dpr == device_pixel_ratio) return;
  // A font atlas rasterised at the screen's density keeps text crisp.
  device_pixel_ratio = dpr;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;
  io.Fonts->AddFontFromMemoryTTF((void*)kUiFont, (int)sizeof kUiFont, (float)std::round(15.0 * dpr), &cfg, kUiGlyphRanges);
  // The big font shows the predicted digit only: 11 glyphs, no oversampling at this size (a small
  // atlas is a faster first frame).
  static const ImWchar kDigitGlyphs[] = {'0', '9', '?', '?', 0};
  ImFontConfig big_cfg = cfg;
  big_cfg.OversampleH = 1;
  big_font = io.Fonts->AddFontFromMemoryTTF((void*)kUiFont, (int)sizeof kUiFont, (float)std::round(72.0 * dpr),
                                            &big_cfg, kDigitGlyphs);
  io.FontGlobalScale = (float)(1.0 / dpr);
  ui_renderer_upload_fonts();
}

// Touch: Emscripten 3.1.6's GLFW presses the mouse button on touchstart but never moves the
// cursor (its calculateMouseEvent only reads SDL's event.touch), so fingers come through the
// html5 callbacks instead and GLFW's touch listeners are removed.
EM_BOOL on_touch(int type, const EmscriptenTouchEvent* e, void*) {
  const EmscriptenTouchPoint* point = nullptr;
  for (int i = 0; i < e->numTouches && !point; i++)
    if (e->touches[i].isChanged) point = &e->touches[i];
  if (!point) return EM_TRUE;
  // The backend polls glfwGetCursorPos (a stale mouse position) while it believes the cursor is
  // outside the window, which a finger never enters: tell it the cursor is in.
  if (type == EMSCRIPTEN_EVENT_TOUCHSTART) ImGui_ImplGlfw_CursorEnterCallback(window, GLFW_TRUE);
  ImGuiIO& io = ImGui::GetIO();
  io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
  io.AddMousePosEvent((float)point->targetX, (float)point->targetY);
  if (type == EMSCRIPTEN_EVENT_TOUCHSTART) io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
  if (type == EMSCRIPTEN_EVENT_TOUCHEND || type == EMSCRIPTEN_EVENT_TOUCHCANCEL)
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
  return EM_TRUE;  // no emulated mouse events, no page scrolling
}

void install_touch() {
  EM_ASM({
    const canvas = Module['canvas'];
    canvas.removeEventListener('touchmove', GLFW.onMousemove, true);
    canvas.removeEventListener('touchstart', GLFW.onMouseButtonDown, true);
    canvas.removeEventListener('touchcancel', GLFW.onMouseButtonUp, true);
    canvas.removeEventListener('touchend', GLFW.onMouseButtonUp, true);
  });
  emscripten_set_touchstart_callback("#canvas", nullptr, true, on_touch);
  emscripten_set_touchmove_callback("#canvas", nullptr, true, on_touch);
  emscripten_set_touchend_callback("#canvas", nullptr, true, on_touch);
  emscripten_set_touchcancel_callback("#canvas", nullptr, true, on_touch);
}

void cursor_pos_callback(GLFWwindow* w, double x, double y) {
  // Emscripten's GLFW reports backing-store pixels; ImGui works in CSS pixels.
  ImGui_ImplGlfw_CursorPosCallback(w, x / device_pixel_ratio, y / device_pixel_ratio);
}

void frame() {
  const double frame_start = now_ms();
  double training_ms = 0.0;
  app.widgets.clear();
  glfwPollEvents();
  sync_canvas_size();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2((float)css_width, (float)css_height);
  io.DisplayFramebufferScale = ImVec2((float)device_pixel_ratio, (float)device_pixel_ratio);
  ImGui::NewFrame();
  // ImGui's own Framerate averages 60 frames: too slow for the training budget to follow.
  app.frame_interval_ms = 0.9 * app.frame_interval_ms + 0.1 * 1000.0 * io.DeltaTime;
  if (app.net) {
    const double training_start = now_ms();
    update_training_and_evaluation();
    training_ms = now_ms() - training_start;
    update_input();
  }
  main_window();
  ImGui::Render();
  glViewport(0, 0, (int)(io.DisplaySize.x * device_pixel_ratio), (int)(io.DisplaySize.y * device_pixel_ratio));
  const ImVec4 background = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(background.x, background.y, background.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ui_renderer_draw(ImGui::GetDrawData());
  app.frame_work_ms = 0.9 * app.frame_work_ms + 0.1 * (now_ms() - frame_start - training_ms);
  app.frames++;
  if (!app.ready_reported && app.net && app.frames > 1) {
    app.ready_reported = true;
    js_set_ready();
  }
}

}  // namespace

// ---- called from index.html ----

extern "C" {

// Loads a model file; on failure the current model stays and the reason is shown. Returns 1 on success.
EMSCRIPTEN_KEEPALIVE int convlab_load_model(const uint8_t* bytes, int size, const char* source) {
  std::string error;
  try {
    auto net = std::make_unique<Network>(Network::load(bytes, (size_t)size));
    app.training.running = false;
    use_network(std::move(net), source);
    if (std::string(source) != "default") store_model();
    app.message = std::string("Loaded model: ") + source + ".";
    app.error.clear();
    return 1;
  } catch (const std::exception& e) {
    error = e.what();
  }
  app.error = std::string("Could not load ") + source + ": " + error + (app.net ? " — the current model is unchanged." : "");
  return 0;
}

// The packed MNIST asset (see scripts/pack_assets.mjs), already decompressed.
EMSCRIPTEN_KEEPALIVE void convlab_set_dataset(const uint8_t* bytes, int size) {
  try {
    auto u32 = [&](int at) {
      if (at + 4 > size) throw Error("MNIST asset is truncated");
      return (uint32_t)bytes[at] | (uint32_t)bytes[at + 1] << 8 | (uint32_t)bytes[at + 2] << 16 | (uint32_t)bytes[at + 3] << 24;
    };
    if (u32(0) != 4) throw Error("MNIST asset: expected 4 files");
    std::vector<IdxArray> files;
    size_t offset = 20;
    for (int k = 0; k < 4; k++) {
      size_t len = u32(4 + 4 * k);
      if (offset + len > (size_t)size) throw Error("MNIST asset is truncated");
      files.push_back(parse_idx(bytes + offset, len, "MNIST asset"));
      offset += len;
    }
    app.train = std::make_unique<Dataset>(make_dataset(files[0], files[1]));
    app.test = std::make_unique<Dataset>(make_dataset(files[2], files[3]));
    app.data_status = "MNIST loaded";
    start_evaluation();
  } catch (const std::exception& e) {
    app.data_status = std::string("MNIST could not be loaded: ") + e.what();
  }
}

EMSCRIPTEN_KEEPALIVE void convlab_dataset_failed(const char* why) { app.data_status = std::string("MNIST could not be loaded: ") + why; }

// The read-only test hook (window.convlab.state / prediction).
EMSCRIPTEN_KEEPALIVE const char* convlab_state_json() {
  static std::string text;
  const TrainState& t = app.training;
  nlohmann::json j;
  j["training"] = t.running;
  j["epoch"] = t.run ? t.run->epoch() : 0;
  j["examplesSeen"] = t.run ? t.run->examples_seen() : 0;
  j["trainLoss"] = t.loss_history.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.last_loss);
  j["testAccuracy"] = app.have_eval ? nlohmann::json(app.last_eval.accuracy()) : nlohmann::json(nullptr);
  j["testAccuracyEpoch"] = app.evaluated_epoch;  // epochs trained when testAccuracy was measured
  j["fps"] = ImGui::GetIO().Framerate;
  j["error"] = app.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(app.error);
  j["message"] = app.message;
  const auto pad = app.widgets.count("pad") ? app.widgets.at("pad") : std::array<float, 4>{};
  j["pad"] = {{"x", pad[0]}, {"y", pad[1]}, {"w", pad[2]}, {"h", pad[3]}};
  j["model"] = app.model_source;
  j["dataLoaded"] = app.train != nullptr;
  j["buildError"] = app.build.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(app.build.error);
  j["layers"] = app.build.info.size();
  j["examplesPerSecond"] = t.examples_per_s;
  nlohmann::json widgets = nlohmann::json::object();
  for (const auto& [name, r] : app.widgets) widgets[name] = {{"x", r[0]}, {"y", r[1]}, {"w", r[2]}, {"h", r[3]}};
  j["widgets"] = widgets;
  j["inputInk"] = std::accumulate(app.draw.input.begin(), app.draw.input.end(), 0.0);
  text = j.dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_prediction_json() {
  static std::string text;
  nlohmann::json j;
  j["digit"] = app.digit >= 0 ? nlohmann::json(app.digit) : nlohmann::json(nullptr);
  j["probs"] = app.draw.empty ? std::vector<float>(app.probs.size(), 0.0f) : app.probs;
  text = j.dump();
  return text.c_str();
}

}  // extern "C"

int main() {
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  window = glfwCreateWindow(1280, 800, "ConvLab", nullptr, nullptr);
  if (!window) return 1;
  glfwMakeContextCurrent(window);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().FrameRounding = 3.0f;
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  glfwSetCursorPosCallback(window, cursor_pos_callback);
  install_touch();
  ui_renderer_init();
  heatmap_init();
  device_pixel_ratio = 0;  // forces the first sync_canvas_size to build fonts for this screen
  sync_canvas_size();
  app.build.spec = parse_spec(kPresets[0].spec);
  app.build.info = analyze(app.build.spec);
  emscripten_set_main_loop(frame, 0, false);
  return 0;
}
