// Convolution (docs/math.md §1, §4, §5): cross-correlation over C_in channels summed, one bias per
// output channel, zero padding, stride and dilation per axis. Weights are [C_out][C_in][k_h][k_w].
#pragma once
#include <cstdint>
#include <string>

#include "tensor.h"
#include "workspace.h"

namespace convlab {

struct ConvGeometry {
  Pair kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
};

// H' = ⌊(H + 2p − (k−1)·d − 1)/s + 1⌋ ; may be ≤ 0 for impossible geometries.
int conv2d_output_size(int in, int kernel, int stride, int padding, int dilation);

// The formula with the numbers filled in, for error messages: "⌊(7 + 2·0 − (5−1)·2 − 1)/1⌋ + 1 = −1".
std::string conv2d_output_size_formula(int in, int kernel, int stride, int padding, int dilation);

Shape conv2d_output_shape(const Shape& x, int c_out, const ConvGeometry& g);

// Empty when a window of this geometry fits x on both axes; else the failing formula, e.g.
// "output height ⌊(7 + 2·0 − (5−1)·2 − 1)/1⌋ + 1 = −1 ≤ 0". Pooling passes dilation (1, 1).
std::string conv2d_output_problem(const Shape& x, const ConvGeometry& g);

// One example x[C][H][W] → col[C·k_h·k_w][H'·W']: row (c,a,b), column (i,j) holds
// x[c][i·s_h − p_h + a·d_h][j·s_w − p_w + b·d_w], or 0 outside the image.
void im2col(const float* x, int C, int H, int W, const ConvGeometry& g, int OH, int OW, float* col);
// Row k = (c,a,b) of that matrix alone (OH·OW values).
void im2col_row(const float* x, int H, int W, const ConvGeometry& g, int OH, int OW, int k, float* row);
// The adjoint of im2col: dx[C][H][W] += every col entry back at the pixel it was read from.
void col2im(const float* col, int C, int H, int W, const ConvGeometry& g, int OH, int OW, float* dx);

// y[n][o][i][j] = b[o] + Σ_c Σ_a Σ_b x[n][c][i·s_h − p_h + a·d_h][j·s_w − p_w + b·d_w] · w[o][c][a][b]
void conv2d_forward_naive(const float* x, const Shape& xs, const float* w, const float* b, int c_out,
                          const ConvGeometry& g, float* y);
// dx = (overwritten) ∂L/∂x ; dw, db += ∂L/∂w, ∂L/∂b (summed over the batch)
void conv2d_backward_naive(const float* x, const Shape& xs, const float* w, int c_out,
                           const ConvGeometry& g, const float* dy, float* dx, float* dw, float* db);

// Fast path: the GEMM's micro-kernel reads a zero-padded copy of each example in place (implicit
// im2col), or — when that copy would be larger than the column matrix — im2col writes the matrix
// straight into the GEMM's packed layout.
// ws holds at least conv2d_workspace() (forward and backward alike); more than
// Limits::max_workspace_floats is an Error.
void conv2d_forward(const float* x, const Shape& xs, const float* w, const float* b, int c_out,
                    const ConvGeometry& g, float* y, Workspace& ws);
WorkspaceSize conv2d_workspace(const Shape& x, int c_out, const ConvGeometry& g);
// db += Σ dY; dW += dY·colᵀ; dX = col2im(Wᵀ·dY), or with stride 1 the same sums read in place:
// dW from the padded input, dX as a convolution of the padded dY with the flipped kernels.
// dx may be null (first layer).
void conv2d_backward(const float* x, const Shape& xs, const float* w, int c_out, const ConvGeometry& g,
                     const float* dy, float* dx, float* dw, float* db, Workspace& ws);

// Unshared convolution: output position (i,j) uses kernel set weight_set(i,j), weights
// [sets][C_out][C_in·k_h·k_w]. Tiled convolution (Goodfellow et al. §9.6, t×t sets cycled over the
// output grid: set (i mod t)·t + (j mod t)) and locally connected layers (a set per position) are
// both this. Bias is [C_out] (shared) or [C_out][H'][W'] (per position).
struct UnsharedConv {
  ConvGeometry g;
  int c_out = 0;
  int tiles = 0;  // t for tiled convolution; 0 = locally connected (one set per output position)
  bool bias_per_position = false;
  int weight_set(int i, int j, int OW) const { return tiles ? (i % tiles) * tiles + j % tiles : i * OW + j; }
  int sets(int OH, int OW) const { return tiles ? tiles * tiles : OH * OW; }
};
// ws holds unshared_conv_workspace(): the column matrix and its gradient.
WorkspaceSize unshared_conv_workspace(const UnsharedConv& u, const Shape& x);
void unshared_conv_forward(const UnsharedConv& u, const float* x, const Shape& xs, const float* w,
                           const float* b, float* y, Workspace& ws);
void unshared_conv_backward(const UnsharedConv& u, const float* x, const Shape& xs, const float* w,
                            const float* dy, float* dx, float* dw, float* db, Workspace& ws);

}  // namespace convlab
