// Pooling over n×m windows with stride and padding. Padded cells lie outside the image, they are
// not zeros: max ignores them, average divides by the number of real cells, L2 sums real cells.
#pragma once
#include "tensor.h"

namespace convlab {

enum class PoolKind { Max, Avg, WeightedAvg, L2 };

struct PoolGeometry {
  Pair size{2, 2}, stride{2, 2}, padding{0, 0};
};

Shape pool2d_output_shape(const Shape& x, const PoolGeometry& g);

// Weighted average uses a fixed Gaussian window centred on the window, σ = (size−1)/2 per axis
// (weights e^{−((a−c_a)²/2σ_a² + (b−c_b)²/2σ_b²)}), renormalised over the window's real cells.
float wavg_pool_weight(const PoolGeometry& g, int a, int b);

// Max:  y = max over real cells (its gradient goes to the first maximum in row-major order)
// Avg:  y = Σ x / (number of real cells)
// WeightedAvg: y = Σ wt·x / Σ wt over real cells
// L2:   y = √(Σ x²) over real cells
void pool2d_forward(PoolKind kind, const float* x, const Shape& xs, const PoolGeometry& g, float* y);
// dx is overwritten; y is the forward output (L2 needs it: ∂y/∂x = x / y).
void pool2d_backward(PoolKind kind, const float* x, const Shape& xs, const PoolGeometry& g,
                     const float* y, const float* dy, float* dx);

// y[n][c] = mean over H×W of x[n][c]
void global_avg_pool_forward(const float* x, const Shape& xs, float* y);
void global_avg_pool_backward(const Shape& xs, const float* dy, float* dx);

}  // namespace convlab
