// Kernels of each convolutional layer as images (diverging colours, the layer's largest |weight|).
#include <algorithm>

#include "app.h"

namespace convlab {

void filters_tab() {
  hint("Kernels of each convolutional layer: a row per output channel, a column per input channel; "
                           "its biases below.");
  hint("Blue negative, white zero, red positive (scale: the layer's largest |weight|).");
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
    const Shape out = app.net->info()[i].out;
    // Tiled and locally connected layers have a kernel set per tile or per output position (§3).
    const bool unshared = l.type != LayerType::Conv2d;
    const int sets = unshared ? unshared_of(l).sets(out.h, out.w) : 1;
    int& set = in.filter_sets[i];
    set = std::clamp(set, 0, sets - 1);
    ImGui::Text("%zu. %s: %d filters of %d×%d×%d%s", i + 1, layer_type_name(l.type), l.filters, c_in, kh, kw,
                sets > 1 ? (", " + std::to_string(sets) + " kernel sets").c_str() : "");
    bool set_changed = false;
    if (sets > 1) {
      ImGui::SetNextItemWidth(240);
      set_changed = ImGui::SliderInt(("kernel set##" + std::to_string(i)).c_str(), &set, 0, sets - 1);
      mark("filters:set:" + std::to_string(i));
      ImGui::SameLine();
      if (l.type == LayerType::TiledConv2d)
        hint("used at outputs (y, x) with y mod %d = %d, x mod %d = %d", l.tiles, set / l.tiles,
                           l.tiles, set % l.tiles);
      else
        hint("used at output (%d, %d) only", set / out.w, set % out.w);
    }
    Heatmap& h = heatmap("filters" + std::to_string(i));
    const size_t set_size = (size_t)planes * kh * kw;
    if (remake || set_changed || h.rows() == 0) {
      ParamView w = app.net->weights(i);
      int rows, cols;
      // one input channel: the filters side by side; else a row per filter, a column per channel
      auto atlas = make_atlas(w.data + (size_t)set * set_size, planes, kh, kw, c_in == 1 ? std::min(planes, 16) : c_in,
                              &rows, &cols);
      const int cell = std::max(2, std::min(12, 420 / std::max(1, cols)));
      // one scale for every set of the layer, so that sets compare
      h.update(atlas.data(), rows, cols, Colormap::Diverging, max_abs(w.data, w.count), cell);
    }
    ImGui::Image(h.texture(), h.size());
    mark("filters:" + std::to_string(i));
    legend("filters" + std::to_string(i), h, "weight");
    // the biases, one per filter (per filter and position for locally connected layers)
    ParamView b = app.net->biases(i);
    const bool per_position = unshared_of(l).bias_per_position && l.type == LayerType::Local2d;
    std::string biases;
    for (int f = 0; f < l.filters && f < 32; f++) {
      char v[24];
      std::snprintf(v, sizeof v, "%s%.3f", f ? "  " : "", b.data[per_position ? (size_t)f * out.h * out.w + set : (size_t)f]);
      biases += v;
    }
    hint("biases%s: %s%s", per_position ? " at this position" : "", biases.c_str(),
                       l.filters > 32 ? " …" : "");
  }
  if (!any) ImGui::Text("This network has no convolutional layer.");
}

}  // namespace convlab
