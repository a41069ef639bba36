// Embind core of the engine module. Nothing here throws into JS: every entry point catches, keeps
// the message for takeError(), and returns a neutral value; web/engine_api.js turns that into a
// JS Error. (A JS exception thrown through C++ frames would skip their destructors and leak.)
#include <nlohmann/json.hpp>
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <new>

#include "conv.h"
#include "network.h"
#include "layers.h"
#include "pool.h"
#include "presets.h"

using namespace emscripten;
using namespace convlab;

namespace {

std::string g_error;

template <class F, class R>
R guarded(F&& f, R fallback) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    g_error = "out of memory";
  } catch (const std::exception& e) {
    g_error = e.what();
  }
  return fallback;
}

std::string take_error() {
  std::string e;
  e.swap(g_error);
  return e;
}

const float* f32(uintptr_t p) { return reinterpret_cast<const float*>(p); }
float* f32_out(uintptr_t p) { return reinterpret_cast<float*>(p); }

// Network behind the JS class Network. Inputs arrive as (pointer, length) on the WASM heap.
class NetworkCore {
 public:
  explicit NetworkCore(Network net) : net_(std::move(net)) {}

  static NetworkCore* create(const std::string& spec, double seed) {
    return guarded([&] {
      if (!(seed >= 0 && seed <= 9007199254740991.0)) throw Error("seed must be a whole number ≥ 0");
      return new NetworkCore(Network(spec, (uint64_t)seed));
    }, (NetworkCore*)nullptr);
  }
  static NetworkCore* load(uintptr_t bytes, size_t size) {
    return guarded([&] { return new NetworkCore(Network::load(reinterpret_cast<const uint8_t*>(bytes), size)); },
                   (NetworkCore*)nullptr);
  }

  std::string describe() const { return net_.describe(); }
  std::string spec() const { return spec_to_json(net_.spec()); }
  std::string optimizer() const { return optimizer_to_json(net_.optimizer()); }
  int classes() const { return net_.classes(); }
  int input_size() const { return (int)net_.input_size(); }
  int layers() const { return (int)net_.spec().layers.size(); }
  double steps() const { return (double)net_.steps(); }

  bool set_threads(int threads) {
    return guarded([&] {
      net_.set_threads(threads);
      return true;
    }, false);
  }
  int threads() const { return net_.threads(); }

  std::string class_names() const { return nlohmann::json(net_.class_names()).dump(); }
  bool set_class_names(const std::string& json) {
    return guarded([&] {
      const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
      if (!j.is_array()) throw Error("class names must be a list of strings");
      std::vector<std::string> names;
      for (const auto& n : j) {
        if (!n.is_string()) throw Error("class names must be a list of strings");
        names.push_back(n.get<std::string>());
      }
      net_.set_class_names(std::move(names));
      return true;
    }, false);
  }

  bool set_optimizer(const std::string& json) {
    return guarded([&] {
      net_.set_optimizer(parse_optimizer(json));
      return true;
    }, false);
  }

  double train_batch(uintptr_t images, size_t images_len, uintptr_t labels, size_t labels_len, int n) {
    return guarded([&] {
      check_images(images_len, n);
      if (labels_len != (size_t)n)
        throw Error("labels has " + std::to_string(labels_len) + " entries for " + std::to_string(n) + " images");
      return (double)net_.train_batch(f32(images), reinterpret_cast<const uint8_t*>(labels), n);
    }, 0.0);
  }

  // Any n: the engine runs more than Limits::max_batch images in slices.
  bool predict(uintptr_t images, size_t images_len, int n, uintptr_t probs) {
    return guarded([&] {
      check_images(images_len, n, INT32_MAX);
      net_.predict(f32(images), n, f32_out(probs));
      return true;
    }, false);
  }

  bool input_gradient(uintptr_t image, size_t len, int class_index, uintptr_t dx) {
    return guarded([&] {
      check_images(len, 1);
      net_.input_gradient(f32(image), class_index, f32_out(dx));
      return true;
    }, false);
  }

  // Views into engine memory, valid until the next call; the JS side copies them.
  val save() {
    saved_ = net_.save();
    return val(typed_memory_view(saved_.size(), saved_.data()));
  }
  // A bad layer index is an error (null, and the message for takeError()), never another layer.
  val layer_output(int i) {
    return guarded([&] {
      const Tensor& t = net_.layer_output(check_layer(i));
      return val(typed_memory_view(t.shape.size(), t.ptr()));
    }, val::null());
  }
  val weights(int i) {
    return guarded([&] {
      ParamView v = net_.weights(check_layer(i));
      return val(typed_memory_view(v.count, v.data));
    }, val::null());
  }
  val biases(int i) {
    return guarded([&] {
      ParamView v = net_.biases(check_layer(i));
      return val(typed_memory_view(v.count, v.data));
    }, val::null());
  }
  bool set_parameters(int i, uintptr_t w, size_t w_len, uintptr_t b, size_t b_len) {
    return guarded([&] {
      net_.set_parameters(check_layer(i), f32(w), w_len, f32(b), b_len);
      return true;
    }, false);
  }

 private:
  void check_images(size_t len, int n, int max_n = Limits::max_batch) const {
    if (n < 1 || n > max_n)
      throw Error("batch size " + std::to_string(n) + " is outside 1.." + std::to_string(max_n));
    if (len != (size_t)n * net_.input_size())
      throw Error("images has " + std::to_string(len) + " values; " + std::to_string(n) + " images of " +
                  std::to_string(net_.input_size()) + " need " + std::to_string((size_t)n * net_.input_size()));
  }
  size_t check_layer(int i) const {
    if (i < 0 || (size_t)i >= net_.spec().layers.size())
      throw Error("no layer " + std::to_string(i) + " (the network has " + std::to_string(net_.spec().layers.size()) +
                  ")");
    return (size_t)i;
  }
  Network net_;
  std::vector<uint8_t> saved_;
};

// ---- raw operations, for tests: typed arrays in, {y|dx|dw|db, shape} out ----

std::vector<float> floats(const val& v, const char* name) {
  if (v.isUndefined() || v.isNull()) throw Error(std::string(name) + " is missing");
  if (!v["length"].isNumber()) throw Error(std::string(name) + " must be a Float32Array");
  return convertJSArrayToNumberVector<float>(v);
}

Shape shape4(const val& v, const char* name) {
  if (!v.isArray() || v["length"].as<int>() != 4) throw Error(std::string(name) + " must be an array of 4 integers");
  int d[4];
  for (int k = 0; k < 4; k++) {
    double x = v[k].isNumber() ? v[k].as<double>() : -1.0;
    if (!(x >= 1 && x <= Limits::max_raw_op_side && x == (int)x))
      throw Error(std::string(name) + " must hold integers in 1.." + std::to_string(Limits::max_raw_op_side));
    d[k] = (int)x;
  }
  Shape s{d[0], d[1], d[2], d[3]};
  if ((uint64_t)s.n * s.c * s.h * s.w > Limits::max_raw_op_floats) throw Error(std::string(name) + " is too large");
  return s;
}

Pair pair_of(const val& v, const char* name, int lo) {
  auto one = [&](const val& x) {
    double d = x.isNumber() ? x.as<double>() : -1.0;
    if (!(d >= lo && d <= Limits::max_window && d == (int)d))
      throw Error(std::string(name) + " must be an integer in " + std::to_string(lo) + ".." +
                  std::to_string(Limits::max_window) + " or [h, w]");
    return (int)d;
  };
  if (v.isNumber()) return {one(v), one(v)};
  if (v.isArray() && v["length"].as<int>() == 2) return {one(v[0]), one(v[1])};
  throw Error(std::string(name) + " must be a number or [h, w]");
}

void check_len(const std::vector<float>& v, size_t want, const char* name) {
  if (v.size() != want)
    throw Error(std::string(name) + " has " + std::to_string(v.size()) + " values, its shape needs " +
                std::to_string(want));
}

val shape_val(const Shape& s) {
  val a = val::array();
  a.call<void>("push", s.n, s.c, s.h, s.w);
  return a;
}
val copy_out(const std::vector<float>& v) {
  return val(typed_memory_view(v.size(), v.data())).call<val>("slice");
}

struct ConvArgs {
  std::vector<float> x, w;
  Shape xs, ws, ys;
  ConvGeometry g;
};
ConvArgs conv_args(const val& x, const val& x_shape, const val& w, const val& w_shape, const val& stride,
                   const val& padding, const val& dilation) {
  ConvArgs a;
  a.xs = shape4(x_shape, "xShape"), a.ws = shape4(w_shape, "wShape");
  a.x = floats(x, "x"), a.w = floats(w, "w");
  check_len(a.x, a.xs.size(), "x");
  check_len(a.w, a.ws.size(), "w");
  if (a.ws.c != a.xs.c)
    throw Error("wShape has " + std::to_string(a.ws.c) + " input channels, x has " + std::to_string(a.xs.c));
  a.g.kernel = {a.ws.h, a.ws.w};
  a.g.stride = pair_of(stride, "stride", 1);
  a.g.padding = pair_of(padding, "padding", 0);
  a.g.dilation = pair_of(dilation, "dilation", 1);
  if (std::string problem = conv2d_output_problem(a.xs, a.g); !problem.empty()) throw Error(problem);
  a.ys = conv2d_output_shape(a.xs, a.ws.n, a.g);
  if ((uint64_t)a.ys.n * a.ys.c * a.ys.h * a.ys.w > Limits::max_raw_op_floats) throw Error("output is too large");
  return a;
}

val conv2d_forward_js(val x, val x_shape, val w, val w_shape, val b, val stride, val padding, val dilation) {
  return guarded([&] {
    ConvArgs a = conv_args(x, x_shape, w, w_shape, stride, padding, dilation);
    std::vector<float> bias = b.isUndefined() || b.isNull() ? std::vector<float>(a.ws.n, 0.0f) : floats(b, "b");
    check_len(bias, a.ws.n, "b");
    std::vector<float> y(a.ys.size());
    Workspace ws;
    ws.reserve(conv2d_workspace(a.xs, a.ws.n, a.g));
    conv2d_forward(a.x.data(), a.xs, a.w.data(), bias.data(), a.ws.n, a.g, y.data(), ws);
    val out = val::object();
    out.set("y", copy_out(y));
    out.set("shape", shape_val(a.ys));
    return out;
  }, val::null());
}

val conv2d_backward_js(val x, val x_shape, val w, val w_shape, val dy, val stride, val padding, val dilation) {
  return guarded([&] {
    ConvArgs a = conv_args(x, x_shape, w, w_shape, stride, padding, dilation);
    std::vector<float> d = floats(dy, "dy");
    check_len(d, a.ys.size(), "dy");
    std::vector<float> dx(a.x.size()), dw(a.w.size(), 0.0f), db(a.ws.n, 0.0f);
    Workspace ws;
    ws.reserve(conv2d_workspace(a.xs, a.ws.n, a.g));
    conv2d_backward(a.x.data(), a.xs, a.w.data(), a.ws.n, a.g, d.data(), dx.data(), dw.data(), db.data(), ws);
    val out = val::object();
    out.set("dx", copy_out(dx));
    out.set("dw", copy_out(dw));
    out.set("db", copy_out(db));
    return out;
  }, val::null());
}

struct PoolArgs {
  PoolKind kind;
  std::vector<float> x;
  Shape xs, ys;
  PoolGeometry g;
};
PoolArgs pool_args(const std::string& kind, const val& x, const val& x_shape, const val& size, const val& stride,
                   const val& padding) {
  PoolArgs a;
  const LayerKind* layer = nullptr;  // the pooling row of the layer table: its rules apply here too
  std::string names;
  for (const LayerKind& k : layer_kinds()) {
    if (k.type != LayerType::MaxPool && k.type != LayerType::AvgPool && k.type != LayerType::WAvgPool &&
        k.type != LayerType::L2Pool)
      continue;
    names += std::string(names.empty() ? "" : ", ") + pool_kind_name(pool_kind_of(k.type));
    if (kind == pool_kind_name(pool_kind_of(k.type))) layer = &k;
  }
  if (!layer) throw Error("pool kind \"" + kind + "\" is not one of " + names);
  a.kind = pool_kind_of(layer->type);
  a.xs = shape4(x_shape, "xShape");
  a.x = floats(x, "x");
  check_len(a.x, a.xs.size(), "x");
  a.g.size = pair_of(size, "size", 1);
  a.g.stride = stride.isUndefined() || stride.isNull() ? a.g.size : pair_of(stride, "stride", 1);
  a.g.padding = padding.isUndefined() || padding.isNull() ? Pair{0, 0} : pair_of(padding, "padding", 0);
  LayerSpec l;
  l.type = layer->type, l.kernel = a.g.size, l.stride = a.g.stride, l.padding = a.g.padding;
  layer->shape(l, a.xs);  // throws the layer's own message: padding ≥ window, a window that does not fit
  a.ys = pool2d_output_shape(a.xs, a.g);
  return a;
}

val pool2d_forward_js(std::string kind, val x, val x_shape, val size, val stride, val padding) {
  return guarded([&] {
    PoolArgs a = pool_args(kind, x, x_shape, size, stride, padding);
    std::vector<float> y(a.ys.size());
    pool2d_forward(a.kind, a.x.data(), a.xs, a.g, y.data());
    val out = val::object();
    out.set("y", copy_out(y));
    out.set("shape", shape_val(a.ys));
    return out;
  }, val::null());
}

val pool2d_backward_js(std::string kind, val x, val x_shape, val dy, val size, val stride, val padding) {
  return guarded([&] {
    PoolArgs a = pool_args(kind, x, x_shape, size, stride, padding);
    std::vector<float> d = floats(dy, "dy");
    check_len(d, a.ys.size(), "dy");
    std::vector<float> y(a.ys.size()), dx(a.x.size());
    pool2d_forward(a.kind, a.x.data(), a.xs, a.g, y.data());
    pool2d_backward(a.kind, a.x.data(), a.xs, a.g, y.data(), d.data(), dx.data());
    val out = val::object();
    out.set("dx", copy_out(dx));
    return out;
  }, val::null());
}

// [{"name", "spec"}…]: the architectures of the page's Build panel, the first being the default.
std::string presets_json() {
  std::string out = "[";
  for (const Preset& p : kPresets) out += std::string(out.size() > 1 ? "," : "") + "{\"name\":\"" + p.name + "\",\"spec\":" + p.spec + "}";
  return out + "]";
}

// engine/size_limits.h as JSON: the JS API's Module.limits.
std::string limits_json() {
  return "{\"maxLayers\":" + std::to_string(Limits::max_layers) +
         ",\"maxChannels\":" + std::to_string(Limits::max_channels) +
         ",\"maxInputSide\":" + std::to_string(Limits::max_input_side) +
         ",\"maxInputChannels\":" + std::to_string(Limits::max_input_channels) +
         ",\"maxWindow\":" + std::to_string(Limits::max_window) + ",\"maxUnits\":" + std::to_string(Limits::max_units) +
         ",\"maxTiles\":" + std::to_string(Limits::max_tiles) + ",\"maxClasses\":" + std::to_string(Limits::max_classes) +
         ",\"maxParams\":" + std::to_string(Limits::max_params) + ",\"maxBatch\":" + std::to_string(Limits::max_batch) +
         ",\"maxModelFileBytes\":" + std::to_string(Limits::max_model_file_bytes) + "}";
}

}  // namespace

EMSCRIPTEN_BINDINGS(convlab) {
  function("takeError", &take_error);
  function("presetsJson", &presets_json);
  constant("maxModelFileBytes", (double)Limits::max_model_file_bytes);
  function("limitsJson", &limits_json);
  class_<NetworkCore>("NetworkCore")
      .class_function("create", &NetworkCore::create, allow_raw_pointers())
      .class_function("load", &NetworkCore::load, allow_raw_pointers())
      .function("describe", &NetworkCore::describe)
      .function("spec", &NetworkCore::spec)
      .function("optimizer", &NetworkCore::optimizer)
      .function("classes", &NetworkCore::classes)
      .function("inputSize", &NetworkCore::input_size)
      .function("layers", &NetworkCore::layers)
      .function("steps", &NetworkCore::steps)
      .function("setOptimizer", &NetworkCore::set_optimizer)
      .function("classNames", &NetworkCore::class_names)
      .function("setClassNames", &NetworkCore::set_class_names)
      .function("setThreads", &NetworkCore::set_threads)
      .function("threads", &NetworkCore::threads)
      .function("trainBatch", &NetworkCore::train_batch)
      .function("predict", &NetworkCore::predict)
      .function("inputGradient", &NetworkCore::input_gradient)
      .function("save", &NetworkCore::save)
      .function("layerOutput", &NetworkCore::layer_output)
      .function("weights", &NetworkCore::weights)
      .function("biases", &NetworkCore::biases)
      .function("setParameters", &NetworkCore::set_parameters);
  function("conv2dForwardCore", &conv2d_forward_js);
  function("conv2dBackwardCore", &conv2d_backward_js);
  function("pool2dForwardCore", &pool2d_forward_js);
  function("pool2dBackwardCore", &pool2d_backward_js);
}
