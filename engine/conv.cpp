#include "conv.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "error.h"
#include "gemm.h"
#include "simd.h"
#include "size_limits.h"

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
    if (s == 1)  // contiguous: the compiler vectorises this copy
      for (; j < hi; j++) out[j] = src[j];
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
          if (s == 1)
            for (int j = lo; j < hi; j++) dst[j] += in[j];
          else
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

// ---- Fast paths -------------------------------------------------------------------------------
constexpr int kMR = kGemmMR, kNR = kGemmNR;  // gemm's micro-tile
static uint64_t round_up(uint64_t v, uint64_t m) { return (v + m - 1) / m * m; }

// A zero-padded input: C planes of Hp rows, plus a zero tail (a padded row and a tile) that the
// reads of the last row's columns beyond the output run into; their results are discarded or
// multiplied by 0. Neighbouring rows share their padding: a row is `pitch` = W + pw floats apart,
// its pw left zeros being the right zeros of the row above, so a GEMM that runs along whole rows
// (the filter gradient) spends pw of every pitch columns on padding, not 2·pw.
struct Padded {
  int C, H, W, ph, pw, Hp, pitch;
  uint64_t plane() const { return (uint64_t)Hp * pitch + pw; }  // + the last row's right zeros
  uint64_t floats() const { return C * plane() + W + 2 * pw + kNR; }
};
static Padded padded_of(int C, int H, int W, int ph, int pw) { return {C, H, W, ph, pw, H + 2 * ph, W + pw}; }
// Only the interior is written: the border stays as zeroed once by the caller.
static void pad_copy(const Padded& p, const float* x, float* xp) {
  for (int c = 0; c < p.C; c++)
    for (int y = 0; y < p.H; y++) {
      const float* src = x + ((size_t)c * p.H + y) * p.W;
      float* dst = xp + c * p.plane() + (size_t)(y + p.ph) * p.pitch + p.pw;
      for (int j = 0; j < p.W; j++) dst[j] = src[j];
    }
}

// y[m][i][j] = Σ_k A[m][k] · xp[offsets[k] + i·row_step + j] for m < M, i < OH, j < OW:
// 4 output channels × 8 neighbouring outputs per micro-tile. A row's last tile overlaps the one
// before it (same values written twice) rather than going through the edge copy.
static void implicit_conv(const float* packed_a, int M, int K, const int* offsets, const float* xp, int row_step,
                          int OH, int OW, float* y) {
  const size_t P = (size_t)OH * OW;
  float edge[kMR * kNR];
  for (int i = 0; i < OH; i++) {
    const float* row = xp + (size_t)i * row_step;
    for (int j = 0; j < OW; j += kNR) {
      const int j0 = OW >= kNR ? std::min(j, OW - kNR) : j, cols = std::min(kNR, OW - j0);
      for (int m = 0; m < M; m += kMR) {
        const int rows = std::min(kMR, M - m);
        const float* a = packed_a + (size_t)m * K;
        float* c = y + (size_t)m * P + (size_t)i * OW + j0;
        if (rows == kMR && cols == kNR) {
          gemm_micro_4x8_gather_b(K, a, row + j0, offsets, c, (int)P, false);
          continue;
        }
        gemm_micro_4x8_gather_b(K, a, row + j0, offsets, edge, kNR, false);
        for (int r = 0; r < rows; r++)
          for (int q = 0; q < cols; q++) c[r * P + q] = edge[r * kNR + q];
      }
    }
  }
}

// offsets[(c,a,b)] = c·plane + a·d_h·pitch + b·d_w: where kernel tap (c,a,b) reads, from a window's
// corner. offsets holds C·k_h·k_w ints (the workspace's).
static const int* tap_offsets(const Padded& p, int kh, int kw, const Pair& dilation, int* offsets) {
  for (int c = 0, k = 0; c < p.C; c++)
    for (int a = 0; a < kh; a++)
      for (int b = 0; b < kw; b++) offsets[k++] = (int)(c * p.plane()) + a * dilation.h * p.pitch + b * dilation.w;
  return offsets;
}

struct ConvSizes {
  Shape ys;
  int K, P;
  Padded x_pad, dy_pad;  // forward input; backward dY (padding (k−1)·d − p)
};
static ConvSizes conv_sizes(const Shape& xs, int c_out, const ConvGeometry& g) {
  ConvSizes z;
  z.ys = conv2d_output_shape(xs, c_out, g);
  z.K = xs.c * g.kernel.h * g.kernel.w, z.P = z.ys.h * z.ys.w;
  z.x_pad = padded_of(xs.c, xs.h, xs.w, g.padding.h, g.padding.w);
  z.dy_pad = padded_of(c_out, z.ys.h, z.ys.w, std::max(0, (g.kernel.h - 1) * g.dilation.h - g.padding.h),
                       std::max(0, (g.kernel.w - 1) * g.dilation.w - g.padding.w));
  return z;
}

// Stride 1 along the width (nearly every CNN layer): the GEMM reads a zero-padded copy of the input
// in place — B's row (c,a,b) for the 8 outputs (i, j..j+7) is 8 consecutive floats of it — so no
// column matrix is built (implicit im2col). Other strides build one, straight in the GEMM's layout,
// and so does a padded copy larger than that matrix (a large dilation with as much padding).
static bool implicit_forward(const ConvGeometry& g, const ConvSizes& z) {
  return g.stride.w == 1 && z.x_pad.C * z.x_pad.plane() <= (uint64_t)z.K * z.P;
}
// Backward in place needs stride 1 on both axes: dX is then a convolution of the padded dY with
// the flipped kernels, padding (k−1)·d − p, which must not be negative.
static bool implicit_backward(const ConvGeometry& g, const ConvSizes& z) {
  return g.stride.h == 1 && implicit_forward(g, z) && g.padding.h <= (g.kernel.h - 1) * g.dilation.h &&
         g.padding.w <= (g.kernel.w - 1) * g.dilation.w &&
         z.dy_pad.plane() <= (uint64_t)g.kernel.h * g.kernel.w * z.x_pad.H * z.x_pad.W;
}

WorkspaceSize conv2d_workspace(const Shape& xs, int c_out, const ConvGeometry& g) {
  const ConvSizes z = conv_sizes(xs, c_out, g);
  const uint64_t KP = (uint64_t)z.K * z.P;  // 64-bit: size_t is 32 bits in WASM
  const uint64_t forward = implicit_forward(g, z)
                               ? round_up(c_out, kMR) * z.K + z.x_pad.floats()
                               : round_up(z.P, kNR) * z.K + z.P;  // packed im2col + one of its rows
  const uint64_t backward =
      implicit_backward(g, z)
          ? std::max((xs.c + round_up(xs.c, kMR)) * c_out * g.kernel.h * g.kernel.w + z.dy_pad.floats(),
                     z.x_pad.floats() + round_up(c_out, kNR) * z.ys.h * z.x_pad.pitch +
                         round_up(z.K, kMR) * round_up(c_out, kNR))
          : 2 * KP;  // col and dcol
  const uint64_t floats = std::max(forward, backward);
  if (floats > Limits::max_workspace_floats)
    throw Error("convolution needs a workspace of " + std::to_string(floats) + " floats, over the limit of " +
                std::to_string(Limits::max_workspace_floats));
  return {floats, (uint64_t)std::max(xs.c, c_out) * g.kernel.h * g.kernel.w};  // tap offsets of x or dY
}

void conv2d_forward(const float* x, const Shape& xs, const float* w, const float* b, int c_out,
                    const ConvGeometry& g, float* y, Workspace& ws) {
  const ConvSizes z = conv_sizes(xs, c_out, g);
  float* workspace = ws.floats.data();
  const int P = z.P, K = z.K;
  const bool implicit = implicit_forward(g, z);
  float *packed = workspace, *row = nullptr, *xp = nullptr;
  const int* offsets = nullptr;
  if (implicit) {
    xp = workspace + round_up(c_out, kMR) * K;
    gemm_pack_a(w, c_out, K, K, packed);
    std::fill_n(xp, z.x_pad.floats(), 0.0f);
    offsets = tap_offsets(z.x_pad, g.kernel.h, g.kernel.w, g.dilation, ws.ints.data());
  } else {
    row = workspace + gemm_packed_b_size(K, P);
    std::fill_n(packed, gemm_packed_b_size(K, P), 0.0f);  // the pad columns of the last panel
  }
  for (int n = 0; n < xs.n; n++) {
    const float* xn = x + (size_t)n * xs.per_example();
    float* yn = y + (size_t)n * z.ys.per_example();
    if (implicit) {
      pad_copy(z.x_pad, xn, xp);
      implicit_conv(packed, c_out, K, offsets, xp, g.stride.h * z.x_pad.pitch, z.ys.h, z.ys.w, yn);
      if (b)
        for (int o = 0; o < c_out; o++)
          for (int p = 0; p < P; p++) yn[(size_t)o * P + p] += b[o];
      continue;
    }
    for (int o = 0; o < c_out; o++) std::fill_n(yn + (size_t)o * P, P, b ? b[o] : 0.0f);
    for (int k = 0; k < K; k++) {
      im2col_row(xn, xs.h, xs.w, g, z.ys.h, z.ys.w, k, row);
      gemm_pack_b_row(row, k, K, P, packed);
    }
    GemmArgs mm;
    mm.M = c_out, mm.N = P, mm.K = K, mm.b_packed = true;
    mm.A = w, mm.lda = K, mm.B = packed, mm.C = yn, mm.ldc = P, mm.accumulate = true;
    mm.pack = ws.gemm_pack.data();
    gemm(mm);
  }
}

// dX = conv(pad(dY, (k−1)·d − p), W flipped and transposed): W′[c][o][a][b] = W[o][c][k_h−1−a][k_w−1−b].
static void conv2d_backward_data_implicit(const Shape& xs, const float* w, int c_out, const ConvGeometry& g,
                                          const ConvSizes& z, const float* dy, float* dx, Workspace& ws) {
  float* workspace = ws.floats.data();
  const int kh = g.kernel.h, kw = g.kernel.w, K2 = c_out * kh * kw;
  float* flipped = workspace;                        // W′[C_in][K2 = (o,a,b)]
  float* packed = flipped + (size_t)xs.c * K2;       // W′ as gemm's A panels
  float* dyp = packed + round_up(xs.c, kMR) * K2;
  for (int c = 0; c < xs.c; c++)
    for (int o = 0, k = 0; o < c_out; o++)
      for (int a = 0; a < kh; a++)
        for (int b = 0; b < kw; b++, k++)
          flipped[(size_t)c * K2 + k] = w[(((size_t)o * xs.c + c) * kh + kh - 1 - a) * kw + kw - 1 - b];
  gemm_pack_a(flipped, xs.c, K2, K2, packed);
  std::fill_n(dyp, z.dy_pad.floats(), 0.0f);
  const int* offsets = tap_offsets(z.dy_pad, kh, kw, g.dilation, ws.ints.data());
  for (int n = 0; n < xs.n; n++) {
    pad_copy(z.dy_pad, dy + (size_t)n * z.ys.per_example(), dyp);
    implicit_conv(packed, xs.c, K2, offsets, dyp, z.dy_pad.pitch, xs.h, xs.w, dx + (size_t)n * xs.per_example());
  }
}

// dyq[o/8][i·pitch + j][o%8] = dY[o][i][j]: dY as the filter gradient's B panels (8 channels
// side by side), written four channels × four columns at a time by a 4×4 transpose.
static void dy_to_panels(const float* dy, int c_out, int OH, int OW, int pitch, int Q, float* dyq) {
  const size_t P = (size_t)OH * OW;
  for (int o = 0; o < c_out; o++) {
    float* panel = dyq + (size_t)(o / kNR) * Q * kNR + o % kNR;
    if (o % 4 == 0 && o + 4 <= c_out) {  // channels o..o+3 together
      for (int i = 0; i < OH; i++) {
        const float* src = dy + (size_t)o * P + (size_t)i * OW;
        float* dst = panel + (size_t)i * pitch * kNR;
        int j = 0;
        for (; j + 4 <= OW; j += 4) {
          f32x4 r0 = load4(src + j), r1 = load4(src + P + j), r2 = load4(src + 2 * P + j), r3 = load4(src + 3 * P + j);
          transpose4(r0, r1, r2, r3);
          store4(dst + (j + 0) * kNR, r0), store4(dst + (j + 1) * kNR, r1);
          store4(dst + (j + 2) * kNR, r2), store4(dst + (j + 3) * kNR, r3);
        }
        for (; j < OW; j++)
          for (int r = 0; r < 4; r++) dst[j * kNR + r] = src[r * P + j];
      }
      o += 3;
      continue;
    }
    for (int i = 0; i < OH; i++)
      for (int j = 0; j < OW; j++) panel[((size_t)i * pitch + j) * kNR] = dy[(size_t)o * P + (size_t)i * OW + j];
  }
}

// dWᵀ[k][o] = Σ_q xp[offsets[k] + q] · dY′[q][o] over q = i·pitch + j of the padded grid, where dY′ is
// dY laid out on that grid (zero in the columns j ≥ W′ that are no output): one long GEMM per
// example with A's rows read in place from the padded input.
static void conv2d_backward_filter_implicit(const float* x, const Shape& xs, int c_out, const ConvGeometry& g,
                                            const ConvSizes& z, const float* dy, float* dw, Workspace& ws) {
  float* workspace = ws.floats.data();
  const int K = z.K, OH = z.ys.h, OW = z.ys.w, pitch = z.x_pad.pitch, Q = OH * pitch, N8 = (int)round_up(c_out, kNR);
  float* xp = workspace;
  float* dyq = xp + z.x_pad.floats();        // panels of 8 channels: dyq[panel][q][8]
  float* dwt = dyq + (size_t)N8 * Q;          // dWᵀ, K rounded up to 4 × C_out rounded up to 8
  std::fill_n(xp, z.x_pad.floats(), 0.0f);
  std::fill_n(dyq, (size_t)N8 * Q, 0.0f);
  std::fill_n(dwt, round_up(K, kMR) * N8, 0.0f);
  const int* offsets = tap_offsets(z.x_pad, g.kernel.h, g.kernel.w, g.dilation, ws.ints.data());
  for (int n = 0; n < xs.n; n++) {
    pad_copy(z.x_pad, x + (size_t)n * xs.per_example(), xp);
    const float* dyn = dy + (size_t)n * z.ys.per_example();
    dy_to_panels(dyn, c_out, OH, OW, pitch, Q, dyq);
    for (int k = 0; k < K; k += kMR) {
      const float* rows[kMR];
      for (int r = 0; r < kMR; r++) rows[r] = xp + offsets[std::min(k + r, K - 1)];  // spare rows: discarded
      for (int o = 0; o < N8; o += kNR)
        gemm_micro_4x8_rows_a(Q, rows, dyq + (size_t)o * Q, dwt + (size_t)k * N8 + o, N8, true);
    }
  }
  for (int o = 0; o < c_out; o++)
    for (int k = 0; k < K; k++) dw[(size_t)o * K + k] += dwt[(size_t)k * N8 + o];
}

void conv2d_backward(const float* x, const Shape& xs, const float* w, int c_out, const ConvGeometry& g,
                     const float* dy, float* dx, float* dw, float* db, Workspace& ws) {
  const ConvSizes z = conv_sizes(xs, c_out, g);
  const int P = z.P, K = z.K;
  for (int n = 0; n < xs.n; n++)
    for (int o = 0; o < c_out; o++) {  // four running sums, one per lane: a chain of P adds is slow
      const float* d = dy + ((size_t)n * c_out + o) * P;
      f32x4 lanes = {};
      int p = 0;
      for (; p + 4 <= P; p += 4) lanes += load4(d + p);
      float s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
      for (; p < P; p++) s += d[p];
      db[o] += s;
    }
  if (implicit_backward(g, z)) {
    conv2d_backward_filter_implicit(x, xs, c_out, g, z, dy, dw, ws);
    if (dx) conv2d_backward_data_implicit(xs, w, c_out, g, z, dy, dx, ws);
    return;
  }
  float *col = ws.floats.data(), *dcol = col + (size_t)K * P;
  for (int n = 0; n < xs.n; n++) {
    const float* xn = x + (size_t)n * xs.per_example();
    const float* dyn = dy + (size_t)n * z.ys.per_example();
    im2col(xn, xs.c, xs.h, xs.w, g, z.ys.h, z.ys.w, col);
    GemmArgs mw;  // dW[C_out×K] += dY[C_out×P] · colᵀ[P×K]
    mw.trans_b = true, mw.M = c_out, mw.N = K, mw.K = P;
    mw.A = dyn, mw.lda = P, mw.B = col, mw.ldb = P, mw.C = dw, mw.ldc = K, mw.accumulate = true;
    mw.pack = ws.gemm_pack.data();
    gemm(mw);
    if (!dx) continue;
    GemmArgs mx;  // dcol[K×P] = Wᵀ[K×C_out] · dY[C_out×P]
    mx.trans_a = true, mx.M = K, mx.N = P, mx.K = c_out;
    mx.A = w, mx.lda = K, mx.B = dyn, mx.ldb = P, mx.C = dcol, mx.ldc = P;
    mx.pack = ws.gemm_pack.data();
    gemm(mx);
    float* dxn = dx + (size_t)n * xs.per_example();
    std::fill_n(dxn, xs.per_example(), 0.0f);
    col2im(dcol, xs.c, xs.h, xs.w, g, z.ys.h, z.ys.w, dxn);
  }
}

// Tiled / locally connected layers are teaching layers: a dot product per output unit over the
// im2col column, no GEMM (each position has its own weights, so there is no shared matrix).
WorkspaceSize unshared_conv_workspace(const UnsharedConv& u, const Shape& xs) {
  const Shape ys = conv2d_output_shape(xs, u.c_out, u.g);
  return {2 * (uint64_t)xs.c * u.g.kernel.h * u.g.kernel.w * ys.h * ys.w, 0};  // col and dcol
}

void unshared_conv_forward(const UnsharedConv& u, const float* x, const Shape& xs, const float* w,
                           const float* b, float* y, Workspace& ws) {
  float* col = ws.floats.data();
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
                            const float* dy, float* dx, float* dw, float* db, Workspace& ws) {
  Shape ys = conv2d_output_shape(xs, u.c_out, u.g);
  const int P = ys.h * ys.w, K = xs.c * u.g.kernel.h * u.g.kernel.w;
  float *col = ws.floats.data(), *dcol = col + (size_t)K * P;
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
