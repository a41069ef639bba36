// Pooling side by side (docs/math.md §5): the four kinds — max, average, weighted average, L2 —
// applied by the engine's own pooling kernel to one feature map of the drawing (the explained unit's
// layer and channel, else the first map the network pools), with the weighted average's window.
#include <algorithm>
#include <cmath>

#include "app.h"
#include "pool.h"

namespace convlab {

void pooling_tab() {
  InspectState& in = app.inspect;
  PoolingState& p = in.pooling;
  const auto& info = app.net->info();
  // the map: the explained unit's layer and channel, else the first layer with a spatial output
  int layer = in.selected_layer;
  if (layer < 0 || info[layer].out.h < 2) {
    // what the network itself pools first (after its activation), else the first layer
    const auto& layers = app.net->spec().layers;
    layer = 0;
    for (size_t i = 1; i < layers.size(); i++)
      if (layers[i].type == LayerType::MaxPool || layers[i].type == LayerType::AvgPool ||
          layers[i].type == LayerType::WAvgPool || layers[i].type == LayerType::L2Pool) {
        layer = (int)i - 1;
        break;
      }
  }
  if (info[layer].out.h < 2 || info[layer].out.w < 2) {
    ImGui::Text("This network's first layer has no map to pool.");
    return;
  }
  const Shape out = info[layer].out;
  const int channel = std::clamp(layer == in.selected_layer ? in.selected_channel : 0, 0, out.c - 1);
  ImGui::TextWrapped("Layer %d's map %d (%d×%d) for your drawing, pooled four ways by the engine's kernel. Click a unit "
                     "in Feature maps to pool its map instead.", layer + 1, channel, out.h, out.w);
  bool changed = false;
  ImGui::SetNextItemWidth(120);
  changed |= ImGui::SliderInt("window", &p.size, 2, 5);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  changed |= ImGui::SliderInt("stride", &p.stride, 1, 5);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  changed |= ImGui::SliderInt("padding", &p.padding, 0, p.size - 1);
  p.padding = std::min(p.padding, p.size - 1);
  const std::array<int, 5> key{layer, channel, p.size, p.stride, p.padding};
  if (changed || key != p.made_for || p.version != app.draw.input_version) {
    try {
      app.net->predict(app.draw.in.input.data(), 1, app.probs.data());  // the drawing's activations
      const float* map = app.net->layer_output(layer).ptr() + (size_t)channel * out.h * out.w;
      p.map.assign(map, map + (size_t)out.h * out.w);
      const PoolGeometry g{{p.size, p.size}, {p.stride, p.stride}, {p.padding, p.padding}};
      const Shape one{1, 1, out.h, out.w};
      p.out = pool2d_output_shape(one, g);
      static const PoolKind kKinds[] = {PoolKind::Max, PoolKind::Avg, PoolKind::WeightedAvg, PoolKind::L2};
      for (int k = 0; k < 4; k++) {
        p.results[k].assign(p.out.per_example(), 0.0f);
        if (p.out.h > 0 && p.out.w > 0) pool2d_forward(kKinds[k], p.map.data(), one, g, p.results[k].data());
      }
      p.weights.resize((size_t)p.size * p.size);
      float sum = 0;
      for (int a = 0; a < p.size; a++)
        for (int b = 0; b < p.size; b++) sum += p.weights[(size_t)a * p.size + b] = wavg_pool_weight(g, a, b);
      for (float& w : p.weights) w /= sum;
    } catch (const std::exception& e) {
      app.error = std::string("Pooling failed: ") + e.what();
      return;
    }
    p.made_for = key, p.version = app.draw.input_version;
    p.remake = true;
  }
  if (p.out.h <= 0 || p.out.w <= 0) {
    ImGui::TextColored(kRed, "This window does not fit the %d×%d map.", out.h, out.w);
    return;
  }
  const float scale = std::max(1e-6f, max_abs(p.map.data(), p.map.size()));
  const int cell = std::max(2, std::min(8, 140 / std::max(out.h, out.w)));
  static const char* const kNames[] = {"max", "average", "weighted average", "L2: √Σx²"};
  auto show = [&](const char* key, const char* title, const std::vector<float>& v, int rows, int cols, float s) {
    Heatmap& h = heatmap(key);
    if (p.remake || h.rows() == 0) h.update(v.data(), rows, cols, Colormap::Sequential, s, cell * out.h / std::max(1, rows));
    ImGui::BeginGroup();
    hint("%s", title);
    ImGui::Image(h.texture(), h.size());
    mark(std::string("pooling:") + key);
    legend(key, h, "", std::max(40.0f, h.size().x - 60));
    ImGui::EndGroup();
  };
  show("pool_map", "the map", p.map, out.h, out.w, scale);
  for (int k = 0; k < 4; k++) {
    ImGui::SameLine();
    // L2 grows with the window: its own scale
    const float s = k == 3 ? std::max(1e-6f, max_abs(p.results[k].data(), p.results[k].size())) : scale;
    show(std::string("pool_" + std::to_string(k)).c_str(), kNames[k], p.results[k], p.out.h, p.out.w, s);
  }
  p.remake = false;
  ImGui::Text("%d×%d → %d×%d. Padding cells are left out, not zeros: max ignores them, the averages divide by the "
              "real cells, L2 sums only real cells.", out.h, out.w, p.out.h, p.out.w);
  hint("the weighted average's window (Gaussian, σ = (size−1)/2, renormalised over the real cells):");
  if (ImGui::BeginTable("wavg", p.size, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX)) {
    for (int a = 0; a < p.size; a++) {
      ImGui::TableNextRow();
      for (int b = 0; b < p.size; b++) {
        ImGui::TableSetColumnIndex(b);
        ImGui::Text("%.3f", p.weights[(size_t)a * p.size + b]);
      }
    }
    ImGui::EndTable();
  }
}

}  // namespace convlab
