#include "plot_columns.h"

#include <algorithm>
#include <cmath>

namespace convlab {

std::vector<PlotColumn> plot_columns(const float* y, int count, double x0, double dx, double x_lo, double x_hi,
                                     int width) {
  std::vector<PlotColumn> columns;
  if (width <= 0 || !(x_hi > x_lo)) return columns;
  double sum = 0;
  int n = 0;
  for (int k = 0; k < count; k++) {
    if (!std::isfinite(y[k])) continue;
    const double x = (x0 + k * dx - x_lo) / (x_hi - x_lo) * width;
    if (x < 0 || x > width) continue;
    const int c = std::min(width - 1, (int)x);
    if (columns.empty() || columns.back().column != c) {
      if (n) columns.back().mean = (float)(sum / n);
      columns.push_back({c, y[k], y[k], y[k], y[k]});
      sum = 0, n = 0;
    }
    PlotColumn& col = columns.back();
    col.lo = std::min(col.lo, y[k]), col.hi = std::max(col.hi, y[k]), col.last = y[k];
    sum += y[k], n++;
  }
  if (n) columns.back().mean = (float)(sum / n);
  return columns;
}

}  // namespace convlab
