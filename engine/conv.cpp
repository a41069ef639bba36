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

// A zero-padded input: C planes of Hp rows. Neighbouring rows share their padding: a row is
// `pitch` = W + pw floats apart, its pw left zeros being the right zeros of the row above (a
// smaller copy to zero and to keep in cache).
struct Padded {
  int C, H, W, ph, pw, Hp, pitch;
  uint64_t plane() const { return (uint64_t)Hp * pitch + pw; }  // + the last row's right zeros
  uint64_t floats() const { return C * plane(); }
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

// Whole-K panels of B, the operand the micro-kernel reads packed: 8 columns side by side, k-major,
// over all of K (one kernel call runs the whole sum): out[(j/8)·K·8 + k·8 + j%8] = src[j·K + k] for
// j < N, 0 for N ≤ j < round_up(N, 8). Four columns × four steps at a time by a 4×4 transpose.
static void rows_to_panels(const float* src, int N, int K, float* out) {
  for (int j = 0; j < (int)round_up(N, kNR); j++) {
    float* panel = out + (size_t)(j / kNR) * K * kNR + j % kNR;
    if (j % 4 == 0 && j + 4 <= N) {  // rows j..j+3 together
      const float* s = src + (size_t)j * K;
      int k = 0;
      for (; k + 4 <= K; k += 4) {
        f32x4 r0 = load4(s + k), r1 = load4(s + K + k), r2 = load4(s + 2 * K + k), r3 = load4(s + 3 * K + k);
        transpose4(r0, r1, r2, r3);
        store4(panel + (k + 0) * kNR, r0), store4(panel + (k + 1) * kNR, r1);
        store4(panel + (k + 2) * kNR, r2), store4(panel + (k + 3) * kNR, r3);
      }
      for (; k < K; k++)
        for (int r = 0; r < 4; r++) panel[k * kNR + r] = s[r * K + k];
      j += 3;
      continue;
    }
    for (int k = 0; k < K; k++) panel[(size_t)k * kNR] = j < N ? src[(size_t)j * K + k] : 0.0f;
  }
}

// pos[i·OW + j] = i·row_step + j·col_step: where output (i, j)'s window starts in a padded copy.
static const int* grid_positions(int OH, int OW, int row_step, int col_step, int* pos) {
  for (int i = 0; i < OH; i++)
    for (int j = 0; j < OW; j++) pos[i * OW + j] = i * row_step + j * col_step;
  return pos;
}

// Taps ordered kernel row first, per_row of them to a kernel row: for each output row i, the range of
// k [ranges[2i], ranges[2i+1]) whose kernel rows land in the image, not in its zero padding. Window
// row i reads padded rows i·s + a·d (a < kh), and the image is padded rows [pad, pad + H).
static const int* image_tap_ranges(int OH, int s, int d, int pad, int H, int kh, int per_row, int* ranges) {
  for (int i = 0; i < OH; i++) {
    const int top = i * s, last = pad + H - 1 - top;  // the image's rows: pad − top ≤ a·d ≤ last
    const int lo = std::min(kh, top >= pad ? 0 : (pad - top + d - 1) / d);
    const int hi = std::max(lo, last < 0 ? 0 : std::min(kh, last / d + 1));
    ranges[2 * i] = lo * per_row, ranges[2 * i + 1] = hi * per_row;
  }
  return ranges;
}

// y[m][p] = Σ_k xp[pos[p] + offsets[k]] · B[k][m] for m < M, p < P (a grid OW wide), B in whole-K
// panels: 4 outputs × 8 channels per micro-tile. The 4 outputs are any 4 of the grid — a tile may
// span two rows — so none is spent on a row's end (a row of 14 is not two tiles of 8); and the sum
// runs over the taps that the tile's rows have in the image (tap_ranges), skipping padding rows.
static void implicit_conv(const float* b_panels, int M, int K, const int* offsets, const int* tap_ranges, const float* xp,
                          const int* pos, int OW, int P, float* y) {
  float edge[kMR * kNR];
  for (int p = 0; p < P; p += kMR) {
    const int rows = std::min(kMR, P - p);
    const float* a_rows[kMR];
    for (int r = 0; r < kMR; r++) a_rows[r] = xp + pos[std::min(p + r, P - 1)];  // spare rows: discarded
    // the ranges shrink as i grows at both ends: the first row's end, the last row's start
    const int k0 = tap_ranges[2 * ((p + rows - 1) / OW)], kc = std::max(0, tap_ranges[2 * (p / OW) + 1] - k0);
    const int* tap = offsets + k0;
    for (int m = 0; m < M; m += kNR) {
      const int cols = std::min(kNR, M - m);
      const float* b = b_panels + (size_t)m * K + (size_t)k0 * kNR;
      float* c = y + (size_t)m * P + p;
      if (rows == kMR && cols == kNR) {
        gemm_micro_4x8_gather_a(kc, a_rows, tap, b, c, P, false, true);
        continue;
      }
      gemm_micro_4x8_gather_a(kc, a_rows, tap, b, edge, kNR, false, false);
      for (int r = 0; r < rows; r++)
        for (int q = 0; q < cols; q++) c[(size_t)q * P + r] = edge[r * kNR + q];
    }
  }
}

// offsets[k] = c·plane + a·d_h·pitch + b·d_w: where kernel tap (c,a,b) reads, from a window's corner;
// k = (c·k_h + a)·k_w + b, the weights' order, or with rows_first k = (a·C + c)·k_w + b (the taps of
// one kernel row together, for image_tap_ranges). offsets holds C·k_h·k_w ints (the workspace's).
static const int* tap_offsets(const Padded& p, int kh, int kw, const Pair& dilation, bool rows_first, int* offsets) {
  for (int c = 0; c < p.C; c++)
    for (int a = 0; a < kh; a++)
      for (int b = 0; b < kw; b++)
        offsets[((rows_first ? a * p.C + c : c * kh + a)) * kw + b] =
            (int)(c * p.plane()) + a * dilation.h * p.pitch + b * dilation.w;
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

// The micro-kernel reads a zero-padded copy of the input in place — column matrix entry (k, p) is
// xp[pos[p] + offsets[k]] — so no column matrix is built (implicit im2col), unless the padded copy
// is the larger of the two (a large dilation with as much padding): then im2col builds it, straight
// in the GEMM's layout.
static bool implicit_forward(const ConvSizes& z) { return z.x_pad.floats() <= (uint64_t)z.K * z.P; }
// Backward in place needs stride 1 on both axes: dX is then a convolution of the padded dY with
// the flipped kernels, padding (k−1)·d − p, which must not be negative.
static bool implicit_backward(const ConvGeometry& g, const ConvSizes& z) {
  return g.stride.h == 1 && g.stride.w == 1 && implicit_forward(z) && g.padding.h <= (g.kernel.h - 1) * g.dilation.h &&
         g.padding.w <= (g.kernel.w - 1) * g.dilation.w &&
         z.dy_pad.plane() <= (uint64_t)g.kernel.h * g.kernel.w * z.x_pad.H * z.x_pad.W;
}

WorkspaceSize conv2d_workspace(const Shape& xs, int c_out, const ConvGeometry& g) {
  const ConvSizes z = conv_sizes(xs, c_out, g);
  const uint64_t KP = (uint64_t)z.K * z.P;  // 64-bit: size_t is 32 bits in WASM
  const uint64_t K2 = (uint64_t)c_out * g.kernel.h * g.kernel.w;  // dX's sum: (o, a, b)
  const uint64_t forward = implicit_forward(z)
                               ? (c_out + round_up(c_out, kNR)) * z.K + z.x_pad.floats()  // W, its panels, x
                               : round_up(z.P, kNR) * z.K + z.P;  // packed im2col + one of its rows
  const uint64_t backward =
      implicit_backward(g, z)
          ? std::max((xs.c + round_up(xs.c, kNR)) * K2 + z.dy_pad.floats(),  // W′, its panels, padded dY
                     z.x_pad.floats() + round_up(c_out, kNR) * z.P)           // padded x, dY's panels
          : 2 * KP;  // col and dcol
  const uint64_t floats = std::max(forward, backward);
  if (floats > Limits::max_workspace_floats)
    throw Error("convolution needs a workspace of " + std::to_string(floats) + " floats, over the limit of " +
                std::to_string(Limits::max_workspace_floats));
  // tap offsets of x or dY, then the output grid's positions (y's or dX's), then its rows' tap ranges
  return {floats, std::max<uint64_t>(z.K, K2) + std::max<uint64_t>(z.P, (uint64_t)xs.h * xs.w) +
                      2 * (uint64_t)std::max(z.ys.h, xs.h)};
}

void conv2d_forward(const float* x, const Shape& xs, const float* w, const float* b, int c_out,
                    const ConvGeometry& g, float* y, Workspace& ws) {
  const ConvSizes z = conv_sizes(xs, c_out, g);
  float* workspace = ws.floats.data();
  const int P = z.P, K = z.K;
  const bool implicit = implicit_forward(z);
  float *packed = workspace, *row = nullptr, *xp = nullptr;
  const int *offsets = nullptr, *pos = nullptr, *tap_ranges = nullptr;
  if (implicit) {
    const int kh = g.kernel.h, kw = g.kernel.w, C = xs.c;
    float* w_rows_first = workspace;  // W with its taps in tap_offsets' rows_first order
    packed = w_rows_first + (size_t)c_out * K;
    xp = packed + round_up(c_out, kNR) * K;
    for (int o = 0; o < c_out; o++)
      for (int c = 0; c < C; c++)
        for (int a = 0; a < kh; a++)
          for (int q = 0; q < kw; q++)
            w_rows_first[(size_t)o * K + (a * C + c) * kw + q] = w[(size_t)o * K + (c * kh + a) * kw + q];
    rows_to_panels(w_rows_first, c_out, K, packed);
    std::fill_n(xp, z.x_pad.floats(), 0.0f);
    int* ints = ws.ints.data();
    offsets = tap_offsets(z.x_pad, kh, kw, g.dilation, true, ints);
    pos = grid_positions(z.ys.h, z.ys.w, g.stride.h * z.x_pad.pitch, g.stride.w, ints + K);
    tap_ranges = image_tap_ranges(z.ys.h, g.stride.h, g.dilation.h, g.padding.h, xs.h, kh, C * kw, ints + K + P);
  } else {
    row = workspace + gemm_packed_b_size(K, P);
    std::fill_n(packed, gemm_packed_b_size(K, P), 0.0f);  // the pad columns of the last panel
  }
  for (int n = 0; n < xs.n; n++) {
    const float* xn = x + (size_t)n * xs.per_example();
    float* yn = y + (size_t)n * z.ys.per_example();
    if (implicit) {
      pad_copy(z.x_pad, xn, xp);
      implicit_conv(packed, c_out, K, offsets, tap_ranges, xp, pos, z.ys.w, P, yn);
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

// dX = conv(pad(dY, (k−1)·d − p), W flipped and transposed): W′[c][a][o][b] = W[o][c][k_h−1−a][k_w−1−b]
// (taps in tap_offsets' rows_first order).
static void conv2d_backward_data_implicit(const Shape& xs, const float* w, int c_out, const ConvGeometry& g,
                                          const ConvSizes& z, const float* dy, float* dx, Workspace& ws) {
  float* workspace = ws.floats.data();
  const int kh = g.kernel.h, kw = g.kernel.w, K2 = c_out * kh * kw;
  float* flipped = workspace;                   // W′[C_in][K2 = (a,o,b)]
  float* panels = flipped + (size_t)xs.c * K2;  // W′ᵀ as the micro-kernel's B panels
  float* dyp = panels + round_up(xs.c, kNR) * K2;
  for (int c = 0; c < xs.c; c++)
    for (int a = 0, k = 0; a < kh; a++)
      for (int o = 0; o < c_out; o++)
        for (int b = 0; b < kw; b++, k++)
          flipped[(size_t)c * K2 + k] = w[(((size_t)o * xs.c + c) * kh + kh - 1 - a) * kw + kw - 1 - b];
  rows_to_panels(flipped, xs.c, K2, panels);
  std::fill_n(dyp, z.dy_pad.floats(), 0.0f);
  int* ints = ws.ints.data();
  const int* offsets = tap_offsets(z.dy_pad, kh, kw, g.dilation, true, ints);
  const int* pos = grid_positions(xs.h, xs.w, z.dy_pad.pitch, 1, ints + K2);
  const int* tap_ranges =
      image_tap_ranges(xs.h, 1, g.dilation.h, z.dy_pad.ph, z.ys.h, kh, c_out * kw, ints + K2 + xs.h * xs.w);
  for (int n = 0; n < xs.n; n++) {
    pad_copy(z.dy_pad, dy + (size_t)n * z.ys.per_example(), dyp);
    implicit_conv(panels, xs.c, K2, offsets, tap_ranges, dyp, pos, xs.w, xs.h * xs.w,
                  dx + (size_t)n * xs.per_example());
  }
}

// dW[o][k] = Σ_p xp[offsets[k] + pos[p]] · dY[o][p]: a GEMM per example over the P outputs with A's
// rows (taps k) read in place from the padded input through the output grid's positions, and dY as
// B's panels; 4 taps × 8 channels per micro-tile, added to dW transposed. The sum runs over the
// output rows where one of the 4 taps reads the image, skipping the rows where all read padding.
static void conv2d_backward_filter_implicit(const float* x, const Shape& xs, int c_out, const ConvGeometry& g,
                                            const ConvSizes& z, const float* dy, float* dw, Workspace& ws) {
  float* workspace = ws.floats.data();
  const int K = z.K, P = z.P;
  float* xp = workspace;
  float* dyq = xp + z.x_pad.floats();  // panels of 8 channels: dyq[o/8][p][o%8]
  std::fill_n(xp, z.x_pad.floats(), 0.0f);
  const int kh = g.kernel.h, kw = g.kernel.w, d = g.dilation.h, ph = g.padding.h, OW = z.ys.w;
  const int* offsets = tap_offsets(z.x_pad, kh, kw, g.dilation, false, ws.ints.data());
  const int* pos = grid_positions(z.ys.h, OW, z.x_pad.pitch, 1, ws.ints.data() + K);
  float edge[kMR * kNR];
  for (int n = 0; n < xs.n; n++) {
    pad_copy(z.x_pad, x + (size_t)n * xs.per_example(), xp);
    rows_to_panels(dy + (size_t)n * z.ys.per_example(), c_out, P, dyq);
    for (int k = 0; k < K; k += kMR) {
      const int rows = std::min(kMR, K - k);
      const float* taps[kMR];
      for (int r = 0; r < kMR; r++) taps[r] = xp + offsets[std::min(k + r, K - 1)];  // spare rows: discarded
      // kernel rows a of taps k..k+rows−1 (ordered (c, a, b)); output row i reads the image with
      // kernel row a iff ph ≤ i + a·d < ph + H
      int a_min = kh, a_max = 0;
      for (int r = 0; r < rows; r++) {
        const int a = (k + r) / kw % kh;
        a_min = std::min(a_min, a), a_max = std::max(a_max, a);
      }
      const int i0 = std::clamp(ph - a_max * d, 0, z.ys.h), i1 = std::max(i0, std::min(z.ys.h, ph + xs.h - a_min * d));
      const int p0 = i0 * OW, pc = (i1 - i0) * OW;
      for (int o = 0; o < c_out; o += kNR) {
        const int cols = std::min(kNR, c_out - o);
        const float* b = dyq + (size_t)o * P + (size_t)p0 * kNR;
        float* c = dw + (size_t)o * K + k;
        if (rows == kMR && cols == kNR) {
          gemm_micro_4x8_gather_a(pc, taps, pos + p0, b, c, K, true, true);
          continue;
        }
        gemm_micro_4x8_gather_a(pc, taps, pos + p0, b, edge, kNR, false, false);
        for (int r = 0; r < rows; r++)
          for (int q = 0; q < cols; q++) c[(size_t)q * K + r] += edge[r * kNR + q];
      }
    }
  }
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
