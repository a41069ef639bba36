#include "conv.h"

#include <algorithm>
#include <cstring>

#include "gemm.h"

namespace convlab {

static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int conv2d_output_size(int in, int kernel, int stride, int padding, int dilation) {
  return floor_div(in + 2 * padding - (kernel - 1) * dilation - 1, stride) + 1;
}

std::string conv2d_output_size_formula(int in, int kernel, int stride, int padding, int dilation) {
  auto num = [](int v) { return v < 0 ? "\u2212" + std::to_string(-v) : std::to_string(v); };
  return "\u230a(" + num(in) + " + 2\u00b7" + num(padding) + " \u2212 (" + num(kernel) + "\u22121)\u00b7" +
         num(dilation) + " \u2212 1)/" + num(stride) + "\u230b + 1 = " +
         num(conv2d_output_size(in, kernel, stride, padding, dilation));
}

std::string conv2d_output_problem(const Shape& x, const ConvGeometry& g) {
  if (conv2d_output_size(x.h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h) <= 0)
    return "output height " +
           conv2d_output_size_formula(x.h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h) + " \u2264 0";
  if (conv2d_output_size(x.w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w) <= 0)
    return "output width " +
           conv2d_output_size_formula(x.w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w) + " \u2264 0";
  return "";
}

Shape conv2d_output_shape(const Shape& x, int c_out, const ConvGeometry& g) {
  return {x.n, c_out, conv2d_output_size(x.h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h),
          conv2d_output_size(x.w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w)};
}

// Output columns j whose input column x0 + j·s lies in [0, W): [*lo, *hi).
static void valid_columns(int x0, int stride, int W, int OW, int* lo, int* hi) {
  *lo = x0 >= 0 ? 0 : (-x0 + stride - 1) / stride;
  *hi = W - x0 <= 0 ? 0 : std::min(OW, (W - x0 + stride - 1) / stride);
  *lo = std::min(*lo, *hi);
}

void im2col_row(const float* x, int H, int W, const ConvGeometry& g, int OH, int OW, int k, float* row) {
  const int kh = g.kernel.h, kw = g.kernel.w, s = g.stride.w;
  const int c = k / (kh * kw), a = k / kw % kh, b = k % kw;
  const int x0 = b * g.dilation.w - g.padding.w;
  int lo, hi;
  valid_columns(x0, s, W, OW, &lo, &hi);
  for (int i = 0; i < OH; i++) {
    int y = i * g.stride.h - g.padding.h + a * g.dilation.h;
    float* out = row + (size_t)i * OW;
    if (y < 0 || y >= H) {
      std::fill_n(out, OW, 0.0f);
      continue;
    }
    // Plain loops: rows are short (7–28), where library calls cost more than the copy.
    const float* src = x + ((size_t)c * H + y) * W + x0;
    int j = 0;
    for (; j < lo; j++) out[j] = 0.0f;
    for (; j < hi; j++) out[j] = src[j * s];
    for (; j < OW; j++) out[j] = 0.0f;
  }
}

void im2col(const float* x, int C, int H, int W, const ConvGeometry& g, int OH, int OW, float* col) {
  const int K = C * g.kernel.h * g.kernel.w;
  for (int k = 0; k < K; k++) im2col_row(x, H, W, g, OH, OW, k, col + (size_t)k * OH * OW);
}

void col2im(const float* col, int C, int H, int W, const ConvGeometry& g, int OH, int OW, float* dx) {
  const int kh = g.kernel.h, kw = g.kernel.w, s = g.stride.w;
  for (int c = 0; c < C; c++)
    for (int a = 0; a < kh; a++)
      for (int b = 0; b < kw; b++) {
        const float* row = col + ((size_t)(c * kh + a) * kw + b) * OH * OW;
        const int x0 = b * g.dilation.w - g.padding.w;
        int lo, hi;
        valid_columns(x0, s, W, OW, &lo, &hi);
        for (int i = 0; i < OH; i++) {
          int y = i * g.stride.h - g.padding.h + a * g.dilation.h;
          if (y < 0 || y >= H) continue;
          float* dst = dx + ((size_t)c * H + y) * W + x0;
          const float* in = row + (size_t)i * OW;
          for (int j = lo; j < hi; j++) dst[j * s] += in[j];
        }
      }
}

void conv2d_forward_naive(const float* x, const Shape& xs, const float* w, const float* b, int c_out,
                          const ConvGeometry& g, float* y) {
  Shape ys = conv2d_output_shape(xs, c_out, g);
  for (int n = 0; n < xs.n; n++)
    for (int o = 0; o < c_out; o++)
      for (int i = 0; i < ys.h; i++)
        for (int j = 0; j < ys.w; j++) {
          float sum = b ? b[o] : 0.0f;
          for (int c = 0; c < xs.c; c++)
            for (int a = 0; a < g.kernel.h; a++)
              for (int q = 0; q < g.kernel.w; q++) {
                int yy = i * g.stride.h - g.padding.h + a * g.dilation.h;
                int xx = j * g.stride.w - g.padding.w + q * g.dilation.w;
                if (yy < 0 || yy >= xs.h || xx < 0 || xx >= xs.w) continue;
                sum += x[(((size_t)n * xs.c + c) * xs.h + yy) * xs.w + xx] *
                       w[(((size_t)o * xs.c + c) * g.kernel.h + a) * g.kernel.w + q];
              }
          y[(((size_t)n * c_out + o) * ys.h + i) * ys.w + j] = sum;
        }
}

void conv2d_backward_naive(const float* x, const Shape& xs, const float* w, int c_out,
                           const ConvGeometry& g, const float* dy, float* dx, float* dw, float* db) {
  Shape ys = conv2d_output_shape(xs, c_out, g);
  if (dx) std::fill_n(dx, xs.size(), 0.0f);
  for (int n = 0; n < xs.n; n++)
    for (int o = 0; o < c_out; o++)
      for (int i = 0; i < ys.h; i++)
        for (int j = 0; j < ys.w; j++) {
          float d = dy[(((size_t)n * c_out + o) * ys.h + i) * ys.w + j];
          db[o] += d;
          for (int c = 0; c < xs.c; c++)
            for (int a = 0; a < g.kernel.h; a++)
              for (int q = 0; q < g.kernel.w; q++) {
                int yy = i * g.stride.h - g.padding.h + a * g.dilation.h;
                int xx = j * g.stride.w - g.padding.w + q * g.dilation.w;
                if (yy < 0 || yy >= xs.h || xx < 0 || xx >= xs.w) continue;
                size_t xi = (((size_t)n * xs.c + c) * xs.h + yy) * xs.w + xx;
                size_t wi = (((size_t)o * xs.c + c) * g.kernel.h + a) * g.kernel.w + q;
                dw[wi] += d * x[xi];
                if (dx) dx[xi] += d * w[wi];
              }
        }
}

size_t conv2d_workspace_floats(const Shape& x, const ConvGeometry& g, int OH, int OW) {
  const int K = x.c * g.kernel.h * g.kernel.w, P = OH * OW;
  return std::max((size_t)K * P, gemm_packed_b_size(K, P)) + P;  // + one row of im2col
}

void conv2d_forward(const float* x, const Shape& xs, const float* w, const float* b, int c_out,
                    const ConvGeometry& g, float* y, float* workspace) {
  Shape ys = conv2d_output_shape(xs, c_out, g);
  const int P = ys.h * ys.w, K = xs.c * g.kernel.h * g.kernel.w;
  float* packed = workspace;
  float* row = workspace + gemm_packed_b_size(K, P);
  std::fill_n(packed, gemm_packed_b_size(K, P), 0.0f);  // the pad columns of the last panel
  for (int n = 0; n < xs.n; n++) {
    const float* xn = x + (size_t)n * xs.per_example();
    float* yn = y + (size_t)n * ys.per_example();
    for (int o = 0; o < c_out; o++) std::fill_n(yn + (size_t)o * P, P, b ? b[o] : 0.0f);
    for (int k = 0; k < K; k++) {
      im2col_row(xn, xs.h, xs.w, g, ys.h, ys.w, k, row);
      gemm_pack_b_row(row, k, K, P, packed);
    }
    GemmArgs mm;
    mm.M = c_out, mm.N = P, mm.K = K, mm.b_packed = true;
    mm.A = w, mm.lda = K, mm.B = packed, mm.C = yn, mm.ldc = P, mm.accumulate = true;
    gemm(mm);
  }
}

void conv2d_backward(const float* x, const Shape& xs, const float* w, int c_out, const ConvGeometry& g,
                     const float* dy, float* dx, float* dw, float* db, float* col, float* dcol) {
  Shape ys = conv2d_output_shape(xs, c_out, g);
  const int P = ys.h * ys.w, K = xs.c * g.kernel.h * g.kernel.w;
  for (int n = 0; n < xs.n; n++) {
    const float* xn = x + (size_t)n * xs.per_example();
    const float* dyn = dy + (size_t)n * ys.per_example();
    for (int o = 0; o < c_out; o++) {
      float s = 0.0f;
      for (int p = 0; p < P; p++) s += dyn[(size_t)o * P + p];
      db[o] += s;
    }
    im2col(xn, xs.c, xs.h, xs.w, g, ys.h, ys.w, col);
    GemmArgs mw;  // dW[C_out×K] += dY[C_out×P] · colᵀ[P×K]
    mw.trans_b = true, mw.M = c_out, mw.N = K, mw.K = P;
    mw.A = dyn, mw.lda = P, mw.B = col, mw.ldb = P, mw.C = dw, mw.ldc = K, mw.accumulate = true;
    gemm(mw);
    if (!dx) continue;
    GemmArgs mx;  // dcol[K×P] = Wᵀ[K×C_out] · dY[C_out×P]
    mx.trans_a = true, mx.M = K, mx.N = P, mx.K = c_out;
    mx.A = w, mx.lda = K, mx.B = dyn, mx.ldb = P, mx.C = dcol, mx.ldc = P;
    gemm(mx);
    float* dxn = dx + (size_t)n * xs.per_example();
    std::fill_n(dxn, xs.per_example(), 0.0f);
    col2im(dcol, xs.c, xs.h, xs.w, g, ys.h, ys.w, dxn);
  }
}

// Tiled / locally connected layers are teaching layers: a dot product per output unit over the
// im2col column, no GEMM (each position has its own weights, so there is no shared matrix).
void unshared_conv_forward(const UnsharedConv& u, const float* x, const Shape& xs, const float* w,
                           const float* b, float* y, float* col) {
  Shape ys = conv2d_output_shape(xs, u.c_out, u.g);
  const int P = ys.h * ys.w, K = xs.c * u.g.kernel.h * u.g.kernel.w;
  for (int n = 0; n < xs.n; n++) {
    im2col(x + (size_t)n * xs.per_example(), xs.c, xs.h, xs.w, u.g, ys.h, ys.w, col);
    float* yn = y + (size_t)n * ys.per_example();
    for (int o = 0; o < u.c_out; o++)
      for (int i = 0; i < ys.h; i++)
        for (int j = 0; j < ys.w; j++) {
          int p = i * ys.w + j;
          const float* wk = w + ((size_t)u.weight_set(i, j, ys.w) * u.c_out + o) * K;
          float sum = u.bias_per_position ? b[(size_t)o * P + p] : b[o];
          for (int k = 0; k < K; k++) sum += wk[k] * col[(size_t)k * P + p];
          yn[(size_t)o * P + p] = sum;
        }
  }
}

void unshared_conv_backward(const UnsharedConv& u, const float* x, const Shape& xs, const float* w,
                            const float* dy, float* dx, float* dw, float* db, float* col, float* dcol) {
  Shape ys = conv2d_output_shape(xs, u.c_out, u.g);
  const int P = ys.h * ys.w, K = xs.c * u.g.kernel.h * u.g.kernel.w;
  for (int n = 0; n < xs.n; n++) {
    im2col(x + (size_t)n * xs.per_example(), xs.c, xs.h, xs.w, u.g, ys.h, ys.w, col);
    std::fill_n(dcol, (size_t)K * P, 0.0f);
    const float* dyn = dy + (size_t)n * ys.per_example();
    for (int o = 0; o < u.c_out; o++)
      for (int i = 0; i < ys.h; i++)
        for (int j = 0; j < ys.w; j++) {
          int p = i * ys.w + j;
          float d = dyn[(size_t)o * P + p];
          size_t wo = ((size_t)u.weight_set(i, j, ys.w) * u.c_out + o) * K;
          (u.bias_per_position ? db[(size_t)o * P + p] : db[o]) += d;
          for (int k = 0; k < K; k++) {
            dw[wo + k] += d * col[(size_t)k * P + p];
            dcol[(size_t)k * P + p] += d * w[wo + k];
          }
        }
    if (!dx) continue;
    float* dxn = dx + (size_t)n * xs.per_example();
    std::fill_n(dxn, xs.per_example(), 0.0f);
    col2im(dcol, xs.c, xs.h, xs.w, u.g, ys.h, ys.w, dxn);
  }
}

}  // namespace convlab
