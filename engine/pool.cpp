#include "pool.h"

#include <algorithm>
#include <cmath>

#include "conv.h"
#include "simd.h"

namespace convlab {

Shape pool2d_output_shape(const Shape& x, const PoolGeometry& g) {
  return {x.n, x.c, conv2d_output_size(x.h, g.size.h, g.stride.h, g.padding.h, 1),
          conv2d_output_size(x.w, g.size.w, g.stride.w, g.padding.w, 1)};
}

float wavg_pool_weight(const PoolGeometry& g, int a, int b) {
  float ca = 0.5f * (g.size.h - 1), cb = 0.5f * (g.size.w - 1);
  float sa = std::max(0.5f, ca), sb = std::max(0.5f, cb);
  float da = (a - ca) / sa, db = (b - cb) / sb;
  return std::exp(-0.5f * (da * da + db * db));
}

// The window of output (i,j) clipped to the image: rows [y0,y1), columns [x0,x1).
struct Window {
  int y0, y1, x0, x1, a0, b0;  // a0,b0: offset of the first real cell inside the window
};
static Window window_of(const PoolGeometry& g, const Shape& xs, int i, int j) {
  int ys = i * g.stride.h - g.padding.h, xs0 = j * g.stride.w - g.padding.w;
  Window w;
  w.y0 = std::max(ys, 0), w.y1 = std::min(ys + g.size.h, xs.h);
  w.x0 = std::max(xs0, 0), w.x1 = std::min(xs0 + g.size.w, xs.w);
  w.a0 = w.y0 - ys, w.b0 = w.x0 - xs0;
  return w;
}

// The LeNet poolings (max or average, 2×2, stride 2, no padding) are most of the pooling work:
// four outputs per step. An odd last row or column belongs to no window.
static bool is_pool_2x2(PoolKind kind, const PoolGeometry& g) {
  return (kind == PoolKind::Max || kind == PoolKind::Avg) && g.size.h == 2 && g.size.w == 2 && g.stride.h == 2 &&
         g.stride.w == 2 && g.padding.h == 0 && g.padding.w == 0;
}

// Four outputs a step; a row's last step starts at OW − 4, overlapping the one before (which stores
// the same values again) rather than leaving up to three outputs to scalar code: rows of 7 and 14
// (LeNet's) are 2 and 4 steps. Rows narrower than 4 take the scalar loop.
static int last_four(int step, int OW) { return std::min(step, OW - 4); }

// Max: y[i][j] = max(x[2i][2j], x[2i][2j+1], x[2i+1][2j], x[2i+1][2j+1]); Avg: their sum / 4.
template <PoolKind kind>
static void pool_2x2_forward(const float* x, const Shape& xs, float* y) {
  const int OH = xs.h / 2, OW = xs.w / 2;
  auto combine = [](f32x4 a, f32x4 b) { return kind == PoolKind::Max ? max4(a, b) : a + b; };
  auto combine1 = [](float a, float b) { return kind == PoolKind::Max ? std::max(a, b) : a + b; };
  const float scale = kind == PoolKind::Max ? 1.0f : 0.25f;
  for (int nc = 0; nc < xs.n * xs.c; nc++)
    for (int i = 0; i < OH; i++) {
      const float* r0 = x + ((size_t)nc * xs.h + 2 * i) * xs.w;
      const float* r1 = r0 + xs.w;
      float* out = y + ((size_t)nc * OH + i) * OW;
      for (int step = 0; OW >= 4 && step < OW; step += 4) {
        const int j = last_four(step, OW);
        f32x4 lo = combine(load4(r0 + 2 * j), load4(r1 + 2 * j));
        f32x4 hi = combine(load4(r0 + 2 * j + 4), load4(r1 + 2 * j + 4));
        f32x4 v = combine(even4(lo, hi), odd4(lo, hi));
        store4(out + j, kind == PoolKind::Max ? v : v * splat4(scale));
      }
      for (int j = 0; OW < 4 && j < OW; j++)
        out[j] = combine1(combine1(r0[2 * j], r1[2 * j]), combine1(r0[2 * j + 1], r1[2 * j + 1])) * scale;
    }
}

// Each cell of a window gets a quarter of its dy.
static void avgpool_2x2_backward(const Shape& xs, const float* dy, float* dx) {
  const int OH = xs.h / 2, OW = xs.w / 2;
  if (xs.h % 2 || xs.w % 2) std::fill_n(dx, xs.size(), 0.0f);
  for (int nc = 0; nc < xs.n * xs.c; nc++)
    for (int i = 0; i < OH; i++) {
      float* d0 = dx + ((size_t)nc * xs.h + 2 * i) * xs.w;
      float* d1 = d0 + xs.w;
      const float* g = dy + ((size_t)nc * OH + i) * OW;
      for (int step = 0; OW >= 4 && step < OW; step += 4) {
        const int j = last_four(step, OW);
        f32x4 q = load4(g + j) * splat4(0.25f), lo = interleave_lo4(q, q), hi = interleave_hi4(q, q);
        store4(d0 + 2 * j, lo), store4(d0 + 2 * j + 4, hi);
        store4(d1 + 2 * j, lo), store4(d1 + 2 * j + 4, hi);
      }
      for (int j = 0; OW < 4 && j < OW; j++) d0[2 * j] = d0[2 * j + 1] = d1[2 * j] = d1[2 * j + 1] = 0.25f * g[j];
    }
}

// dy goes to the first maximum of each window in row-major order (a, b / c, d): a wins ties with
// everyone, b with c and d, c with d — the generic path's rule.
static void maxpool_2x2_backward(const float* x, const Shape& xs, const float* dy, float* dx) {
  const int OH = xs.h / 2, OW = xs.w / 2;
  if (xs.h % 2 || xs.w % 2) std::fill_n(dx, xs.size(), 0.0f);
  const f32x4 zero = {};
  for (int nc = 0; nc < xs.n * xs.c; nc++)
    for (int i = 0; i < OH; i++) {
      const size_t row0 = ((size_t)nc * xs.h + 2 * i) * xs.w;
      const float *r0 = x + row0, *r1 = r0 + xs.w, *g = dy + ((size_t)nc * OH + i) * OW;
      float *d0 = dx + row0, *d1 = d0 + xs.w;
      for (int step = 0; OW >= 4 && step < OW; step += 4) {
        const int j = last_four(step, OW);
        f32x4 p = load4(r0 + 2 * j), q = load4(r0 + 2 * j + 4), u = load4(r1 + 2 * j), v = load4(r1 + 2 * j + 4);
        f32x4 a = even4(p, q), b = odd4(p, q), c = even4(u, v), d = odd4(u, v), gj = load4(g + j);
        i32x4 wa = (a >= b) & (a >= c) & (a >= d);
        i32x4 wb = ~wa & (b >= c) & (b >= d);
        i32x4 wc = ~wa & ~wb & (c >= d);
        i32x4 wd = ~(wa | wb | wc);
        f32x4 ga = wa ? gj : zero, gb = wb ? gj : zero, gc = wc ? gj : zero, gd = wd ? gj : zero;
        store4(d0 + 2 * j, interleave_lo4(ga, gb));
        store4(d0 + 2 * j + 4, interleave_hi4(ga, gb));
        store4(d1 + 2 * j, interleave_lo4(gc, gd));
        store4(d1 + 2 * j + 4, interleave_hi4(gc, gd));
      }
      for (int j = 0; OW < 4 && j < OW; j++) {
        float a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
        bool wa = a >= b && a >= c && a >= d, wb = !wa && b >= c && b >= d, wc = !wa && !wb && c >= d;
        d0[2 * j] = wa ? g[j] : 0.0f, d0[2 * j + 1] = wb ? g[j] : 0.0f;
        d1[2 * j] = wc ? g[j] : 0.0f, d1[2 * j + 1] = !wa && !wb && !wc ? g[j] : 0.0f;
      }
    }
}

// One kind per instantiation: the innermost loops carry no branch on the kind.
template <PoolKind kind>
static void pool2d_forward_kind(const float* x, const Shape& xs, const PoolGeometry& g, float* y) {
  Shape ys = pool2d_output_shape(xs, g);
  for (int nc = 0; nc < xs.n * xs.c; nc++) {
    const float* plane = x + (size_t)nc * xs.h * xs.w;
    float* out = y + (size_t)nc * ys.h * ys.w;
    for (int i = 0; i < ys.h; i++)
      for (int j = 0; j < ys.w; j++) {
        Window w = window_of(g, xs, i, j);
        float acc = kind == PoolKind::Max ? -INFINITY : 0.0f, norm = 0.0f;
        for (int yy = w.y0; yy < w.y1; yy++) {
          const float* r = plane + (size_t)yy * xs.w;
          for (int xx = w.x0; xx < w.x1; xx++) {
            if constexpr (kind == PoolKind::Max) acc = std::max(acc, r[xx]);
            if constexpr (kind == PoolKind::Avg || kind == PoolKind::L2) acc += kind == PoolKind::L2 ? r[xx] * r[xx] : r[xx];
            if constexpr (kind == PoolKind::WeightedAvg) {
              float wt = wavg_pool_weight(g, w.a0 + yy - w.y0, w.b0 + xx - w.x0);
              acc += wt * r[xx], norm += wt;
            }
          }
        }
        if constexpr (kind == PoolKind::Avg) acc /= (float)((w.y1 - w.y0) * (w.x1 - w.x0));
        if constexpr (kind == PoolKind::WeightedAvg) acc /= norm;
        if constexpr (kind == PoolKind::L2) acc = std::sqrt(acc);
        out[(size_t)i * ys.w + j] = acc;
      }
  }
}

void pool2d_forward(PoolKind kind, const float* x, const Shape& xs, const PoolGeometry& g, float* y) {
  if (is_pool_2x2(kind, g))
    return kind == PoolKind::Max ? pool_2x2_forward<PoolKind::Max>(x, xs, y) : pool_2x2_forward<PoolKind::Avg>(x, xs, y);
  switch (kind) {
    case PoolKind::Max: return pool2d_forward_kind<PoolKind::Max>(x, xs, g, y);
    case PoolKind::Avg: return pool2d_forward_kind<PoolKind::Avg>(x, xs, g, y);
    case PoolKind::WeightedAvg: return pool2d_forward_kind<PoolKind::WeightedAvg>(x, xs, g, y);
    case PoolKind::L2: return pool2d_forward_kind<PoolKind::L2>(x, xs, g, y);
  }
}

void pool2d_backward(PoolKind kind, const float* x, const Shape& xs, const PoolGeometry& g,
                     const float* y, const float* dy, float* dx) {
  if (is_pool_2x2(kind, g))
    return kind == PoolKind::Max ? maxpool_2x2_backward(x, xs, dy, dx) : avgpool_2x2_backward(xs, dy, dx);
  Shape ys = pool2d_output_shape(xs, g);
  std::fill_n(dx, xs.size(), 0.0f);
  for (int nc = 0; nc < xs.n * xs.c; nc++) {
    const float* plane = x + (size_t)nc * xs.h * xs.w;
    float* dplane = dx + (size_t)nc * xs.h * xs.w;
    for (int i = 0; i < ys.h; i++)
      for (int j = 0; j < ys.w; j++) {
        size_t o = (size_t)nc * ys.h * ys.w + (size_t)i * ys.w + j;
        float d = dy[o];
        Window w = window_of(g, xs, i, j);
        if (kind == PoolKind::Max) {
          int best = -1;
          for (int yy = w.y0; yy < w.y1; yy++)
            for (int xx = w.x0; xx < w.x1; xx++) {
              int k = yy * xs.w + xx;
              if (best < 0 || plane[k] > plane[best]) best = k;  // strict: first maximum wins
            }
          dplane[best] += d;
          continue;
        }
        float norm = 0.0f;
        if (kind == PoolKind::Avg) norm = (float)((w.y1 - w.y0) * (w.x1 - w.x0));
        if (kind == PoolKind::WeightedAvg)
          for (int yy = w.y0; yy < w.y1; yy++)
            for (int xx = w.x0; xx < w.x1; xx++) norm += wavg_pool_weight(g, w.a0 + yy - w.y0, w.b0 + xx - w.x0);
        for (int yy = w.y0; yy < w.y1; yy++)
          for (int xx = w.x0; xx < w.x1; xx++) {
            int k = yy * xs.w + xx;
            switch (kind) {
              case PoolKind::Avg: dplane[k] += d / norm; break;
              case PoolKind::WeightedAvg:
                dplane[k] += d * wavg_pool_weight(g, w.a0 + yy - w.y0, w.b0 + xx - w.x0) / norm;
                break;
              case PoolKind::L2: dplane[k] += y[o] > 0.0f ? d * plane[k] / y[o] : 0.0f; break;
              case PoolKind::Max: break;
            }
          }
      }
  }
}

void global_avg_pool_forward(const float* x, const Shape& xs, float* y) {
  const int hw = xs.h * xs.w;
  for (int nc = 0; nc < xs.n * xs.c; nc++) {
    float s = 0.0f;
    for (int k = 0; k < hw; k++) s += x[(size_t)nc * hw + k];
    y[nc] = s / hw;
  }
}

void global_avg_pool_backward(const Shape& xs, const float* dy, float* dx) {
  const int hw = xs.h * xs.w;
  for (int nc = 0; nc < xs.n * xs.c; nc++) std::fill_n(dx + (size_t)nc * hw, hw, dy[nc] / hw);
}

}  // namespace convlab
