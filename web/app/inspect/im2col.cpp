// im2col on the first conv2d layer: the convolution as one matrix product Y = W·col + b, computed
// with the engine's im2col and GEMM and compared with the layer's own feature maps.
#include <algorithm>
#include <cmath>

#include "app.h"
#include "gemm.h"

namespace convlab {

void im2col_tab() {
  int layer = -1;
  for (size_t i = 0; i < app.net->spec().layers.size() && layer < 0; i++)
    if (app.net->spec().layers[i].type == LayerType::Conv2d) layer = (int)i;
  if (layer < 0) {
    ImGui::Text("This network has no conv2d layer.");
    return;
  }
  InspectState& in = app.inspect;
  const LayerSpec& l = app.net->spec().layers[layer];
  const Shape xs = layer == 0 ? app.net->spec().input : app.net->info()[layer - 1].out;
  const Shape ys = app.net->info()[layer].out;
  const int K = xs.c * l.kernel.h * l.kernel.w, P = ys.h * ys.w;
  const bool remake = in.im2col_version != app.draw.input_version;
  if (remake) {
    in.im2col_version = app.draw.input_version;
    const float* x = layer == 0 ? app.draw.in.input.data() : app.net->layer_output(layer - 1).ptr();
    in.im2col_col.assign((size_t)K * P, 0.0f);
    in.im2col_y.assign((size_t)l.filters * P, 0.0f);
    im2col(x, xs.c, xs.h, xs.w, l.conv(), ys.h, ys.w, in.im2col_col.data());
    const ParamView w = app.net->weights(layer), b = app.net->biases(layer);
    for (int o = 0; o < l.filters; o++) std::fill_n(in.im2col_y.begin() + (size_t)o * P, P, b.data[o]);
    GemmArgs mm;  // Y[C_out×P] = b + W[C_out×K] · col[K×P]
    mm.M = l.filters, mm.N = P, mm.K = K, mm.accumulate = true;
    mm.A = w.data, mm.lda = K, mm.B = in.im2col_col.data(), mm.ldb = P, mm.C = in.im2col_y.data(), mm.ldc = P;
    gemm(mm);
    const float* maps = app.net->layer_output(layer).ptr();
    in.im2col_max_diff = 0.0f;
    for (size_t k = 0; k < in.im2col_y.size(); k++)
      in.im2col_max_diff = std::max(in.im2col_max_diff, std::fabs(in.im2col_y[k] - maps[k]));
  }
  ImGui::TextWrapped("Layer %d: each column of col is one %d×%d×%d patch of the input (zeros where it hangs over the padding); "
                     "each row of W is one filter. Their product W·col (%d×%d · %d×%d) plus the bias is the convolution, "
                     "a row per output channel: reshape a row to %d×%d to get its feature map.",
                     layer + 1, xs.c, l.kernel.h, l.kernel.w, l.filters, K, K, P, ys.h, ys.w);
  ImGui::Text("largest |W·col + b − feature map| = %.2g", in.im2col_max_diff);
  const float width = std::max(200.0f, ImGui::GetContentRegionAvail().x);
  const ParamView w = app.net->weights(layer);
  Heatmap& hw = heatmap("im2col_w");
  Heatmap& hc = heatmap("im2col_col");
  Heatmap& hy = heatmap("im2col_y");
  if (remake || hw.rows() == 0) {
    hw.update(w.data, l.filters, K, Colormap::Diverging, max_abs(w.data, (size_t)l.filters * K), 8);
    hc.update(in.im2col_col.data(), K, P, Colormap::Gray, 1.0f, 1);
    hy.update(in.im2col_y.data(), l.filters, P, Colormap::Diverging, max_abs(in.im2col_y.data(), in.im2col_y.size()), 1);
  }
  ImGui::Text("W (%d×%d)", l.filters, K);
  ImGui::Image(hw.texture(), hw.size());
  ImGui::Text("col (%d×%d), stretched to fit", K, P);
  ImGui::Image(hc.texture(), ImVec2(width, (float)std::min(K * 4, 200)));
  ImGui::Text("W·col + b (%d×%d)", l.filters, P);
  ImGui::Image(hy.texture(), ImVec2(width, (float)l.filters * 8));
}

}  // namespace convlab
