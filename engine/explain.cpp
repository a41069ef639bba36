#include "explain.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "error.h"
#include "preprocess.h"
#include "rng.h"

namespace convlab {

namespace {

// Taps of an output position's window: input row = y·s − p + a·d, column likewise (§2).
void window_taps(UnitExplanation& e, const ConvGeometry& g) {
  e.kh = g.kernel.h, e.kw = g.kernel.w;
  e.tap_y.resize((size_t)e.kh * e.kw), e.tap_x.resize((size_t)e.kh * e.kw);
  for (int a = 0; a < e.kh; a++)
    for (int b = 0; b < e.kw; b++) {
      e.tap_y[(size_t)a * e.kw + b] = e.y * g.stride.h - g.padding.h + a * g.dilation.h;
      e.tap_x[(size_t)a * e.kw + b] = e.x * g.stride.w - g.padding.w + b * g.dilation.w;
    }
}

// y = Σ_c Σ_ab x[c][tap]·w[c][a][b] + b; the flipped kernel w[c][kh−1−a][kw−1−b] gives convolution.
void explain_convolution(UnitExplanation& e, const float* x, const Shape& in, const float* w, float bias) {
  const int taps = e.kh * e.kw;
  e.in_channels = in.c;
  e.patch.assign((size_t)in.c * taps, 0.0f);
  e.kernel.assign(w, w + (size_t)in.c * taps);
  e.channel_sums.assign(in.c, 0.0f);
  e.bias = bias;
  double total = bias, flipped = bias;
  for (int c = 0; c < in.c; c++) {
    double sum = 0.0, flipped_sum = 0.0;
    for (int t = 0; t < taps; t++) {
      if (!e.tap_inside(t, in.h, in.w)) continue;  // padding: x = 0
      const float v = x[((size_t)c * in.h + e.tap_y[t]) * in.w + e.tap_x[t]];
      e.patch[(size_t)c * taps + t] = v;
      sum += (double)v * w[(size_t)c * taps + t];
      flipped_sum += (double)v * w[(size_t)c * taps + (taps - 1 - t)];
    }
    e.channel_sums[c] = (float)sum;
    total += sum, flipped += flipped_sum;
  }
  e.value = (float)total;
  e.flipped_value = (float)flipped;
}

// Pooling over the window's real cells (docs/math.md §5, engine/pool.h).
void explain_pool(UnitExplanation& e, const float* x, const Shape& in, const LayerSpec& l) {
  const PoolGeometry pg = l.pool();
  window_taps(e, {pg.size, pg.stride, pg.padding, {1, 1}});
  const int taps = e.kh * e.kw;
  const float* plane = x + (size_t)e.channel * in.h * in.w;
  e.patch.assign(taps, 0.0f);
  e.window_weights.assign(taps, 0.0f);
  const PoolKind kind = pool_kind_of(l.type);
  double sum = 0.0, weight_sum = 0.0, best = -INFINITY;
  for (int t = 0; t < taps; t++) {
    if (!e.tap_inside(t, in.h, in.w)) continue;
    const float v = plane[(size_t)e.tap_y[t] * in.w + e.tap_x[t]];
    e.patch[t] = v;
    e.counted++;
    if (kind == PoolKind::Max && v > best) best = v, e.winner = t;  // strictly greater: the first maximum wins
    if (kind == PoolKind::Avg) sum += v;
    if (kind == PoolKind::L2) sum += (double)v * v;
    if (kind == PoolKind::WeightedAvg) {
      const float wt = wavg_pool_weight(pg, t / e.kw, t % e.kw);
      e.window_weights[t] = wt;
      weight_sum += wt, sum += (double)wt * v;
    }
  }
  if (kind == PoolKind::WeightedAvg)
    for (float& wt : e.window_weights) wt = (float)(wt / weight_sum);
  e.value = kind == PoolKind::Max ? (float)best
            : kind == PoolKind::Avg ? (float)(sum / e.counted)
            : kind == PoolKind::L2  ? (float)std::sqrt(sum)
                                    : (float)(sum / weight_sum);
}

float activation(const LayerSpec& l, float v) {
  switch (l.type) {
    case LayerType::Relu: return v > 0.0f ? v : 0.0f;
    case LayerType::LeakyRelu: return v > 0.0f ? v : l.alpha * v;
    case LayerType::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    case LayerType::Tanh: return std::tanh(v);
    default: return v;  // flatten, dropout at inference
  }
}

}  // namespace

UnitExplanation explain_unit(Network& net, size_t layer, int channel, int y, int x, int dense_top) {
  if (layer >= net.info().size()) throw Error("layer " + std::to_string(layer + 1) + " does not exist");
  const Shape out = net.info()[layer].out;
  if (channel < 0 || channel >= out.c || y < 0 || y >= out.h || x < 0 || x >= out.w)
    throw Error("unit (" + std::to_string(channel) + ", " + std::to_string(y) + ", " + std::to_string(x) +
                ") is outside layer " + std::to_string(layer + 1) + "'s " + std::to_string(out.c) + "×" +
                std::to_string(out.h) + "×" + std::to_string(out.w) + " output");
  const Tensor& input = net.layer_input(layer);
  const Tensor& output = net.layer_output(layer);
  if (input.shape.n < 1 || output.shape.n < 1) throw Error("no forward pass to explain yet");
  const Shape in = layer == 0 ? net.spec().input : net.info()[layer - 1].out;
  const LayerSpec& l = net.spec().layers[layer];
  const float* xs = input.ptr();
  UnitExplanation e;
  e.type = l.type, e.layer = layer, e.channel = channel, e.y = y, e.x = x;
  e.engine_value = output.ptr()[((size_t)channel * out.h + y) * out.w + x];
  const size_t taps_per_filter = (size_t)in.c * l.kernel.h * l.kernel.w;
  switch (l.type) {
    case LayerType::Conv2d: {
      window_taps(e, l.conv());
      const float* w = net.weights(layer).data + (size_t)channel * taps_per_filter;
      explain_convolution(e, xs, in, w, net.biases(layer).data[channel]);
      break;
    }
    case LayerType::TiledConv2d:
    case LayerType::Local2d: {
      const UnsharedConv u = unshared_of(l);
      window_taps(e, l.conv());
      e.weight_set = u.weight_set(y, x, out.w);
      const float* w = net.weights(layer).data + ((size_t)e.weight_set * u.c_out + channel) * taps_per_filter;
      const float* b = net.biases(layer).data;
      explain_convolution(e, xs, in, w, u.bias_per_position ? b[((size_t)channel * out.h + y) * out.w + x] : b[channel]);
      break;
    }
    case LayerType::MaxPool:
    case LayerType::AvgPool:
    case LayerType::WAvgPool:
    case LayerType::L2Pool:
      explain_pool(e, xs, in, l);
      break;
    case LayerType::GlobalAvgPool: {
      const size_t plane = (size_t)in.h * in.w;
      const float* p = xs + (size_t)channel * plane;
      e.input = (float)(std::accumulate(p, p + plane, 0.0) / (double)plane);
      e.counted = (int)plane;
      e.value = e.input;
      break;
    }
    case LayerType::Dense: {
      const size_t n = in.per_example();
      const float* w = net.weights(layer).data + (size_t)channel * n;
      std::vector<int> order(n);
      std::iota(order.begin(), order.end(), 0);
      const size_t top = std::min(n, (size_t)std::max(0, dense_top));
      std::partial_sort(order.begin(), order.begin() + (ptrdiff_t)top, order.end(),
                        [&](int a, int b) { return std::fabs(w[a] * xs[a]) > std::fabs(w[b] * xs[b]); });
      double total = e.bias = net.biases(layer).data[channel], rest = 0.0;
      for (size_t k = 0; k < n; k++) {
        const double product = (double)w[order[k]] * xs[order[k]];
        if (k < top) {
          e.top_index.push_back(order[k]), e.top_weight.push_back(w[order[k]]), e.top_input.push_back(xs[order[k]]);
        } else {
          rest += product;
        }
        total += product;
      }
      e.rest = (float)rest;
      e.value = (float)total;
      break;
    }
    default: {  // element-wise: flatten keeps the index, the rest map a unit to the same unit
      e.input = xs[((size_t)channel * out.h + y) * out.w + x];
      e.value = activation(l, e.input);
      break;
    }
  }
  return e;
}

std::vector<uint8_t> receptive_field_mask(const NetworkSpec& spec, const std::vector<LayerInfo>& info, size_t layer,
                                          int channel, int y, int x) {
  if (layer >= info.size()) throw Error("layer " + std::to_string(layer + 1) + " does not exist");
  Shape out = info[layer].out;
  if (channel < 0 || channel >= out.c || y < 0 || y >= out.h || x < 0 || x >= out.w)
    throw Error("unit outside layer " + std::to_string(layer + 1) + "'s output");
  // Which units of each layer's input can reach the unit, as a C×H×W mask, layer by layer down.
  std::vector<uint8_t> mask(out.per_example(), 0);
  mask[((size_t)channel * out.h + y) * out.w + x] = 1;
  for (size_t k = layer + 1; k-- > 0;) {
    const Shape in = k == 0 ? spec.input : info[k - 1].out;
    const LayerSpec& l = spec.layers[k];
    std::vector<uint8_t> below(in.per_example(), 0);
    auto mark_window = [&](const ConvGeometry& g, int c_out, int oy, int ox, bool all_channels) {
      for (int c = all_channels ? 0 : c_out; c < (all_channels ? in.c : c_out + 1); c++)
        for (int a = 0; a < g.kernel.h; a++)
          for (int b = 0; b < g.kernel.w; b++) {
            const int iy = oy * g.stride.h - g.padding.h + a * g.dilation.h;
            const int ix = ox * g.stride.w - g.padding.w + b * g.dilation.w;
            if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) below[((size_t)c * in.h + iy) * in.w + ix] = 1;
          }
    };
    const bool any = std::any_of(mask.begin(), mask.end(), [](uint8_t m) { return m != 0; });
    for (int c = 0; c < out.c; c++)
      for (int i = 0; i < out.h; i++)
        for (int j = 0; j < out.w; j++) {
          const size_t o = ((size_t)c * out.h + i) * out.w + j;
          if (!mask[o]) continue;
          switch (l.type) {
            case LayerType::Conv2d:
            case LayerType::TiledConv2d:
            case LayerType::Local2d: mark_window(l.conv(), c, i, j, true); break;
            case LayerType::MaxPool:
            case LayerType::AvgPool:
            case LayerType::WAvgPool:
            case LayerType::L2Pool: mark_window({l.kernel, l.stride, l.padding, {1, 1}}, c, i, j, false); break;
            case LayerType::GlobalAvgPool: std::fill_n(below.begin() + (ptrdiff_t)c * in.h * in.w, (size_t)in.h * in.w, 1); break;
            case LayerType::Dense: break;  // below: everything
            default: below[o] = 1;  // element-wise, flatten: the same index
          }
        }
    if (l.type == LayerType::Dense && any) std::fill(below.begin(), below.end(), 1);
    mask = std::move(below);
    out = in;
  }
  // The input's channels share the pixels.
  const Shape in = spec.input;
  std::vector<uint8_t> pixels((size_t)in.h * in.w, 0);
  for (int c = 0; c < in.c; c++)
    for (size_t p = 0; p < pixels.size(); p++) pixels[p] |= mask[(size_t)c * pixels.size() + p];
  return pixels;
}

BackwardViews backward_views(Network& net, const float* image, int label, size_t layer) {
  if (layer >= net.info().size()) throw Error("layer " + std::to_string(layer + 1) + " does not exist");
  BackwardViews v;
  v.layer = layer, v.label = label;
  v.loss = net.loss_gradients(image, label);
  v.in = layer == 0 ? net.spec().input : net.info()[layer - 1].out;
  v.out = net.info()[layer].out;
  const float* dy = net.layer_output_grad(layer).ptr();
  const float* dx = net.layer_input_grad(layer).ptr();
  v.dy.assign(dy, dy + v.out.per_example());
  v.dx.assign(dx, dx + v.in.per_example());
  const LayerInfo& f = net.info()[layer];
  v.dw.assign(net.weight_grads(layer), net.weight_grads(layer) + f.weights);
  v.db.assign(net.bias_grads(layer), net.bias_grads(layer) + f.biases);
  const LayerSpec& l = net.spec().layers[layer];
  const Shape in = v.in, out = v.out;
  if (l.type == LayerType::Conv2d) {
    // ∂L/∂X = full convolution: dY dilated by the stride (s − 1 zeros between entries), padded by
    // K_eff − 1 − p, correlated with the kernel flipped (and dilated by d).
    const ConvGeometry g = l.conv();
    const int keh = (g.kernel.h - 1) * g.dilation.h + 1, kew = (g.kernel.w - 1) * g.dilation.w + 1;
    const int dh = (out.h - 1) * g.stride.h + 1, dw = (out.w - 1) * g.stride.w + 1;
    const int ph = keh - 1 - g.padding.h, pw = kew - 1 - g.padding.w;
    const float* w = net.weights(layer).data;
    v.dx_notes.assign(in.per_example(), 0.0f);
    for (int c = 0; c < in.c; c++)
      for (int p = 0; p < in.h; p++)
        for (int q = 0; q < in.w; q++) {
          double sum = 0.0;
          for (int o = 0; o < out.c; o++)
            for (int u = 0; u < keh; u++)
              for (int t = 0; t < kew; t++) {
                // flipped dilated kernel at (u, t): the original tap (K_eff−1−u, K_eff−1−t), if on the grid
                const int a = keh - 1 - u, b = kew - 1 - t;
                if (a % g.dilation.h || b % g.dilation.w) continue;
                const int yy = p + u - ph, xx = q + t - pw;  // in the dilated dY, before its padding
                if (yy < 0 || yy >= dh || xx < 0 || xx >= dw || yy % g.stride.h || xx % g.stride.w) continue;
                const float grad = dy[((size_t)o * out.h + yy / g.stride.h) * out.w + xx / g.stride.w];
                sum += (double)grad * w[(((size_t)o * in.c + c) * g.kernel.h + a / g.dilation.h) * g.kernel.w + b / g.dilation.w];
              }
          v.dx_notes[((size_t)c * in.h + p) * in.w + q] = (float)sum;
        }
    for (size_t k = 0; k < v.dx.size(); k++) v.dx_max_diff = std::max(v.dx_max_diff, std::fabs(v.dx_notes[k] - v.dx[k]));
  }
  if (l.type == LayerType::MaxPool) {
    for (int c = 0; c < out.c; c++)
      for (int i = 0; i < out.h; i++)
        for (int j = 0; j < out.w; j++) {
          const UnitExplanation e = explain_unit(net, layer, c, i, j);
          v.winners.push_back(e.winner < 0 ? -1 : (c * in.h + e.tap_y[e.winner]) * in.w + e.tap_x[e.winner]);
        }
  }
  return v;
}

std::vector<float> shift_probabilities(Network& net, const float* image, int max_shift, bool vertical) {
  const Shape in = net.spec().input;
  if (in.c != 1) throw Error("shifts need a one-channel input");
  const int n = 2 * max_shift + 1;
  const size_t pixels = (size_t)in.h * in.w;
  std::vector<float> images((size_t)n * pixels), probs((size_t)n * net.classes());
  for (int s = -max_shift; s <= max_shift; s++)
    shift_image(image, in.h, in.w, vertical ? s : 0, vertical ? 0 : s, images.data() + (size_t)(s + max_shift) * pixels);
  net.predict(images.data(), n, probs.data());
  return probs;
}

std::vector<float> smooth_gradient(Network& net, const float* image, int class_index, int samples, float sigma,
                                   uint64_t seed) {
  const size_t size = net.input_size();
  std::vector<float> sum(size, 0.0f), noisy(size), dx(size);
  Rng rng(seed);
  for (int k = 0; k < samples; k++) {
    for (size_t i = 0; i < size; i++) noisy[i] = image[i] + sigma * rng.normal();
    net.input_gradient(noisy.data(), class_index, dx.data());
    for (size_t i = 0; i < size; i++) sum[i] += dx[i];
  }
  for (float& v : sum) v /= (float)std::max(1, samples);
  return sum;
}

std::string output_size_text(const LayerSpec& l, const Shape& in) {
  const LayerKind& kind = layer_kind(l.type);
  const LayerShape shape = kind.shape(l, in);
  const Shape out = shape.out;
  if (shape.reach == LayerShape::Window) {
    const ConvGeometry g = l.type == LayerType::Conv2d || l.type == LayerType::TiledConv2d || l.type == LayerType::Local2d
                               ? l.conv()
                               : ConvGeometry{l.kernel, l.stride, l.padding, {1, 1}};
    const std::string h = conv2d_output_size_formula(in.h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h);
    const std::string w = conv2d_output_size_formula(in.w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w);
    return h == w ? "H\u2032 = W\u2032 = " + h : "H\u2032 = " + h + ",  W\u2032 = " + w;
  }
  const std::string from = std::to_string(in.c) + "\u00d7" + std::to_string(in.h) + "\u00d7" + std::to_string(in.w);
  switch (l.type) {
    case LayerType::Dense: return from + " = " + std::to_string(in.per_example()) + " inputs \u2192 " + std::to_string(out.c) + " units";
    case LayerType::Flatten: return from + " \u2192 " + std::to_string(out.c) + " values in a row";
    case LayerType::GlobalAvgPool: return "each " + std::to_string(in.h) + "\u00d7" + std::to_string(in.w) + " map \u2192 its mean";
    default: return "the same shape, value by value";
  }
}

std::string receptive_field_text(const LayerSpec& l, const Shape& in, const LayerInfo* before, const LayerInfo& info,
                                 const Shape& input) {
  const Pair r0 = before ? before->receptive_field : Pair{1, 1}, j0 = before ? before->jump : Pair{1, 1};
  const Pair r = info.receptive_field, j = info.jump;
  const bool whole = info.rf_start.h <= 0 && info.rf_start.w <= 0 && info.rf_start.h + r.h >= input.h &&
                     info.rf_start.w + r.w >= input.w;
  const std::string tail = whole ? " (the whole image)" : "";
  const LayerShape shape = layer_kind(l.type).shape(l, in);
  auto axis = [](int r_prev, int k, int j_prev, int r_now) {
    return std::to_string(r_prev) + " + (" + std::to_string(k) + "\u22121)\u00b7" + std::to_string(j_prev) + " = " +
           std::to_string(r_now);
  };
  if (shape.reach == LayerShape::Pointwise) return "R = " + std::to_string(r.h) + "\u00d7" + std::to_string(r.w) + ", unchanged" + tail;
  if (shape.reach == LayerShape::Whole)
    return "R = " + std::to_string(r.h) + "\u00d7" + std::to_string(r.w) + ": every input unit" + tail;
  std::string text = "R = " + axis(r0.h, shape.window.h, j0.h, r.h);
  if (shape.window.w != shape.window.h || r0.w != r0.h || j0.w != j0.h) text += ",  " + axis(r0.w, shape.window.w, j0.w, r.w);
  text += ";  J = " + std::to_string(j0.h) + "\u00b7" + std::to_string(shape.stride.h) + " = " + std::to_string(j.h);
  if (shape.stride.w != shape.stride.h || j0.w != j0.h)
    text += ",  " + std::to_string(j0.w) + "\u00b7" + std::to_string(shape.stride.w) + " = " + std::to_string(j.w);
  return text + tail;
}

}  // namespace convlab
