// Explain: one unit's value computed in front of the reader, with the numbers of the user's own
// drawing (engine/explain.h): the input patch of every channel (padding as zeros, dilation in the
// tap coordinates), the kernel, the products, the per-channel sums, the bias, the activation; a
// pooling window and its rule; a dense unit's largest contributions. Click a unit in Feature maps.
#include <algorithm>
#include <cmath>

#include "app.h"
#include "preprocess.h"

namespace convlab {

namespace {

const ImVec4 kPadding(0.45f, 0.45f, 0.5f, 1.0f), kWinner(1.0f, 0.8f, 0.3f, 1.0f);

// A grid of numbers, one cell per tap; padding taps dim, `strong` (a winner) highlighted.
void number_grid(const char* id, const float* v, const UnitExplanation& e, int h, int w, int strong = -1) {
  if (!ImGui::BeginTable(id, e.kw, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX)) return;
  for (int a = 0; a < e.kh; a++) {
    ImGui::TableNextRow();
    for (int b = 0; b < e.kw; b++) {
      ImGui::TableSetColumnIndex(b);
      const int t = a * e.kw + b;
      if (w > 0 && !e.tap_inside(t, h, w)) ImGui::TextColored(kPadding, "  pad");
      else if (t == strong) ImGui::TextColored(kWinner, "%5.2f", v[t]);
      else ImGui::Text("%5.2f", v[t]);
    }
  }
  ImGui::EndTable();
}

const char* next_activation(size_t layer) {
  const auto& layers = app.net->spec().layers;
  if (layer + 1 >= layers.size()) return nullptr;
  switch (layers[layer + 1].type) {
    case LayerType::Relu: return "relu: max(0, v)";
    case LayerType::LeakyRelu: return "leaky relu: v > 0 ? v : α·v";
    case LayerType::Sigmoid: return "sigmoid: 1/(1 + e^−v)";
    case LayerType::Tanh: return "tanh(v)";
    default: return nullptr;
  }
}

void explain_convolution(const UnitExplanation& e, const Shape& in) {
  const LayerSpec& l = app.net->spec().layers[e.layer];
  InspectState& s = app.inspect;
  ImGui::Text("v = Σ_c Σ_a Σ_b x[c, %d·%d − %d + a·%d, %d·%d − %d + b·%d] · w[%d, c, a, b] + b[%d]", e.y, l.stride.h,
              l.padding.h, l.dilation.h, e.x, l.stride.w, l.padding.w, l.dilation.w, e.channel, e.channel);
  if (e.type != LayerType::Conv2d)
    hint("%s: this position uses kernel set %d of %d (docs/math.md §3)",
                       e.type == LayerType::TiledConv2d ? "tiled" : "locally connected", e.weight_set,
                       unshared_of(l).sets(app.net->info()[e.layer].out.h, app.net->info()[e.layer].out.w));
  ImGui::Checkbox("convolution: flip the kernel (the notes' §1: a true convolution flips it; CNNs compute the cross-correlation)",
                  &s.explain_flipped);
  mark("explain:flip");
  const int taps = e.kh * e.kw;
  std::vector<float> kernel(taps), products(taps);
  const int shown = std::min(e.in_channels, 16);
  for (int c = 0; c < shown; c++) {
    for (int t = 0; t < taps; t++) {
      kernel[t] = e.kernel[(size_t)c * taps + (s.explain_flipped ? taps - 1 - t : t)];
      products[t] = e.patch[(size_t)c * taps + t] * kernel[t];
    }
    double flipped_sum = 0;
    for (int t = 0; t < taps; t++) flipped_sum += products[t];
    ImGui::PushID(c);
    if (ImGui::TreeNodeEx("channel", c == 0 ? ImGuiTreeNodeFlags_DefaultOpen : 0, "input channel %d: Σ x·w = %.4f", c,
                          s.explain_flipped ? flipped_sum : e.channel_sums[c])) {
      ImGui::BeginGroup();
      hint("input patch x");
      number_grid("patch", e.patch.data() + (size_t)c * taps, e, in.h, in.w);
      ImGui::EndGroup();
      ImGui::SameLine();
      ImGui::BeginGroup();
      hint(s.explain_flipped ? "kernel w, flipped" : "kernel w");
      number_grid("kernel", kernel.data(), e, 0, 0);
      ImGui::EndGroup();
      ImGui::SameLine();
      ImGui::BeginGroup();
      hint("x·w");
      number_grid("products", products.data(), e, in.h, in.w);
      ImGui::EndGroup();
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  if (shown < e.in_channels) hint("… and %d more input channels", e.in_channels - shown);
  double sums = 0;
  for (float v : e.channel_sums) sums += v;
  const float value = s.explain_flipped ? e.flipped_value : e.value;
  ImGui::Text("Σ over %d channel%s = %.5f;  + bias %.5f  =  v = %.5f", e.in_channels, e.in_channels == 1 ? "" : "s",
              s.explain_flipped ? e.flipped_value - e.bias : (float)sums, e.bias, value);
  if (s.explain_flipped)
    hint("With the kernel flipped the unit would be %.5f instead of %.5f: the network learned its kernels "
                       "for cross-correlation.", e.flipped_value, e.value);
}

void explain_pool(const UnitExplanation& e, const Shape& in) {
  const int taps = e.kh * e.kw;
  switch (e.type) {
    case LayerType::MaxPool:
      ImGui::Text("v = max over the %d real cells of the window (padding cells are not zeros: they are left out)", e.counted);
      break;
    case LayerType::AvgPool: ImGui::Text("v = Σ x / %d  (the real cells only)", e.counted); break;
    case LayerType::L2Pool: ImGui::Text("v = √(Σ x²) over the %d real cells", e.counted); break;
    default: ImGui::Text("v = Σ wt·x / Σ wt: Gaussian weights, σ = (size−1)/2, renormalised over the real cells"); break;
  }
  ImGui::BeginGroup();
  hint("window on channel %d", e.channel);
  number_grid("window", e.patch.data(), e, in.h, in.w, e.winner);
  ImGui::EndGroup();
  if (e.type == LayerType::WAvgPool) {
    ImGui::SameLine();
    ImGui::BeginGroup();
    hint("weights wt");
    number_grid("weights", e.window_weights.data(), e, in.h, in.w);
    ImGui::EndGroup();
  }
  if (e.type == LayerType::MaxPool && e.winner >= 0)
    ImGui::Text("the largest is %.5f at input (%d, %d), the first in row order among equals: where its gradient goes in backpropagation",
                e.patch[e.winner], e.tap_y[e.winner], e.tap_x[e.winner]);
  else if (e.type == LayerType::L2Pool) {
    double sq = 0;
    for (int t = 0; t < taps; t++) sq += (double)e.patch[t] * e.patch[t];
    ImGui::Text("Σ x² = %.5f, v = √%.5f = %.5f", sq, sq, e.value);
  } else {
    ImGui::Text("v = %.5f", e.value);
  }
}

void explain_dense(const UnitExplanation& e, const Shape& in) {
  ImGui::Text("v = Σ_i w[%d, i]·x[i] + b[%d] over the %zu inputs (flattened C·H·W)", e.channel, e.channel, in.per_example());
  if (ImGui::BeginTable("contributions", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX)) {
    for (const char* h : {"input i", "(c, y, x)", "w", "x", "w·x"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t k = 0; k < e.top_index.size(); k++) {
      const int i = e.top_index[k], plane = in.h * in.w;
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0), ImGui::Text("%d", i);
      ImGui::TableSetColumnIndex(1), ImGui::Text("(%d, %d, %d)", i / plane, i % plane / in.w, i % in.w);
      ImGui::TableSetColumnIndex(2), ImGui::Text("%.4f", e.top_weight[k]);
      ImGui::TableSetColumnIndex(3), ImGui::Text("%.4f", e.top_input[k]);
      ImGui::TableSetColumnIndex(4), ImGui::Text("%.4f", e.top_weight[k] * e.top_input[k]);
    }
    ImGui::EndTable();
  }
  ImGui::Text("the %zu largest |w·x| above; the other %zu sum to %.5f;  + bias %.5f  =  v = %.5f", e.top_index.size(),
              in.per_example() - e.top_index.size(), e.rest, e.bias, e.value);
}

}  // namespace

void select_unit(int layer, int channel, int y, int x) {
  InspectState& s = app.inspect;
  s.selected_layer = layer, s.selected_channel = channel, s.selected_y = y, s.selected_x = x;
  s.open_explain = true;
}

// The explanation of the selected unit for the current drawing and model, made when either changes.
const UnitExplanation* selected_explanation() {
  InspectState& s = app.inspect;
  if (s.selected_layer < 0 || !app.net || s.selected_layer >= (int)app.net->info().size()) return nullptr;
  const Shape out = app.net->info()[s.selected_layer].out;
  s.selected_channel = std::clamp(s.selected_channel, 0, out.c - 1);
  s.selected_y = std::clamp(s.selected_y, 0, out.h - 1);
  s.selected_x = std::clamp(s.selected_x, 0, out.w - 1);
  const std::array<int, 4> key{s.selected_layer, s.selected_channel, s.selected_y, s.selected_x};
  if (s.explain_version != app.draw.input_version || key != s.explained_unit) {
    try {
      // the drawing's activations: another view may have run its own forward pass since
      app.net->predict(app.draw.in.input.data(), 1, app.probs.data());
      s.explanation = explain_unit(*app.net, (size_t)key[0], key[1], key[2], key[3]);
      s.explanation_ok = true;
    } catch (const std::exception& e) {
      app.error = std::string("Cannot explain this unit: ") + e.what();
      s.explanation_ok = false;
    }
    s.explain_version = app.draw.input_version, s.explained_unit = key;
  }
  return s.explanation_ok ? &s.explanation : nullptr;
}

const std::vector<uint8_t>& shown_receptive_field() {
  InspectState& s = app.inspect;
  static const std::vector<uint8_t> none;
  std::array<int, 4> unit{-1, 0, 0, 0};
  if (s.hover_layer >= 0) unit = {s.hover_layer, s.hover_unit_c, s.hover_unit_y, s.hover_unit_x};
  else if (selected_explanation()) unit = {s.selected_layer, s.selected_channel, s.selected_y, s.selected_x};
  if (unit[0] < 0 || !app.net || unit[0] >= (int)app.net->info().size() || app.net->spec().input.h != kDigitSide ||
      app.net->spec().input.w != kDigitSide)
    return none;
  if (unit != s.rf_unit || s.rf_model != app.model_version) {
    s.rf_mask = receptive_field_mask(app.net->spec(), app.net->info(), (size_t)unit[0], unit[1], unit[2], unit[3]);
    s.rf_unit = unit, s.rf_model = app.model_version;
  }
  return s.rf_mask;
}

void explain_tab() {
  InspectState& s = app.inspect;
  const UnitExplanation* e = selected_explanation();
  if (!e) {
    ImGui::TextWrapped("Click a unit of any feature map (Feature maps tab) to see its value computed here, step by step, "
                       "with the numbers of your drawing.");
    return;
  }
  const auto& info = app.net->info();
  const Shape in = e->layer == 0 ? app.net->spec().input : info[e->layer - 1].out;
  const Shape out = info[e->layer].out;
  if (out.h == 1 && out.w == 1)
    ImGui::Text("layer %zu (%s), unit %d of %d", e->layer + 1, layer_type_name(e->type), e->channel, out.c);
  else
    ImGui::Text("layer %zu (%s), channel %d, unit (%d, %d) of %d×%d", e->layer + 1, layer_type_name(e->type), e->channel,
                e->y, e->x, out.h, out.w);
  ImGui::SameLine();
  if (ImGui::SmallButton("close (Esc)")) s.selected_layer = -1;
  hint("Arrow keys move the unit, Esc closes (? lists every key). Its receptive field is shaded on "
                           "the 28×28 input.");
  {
    const LayerInfo& f = info[e->layer];
    ImGui::Text("receptive field: %s; unit (%d, %d) starts at input (%d, %d) = start + (y, x)·J",
                receptive_field_text(app.net->spec().layers[e->layer], in, e->layer ? &info[e->layer - 1] : nullptr, f,
                                     app.net->spec().input).c_str(),
                e->y, e->x, f.rf_start.h + e->y * f.jump.h, f.rf_start.w + e->x * f.jump.w);
  }
  switch (e->type) {
    case LayerType::Conv2d:
    case LayerType::TiledConv2d:
    case LayerType::Local2d: explain_convolution(*e, in); break;
    case LayerType::MaxPool:
    case LayerType::AvgPool:
    case LayerType::WAvgPool:
    case LayerType::L2Pool: explain_pool(*e, in); break;
    case LayerType::Dense: explain_dense(*e, in); break;
    case LayerType::GlobalAvgPool:
      ImGui::Text("v = mean of channel %d's %d×%d map = %.5f", e->channel, in.h, in.w, e->value);
      break;
    default: ImGui::Text("v = f(%.5f) = %.5f", e->input, e->value); break;
  }
  const bool summed = e->type == LayerType::Conv2d || e->type == LayerType::TiledConv2d ||
                      e->type == LayerType::Local2d || e->type == LayerType::Dense;
  ImGui::Text("the engine's forward pass gave %.5f; computed here %.5f (|difference| %.2g%s)", e->engine_value, e->value,
              std::fabs(e->engine_value - e->value), summed ? ": the engine's GEMM sums in another order" : "");
  if (const char* act = next_activation(e->layer)) {
    const float after = app.net->layer_output(e->layer + 1).ptr()[((size_t)e->channel * out.h + e->y) * out.w + e->x];
    ImGui::Text("then layer %zu, %s: %.5f → %.5f", e->layer + 2, act, e->engine_value, after);
  }
  s.explain_visible = true;  // Esc and the arrows apply (keymap.cpp)
}

}  // namespace convlab
