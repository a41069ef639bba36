#include "network.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ops.h"

namespace convlab {

using json = nlohmann::json;

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
    static const char* known[] = {"type", "lr", "momentum", "nesterov", "beta1", "beta2", "eps", "weightDecay"};
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
  return o;
}

std::string optimizer_to_json(const OptimizerConfig& o) {
  json j;
  j["type"] = o.type == OptimizerConfig::Adam ? "adam" : "sgd";
  j["lr"] = o.lr;
  j["weightDecay"] = o.weight_decay;
  if (o.type == OptimizerConfig::SGD) j["momentum"] = o.momentum, j["nesterov"] = o.nesterov;
  else j["beta1"] = o.beta1, j["beta2"] = o.beta2, j["eps"] = o.eps;
  return j.dump();
}

Network::Network(const NetworkSpec& spec, uint64_t seed) : spec_(spec), info_(analyze(spec)), rng_(seed) {
  size_t total = 0;
  WorkspaceSize scratch;
  Shape cur = spec_.input;
  for (size_t i = 0; i < spec_.layers.size(); i++) {
    Layer l;
    l.kind = &layer_kind(spec_.layers[i].type);
    l.spec = spec_.layers[i], l.in = cur, l.out = info_[i].out;
    l.w_offset = total, l.w_count = info_[i].weights;
    l.b_offset = total + l.w_count, l.b_count = info_[i].biases;
    total += l.w_count + l.b_count;
    scratch.floats = std::max(scratch.floats, info_[i].workspace.floats);
    scratch.ints = std::max(scratch.ints, info_[i].workspace.ints);
    layers_.push_back(l);
    cur = l.out;
  }
  workspace_.reserve(scratch);
  params_.assign(total, 0.0f);
  grads_.assign(total, 0.0f);
  saved_grads_.assign(total, 0.0f);
  opt_m_.assign(total, 0.0f);
  opt_v_.assign(total, 0.0f);
  acts_.resize(layers_.size() + 1);
  dacts_.resize(layers_.size() + 1);
  // He-uniform initialisation, U(−√(6/fan_in), √(6/fan_in)); biases start at 0.
  for (size_t i = 0; i < layers_.size(); i++) {
    const Layer& l = layers_[i];
    if (!l.w_count) continue;
    float bound = std::sqrt(6.0f / (float)info_[i].fan_in);
    for (size_t k = 0; k < l.w_count; k++) params_[l.w_offset + k] = rng_.uniform(-bound, bound);
  }
  good_params_ = params_, good_m_ = opt_m_, good_v_ = opt_v_;
}

ParamView Network::weights(size_t i) {
  const Layer& l = layers_.at(i);
  return {params_.data() + l.w_offset, grads_.data() + l.w_offset, l.w_count};
}
ParamView Network::biases(size_t i) {
  const Layer& l = layers_.at(i);
  return {params_.data() + l.b_offset, grads_.data() + l.b_offset, l.b_count};
}

void Network::set_optimizer(const OptimizerConfig& o) { opt_ = o; }

// Layer i on the current batch of n: its tensors, parameters and scratch.
LayerPass Network::pass(Layer& l, size_t i, int n) {
  LayerPass p;
  p.spec = &l.spec;
  p.in = l.in, p.out = l.out;
  p.in.n = p.out.n = n;
  p.x = acts_[i].ptr(), p.y = acts_[i + 1].ptr(), p.y_out = acts_[i + 1].ptr();
  p.w = params_.data() + l.w_offset, p.b = params_.data() + l.b_offset;
  p.dw = grads_.data() + l.w_offset, p.db = grads_.data() + l.b_offset;
  p.mask = l.kind->draws_mask && training_forward_ ? l.mask.ptr() : nullptr;
  p.ws = &workspace_;
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

void Network::forward(const float* images, int n, bool training) {
  training_forward_ = training;
  Shape in = spec_.input;
  in.n = n;
  acts_[0].resize(in);
  std::copy_n(images, in.size(), acts_[0].ptr());
  for (size_t i = 0; i < layers_.size(); i++) {
    Layer& l = layers_[i];
    Shape out = l.out;
    out.n = n;
    acts_[i + 1].resize(out);
    if (training && l.kind->draws_mask) {  // inverted dropout: 0, or 1/(1−rate) for a kept unit
      Shape s = l.in;
      s.n = n;
      l.mask.resize(s);
      for (size_t k = 0; k < s.size(); k++)
        l.mask.data[k] = rng_.uniform() < l.spec.rate ? 0.0f : 1.0f / (1.0f - l.spec.rate);
    }
    l.kind->forward(pass(l, i, n));
  }
}

// Expects dacts_.back() to hold ∂L/∂(scores); accumulates parameter gradients into grads_.
void Network::backward(int n, bool need_input_grad) {
  for (size_t i = layers_.size(); i-- > 0;) {
    LayerPass p = pass(layers_[i], i, n);
    p.dy = dacts_[i + 1].ptr();
    if (i > 0 || need_input_grad) {
      Shape s = layers_[i].in;
      s.n = n;
      dacts_[i].resize(s);
      p.dx = dacts_[i].ptr();
    }
    layers_[i].kind->backward(p);
  }
}

void Network::apply_optimizer() {
  step_++;
  const float lr = opt_.lr, wd = opt_.weight_decay, mu = opt_.momentum;
  const size_t count = params_.size();
  if (opt_.type == OptimizerConfig::SGD) {
    for (size_t k = 0; k < count; k++) {
      float g = grads_[k] + wd * params_[k];
      if (mu > 0.0f) {
        opt_m_[k] = mu * opt_m_[k] + g;
        g = opt_.nesterov ? g + mu * opt_m_[k] : opt_m_[k];
      }
      params_[k] -= lr * g;
    }
    return;
  }
  const float b1 = opt_.beta1, b2 = opt_.beta2;
  const float c1 = 1.0f - (float)std::pow((double)b1, (double)step_);
  const float c2 = 1.0f - (float)std::pow((double)b2, (double)step_);
  for (size_t k = 0; k < count; k++) {
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
  forward(images, n, true);
  Tensor& scores = acts_.back();
  Tensor& dscores = dacts_.back();
  dscores.resize(scores.shape);
  probs_.resize(scores.shape.size());
  float loss = softmax_cross_entropy(scores.ptr(), labels, n, classes, probs_.data(), dscores.ptr());
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
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  backward(n, false);
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
  for (int done = 0; done < n; done += Limits::max_batch) {
    const int count = std::min(Limits::max_batch, n - done);
    const float* slice = images + (size_t)done * input_size();
    check_batch(slice, count);
    forward(slice, count, false);
    softmax_forward(acts_.back().ptr(), count, classes(), probs + (size_t)done * classes());
  }
}

void Network::input_gradient(const float* image, int class_index, float* dx) {
  check_batch(image, 1);
  if (class_index < 0 || class_index >= classes()) throw Error("class index out of range");
  forward(image, 1, false);
  Tensor& dscores = dacts_.back();
  dscores.resize(acts_.back().shape);
  std::fill_n(dscores.ptr(), dscores.shape.size(), 0.0f);
  dscores.data[class_index] = 1.0f;
  std::copy(grads_.begin(), grads_.end(), saved_grads_.begin());  // a training step's gradients stay
  backward(1, true);
  grads_.swap(saved_grads_);
  std::copy_n(dacts_[0].ptr(), input_size(), dx);
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
  return j.dump();
}

}  // namespace convlab
