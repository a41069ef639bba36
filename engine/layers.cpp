#include "layers.h"

#include <algorithm>

#include "error.h"
#include "size_limits.h"
#include "ops.h"

namespace convlab {

int& setting_int(LayerSpec& l, Setting s) {
  switch (s) {
    case Setting::Filters: return l.filters;
    case Setting::Tiles: return l.tiles;
    case Setting::Units: return l.units;
    default: throw Error("not an integer setting");
  }
}
Pair& setting_pair(LayerSpec& l, Setting s) {
  switch (s) {
    case Setting::Kernel:
    case Setting::Size: return l.kernel;
    case Setting::Stride: return l.stride;
    case Setting::Padding: return l.padding;
    case Setting::Dilation: return l.dilation;
    default: throw Error("not an [h, w] setting");
  }
}
float& setting_float(LayerSpec& l, Setting s) {
  switch (s) {
    case Setting::Alpha: return l.alpha;
    case Setting::Rate: return l.rate;
    default: throw Error("not a real-valued setting");
  }
}

PoolKind pool_kind_of(LayerType t) {
  switch (t) {
    case LayerType::AvgPool: return PoolKind::Avg;
    case LayerType::WAvgPool: return PoolKind::WeightedAvg;
    case LayerType::L2Pool: return PoolKind::L2;
    default: return PoolKind::Max;
  }
}
const char* pool_kind_name(PoolKind k) {
  switch (k) {
    case PoolKind::Avg: return "avg";
    case PoolKind::WeightedAvg: return "wavg";
    case PoolKind::L2: return "l2";
    default: return "max";
  }
}

UnsharedConv unshared_of(const LayerSpec& l) {
  UnsharedConv u;
  u.g = l.conv(), u.c_out = l.filters;
  u.tiles = l.type == LayerType::TiledConv2d ? l.tiles : 0;
  u.bias_per_position = l.type == LayerType::Local2d;
  return u;
}

namespace {

// ---- shape rules ----

// H' = ⌊(H + 2p − (k−1)·d − 1)/s⌋ + 1 per axis; the receptive field grows by the dilated kernel.
LayerShape conv_shape(const LayerSpec& l, const Shape& in) {
  const ConvGeometry g = l.conv();
  if (std::string problem = conv2d_output_problem(in, g); !problem.empty()) throw Error(problem);
  LayerShape s;
  s.out = conv2d_output_shape({1, in.c, in.h, in.w}, l.filters, g);
  const uint64_t kernel = (uint64_t)in.c * g.kernel.h * g.kernel.w, positions = (uint64_t)s.out.h * s.out.w;
  const uint64_t sets = l.type == LayerType::Conv2d        ? 1
                        : l.type == LayerType::TiledConv2d ? (uint64_t)l.tiles * l.tiles
                                                           : positions;
  s.weights = sets * l.filters * kernel;
  s.biases = l.type == LayerType::Local2d ? l.filters * positions : l.filters;
  s.flops = 2 * kernel * s.out.per_example();
  s.fan_in = kernel;
  s.reach = LayerShape::Window;
  s.window = {(g.kernel.h - 1) * g.dilation.h + 1, (g.kernel.w - 1) * g.dilation.w + 1};
  s.stride = g.stride, s.padding = g.padding;
  s.workspace = l.type == LayerType::Conv2d ? conv2d_workspace({1, in.c, in.h, in.w}, l.filters, g)
                                            : unshared_conv_workspace(unshared_of(l), {1, in.c, in.h, in.w});
  if (s.workspace.floats > Limits::max_workspace_floats)
    throw Error("it needs a workspace of " + std::to_string(s.workspace.floats) + " floats, over the limit of " +
                std::to_string(Limits::max_workspace_floats));
  return s;
}

// Padded cells lie outside the image: a window must hold at least one real cell.
LayerShape pool_shape(const LayerSpec& l, const Shape& in) {
  const PoolGeometry g = l.pool();
  if (g.padding.h >= g.size.h || g.padding.w >= g.size.w) {
    const bool rows = g.padding.h >= g.size.h;
    throw Error("padding must be smaller than the window (padding " +
                std::to_string(rows ? g.padding.h : g.padding.w) + " ≥ size " +
                std::to_string(rows ? g.size.h : g.size.w) + "), or a window could hold no image cell");
  }
  if (std::string problem = conv2d_output_problem(in, {g.size, g.stride, g.padding, {1, 1}}); !problem.empty())
    throw Error(problem);
  LayerShape s;
  s.out = pool2d_output_shape({1, in.c, in.h, in.w}, g);
  s.flops = (uint64_t)g.size.h * g.size.w * s.out.per_example();
  s.reach = LayerShape::Window;
  s.window = g.size, s.stride = g.stride, s.padding = g.padding;
  return s;
}

LayerShape global_pool_shape(const LayerSpec&, const Shape& in) {
  LayerShape s;
  s.out = {1, in.c, 1, 1};
  s.flops = in.per_example();
  s.reach = LayerShape::Whole;
  return s;
}

LayerShape dense_shape(const LayerSpec& l, const Shape& in) {
  LayerShape s;
  s.out = {1, l.units, 1, 1};
  s.weights = (uint64_t)l.units * in.per_example();
  s.biases = l.units;
  s.flops = 2 * s.weights;
  s.fan_in = in.per_example();
  s.reach = LayerShape::Whole;
  return s;
}

LayerShape flatten_shape(const LayerSpec&, const Shape& in) {
  LayerShape s;
  s.out = {1, (int)in.per_example(), 1, 1};  // in ≤ Limits::max_activation_floats
  s.reach = LayerShape::Whole;               // a flat unit has no spatial position left
  return s;
}

LayerShape pointwise_shape(const LayerSpec&, const Shape& in) {
  LayerShape s;
  s.out = {1, in.c, in.h, in.w};
  s.flops = in.per_example();
  return s;
}

// ---- forward / backward: each calls its kernel ----

void conv2d_fwd(const LayerPass& p) {
  conv2d_forward(p.x, p.in, p.w, p.b, p.spec->filters, p.spec->conv(), p.y_out, *p.ws);
}
void conv2d_bwd(const LayerPass& p) {
  conv2d_backward(p.x, p.in, p.w, p.spec->filters, p.spec->conv(), p.dy, p.dx, p.dw, p.db, *p.ws);
}
void unshared_fwd(const LayerPass& p) { unshared_conv_forward(unshared_of(*p.spec), p.x, p.in, p.w, p.b, p.y_out, *p.ws); }
void unshared_bwd(const LayerPass& p) {
  unshared_conv_backward(unshared_of(*p.spec), p.x, p.in, p.w, p.dy, p.dx, p.dw, p.db, *p.ws);
}
void pool_fwd(const LayerPass& p) { pool2d_forward(pool_kind_of(p.spec->type), p.x, p.in, p.spec->pool(), p.y_out); }
void pool_bwd(const LayerPass& p) {
  if (p.dx) pool2d_backward(pool_kind_of(p.spec->type), p.x, p.in, p.spec->pool(), p.y, p.dy, p.dx);
}
void global_pool_fwd(const LayerPass& p) { global_avg_pool_forward(p.x, p.in, p.y_out); }
void global_pool_bwd(const LayerPass& p) {
  if (p.dx) global_avg_pool_backward(p.in, p.dy, p.dx);
}
void dense_fwd(const LayerPass& p) {
  dense_forward(p.x, p.in.n, (int)p.in.per_example(), p.w, p.b, p.spec->units, p.y_out, p.ws->gemm_pack.data());
}
void dense_bwd(const LayerPass& p) {
  dense_backward(p.x, p.in.n, (int)p.in.per_example(), p.w, p.spec->units, p.dy, p.dx, p.dw, p.db,
                 p.ws->gemm_pack.data());
}
void copy_fwd(const LayerPass& p) { std::copy_n(p.x, p.in.size(), p.y_out); }
void copy_bwd(const LayerPass& p) {
  if (p.dx) std::copy_n(p.dy, p.in.size(), p.dx);
}
void relu_fwd(const LayerPass& p) { relu_forward(p.x, p.in.size(), p.y_out); }
void relu_bwd(const LayerPass& p) {
  if (p.dx) relu_backward(p.x, p.in.size(), p.dy, p.dx);
}
void leaky_fwd(const LayerPass& p) { leaky_relu_forward(p.x, p.in.size(), p.spec->alpha, p.y_out); }
void leaky_bwd(const LayerPass& p) {
  if (p.dx) leaky_relu_backward(p.x, p.in.size(), p.spec->alpha, p.dy, p.dx);
}
void sigmoid_fwd(const LayerPass& p) { sigmoid_forward(p.x, p.in.size(), p.y_out); }
void sigmoid_bwd(const LayerPass& p) {
  if (p.dx) sigmoid_backward(p.y, p.in.size(), p.dy, p.dx);
}
void tanh_fwd(const LayerPass& p) { tanh_forward(p.x, p.in.size(), p.y_out); }
void tanh_bwd(const LayerPass& p) {
  if (p.dx) tanh_backward(p.y, p.in.size(), p.dy, p.dx);
}
// Inference (no mask): the identity.
void dropout_fwd(const LayerPass& p) {
  if (p.mask) dropout_forward(p.x, p.in.size(), p.mask, p.y_out);
  else copy_fwd(p);
}
void dropout_bwd(const LayerPass& p) {
  if (p.dx && p.mask) dropout_backward(p.mask, p.in.size(), p.dy, p.dx);
  else copy_bwd(p);
}

// ---- the settings, as the JSON and the editor name them ----

constexpr int W = Limits::max_window;
const SettingDef kFilters{Setting::Filters, "filters", SettingDef::Int, 1, Limits::max_channels, true, 0,
                          "output channels: one kernel and one bias each"};
const SettingDef kKernel{Setting::Kernel, "kernel", SettingDef::IntPair, 1, W, true, 0, "kernel height, width"};
const SettingDef kConvStride{Setting::Stride, "stride", SettingDef::IntPair, 1, W, false, 1,
                             "step between neighbouring outputs, in input pixels"};
const SettingDef kConvPadding{Setting::Padding, "padding", SettingDef::IntPair, 0, W, false, 0,
                              "rows/columns of zeros added on each side of the input"};
const SettingDef kDilation{Setting::Dilation, "dilation", SettingDef::IntPair, 1, W, false, 1,
                           "spacing of the kernel's taps: d − 1 pixels skipped between them"};
const SettingDef kTiles{Setting::Tiles, "tiles", SettingDef::Int, 1, Limits::max_tiles, false, 1,
                       "t: t×t kernel sets cycled over the output grid (t = 1 is conv2d)"};
const SettingDef kSize{Setting::Size, "size", SettingDef::IntPair, 1, W, false, 2, "window height, width"};
const SettingDef kPoolStride{Setting::Stride, "stride", SettingDef::IntPair, 1, W, false, -1,
                             "step between windows (default: the window size)"};
const SettingDef kPoolPadding{Setting::Padding, "padding", SettingDef::IntPair, 0, W, false, 0,
                              "cells outside the image on each side (ignored, not zeros); less than the window"};
const SettingDef kUnits{Setting::Units, "units", SettingDef::Int, 1, Limits::max_units, true, 0,
                        "output units; the input is flattened"};
const SettingDef kAlpha{Setting::Alpha, "alpha", SettingDef::Float, 0, 1, false, 0.01, "slope for negative inputs"};
const SettingDef kRate{Setting::Rate, "rate", SettingDef::Float, 0, 0.95, false, 0.5,
                       "fraction of units zeroed while training (inverted dropout)"};

LayerSpec editor_spec(LayerType t, int filters, Pair kernel, Pair padding, int tiles = 1, int units = 0) {
  LayerSpec l;
  l.type = t, l.filters = filters, l.kernel = kernel, l.padding = padding, l.tiles = tiles, l.units = units;
  l.stride = t == LayerType::MaxPool || t == LayerType::AvgPool || t == LayerType::WAvgPool || t == LayerType::L2Pool
                 ? kernel
                 : Pair{1, 1};
  return l;
}

std::vector<LayerKind> make_table() {
  using T = LayerType;
  const std::vector<SettingDef> conv{kFilters, kKernel, kConvStride, kConvPadding, kDilation};
  const std::vector<SettingDef> tiled{kFilters, kKernel, kConvStride, kConvPadding, kDilation, kTiles};
  const std::vector<SettingDef> pool{kSize, kPoolStride, kPoolPadding};
  const Pair k3{3, 3}, p1{1, 1}, k2{2, 2}, p0{0, 0};
  return {
      {T::Conv2d, "conv2d", "cross-correlation over all input channels, plus a bias per filter", conv,
       editor_spec(T::Conv2d, 8, k3, p1), true, false, conv_shape, conv2d_fwd, conv2d_bwd},
      {T::TiledConv2d, "tiledconv2d", "t×t kernel sets cycled over the output positions", tiled,
       editor_spec(T::TiledConv2d, 8, k3, p1, 2), true, false, conv_shape, unshared_fwd, unshared_bwd},
      {T::Local2d, "local2d", "locally connected: its own kernel and bias at every output position", conv,
       editor_spec(T::Local2d, 8, k3, p1), true, false, conv_shape, unshared_fwd, unshared_bwd},
      {T::MaxPool, "maxpool", "largest value in each window (its gradient goes to the first maximum)", pool,
       editor_spec(T::MaxPool, 0, k2, p0), false, false, pool_shape, pool_fwd, pool_bwd},
      {T::AvgPool, "avgpool", "mean of the window's image cells", pool, editor_spec(T::AvgPool, 0, k2, p0), false,
       false, pool_shape, pool_fwd, pool_bwd},
      {T::WAvgPool, "wavgpool",
       "Gaussian-weighted mean, σ = (size−1)/2; with size 2 both cells of an axis weigh the same, so 2×2 is "
       "the plain average",
       pool, editor_spec(T::WAvgPool, 0, k3, p0), false, false, pool_shape, pool_fwd, pool_bwd},
      {T::L2Pool, "l2pool", "√(Σ x²) over the window's image cells", pool, editor_spec(T::L2Pool, 0, k2, p0), false,
       false, pool_shape, pool_fwd, pool_bwd},
      {T::GlobalAvgPool, "globalavgpool", "mean of each channel over the whole map", {},
       editor_spec(T::GlobalAvgPool, 0, p1, p0), false, false, global_pool_shape, global_pool_fwd, global_pool_bwd},
      {T::Dense, "dense", "every input times a weight, summed, plus a bias, per unit", {kUnits},
       editor_spec(T::Dense, 0, p1, p0, 1, 32), true, false, dense_shape, dense_fwd, dense_bwd},
      {T::Flatten, "flatten", "the map as one vector", {}, editor_spec(T::Flatten, 0, p1, p0), false, false,
       flatten_shape, copy_fwd, copy_bwd},
      {T::Relu, "relu", "max(0, x)", {}, editor_spec(T::Relu, 0, p1, p0), false, false, pointwise_shape, relu_fwd,
       relu_bwd},
      {T::LeakyRelu, "leaky_relu", "x if x > 0, else α·x", {kAlpha}, editor_spec(T::LeakyRelu, 0, p1, p0), false,
       false, pointwise_shape, leaky_fwd, leaky_bwd},
      {T::Sigmoid, "sigmoid", "1 / (1 + e^−x)", {}, editor_spec(T::Sigmoid, 0, p1, p0), false, false,
       pointwise_shape, sigmoid_fwd, sigmoid_bwd},
      {T::Tanh, "tanh", "tanh x", {}, editor_spec(T::Tanh, 0, p1, p0), false, false, pointwise_shape, tanh_fwd,
       tanh_bwd},
      {T::Dropout, "dropout", "while training, zeroes a random fraction and scales the rest by 1/(1−rate)",
       {kRate}, editor_spec(T::Dropout, 0, p1, p0), false, true, pointwise_shape, dropout_fwd, dropout_bwd},
  };
}

}  // namespace

const std::vector<LayerKind>& layer_kinds() {
  static const std::vector<LayerKind> table = make_table();
  return table;
}

const LayerKind& layer_kind(LayerType t) {
  for (const LayerKind& k : layer_kinds())
    if (k.type == t) return k;
  throw Error("unknown layer type");
}

const LayerKind* find_layer_kind(const std::string& name) {
  for (const LayerKind& k : layer_kinds())
    if (name == k.name) return &k;
  return nullptr;
}

const char* layer_type_name(LayerType t) { return layer_kind(t).name; }

}  // namespace convlab
