// Kernels of each convolutional layer as images (diverging colours, the layer's largest |weight|).
#include <algorithm>

#include "app.h"

namespace convlab {

void filters_tab() {
  ImGui::TextColored(kDim, "Kernels of each convolutional layer: a row per output channel, a column per input channel.");
  ImGui::TextColored(kDim, "Blue negative, white zero, red positive (scale: the layer's largest |weight|).");
  InspectState& in = app.inspect;
  const bool remake = in.filters_version != app.model_version;
  in.filters_version = app.model_version;
  bool any = false;
  for (size_t i = 0; i < app.net->spec().layers.size(); i++) {
    const LayerSpec& l = app.net->spec().layers[i];
    const LayerKind& kind = layer_kind(l.type);
    const bool has_kernels = kind.has_weights && std::any_of(kind.settings.begin(), kind.settings.end(),
                                                             [](const SettingDef& s) { return s.setting == Setting::Kernel; });
    if (!has_kernels) continue;
    any = true;
    const int c_in = i == 0 ? app.net->spec().input.c : app.net->info()[i - 1].out.c;
    const int kh = l.kernel.h, kw = l.kernel.w, planes = l.filters * c_in;
    Heatmap& h = heatmap("filters" + std::to_string(i));
    if (remake || h.rows() == 0) {
      ParamView w = app.net->weights(i);  // the first kernel set: tiled/local layers have more
      int rows, cols;
      // one input channel: the filters side by side; else a row per filter, a column per channel
      auto atlas = make_atlas(w.data, planes, kh, kw, c_in == 1 ? std::min(planes, 16) : c_in, &rows, &cols);
      const int cell = std::max(2, std::min(12, 420 / std::max(1, cols)));
      h.update(atlas.data(), rows, cols, Colormap::Diverging, max_abs(w.data, (size_t)planes * kh * kw), cell);
    }
    ImGui::Text("%zu. %s: %d filters of %d×%d×%d%s", i + 1, layer_type_name(l.type), l.filters, c_in, kh, kw,
                l.type == LayerType::Conv2d ? "" : " (first kernel set shown)");
    ImGui::Image(h.texture(), h.size());
    mark("filters:" + std::to_string(i));
  }
  if (!any) ImGui::Text("This network has no convolutional layer.");
}

}  // namespace convlab
