#include "spec.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace convlab {

using json = nlohmann::json;

namespace {

struct TypeName {
  LayerType type;
  const char* name;
};
constexpr TypeName kTypes[] = {
    {LayerType::Conv2d, "conv2d"},   {LayerType::TiledConv2d, "tiledconv2d"},
    {LayerType::Local2d, "local2d"}, {LayerType::MaxPool, "maxpool"},
    {LayerType::AvgPool, "avgpool"}, {LayerType::WAvgPool, "wavgpool"},
    {LayerType::L2Pool, "l2pool"},   {LayerType::GlobalAvgPool, "globalavgpool"},
    {LayerType::Dense, "dense"},     {LayerType::Flatten, "flatten"},
    {LayerType::Relu, "relu"},       {LayerType::LeakyRelu, "leaky_relu"},
    {LayerType::Sigmoid, "sigmoid"}, {LayerType::Tanh, "tanh"},
    {LayerType::Dropout, "dropout"},
};

bool is_conv(LayerType t) {
  return t == LayerType::Conv2d || t == LayerType::TiledConv2d || t == LayerType::Local2d;
}
bool is_pool(LayerType t) {
  return t == LayerType::MaxPool || t == LayerType::AvgPool || t == LayerType::WAvgPool ||
         t == LayerType::L2Pool;
}

std::string where(size_t index, const std::string& type) {
  return "layer " + std::to_string(index + 1) + " (" + type + "): ";
}

int get_int(const json& v, const std::string& ctx, const char* key, int lo, int hi) {
  if (!v.is_number()) throw Error(ctx + "\"" + key + "\" must be a number");
  double d = v.get<double>();
  if (!std::isfinite(d) || d != std::floor(d)) throw Error(ctx + "\"" + key + "\" must be a whole number");
  if (d < lo || d > hi)
    throw Error(ctx + "\"" + key + "\" = " + v.dump() + " is outside " + std::to_string(lo) + ".." +
                std::to_string(hi));
  return (int)d;
}

// A number n means (n, n); an array [h, w] sets each axis.
Pair get_pair(const json& obj, const std::string& ctx, const char* key, int lo, int hi, Pair fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (it->is_array()) {
    if (it->size() != 2) throw Error(ctx + "\"" + key + "\" must be a number or [h, w]");
    return {get_int((*it)[0], ctx, key, lo, hi), get_int((*it)[1], ctx, key, lo, hi)};
  }
  int v = get_int(*it, ctx, key, lo, hi);
  return {v, v};
}

float get_float(const json& obj, const std::string& ctx, const char* key, float lo, float hi, float fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_number()) throw Error(ctx + "\"" + key + "\" must be a number");
  double d = it->get<double>();
  if (!std::isfinite(d) || d < lo || d > hi)
    throw Error(ctx + "\"" + key + "\" = " + it->dump() + " is outside " + json(lo).dump() + ".." +
                json(hi).dump());
  return (float)d;
}

void reject_unknown_keys(const json& obj, const std::string& ctx, std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) throw Error(ctx + "unknown setting \"" + it.key() + "\"");
  }
}

LayerSpec parse_layer(const json& j, size_t index) {
  if (!j.is_object()) throw Error("layer " + std::to_string(index + 1) + " must be an object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string())
    throw Error("layer " + std::to_string(index + 1) + " has no \"type\"");
  const std::string type = t->get<std::string>();
  LayerSpec l;
  bool known = false;
  for (const auto& tn : kTypes)
    if (type == tn.name) l.type = tn.type, known = true;
  const std::string ctx = where(index, type);
  if (!known) {
    std::string all;
    for (const auto& tn : kTypes) all += std::string(all.empty() ? "" : ", ") + tn.name;
    throw Error(ctx + "unknown layer type; use one of " + all);
  }
  const int W = Limits::max_window;
  if (is_conv(l.type)) {
    if (l.type == LayerType::TiledConv2d)
      reject_unknown_keys(j, ctx, {"type", "filters", "kernel", "stride", "padding", "dilation", "tiles"});
    else
      reject_unknown_keys(j, ctx, {"type", "filters", "kernel", "stride", "padding", "dilation"});
    if (!j.contains("filters")) throw Error(ctx + "\"filters\" is missing");
    if (!j.contains("kernel")) throw Error(ctx + "\"kernel\" is missing");
    l.filters = get_int(j["filters"], ctx, "filters", 1, Limits::max_channels);
    l.conv.kernel = get_pair(j, ctx, "kernel", 1, W, {1, 1});
    l.conv.stride = get_pair(j, ctx, "stride", 1, W, {1, 1});
    l.conv.padding = get_pair(j, ctx, "padding", 0, W, {0, 0});
    l.conv.dilation = get_pair(j, ctx, "dilation", 1, W, {1, 1});
    if (l.type == LayerType::TiledConv2d)
      l.tiles = j.contains("tiles") ? get_int(j["tiles"], ctx, "tiles", 1, Limits::max_tiles) : 1;
  } else if (is_pool(l.type)) {
    reject_unknown_keys(j, ctx, {"type", "size", "stride", "padding"});
    l.pool.size = get_pair(j, ctx, "size", 1, W, {2, 2});
    l.pool.stride = get_pair(j, ctx, "stride", 1, W, l.pool.size);
    l.pool.padding = get_pair(j, ctx, "padding", 0, W, {0, 0});
    if (l.pool.padding.h >= l.pool.size.h || l.pool.padding.w >= l.pool.size.w)
      throw Error(ctx + "padding must be smaller than the window (padding " +
                  std::to_string(std::max(l.pool.padding.h, l.pool.padding.w)) + " ≥ size " +
                  std::to_string(l.pool.padding.h >= l.pool.size.h ? l.pool.size.h : l.pool.size.w) +
                  "), or a window could hold no image cell");
  } else if (l.type == LayerType::Dense) {
    reject_unknown_keys(j, ctx, {"type", "units"});
    if (!j.contains("units")) throw Error(ctx + "\"units\" is missing");
    l.units = get_int(j["units"], ctx, "units", 1, Limits::max_units);
  } else if (l.type == LayerType::LeakyRelu) {
    reject_unknown_keys(j, ctx, {"type", "alpha"});
    l.alpha = get_float(j, ctx, "alpha", 0.0f, 1.0f, 0.01f);
  } else if (l.type == LayerType::Dropout) {
    reject_unknown_keys(j, ctx, {"type", "rate"});
    l.rate = get_float(j, ctx, "rate", 0.0f, 0.95f, 0.5f);
  } else {
    reject_unknown_keys(j, ctx, {"type"});
  }
  return l;
}

}  // namespace

const char* layer_type_name(LayerType t) {
  for (const auto& tn : kTypes)
    if (tn.type == t) return tn.name;
  return "?";
}

NetworkSpec parse_spec(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw Error("the network spec is not valid JSON");
  if (!j.is_object()) throw Error("the network spec must be a JSON object with \"input\" and \"layers\"");
  reject_unknown_keys(j, "spec: ", {"input", "layers"});
  NetworkSpec spec;
  auto in = j.find("input");
  if (in != j.end()) {
    if (!in->is_array() || in->size() != 3) throw Error("spec: \"input\" must be [channels, height, width]");
    spec.input = {1, get_int((*in)[0], "spec: input ", "channels", 1, Limits::max_input_channels),
                  get_int((*in)[1], "spec: input ", "height", 1, Limits::max_input_side),
                  get_int((*in)[2], "spec: input ", "width", 1, Limits::max_input_side)};
  }
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array() || layers->empty())
    throw Error("spec: \"layers\" must be a non-empty array");
  if (layers->size() > (size_t)Limits::max_layers)
    throw Error("spec: " + std::to_string(layers->size()) + " layers is more than the limit of " +
                std::to_string(Limits::max_layers));
  for (size_t i = 0; i < layers->size(); i++) spec.layers.push_back(parse_layer((*layers)[i], i));
  analyze(spec);
  return spec;
}

std::string spec_to_json(const NetworkSpec& spec) {
  json j;
  j["input"] = {spec.input.c, spec.input.h, spec.input.w};
  j["layers"] = json::array();
  auto pair = [](Pair p) { return json::array({p.h, p.w}); };
  for (const auto& l : spec.layers) {
    json o;
    o["type"] = layer_type_name(l.type);
    if (is_conv(l.type)) {
      o["filters"] = l.filters;
      o["kernel"] = pair(l.conv.kernel);
      o["stride"] = pair(l.conv.stride);
      o["padding"] = pair(l.conv.padding);
      o["dilation"] = pair(l.conv.dilation);
      if (l.type == LayerType::TiledConv2d) o["tiles"] = l.tiles;
    } else if (is_pool(l.type)) {
      o["size"] = pair(l.pool.size);
      o["stride"] = pair(l.pool.stride);
      o["padding"] = pair(l.pool.padding);
    } else if (l.type == LayerType::Dense) {
      o["units"] = l.units;
    } else if (l.type == LayerType::LeakyRelu) {
      o["alpha"] = l.alpha;
    } else if (l.type == LayerType::Dropout) {
      o["rate"] = l.rate;
    }
    j["layers"].push_back(o);
  }
  return j.dump();
}

int receptive_field(const std::vector<int>& kernels, const std::vector<int>& strides) {
  int r = 1, jump = 1;  // jump = Π_{i<j} S_i, with S_0 = 1
  for (size_t k = 0; k < kernels.size(); k++) {
    r += (kernels[k] - 1) * jump;
    jump *= strides[k];
  }
  return r;
}

std::vector<LayerInfo> analyze(const NetworkSpec& spec) {
  std::vector<LayerInfo> infos;
  Shape cur = spec.input;
  Pair rf{1, 1}, jump{1, 1}, start{0, 0};
  uint64_t total_params = 0;
  // Receptive field recurrence: a layer with effective kernel K, stride S, padding P grows the
  // field by (K−1)·jump, moves its start by −P·jump, and multiplies the jump by S.
  auto grow = [&](Pair k, Pair s, Pair p) {
    rf.h += (k.h - 1) * jump.h, rf.w += (k.w - 1) * jump.w;
    start.h -= p.h * jump.h, start.w -= p.w * jump.w;
    jump.h *= s.h, jump.w *= s.w;
  };
  for (size_t i = 0; i < spec.layers.size(); i++) {
    const LayerSpec& l = spec.layers[i];
    const std::string ctx = where(i, layer_type_name(l.type));
    LayerInfo info;
    const uint64_t in_size = cur.per_example();
    if (is_conv(l.type)) {
      const ConvGeometry& g = l.conv;
      if (std::string problem = conv2d_output_problem(cur, g); !problem.empty()) throw Error(ctx + problem);
      const int oh = conv2d_output_size(cur.h, g.kernel.h, g.stride.h, g.padding.h, g.dilation.h);
      const int ow = conv2d_output_size(cur.w, g.kernel.w, g.stride.w, g.padding.w, g.dilation.w);
      info.out = {1, l.filters, oh, ow};
      uint64_t kernel = (uint64_t)cur.c * g.kernel.h * g.kernel.w;
      uint64_t sets = l.type == LayerType::Conv2d        ? 1
                      : l.type == LayerType::TiledConv2d ? (uint64_t)l.tiles * l.tiles
                                                         : (uint64_t)oh * ow;
      info.weights = sets * l.filters * kernel;
      info.biases = l.type == LayerType::Local2d ? (uint64_t)l.filters * oh * ow : l.filters;
      info.flops = 2 * kernel * info.out.per_example();
      grow({(g.kernel.h - 1) * g.dilation.h + 1, (g.kernel.w - 1) * g.dilation.w + 1}, g.stride, g.padding);
    } else if (is_pool(l.type)) {
      const PoolGeometry& g = l.pool;
      if (std::string problem = conv2d_output_problem(cur, {g.size, g.stride, g.padding, {1, 1}}); !problem.empty())
        throw Error(ctx + problem);
      const Shape out = pool2d_output_shape(cur, g);
      const int oh = out.h, ow = out.w;
      info.out = {1, cur.c, oh, ow};
      info.flops = (uint64_t)g.size.h * g.size.w * info.out.per_example();
      grow(g.size, g.stride, g.padding);
    } else if (l.type == LayerType::GlobalAvgPool) {
      info.out = {1, cur.c, 1, 1};
      info.flops = in_size;
      grow({cur.h, cur.w}, {1, 1}, {0, 0});
    } else if (l.type == LayerType::Dense) {
      info.out = {1, l.units, 1, 1};
      info.weights = (uint64_t)l.units * in_size;
      info.biases = l.units;
      info.flops = 2 * info.weights;
      grow({cur.h, cur.w}, {1, 1}, {0, 0});
    } else if (l.type == LayerType::Flatten) {
      info.out = {1, (int)std::min<uint64_t>(in_size, INT32_MAX), 1, 1};
      grow({cur.h, cur.w}, {1, 1}, {0, 0});  // a flat unit has no spatial position left
    } else {
      info.out = cur;
      info.flops = in_size;
    }
    total_params += info.params();
    if (total_params > Limits::max_params)
      throw Error(ctx + "the network has " + std::to_string(total_params) + " parameters, over the limit of " +
                  std::to_string(Limits::max_params));
    if (info.out.per_example() > Limits::max_activation_floats)
      throw Error(ctx + "its output has " + std::to_string(info.out.per_example()) +
                  " values per example, over the limit of " + std::to_string(Limits::max_activation_floats));
    if (info.out.c > Limits::max_channels && l.type != LayerType::Flatten && l.type != LayerType::Dense)
      throw Error(ctx + "too many channels");
    info.receptive_field = rf, info.jump = jump, info.rf_start = start;
    infos.push_back(info);
    cur = info.out;
  }
  uint64_t classes = cur.per_example();
  if (classes < 2 || classes > (uint64_t)Limits::max_classes)
    throw Error("the last layer gives " + std::to_string(classes) +
                " class scores; it must give between 2 and " + std::to_string(Limits::max_classes) +
                " (end with a dense layer, e.g. {\"type\":\"dense\",\"units\":10})");
  return infos;
}

}  // namespace convlab
