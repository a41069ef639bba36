// Line plots drawn with ImGui's draw lists: axes with "nice" ticks and their labels, a legend, and
// a read-out of the values under the cursor (or the finger). Nothing vendored.
#pragma once
#include <string>
#include <vector>

#include "imgui.h"

namespace convlab {

struct PlotSeries {
  const char* name;
  ImU32 color;
  const float* y;
  int count;
  double x0 = 0, dx = 1;  // the x of point k is x0 + k·dx
  bool markers = false;   // a dot at every point (few points: one per epoch)
  float thickness = 1.5f;
  bool envelope = false;  // noisy: beyond one point per pixel column, each column shows its points' range
};

struct PlotAxes {
  const char* x_label;
  const char* y_label;
  double y_min = 0, y_max = 0;  // equal: from the data
  double x_min = 0, x_max = 0;  // equal: from the data
  double y_scale = 1;           // printed values are y·y_scale (e.g. 100 for per cent)
  const char* y_format = "%.3g";
  const char* x_format = "%.0f";
  double x_tick_step_min = 0;   // e.g. 1 for epochs: no ticks between whole numbers
};

// What the read-out of a plot shows while hovered (for the page's test hook).
struct PlotHover {
  std::string plot;
  double x = 0;
  std::vector<double> values;  // one per series, as printed (y·y_scale); NaN where it has no point
};

// "Nice" tick positions (1, 2 or 5 × 10^k apart) covering [lo, hi], about `wanted` of them.
std::vector<double> nice_ticks(double lo, double hi, int wanted, double step_min = 0);

// Draws the plot in a box of `size` (width −1: the available width); returns true while hovered,
// with `hover` filled.
bool plot_lines(const char* id, const PlotAxes& axes, const std::vector<PlotSeries>& series, ImVec2 size,
                PlotHover* hover = nullptr);

}  // namespace convlab
