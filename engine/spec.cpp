#include "spec.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace convlab {

using json = nlohmann::json;

namespace {

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
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
Pair get_pair(const json& v, const std::string& ctx, const char* key, int lo, int hi) {
  if (v.is_array()) {
    if (v.size() != 2) throw Error(ctx + "\"" + key + "\" must be a number or [h, w]");
    return {get_int(v[0], ctx, key, lo, hi), get_int(v[1], ctx, key, lo, hi)};
  }
  int n = get_int(v, ctx, key, lo, hi);
  return {n, n};
}

float get_float(const json& v, const std::string& ctx, const char* key, double lo, double hi) {
  if (!v.is_number()) throw Error(ctx + "\"" + key + "\" must be a number");
  double d = v.get<double>();
  if (!std::isfinite(d) || d < lo || d > hi)
    throw Error(ctx + "\"" + key + "\" = " + v.dump() + " is outside " + json((float)lo).dump() + ".." +
                json((float)hi).dump());
  return (float)d;
}

void reject_unknown_keys(const json& obj, const std::string& ctx, const std::vector<SettingDef>* settings) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = settings ? it.key() == "type" : it.key() == "input" || it.key() == "layers";
    if (settings)
      for (const SettingDef& s : *settings) ok = ok || it.key() == s.key;
    if (!ok) throw Error(ctx + "unknown setting \"" + it.key() + "\"");
  }
}

// Reads the row's settings (limits, defaults); the shape rules are analyze()'s.
LayerSpec parse_layer(const json& j, size_t index) {
  if (!j.is_object()) throw Error("layer " + std::to_string(index + 1) + " must be an object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) throw Error("layer " + std::to_string(index + 1) + " has no \"type\"");
  const std::string type = t->get<std::string>();
  const std::string ctx = where(index, type);
  const LayerKind* kind = find_layer_kind(type);
  if (!kind) {
    std::string all;
    for (const LayerKind& k : layer_kinds()) all += std::string(all.empty() ? "" : ", ") + k.name;
    throw Error(ctx + "unknown layer type; use one of " + all);
  }
  reject_unknown_keys(j, ctx, &kind->settings);
  LayerSpec l;
  l.type = kind->type;
  bool stride_given = false;
  for (const SettingDef& s : kind->settings) {
    auto v = j.find(s.key);
    if (v == j.end() && s.required) throw Error(ctx + "\"" + s.key + "\" is missing");
    stride_given = stride_given || (s.setting == Setting::Stride && v != j.end());
    switch (s.kind) {
      case SettingDef::Int:
        setting_int(l, s.setting) = v == j.end() ? (int)s.fallback : get_int(*v, ctx, s.key, (int)s.lo, (int)s.hi);
        break;
      case SettingDef::IntPair:
        setting_pair(l, s.setting) =
            v == j.end() ? Pair{(int)s.fallback, (int)s.fallback} : get_pair(*v, ctx, s.key, (int)s.lo, (int)s.hi);
        break;
      case SettingDef::Float:
        setting_float(l, s.setting) = v == j.end() ? (float)s.fallback : get_float(*v, ctx, s.key, s.lo, s.hi);
        break;
    }
  }
  for (const SettingDef& s : kind->settings)  // a pooling's stride defaults to its window
    if (s.setting == Setting::Stride && s.fallback < 0 && !stride_given) l.stride = l.kernel;
  return l;
}

}  // namespace

NetworkSpec parse_spec(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw Error("the network spec is not valid JSON");
  if (!j.is_object()) throw Error("the network spec must be a JSON object with \"input\" and \"layers\"");
  reject_unknown_keys(j, "spec: ", nullptr);
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
  for (LayerSpec l : spec.layers) {
    const LayerKind& kind = layer_kind(l.type);
    json o;
    o["type"] = kind.name;
    for (const SettingDef& s : kind.settings) {
      if (s.kind == SettingDef::Int) o[s.key] = setting_int(l, s.setting);
      if (s.kind == SettingDef::Float) o[s.key] = setting_float(l, s.setting);
      if (s.kind == SettingDef::IntPair) {
        const Pair p = setting_pair(l, s.setting);
        o[s.key] = json::array({p.h, p.w});
      }
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
  if (spec.layers.empty()) throw Error("the network has no layers");
  if (spec.layers.size() > (size_t)Limits::max_layers)
    throw Error("the network has " + std::to_string(spec.layers.size()) + " layers, more than the limit of " +
                std::to_string(Limits::max_layers));
  const Shape& in = spec.input;
  if (in.c < 1 || in.c > Limits::max_input_channels || in.h < 1 || in.h > Limits::max_input_side || in.w < 1 ||
      in.w > Limits::max_input_side)
    throw Error("the input " + std::to_string(in.c) + "×" + std::to_string(in.h) + "×" + std::to_string(in.w) +
                " is outside 1.." + std::to_string(Limits::max_input_channels) + " channels of 1.." +
                std::to_string(Limits::max_input_side) + " × 1.." + std::to_string(Limits::max_input_side));
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
    const LayerKind& kind = layer_kind(l.type);
    const std::string ctx = where(i, kind.name);
    // The editor can set any field: the row's limits are checked here too, not only when parsing.
    LayerSpec checked = l;
    for (const SettingDef& s : kind.settings) {
      auto outside = [&](double v) { return !(v >= s.lo && v <= s.hi); };
      bool bad = s.kind == SettingDef::Int     ? outside(setting_int(checked, s.setting))
                 : s.kind == SettingDef::Float ? outside(setting_float(checked, s.setting))
                                               : outside(setting_pair(checked, s.setting).h) ||
                                                     outside(setting_pair(checked, s.setting).w);
      if (bad)
        throw Error(ctx + "\"" + s.key + "\" is outside " + number(s.lo) + ".." + number(s.hi));
    }
    LayerShape s;
    try {
      s = kind.shape(l, cur);
    } catch (const Error& e) {
      throw Error(ctx + e.what());
    }
    LayerInfo info;
    info.out = s.out;
    info.weights = s.weights, info.biases = s.biases, info.flops = s.flops, info.fan_in = s.fan_in;
    info.workspace = s.workspace;
    if (s.reach == LayerShape::Window) grow(s.window, s.stride, s.padding);
    if (s.reach == LayerShape::Whole) grow({cur.h, cur.w}, {1, 1}, {0, 0});
    total_params += info.params();
    if (total_params > Limits::max_params)
      throw Error(ctx + "the network has " + std::to_string(total_params) + " parameters, over the limit of " +
                  std::to_string(Limits::max_params));
    if (info.out.per_example() > Limits::max_activation_floats)
      throw Error(ctx + "its output has " + std::to_string(info.out.per_example()) +
                  " values per example, over the limit of " + std::to_string(Limits::max_activation_floats));
    if (info.out.c > Limits::max_channels && s.reach != LayerShape::Whole)
      throw Error(ctx + "its output has " + std::to_string(info.out.c) + " channels, over the limit of " +
                  std::to_string(Limits::max_channels));
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
