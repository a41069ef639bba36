// Feature maps of every layer for the current drawing; hovering a unit outlines its receptive
// field on the input preview.
#include <algorithm>

#include "app.h"

namespace convlab {

namespace {
constexpr int kMapsPerRow = 8;

// Pixels per unit: maps of a layer fit in about 56 px, a flat layer's units in about 400 (more on
// a large screen).
int cell_of(const LayerInfo& f) {
  const bool flat = f.out.h == 1 && f.out.w == 1;
  const int cell = flat ? std::max(4, std::min(24, 400 / std::max(1, f.out.c))) : std::max(1, std::min(6, 56 / std::max(f.out.h, f.out.w)));
  return std::max(1, (int)(cell * app.ui_scale));
}
}  // namespace

void feature_maps_tab() {
  InspectState& in = app.inspect;
  in.hover_layer = -1;
  hint("Feature maps of your drawing. Hover a unit: its receptive field is shaded on the 28×28 input. "
                           "Click it: its value is computed step by step (Explain).");
  hint("Shift the input with the arrows: the maps move with it, exactly in steps of a layer's jump "
                           "(equivariance); how far the reading survives a shift is measured in Shifts.");
  const bool remake = in.maps_version != app.draw.input_version;
  in.maps_version = app.draw.input_version;
  for (size_t i = 0; i < app.net->info().size(); i++) {
    const Tensor& t = app.net->layer_output(i);
    const LayerInfo& f = app.net->info()[i];
    const int C = f.out.c, H = f.out.h, W = f.out.w;
    if (t.shape.n < 1) continue;
    const bool flat = H == 1 && W == 1;
    // as many maps a row as the width holds (8 at most), a flat layer's units in one row: a phone
    // gets fewer a row or smaller cells, never a row past the edge
    const float avail = ImGui::GetContentRegionAvail().x;
    const int cell = flat ? std::max(1, std::min(cell_of(f), (int)(avail / std::max(1, C)))) : cell_of(f);
    const int per_row = flat ? C : std::clamp((int)((avail + cell) / ((W + 1) * cell)), 1, std::min(C, kMapsPerRow));
    Heatmap& h = heatmap("fmap" + std::to_string(i));
    const int wanted_cols = flat ? C : per_row * (W + 1) - 1;
    if (remake || h.rows() == 0 || h.cols() != wanted_cols || h.size().x != wanted_cols * cell) {
      int rows = 1, cols = C;
      std::vector<float> atlas;
      if (flat) atlas.assign(t.ptr(), t.ptr() + C);
      else atlas = make_atlas(t.ptr(), C, H, W, per_row, &rows, &cols);
      const bool signed_values = std::any_of(t.ptr(), t.ptr() + f.out.per_example(), [](float v) { return v < 0; });
      h.update(atlas.data(), rows, cols, signed_values ? Colormap::Diverging : Colormap::Sequential,
               max_abs(atlas.data(), atlas.size()), cell);
    }
    const Shape image = app.net->spec().input;
    if (f.receptive_field.h >= image.h && f.receptive_field.w >= image.w)  // padding counts in R: never "40×40" of a 28×28 image
      ImGui::Text("%zu. %s  %d×%d×%d   receptive field: the whole image", i + 1, layer_type_name(app.net->spec().layers[i].type),
                  C, H, W);
    else
      ImGui::Text("%zu. %s  %d×%d×%d   receptive field %d×%d", i + 1, layer_type_name(app.net->spec().layers[i].type), C,
                  H, W, f.receptive_field.h, f.receptive_field.w);
    same_line_if_fits(260);
    legend("fmap" + std::to_string(i), h, "activation", 120);
    ImGui::Image(h.texture(), h.size());
    mark("fmap:" + std::to_string(i));
    if (!ImGui::IsItemHovered()) continue;
    ImVec2 m = ImGui::GetIO().MousePos, o = ImGui::GetItemRectMin();
    const int r = (int)((m.y - o.y) / cell), c = (int)((m.x - o.x) / cell);
    int channel, uy, ux;
    if (flat) channel = c, uy = ux = 0;
    else channel = (r / (H + 1)) * per_row + c / (W + 1), uy = r % (H + 1), ux = c % (W + 1);
    if (channel >= C || uy >= H || ux >= W) continue;
    in.hover_layer = (int)i, in.hover_unit_c = channel, in.hover_unit_y = uy, in.hover_unit_x = ux;
    if (ImGui::IsItemClicked()) select_unit((int)i, channel, uy, ux);
    const Shape input = app.net->spec().input;
    const int y0 = f.rf_start.h + uy * f.jump.h, x0 = f.rf_start.w + ux * f.jump.w;
    const bool whole = y0 <= 0 && x0 <= 0 && y0 + f.receptive_field.h >= input.h && x0 + f.receptive_field.w >= input.w;
    char reach[160];
    if (whole) std::snprintf(reach, sizeof reach, "R = %d×%d: the whole image", f.receptive_field.h, f.receptive_field.w);
    else std::snprintf(reach, sizeof reach, "R = %d×%d from input pixel (%d, %d), jump %d×%d, clipped to the image",
                       f.receptive_field.h, f.receptive_field.w, y0, x0, f.jump.h, f.jump.w);
    ImGui::SetTooltip("channel %d, unit (%d, %d) = %.4f\n%s\nclick to explain", channel, uy, ux,
                      t.data[((size_t)channel * H + uy) * W + ux], reach);
  }
}

}  // namespace convlab
