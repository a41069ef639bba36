// im2col on the first conv2d layer: the convolution as one matrix product Y = W·col + b, computed
// with the engine's im2col and GEMM and compared with the layer's own feature maps.
#include <algorithm>
#include <cmath>

#include "app.h"
#include "gemm.h"

namespace convlab {

namespace {

// A small matrix of numbers as a table.
void matrix(const char* id, const float* v, int rows, int cols, const char* format = "%g") {
  if (!ImGui::BeginTable(id, cols, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX))
    return;
  for (int r = 0; r < rows; r++) {
    ImGui::TableNextRow();
    for (int c = 0; c < cols; c++) {
      ImGui::TableSetColumnIndex(c);
      ImGui::Text(format, v[(size_t)r * cols + c]);
    }
  }
  ImGui::EndTable();
}

void titled(const char* title, const char* id, const float* v, int rows, int cols, const char* format = "%g") {
  ImGui::BeginGroup();
  hint("%s", title);
  matrix(id, v, rows, cols, format);
  ImGui::EndGroup();
}

}  // namespace

Im2colExample im2col_example() {
  Im2colExample e;
  // I_rc = 10·r + c, so that every entry names its place as the notes write it (I11 … I44)
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++) e.input[r * 4 + c] = (float)(10 * (r + 1) + c + 1);
  e.kernel = {1.0f, -1.0f, 2.0f, 0.5f};
  ConvGeometry g;
  g.kernel = {2, 2}, g.stride = {2, 2};
  im2col(e.input.data(), 1, 4, 4, g, 2, 2, e.col.data());  // the engine's: 4 rows (taps) × 4 columns (patches)
  for (int p = 0; p < 4; p++)
    for (int k = 0; k < 4; k++) e.patches[p * 4 + k] = e.col[k * 4 + p];  // the notes' I′ = colᵀ
  for (int p = 0; p < 4; p++) {
    e.product[p] = 0.0f;
    for (int k = 0; k < 4; k++) e.product[p] += e.patches[p * 4 + k] * e.kernel[k];
  }
  // the same output straight from the definition: S(i, j) = Σ_ab I(2i + a, 2j + b)·K(a, b)
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      float sum = 0.0f;
      for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) sum += e.input[(2 * i + a) * 4 + 2 * j + b] * e.kernel[a * 2 + b];
      e.direct[i * 2 + j] = sum;
    }
  return e;
}

void im2col_tab() {
  if (ImGui::CollapsingHeader("The notes' example: a 4×4 input, a 2×2 kernel, stride 2", ImGuiTreeNodeFlags_DefaultOpen)) {
    static const Im2colExample e = im2col_example();
    titled("input I (I_rc = 10·r + c)", "ex_input", e.input.data(), 4, 4);
    ImGui::SameLine();
    titled("kernel K", "ex_kernel", e.kernel.data(), 2, 2);
    ImGui::SameLine();
    titled("I′: a patch per row", "ex_patches", e.patches.data(), 4, 4);
    ImGui::SameLine();
    titled("vec(K)", "ex_veck", e.kernel.data(), 4, 1);
    ImGui::SameLine();
    titled("I′·vec(K)", "ex_product", e.product.data(), 4, 1);
    ImGui::SameLine();
    titled("reshaped 2×2", "ex_output", e.product.data(), 2, 2);
    ImGui::SameLine();
    titled("Σ_ab I(2i+a, 2j+b)·K(a, b)", "ex_direct", e.direct.data(), 2, 2);
    titled("the engine's col = I′ transposed (a patch per column)", "ex_col", e.col.data(), 4, 4);
    ImGui::TextWrapped("I′ = [ I11 I12 I21 I22 ; I13 I14 I23 I24 ; I31 I32 I41 I42 ; I33 I34 I43 I44 ] as the notes write it; "
                       "the matrix product gives the same four numbers as the definition.");
  }
  ImGui::SeparatorText("your drawing, the first conv2d layer");
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
  legend("im2col_w", hw, "weight");
  ImGui::Text("col (%d×%d), stretched to fit; hover a column: its patch is shaded on the 28×28 input", K, P);
  ImGui::Image(hc.texture(), ImVec2(width, (float)std::min(K * 4, 200)));
  mark("im2col:col");
  int column = -1;
  if (ImGui::IsItemHovered()) {
    column = std::clamp((int)((ImGui::GetIO().MousePos.x - ImGui::GetItemRectMin().x) / width * P), 0, P - 1);
    // the patch of column p is the receptive field of output (p / W′, p mod W′) of this layer
    in.hover_layer = layer, in.hover_unit_c = 0, in.hover_unit_y = column / ys.w, in.hover_unit_x = column % ys.w;
    ImGui::SetTooltip("column %d: the patch under output (%d, %d)\nW·col[:, %d] + b = the %d outputs at (%d, %d)", column,
                      column / ys.w, column % ys.w, column, l.filters, column / ys.w, column % ys.w);
  }
  ImGui::Text("W·col + b (%d×%d)", l.filters, P);
  ImGui::SameLine();
  legend("im2col_y", hy, "output");
  ImGui::Image(hy.texture(), ImVec2(width, (float)l.filters * 8));
  if (column >= 0) {  // the output cells this column makes: a column of W·col + b
    const ImVec2 o = ImGui::GetItemRectMin();
    const float x = o.x + (column + 0.5f) * width / P;
    ImGui::GetWindowDrawList()->AddRect(ImVec2(x - 2, o.y - 1), ImVec2(x + 2, o.y + l.filters * 8.0f + 1),
                                        to_u32(palette::kAccent), 0, 0, 2.0f);
  }
}

}  // namespace convlab
