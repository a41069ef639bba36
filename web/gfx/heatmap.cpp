#include "heatmap.h"

#include <algorithm>
#include <cmath>

#include "gl_program.h"
#include "shaders.h"
#include "ui_renderer.h"

namespace {

struct Program {
  GLuint id = 0, vao = 0;
} heatmap_program;

}  // namespace

void heatmap_init() {
  heatmap_program.id = start_program("heatmap", kShader_heatmap_vert, kShader_heatmap_frag);
  glGenVertexArrays(1, &heatmap_program.vao);
}

Heatmap::~Heatmap() {
  glDeleteTextures(1, &data_);
  glDeleteTextures(1, &color_);
  glDeleteFramebuffers(1, &fbo_);
}

void Heatmap::update(const float* data, int rows, int cols, Colormap map, float scale, int cell, bool grid) {
  if (rows <= 0 || cols <= 0) return;
  if (!data_) {
    glGenTextures(1, &data_);
    glGenTextures(1, &color_);
    glGenFramebuffers(1, &fbo_);
  }
  rows_ = rows, cols_ = cols, cell_ = cell, map_ = map, scale_ = scale > 0 ? scale : 1.0f;
  all_zero_ = std::all_of(data, data + (size_t)rows * cols, [](float v) { return v == 0 || std::isnan(v); });
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, data_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, cols, rows, 0, GL_RED, GL_FLOAT, data);

  const int w = cols * cell, h = rows * cell;
  glBindTexture(GL_TEXTURE_2D, color_);
  if (w != alloc_w_ || h != alloc_h_) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    alloc_w_ = w, alloc_h_ = h;
  }
  // Runs while the panels are laid out, before the frame sets the canvas viewport and draws: no
  // viewport to restore (and reading it back would stall on the GPU).
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color_, 0);
  glViewport(0, 0, w, h);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glUseProgram(heatmap_program.id);
  glBindVertexArray(heatmap_program.vao);
  glActiveTexture(GL_TEXTURE0);  // u_data
  glBindTexture(GL_TEXTURE_2D, data_);
  // the colour scale: constant attributes of shaders/heatmap.vert
  const convlab::ColormapStops stops = convlab::colormap_stops(map);
  glVertexAttrib4f(1, stops.low.r, stops.low.g, stops.low.b, stops.lowest);
  glVertexAttrib4f(2, stops.mid.r, stops.mid.g, stops.mid.b, scale_);
  glVertexAttrib4f(3, stops.high.r, stops.high.g, stops.high.b, (float)cell);
  glVertexAttrib1f(4, grid ? 1.0f : 0.0f);
  glDrawArrays(GL_TRIANGLES, 0, 6);
  glBindVertexArray(0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  ui_texture_changed(texture());
}

std::vector<float> make_atlas(const float* planes, int count, int ph, int pw, int columns, int* rows_out,
                              int* cols_out) {
  columns = std::max(1, std::min(columns, count));
  const int grid_rows = (count + columns - 1) / columns;
  const int rows = grid_rows * (ph + 1) - 1, cols = columns * (pw + 1) - 1;
  std::vector<float> atlas((size_t)rows * cols, NAN);
  for (int k = 0; k < count; k++) {
    int r0 = (k / columns) * (ph + 1), c0 = (k % columns) * (pw + 1);
    for (int i = 0; i < ph; i++)
      for (int j = 0; j < pw; j++) atlas[(size_t)(r0 + i) * cols + c0 + j] = planes[((size_t)k * ph + i) * pw + j];
  }
  *rows_out = rows, *cols_out = cols;
  return atlas;
}

float max_abs(const float* v, size_t n) {
  float m = 1e-6f;
  for (size_t i = 0; i < n; i++)
    if (std::isfinite(v[i])) m = std::max(m, std::fabs(v[i]));
  return m;
}
