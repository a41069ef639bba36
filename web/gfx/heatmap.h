// Pictures of the network: float data uploaded as an R32F texture and coloured into an RGBA
// texture by shaders/heatmap.frag, then shown with ImGui::Image.
#pragma once
#include <GLES3/gl3.h>

#include <vector>

#include "imgui.h"
#include "palette.h"

using convlab::Colormap;

// Starts compiling the heatmap shaders; once, at start-up, before the first update.
void heatmap_init();

class Heatmap {
 public:
  ~Heatmap();
  // data: rows×cols floats (NaN = background); cell: output pixels per data cell.
  void update(const float* data, int rows, int cols, Colormap map, float scale, int cell, bool grid = false);
  ImTextureID texture() const { return (ImTextureID)(intptr_t)color_; }
  ImVec2 size() const { return ImVec2((float)(cols_ * cell_), (float)(rows_ * cell_)); }
  int rows() const { return rows_; }
  int cols() const { return cols_; }
  Colormap map() const { return map_; }
  float scale() const { return scale_; }  // the value drawn in the scale's end colour
  bool all_zero() const { return all_zero_; }  // every value drawn is 0 (e.g. the maps of an empty pad)

 private:
  GLuint data_ = 0, color_ = 0, fbo_ = 0;
  int rows_ = 0, cols_ = 0, cell_ = 1, alloc_w_ = 0, alloc_h_ = 0;
  Colormap map_ = Colormap::Gray;
  float scale_ = 1.0f;
  bool all_zero_ = false;
};

// Lays out `count` planes of ph×pw floats in a grid of `columns`, NaN gaps of one cell between
// them: the atlas of filters or feature maps of one layer.
std::vector<float> make_atlas(const float* planes, int count, int ph, int pw, int columns, int* rows_out,
                              int* cols_out);

// Largest |v| (at least tiny): the symmetric colour scale of a diverging map.
float max_abs(const float* v, size_t n);
