#include "network.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ops.h"
#include "thread_pool.h"

namespace convlab {

using json = nlohmann::json;

float LrSchedule::factor(uint64_t step) const {
  const uint64_t t = step > start ? step - start : 0;
  switch (kind) {
    case Step: return (float)std::pow((double)gamma, (double)(t / every));
    case Cosine: {
      const double progress = (double)std::min(t, steps) / (double)steps;
      return (float)(min_factor + (1.0 - min_factor) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress)));
    }
    default: return 1.0f;
  }
}

namespace {
// {"type":"constant"}, {"type":"step","every":N,"gamma":G}, {"type":"cosine","steps":N,"min":F}
LrSchedule parse_schedule(const json& j) {
  if (!j.is_object()) throw Error("optimizer: \"schedule\" must be an object");
  LrSchedule s;
  const std::string type = j.value("type", std::string("constant"));
  if (type == "constant") s.kind = LrSchedule::Constant;
  else if (type == "step") s.kind = LrSchedule::Step;
  else if (type == "cosine") s.kind = LrSchedule::Cosine;
  else throw Error("optimizer: unknown schedule \"" + type + "\"; use \"constant\", \"step\" or \"cosine\"");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const bool known = k == "type" || (s.kind != LrSchedule::Constant && k == "start") ||
                       (s.kind == LrSchedule::Step && (k == "every" || k == "gamma")) ||
                       (s.kind == LrSchedule::Cosine && (k == "steps" || k == "min"));
    if (!known) throw Error("optimizer: schedule \"" + type + "\" has no setting \"" + k + "\"");
    if (k != "type" && (!it->is_number() || !std::isfinite(it->get<double>())))
      throw Error("optimizer: schedule \"" + k + "\" must be a number");
  }
  auto whole = [&](const char* key, uint64_t& out) {
    if (!j.contains(key)) return;
    const double d = j[key].get<double>();
    if (d < 1 || d > 1e12 || d != std::floor(d)) throw Error(std::string("optimizer: schedule \"") + key + "\" must be a whole number ≥ 1");
    out = (uint64_t)d;
  };
  auto real = [&](const char* key, double lo, double hi, float& out) {
    if (!j.contains(key)) return;
    const double d = j[key].get<double>();
    if (d < lo || d > hi) throw Error(std::string("optimizer: schedule \"") + key + "\" = " + j[key].dump() + " is outside 0..1");
    out = (float)d;
  };
  whole("every", s.every);
  whole("steps", s.steps);
  if (j.contains("start")) {
    const double d = j["start"].get<double>();
    if (d < 0 || d > 1e15 || d != std::floor(d)) throw Error("optimizer: schedule \"start\" must be a whole number ≥ 0");
    s.start = (uint64_t)d;
  }
  real("gamma", 0.0, 1.0, s.gamma);
  real("min", 0.0, 1.0, s.min_factor);
  return s;
}

json schedule_to_json(const LrSchedule& s) {
  if (s.kind == LrSchedule::Step) return {{"type", "step"}, {"every", s.every}, {"gamma", s.gamma}, {"start", s.start}};
  if (s.kind == LrSchedule::Cosine)
    return {{"type", "cosine"}, {"steps", s.steps}, {"min", s.min_factor}, {"start", s.start}};
  return {{"type", "constant"}};
}
}  // namespace

OptimizerConfig parse_optimizer(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error("optimizer: not a JSON object");
  OptimizerConfig o;
  std::string type = j.value("type", std::string("sgd"));
  if (type == "sgd") o.type = OptimizerConfig::SGD;
  else if (type == "adam") o.type = OptimizerConfig::Adam, o.lr = 0.001f;
  else throw Error("optimizer: unknown type \"" + type + "\"; use \"sgd\" or \"adam\"");
  auto num = [&](const char* key, float lo, float hi, float& out) {
    auto it = j.find(key);
    if (it == j.end()) return;
    if (!it->is_number()) throw Error(std::string("optimizer: \"") + key + "\" must be a number");
    double d = it->get<double>();
    if (!std::isfinite(d) || d < lo || d > hi)
      throw Error(std::string("optimizer: \"") + key + "\" = " + it->dump() + " is outside " +
                  json(lo).dump() + ".." + json(hi).dump());
    out = (float)d;
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const char* known[] = {"type", "lr", "momentum", "nesterov", "beta1", "beta2", "eps", "weightDecay",
                                  "schedule"};
    if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return it.key() == k; }))
      throw Error("optimizer: unknown setting \"" + it.key() + "\"");
  }
  num("lr", 0.0f, 1000.0f, o.lr);
  num("momentum", 0.0f, 0.999f, o.momentum);
  num("beta1", 0.0f, 0.9999f, o.beta1);
  num("beta2", 0.0f, 0.99999f, o.beta2);
  num("eps", 1e-12f, 1.0f, o.eps);
  num("weightDecay", 0.0f, 1.0f, o.weight_decay);
  if (j.contains("nesterov")) {
    if (!j["nesterov"].is_boolean()) throw Error("optimizer: \"nesterov\" must be true or false");
    o.nesterov = j["nesterov"].get<bool>();
  }
  if (j.contains("schedule")) o.schedule = parse_schedule(j["schedule"]);
  return o;
}

std::string optimizer_to_json(const OptimizerConfig& o) {
  json j;
  j["type"] = o.type == OptimizerConfig::Adam ? "adam" : "sgd";
  j["lr"] = o.lr;
  j["weightDecay"] = o.weight_decay;
  if (o.type == OptimizerConfig::SGD) j["momentum"] = o.momentum, j["nesterov"] = o.nesterov;
  else j["beta1"] = o.beta1, j["beta2"] = o.beta2, j["eps"] = o.eps;
  j["schedule"] = schedule_to_json(o.schedule);
  return j.dump();
}

Network::Network(const NetworkSpec& spec, uint64_t seed) : spec_(spec), info_(analyze(spec)), rng_(seed) {
  size_t total = 0;
  Shape cur = spec_.input;
  for (size_t i = 0; i < spec_.layers.size(); i++) {
    Layer l;
    l.kind = &layer_kind(spec_.layers[i].type);
    l.spec = spec_.layers[i], l.in = cur, l.out = info_[i].out;
    l.w_offset = total, l.w_count = info_[i].weights;
    l.b_offset = total + l.w_count, l.b_count = info_[i].biases;
    total += l.w_count + l.b_count;
    scratch_.floats = std::max(scratch_.floats, info_[i].workspace.floats);
    scratch_.ints = std::max(scratch_.ints, info_[i].workspace.ints);
    layers_.push_back(l);
    cur = l.out;
  }
  params_.assign(total, 0.0f);
  grads_.assign(total, 0.0f);
  opt_m_.assign(total, 0.0f);
  opt_v_.assign(total, 0.0f);
  masks_.resize(layers_.size());
  set_threads(1);
  // He-uniform initialisation, U(−√(6/fan_in), √(6/fan_in)); biases start at 0.
  for (size_t i = 0; i < layers_.size(); i++) {
    const Layer& l = layers_[i];
    if (!l.w_count) continue;
    float bound = std::sqrt(6.0f / (float)info_[i].fan_in);
    for (size_t k = 0; k < l.w_count; k++) params_[l.w_offset + k] = rng_.uniform(-bound, bound);
  }
  good_params_ = params_, good_m_ = opt_m_, good_v_ = opt_v_;
}

void Network::set_threads(int threads) {
  if (threads < 1 || threads > kMaxThreads)
    throw Error("threads must be 1.." + std::to_string(kMaxThreads) + ", got " + std::to_string(threads));
  if (threads == threads_ && !workspaces_.empty()) return;
  threads_ = threads;
  // training uses kTrainShards shards, inference one per thread
  const size_t shards = (size_t)std::max(kTrainShards, threads);
  if (shards_.size() < shards) shards_.resize(shards);
  for (Shard& s : shards_) s.acts.resize(layers_.size() + 1), s.dacts.resize(layers_.size() + 1);
  workspaces_.resize(threads);
  for (Workspace& ws : workspaces_) ws.reserve(scratch_);
}

void Network::start_threads() {
  if (threads_ > 1) ThreadPool::shared().reserve(threads_);
}

template <class F>
void Network::parallel(int count, F& task) {
  ThreadPool::shared().run(count, threads_, task);
}

ParamView Network::weights(size_t i) {
  const Layer& l = layers_.at(i);
  return {params_.data() + l.w_offset, grads_.data() + l.w_offset, l.w_count};
}
ParamView Network::biases(size_t i) {
  const Layer& l = layers_.at(i);
  return {params_.data() + l.b_offset, grads_.data() + l.b_offset, l.b_count};
}

void Network::set_parameters(size_t i, const float* w, size_t w_count, const float* b, size_t b_count) {
  if (i >= layers_.size())
    throw Error("no layer " + std::to_string(i) + " (the network has " + std::to_string(layers_.size()) + ")");
  const Layer& l = layers_[i];
  const std::string name = "layer " + std::to_string(i + 1) + " (" + l.kind->name + ")";
  if (w_count != l.w_count || b_count != l.b_count)
    throw Error(name + " has " + std::to_string(l.w_count) + " weights and " + std::to_string(l.b_count) +
                " biases, not " + std::to_string(w_count) + " and " + std::to_string(b_count));
  if (!std::all_of(w, w + w_count, [](float v) { return std::isfinite(v); }) ||
      !std::all_of(b, b + b_count, [](float v) { return std::isfinite(v); }))
    throw Error(name + ": a weight or bias is NaN or infinite");
  std::copy_n(w, w_count, params_.begin() + (std::ptrdiff_t)l.w_offset);
  std::copy_n(b, b_count, params_.begin() + (std::ptrdiff_t)l.b_offset);
  std::copy_n(w, w_count, good_params_.begin() + (std::ptrdiff_t)l.w_offset);
  std::copy_n(b, b_count, good_params_.begin() + (std::ptrdiff_t)l.b_offset);
}

void Network::set_optimizer(const OptimizerConfig& o) { opt_ = o; }

// Shard k of `shards` takes examples [k·n/shards, (k+1)·n/shards).
void Network::split(int n, int shards) {
  active_shards_ = shards;
  for (int k = 0; k < shards; k++) {
    shards_[k].begin = (int)((int64_t)k * n / shards);
    shards_[k].n = (int)((int64_t)(k + 1) * n / shards) - shards_[k].begin;
  }
}

// Inverted dropout: 0, or 1/(1−rate) for a kept unit; drawn layer by layer for the whole batch
// before any shard runs, so the draws do not depend on how the batch is shared out.
void Network::draw_masks(int n) {
  for (size_t i = 0; i < layers_.size(); i++) {
    const Layer& l = layers_[i];
    if (!l.kind->draws_mask) continue;
    Shape s = l.in;
    s.n = n;
    masks_[i].resize(s);
    for (size_t k = 0; k < s.size(); k++)
      masks_[i].data[k] = rng_.uniform() < l.spec.rate ? 0.0f : 1.0f / (1.0f - l.spec.rate);
  }
}

// Layer i on shard s: its tensors, parameters, gradients and the thread's scratch.
LayerPass Network::pass(size_t i, Shard& s, Workspace& ws) {
  const Layer& l = layers_[i];
  LayerPass p;
  p.spec = &l.spec;
  p.in = l.in, p.out = l.out;
  p.in.n = p.out.n = s.n;
  p.x = s.acts[i].ptr(), p.y = s.acts[i + 1].ptr(), p.y_out = s.acts[i + 1].ptr();
  p.w = params_.data() + l.w_offset, p.b = params_.data() + l.b_offset;
  if (!s.grads.empty()) p.dw = s.grads.data() + l.w_offset, p.db = s.grads.data() + l.b_offset;  // sized by backward
  if (l.kind->draws_mask && training_forward_) p.mask = masks_[i].ptr() + (size_t)s.begin * l.in.per_example();
  p.ws = &ws;
  return p;
}

void Network::check_batch(const float* images, int n) const {
  if (n < 1 || n > Limits::max_batch)
    throw Error("batch size " + std::to_string(n) + " is outside 1.." + std::to_string(Limits::max_batch));
  if (!images) throw Error("no images given");
  const size_t count = (size_t)n * input_size();
  for (size_t k = 0; k < count; k++)
    if (!std::isfinite(images[k]))
      throw Error("image " + std::to_string(k / input_size()) + " has a NaN or infinite pixel");
}

// images: the whole batch; the shard reads its own examples.
void Network::forward(Shard& s, const float* images, Workspace& ws) {
  Shape in = spec_.input;
  in.n = s.n;
  s.acts[0].resize(in);
  std::copy_n(images + (size_t)s.begin * input_size(), in.size(), s.acts[0].ptr());
  for (size_t i = 0; i < layers_.size(); i++) {
    Shape out = layers_[i].out;
    out.n = s.n;
    s.acts[i + 1].resize(out);
    layers_[i].kind->forward(pass(i, s, ws));
  }
}

// Expects s.dacts.back() to hold ∂L/∂(scores); writes the shard's parameter gradients (zeroed here).
void Network::backward(Shard& s, bool need_input_grad, Workspace& ws) {
  if (s.grads.size() != params_.size()) s.grads.resize(params_.size());
  std::fill(s.grads.begin(), s.grads.end(), 0.0f);
  for (size_t i = layers_.size(); i-- > 0;) {
    LayerPass p = pass(i, s, ws);
    p.dy = s.dacts[i + 1].ptr();
    if (i > 0 || need_input_grad) {
      Shape in = layers_[i].in;
      in.n = s.n;
      s.dacts[i].resize(in);
      p.dx = s.dacts[i].ptr();
    }
    layers_[i].kind->backward(p);
  }
}

void Network::set_class_names(std::vector<std::string> names) {
  if (!names.empty() && (int)names.size() != classes())
    throw Error(std::to_string(names.size()) + " class names for a network with " + std::to_string(classes()) +
                " classes");
  for (const std::string& name : names) {
    if (name.empty() || name.size() > kMaxClassNameBytes)
      throw Error("a class name must have 1 to " + std::to_string(kMaxClassNameBytes) + " bytes: \"" +
                  name.substr(0, kMaxClassNameBytes) + "\"");
    for (unsigned char c : name)
      if (c < 0x20 || c == 0x7f) throw Error("a class name has a control character");
  }
  class_names_ = std::move(names);
}

void Network::freeze_layers(size_t layers) {
  frozen_layers_ = std::min(layers, layers_.size());
  frozen_params_ = frozen_layers_ < layers_.size() ? layers_[frozen_layers_].w_offset : params_.size();
}

void Network::apply_optimizer() {
  const float lr = opt_.lr_at(step_), wd = opt_.weight_decay, mu = opt_.momentum;
  const size_t count = params_.size();
  if (opt_.type == OptimizerConfig::SGD) {
    for (size_t k = frozen_params_; k < count; k++) {
      float g = grads_[k] + wd * params_[k];
      if (mu > 0.0f) {
        opt_m_[k] = mu * opt_m_[k] + g;
        g = opt_.nesterov ? g + mu * opt_m_[k] : opt_m_[k];
      }
      params_[k] -= lr * g;
    }
    step_++;
    return;
  }
  step_++;
  const float b1 = opt_.beta1, b2 = opt_.beta2;
  const float c1 = 1.0f - (float)std::pow((double)b1, (double)step_);
  const float c2 = 1.0f - (float)std::pow((double)b2, (double)step_);
  for (size_t k = frozen_params_; k < count; k++) {
    float g = grads_[k] + wd * params_[k];
    opt_m_[k] = b1 * opt_m_[k] + (1.0f - b1) * g;
    opt_v_[k] = b2 * opt_v_[k] + (1.0f - b2) * g * g;
    params_[k] -= lr * (opt_m_[k] / c1) / (std::sqrt(opt_v_[k] / c2) + opt_.eps);
  }
}

float Network::train_batch(const float* images, const uint8_t* labels, int n) {
  check_batch(images, n);
  const int classes = this->classes();
  for (int i = 0; i < n; i++)
    if (labels[i] >= classes)
      throw Error("label " + std::to_string(labels[i]) + " of example " + std::to_string(i) +
                  " is not a class (0.." + std::to_string(classes - 1) + ")");
  start_threads();
  training_forward_ = true;
  draw_masks(n);
  split(n, std::min(n, kTrainShards));
  probs_.resize((size_t)n * classes);
  // Each shard: forward, its share of the loss (the gradient divided by the whole batch's n),
  // backward into its own gradients. Nothing here changes the weights.
  auto shard_step = [&](int k, int thread) {
    Shard& s = shards_[k];
    forward(s, images, workspaces_[thread]);
    Tensor& scores = s.acts.back();
    Tensor& dscores = s.dacts.back();
    dscores.resize(scores.shape);
    s.loss_sum = softmax_cross_entropy_sum(scores.ptr(), labels + s.begin, s.n, classes,
                                           probs_.data() + (size_t)s.begin * classes, dscores.ptr(), n);
    backward(s, false, workspaces_[thread]);
  };
  parallel(active_shards_, shard_step);
  double loss_sum = 0.0;
  for (int k = 0; k < active_shards_; k++) loss_sum += shards_[k].loss_sum;
  const float loss = (float)(loss_sum / n);
  // Divergence: a loss that is not a number, or one above 100·ln C — the right class then gets a
  // probability below (1/C)^100 (geometric mean over the batch), which no working network produces.
  if (!std::isfinite(loss) || loss > 100.0f * std::log((float)classes)) {
    restore_last_good();
    throw Error("training diverged at step " + std::to_string(step_ + 1) + ": the loss is " +
                (std::isfinite(loss) ? std::to_string(loss) : std::string("not a number")) +
                ". The weights that last gave a sane loss are restored; try a lower learning rate.");
  }
  // These weights just gave a sane loss: the state to come back to if the update goes wrong.
  std::copy(params_.begin(), params_.end(), good_params_.begin());
  std::copy(opt_m_.begin(), opt_m_.end(), good_m_.begin());
  std::copy(opt_v_.begin(), opt_v_.end(), good_v_.begin());
  good_step_ = step_;
  // grads = Σ over shards in shard order, whichever thread sums which part.
  const size_t count = params_.size(), chunks = (size_t)threads();
  auto reduce = [&](int c, int) {
    const size_t lo = count * c / chunks, hi = count * (c + 1) / chunks;
    std::copy(shards_[0].grads.begin() + lo, shards_[0].grads.begin() + hi, grads_.begin() + lo);
    for (int k = 1; k < active_shards_; k++) {
      const float* g = shards_[k].grads.data();
      for (size_t j = lo; j < hi; j++) grads_[j] += g[j];
    }
  };
  parallel((int)chunks, reduce);
  apply_optimizer();
  bool finite = true;
  for (float p : params_) finite = finite && std::isfinite(p);
  if (!finite) {
    restore_last_good();
    throw Error("training diverged at step " + std::to_string(step_ + 1) +
                ": a weight became infinite or NaN. The weights that last gave a sane loss are restored; "
                "try a lower learning rate.");
  }
  return loss;
}

void Network::restore_last_good() {
  std::copy(good_params_.begin(), good_params_.end(), params_.begin());
  std::copy(good_m_.begin(), good_m_.end(), opt_m_.begin());
  std::copy(good_v_.begin(), good_v_.end(), opt_v_.begin());
  step_ = good_step_;
}

void Network::predict(const float* images, int n, float* probs) {
  if (n < 1) throw Error("predict needs at least one image, got " + std::to_string(n));
  start_threads();
  training_forward_ = false;
  const int classes = this->classes();
  for (int done = 0; done < n; done += Limits::max_batch) {
    const int count = std::min(Limits::max_batch, n - done);
    const float* slice = images + (size_t)done * input_size();
    check_batch(slice, count);
    split(count, std::min(count, threads()));  // examples are independent: any split gives the same bits
    auto shard_forward = [&](int k, int thread) {
      Shard& s = shards_[k];
      forward(s, slice, workspaces_[thread]);
      softmax_forward(s.acts.back().ptr(), s.n, classes, probs + ((size_t)done + s.begin) * classes);
    };
    parallel(active_shards_, shard_forward);
  }
}

Network::Shard& Network::forward_one(const float* image, int class_index) {
  check_batch(image, 1);
  if (class_index < 0 || class_index >= classes())
    throw Error("class " + std::to_string(class_index) + " is not one of the " + std::to_string(classes()));
  training_forward_ = false;
  split(1, 1);
  Shard& s = shards_[0];
  forward(s, image, workspaces_[0]);
  s.dacts.back().resize(s.acts.back().shape);
  return s;
}

void Network::input_gradient(const float* image, int class_index, float* dx) {
  Shard& s = forward_one(image, class_index);
  Tensor& dscores = s.dacts.back();
  std::fill_n(dscores.ptr(), dscores.shape.size(), 0.0f);
  dscores.data[class_index] = 1.0f;
  backward(s, true, workspaces_[0]);  // into the shard's own gradients: grads_ stays as it was
  std::copy_n(s.dacts[0].ptr(), input_size(), dx);
}

float Network::loss_gradients(const float* image, int label) {
  Shard& s = forward_one(image, label);
  const uint8_t l = (uint8_t)label;
  std::vector<float> probs(classes());
  const double loss =
      softmax_cross_entropy_sum(s.acts.back().ptr(), &l, 1, classes(), probs.data(), s.dacts.back().ptr(), 1);
  backward(s, true, workspaces_[0]);  // into the shard's own gradients: grads_ and the weights stay
  return (float)loss;
}

std::string Network::describe() const {
  json j;
  j["input"] = {spec_.input.c, spec_.input.h, spec_.input.w};
  j["layers"] = json::array();
  uint64_t params = 0, flops = 0;
  for (size_t i = 0; i < info_.size(); i++) {
    const LayerInfo& f = info_[i];
    json l;
    l["type"] = layer_type_name(spec_.layers[i].type);
    l["outShape"] = {f.out.c, f.out.h, f.out.w};
    l["params"] = f.params();
    l["receptiveField"] = {f.receptive_field.h, f.receptive_field.w};
    l["jump"] = {f.jump.h, f.jump.w};
    l["rfStart"] = {f.rf_start.h, f.rf_start.w};
    l["flops"] = f.flops;
    j["layers"].push_back(l);
    params += f.params(), flops += f.flops;
  }
  j["params"] = params;
  j["flops"] = flops;
  j["classNames"] = class_names_;
  return j.dump();
}

}  // namespace convlab
