// A series with more points than its plot has pixel columns, reduced to one entry per column:
// plain C++ (no ImGui), so the reduction is unit-tested natively.
#pragma once
#include <vector>

namespace convlab {

struct PlotColumn {
  int column;            // 0 .. width−1, from the left edge of the plot's frame
  float lo, hi;          // the lowest and highest finite value whose x falls in the column
  float mean, last;      // their mean, and the value of the column's last point
};

// Point k is at x = x0 + k·dx; the frame spans [x_lo, x_hi] over `width` columns. Columns without a
// finite point are left out, points outside the frame too. Every finite value of the series lies
// within its column's [lo, hi], so a spike in one batch of thousands still shows (drawing every
// n-th point would skip it), and the geometry stays bounded by the width, not the run's length.
std::vector<PlotColumn> plot_columns(const float* y, int count, double x0, double dx, double x_lo, double x_hi,
                                     int width);

}  // namespace convlab
