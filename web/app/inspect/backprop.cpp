// Backprop (docs/math.md §6): one backward pass of L = −log p(label) for the drawing, with the label
// the user picks, seen at one layer: ∂L/∂Y, ∂L/∂X, ∂L/∂W, ∂L/∂b; for a convolution ∂L/∂X also the
// notes' way (a full convolution with the flipped kernels) beside the engine's; for max pooling the
// winners the gradient goes to. Nothing here changes the weights.
#include <algorithm>
#include <cmath>

#include "app.h"
#include "explain.h"

namespace convlab {

namespace {

// A C×H×W tensor as maps side by side (8 to a row), or a flat vector as one row.
void tensor_image(const char* key, const char* title, const std::vector<float>& v, const Shape& s, float scale) {
  Heatmap& h = heatmap(key);
  BackpropState& b = app.inspect.backprop;
  if (b.remake || h.rows() == 0) {
    int rows = 1, cols = (int)v.size();
    std::vector<float> atlas;
    if (s.h == 1 && s.w == 1) atlas = v;
    else atlas = make_atlas(v.data(), s.c, s.h, s.w, std::min(s.c, 8), &rows, &cols);
    const int cell = std::max(1, std::min(6, 300 / std::max(1, cols)));
    h.update(atlas.data(), rows, cols, Colormap::Diverging, scale, cell);
  }
  ImGui::BeginGroup();
  hint("%s", title);
  ImGui::Image(h.texture(), h.size());
  mark(std::string("backprop:") + key);
  legend(key, h, "", std::min(160.0f, h.size().x));
  ImGui::EndGroup();
}

float scale_of(const std::vector<float>& v) { return std::max(1e-12f, max_abs(v.data(), v.size())); }

}  // namespace

void backprop_tab() {
  BackpropState& b = app.inspect.backprop;
  if (app.digit < 0) {
    ImGui::Text("Draw a digit: its backward pass is shown here, for a label you pick.");
    return;
  }
  const auto& info = app.net->info();
  const int C = app.net->classes();
  ImGui::TextWrapped("One backward pass of L = −log p(label) for your drawing, at one layer. Nothing here changes the "
                     "weights.");
  int label = b.label >= 0 && b.label < C ? b.label : app.digit;
  ImGui::SetNextItemWidth(90);
  if (ImGui::InputInt("label", &label, 1, 100, kIntegerChars)) b.label = std::clamp(label, 0, C - 1);
  mark("backprop:label");
  label = b.label >= 0 && b.label < C ? b.label : app.digit;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(200);
  b.layer = std::clamp(b.layer, 0, (int)info.size() - 1);
  const std::string current = std::to_string(b.layer + 1) + ". " + layer_type_name(app.net->spec().layers[b.layer].type);
  if (ImGui::BeginCombo("layer", current.c_str())) {
    for (int i = 0; i < (int)info.size(); i++) {
      const std::string name = std::to_string(i + 1) + ". " + layer_type_name(app.net->spec().layers[i].type);
      if (ImGui::Selectable(name.c_str(), i == b.layer)) b.layer = i;
      mark("backprop:layer:" + std::to_string(i));
    }
    ImGui::EndCombo();
  }
  mark("backprop:layer");
  const std::array<int, 2> key{label, b.layer};
  if (key != b.made_for || b.version != app.draw.input_version) {
    try {
      b.views = backward_views(*app.net, app.draw.in.input.data(), label, (size_t)b.layer);
      b.ok = true;
      app.net->predict(app.draw.in.input.data(), 1, app.probs.data());  // the drawing's activations again
    } catch (const std::exception& e) {
      app.error = std::string("Backprop failed: ") + e.what();
      b.ok = false;
    }
    b.made_for = key, b.version = app.draw.input_version, b.remake = true;
  }
  if (!b.ok) return;
  const BackwardViews& v = b.views;
  ImGui::Text("L = −log p(%d) = %.5f  (p = %.2f%%);  ∂L/∂scores = p − onehot(%d)", label, v.loss, 100.0 * std::exp(-v.loss),
              label);
  const LayerSpec& l = app.net->spec().layers[b.layer];
  tensor_image("dy", "∂L/∂Y (this layer's output)", v.dy, v.out, scale_of(v.dy));
  ImGui::SameLine();
  tensor_image("dx", "∂L/∂X (its input), the engine's", v.dx, v.in, scale_of(v.dx));
  if (!v.dx_notes.empty()) {
    ImGui::SameLine();
    tensor_image("dx_notes", "∂L/∂X the notes' way", v.dx_notes, v.in, scale_of(v.dx));
    ImGui::TextWrapped("The notes' way: ∂L/∂X = the full convolution of ∂L/∂Y — dilated by the stride %d, padded by "
                       "K_eff − 1 − p — with each kernel flipped. Largest |difference| from the engine's: %.2g.",
                       l.stride.h, v.dx_max_diff);
  }
  if (!v.winners.empty())
    ImGui::TextWrapped("Max pooling routes each output's gradient to the first largest cell of its window, nothing to the "
                       "others: ∂L/∂X is zero except at the %zu winners.", v.winners.size());
  if (!v.dw.empty()) {
    Shape ws{1, (int)(v.dw.size() / std::max<size_t>(1, (size_t)l.kernel.h * l.kernel.w)), l.kernel.h, l.kernel.w};
    if (l.type == LayerType::Dense) ws = Shape{1, 1, (int)v.db.size(), (int)(v.dw.size() / std::max<size_t>(1, v.db.size()))};
    tensor_image("dw", l.type == LayerType::Dense ? "∂L/∂W (a row per unit)" : "∂L/∂W (a kernel per filter and input channel)",
                 v.dw, ws, scale_of(v.dw));
    std::string db;
    for (size_t k = 0; k < v.db.size() && k < 16; k++) {
      char t[24];
      std::snprintf(t, sizeof t, "%s%.4f", k ? "  " : "", v.db[k]);
      db += t;
    }
    ImGui::Text("∂L/∂b = Σ over positions of ∂L/∂Y: %s%s", db.c_str(), v.db.size() > 16 ? " …" : "");
  }
  b.remake = false;
}

}  // namespace convlab
