// Activation statistics of each layer for the current drawing.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "app.h"

namespace convlab {

void histograms_tab() {
  hint("Activation statistics of each layer for the current drawing.");
  InspectState& in = app.inspect;
  const size_t layers = app.net->info().size();
  if (in.histograms_version != app.draw.input_version || in.histogram_bins.size() != layers) {
    in.histograms_version = app.draw.input_version;
    in.histogram_bins.assign(layers, {});
    in.histogram_labels.assign(layers, "");
    for (size_t i = 0; i < layers; i++) {
      const Tensor& t = app.net->layer_output(i);
      const size_t n = app.net->info()[i].out.per_example();
      if (t.shape.n < 1) continue;
      const float* v = t.ptr();
      const float lo = *std::min_element(v, v + n), hi = *std::max_element(v, v + n);
      double mean = 0, sq = 0;
      size_t zeros = 0;
      for (size_t k = 0; k < n; k++) mean += v[k], sq += (double)v[k] * v[k], zeros += v[k] == 0.0f;
      mean /= n;
      const double sd = std::sqrt(std::max(0.0, sq / n - mean * mean));
      auto& bins = in.histogram_bins[i];
      for (size_t k = 0; k < n; k++) bins[std::min(29, (int)(30 * (v[k] - lo) / std::max(1e-9f, hi - lo)))]++;
      char label[160];
      std::snprintf(label, sizeof label, "%zu. %s  mean %.3f  sd %.3f  min %.3f  max %.3f  zeros %.0f%%", i + 1,
                    layer_type_name(app.net->spec().layers[i].type), mean, sd, lo, hi, 100.0 * zeros / n);
      in.histogram_labels[i] = label;
    }
  }
  for (size_t i = 0; i < layers; i++) {
    ImGui::TextUnformatted(in.histogram_labels[i].c_str());
    ImGui::PushID((int)i);
    ImGui::PlotHistogram("##h", in.histogram_bins[i].data(), 30, 0, nullptr, 0.0f, FLT_MAX, ImVec2(-1, 50));
    ImGui::PopID();
  }
}

}  // namespace convlab
