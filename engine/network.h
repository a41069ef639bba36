// A sequential CNN built from a NetworkSpec: forward, backward, optimizers, inspection, model files.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rng.h"
#include "spec.h"
#include "tensor.h"
#include "workspace.h"

namespace convlab {

// The learning rate over training steps t = (the network's step count − start), t ≥ 0:
//   constant  lr
//   step      lr · γ^⌊t / every⌋
//   cosine    lr_min + (lr − lr_min) · (1 + cos(π · min(t, steps) / steps)) / 2,  lr_min = lr · min_factor
struct LrSchedule {
  enum Kind { Constant, Step, Cosine } kind = Constant;
  uint64_t every = 1, steps = 1;  // step: steps between decays; cosine: steps to the minimum
  uint64_t start = 0;             // the step the schedule starts at (a run that fine-tunes starts late)
  float gamma = 0.5f, min_factor = 0.0f;
  float factor(uint64_t t) const;
};

struct OptimizerConfig {
  enum Type { SGD, Adam } type = SGD;
  float lr = 0.01f;
  float momentum = 0.0f;      // SGD: v = μ·v + g ; p −= lr·v   (Nesterov: p −= lr·(g + μ·v))
  bool nesterov = false;
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // Adam with bias correction
  float weight_decay = 0.0f;  // L2: g += λ·p
  LrSchedule schedule;
  float lr_at(uint64_t step) const { return lr * schedule.factor(step); }
};
OptimizerConfig parse_optimizer(const std::string& json);  // throws Error
std::string optimizer_to_json(const OptimizerConfig& o);

// A view of one layer's learnable tensor inside the network's flat parameter buffer.
struct ParamView {
  float* data = nullptr;
  float* grad = nullptr;
  size_t count = 0;
};

class Network {
 public:
  Network(const NetworkSpec& spec, uint64_t seed);
  Network(const std::string& spec_json, uint64_t seed) : Network(parse_spec(spec_json), seed) {}

  const NetworkSpec& spec() const { return spec_; }
  const std::vector<LayerInfo>& info() const { return info_; }
  std::string describe() const;  // JSON, see docs/api.md
  int classes() const { return (int)info_.back().out.per_example(); }
  size_t input_size() const { return spec_.input.per_example(); }
  size_t param_count() const { return params_.size(); }

  // Data parallelism: a training batch is cut into a fixed number of shards (whatever the thread
  // count), each with its own activations and gradients, reduced in shard order — so the weights
  // after any number of steps are the same bits for 1 to kMaxThreads threads. Random draws
  // (dropout masks) are made before the shards run. Inference splits a batch over the threads.
  static constexpr int kTrainShards = 4, kMaxThreads = 16;
  // 1..kMaxThreads; 1 by default. Threads come from the process's pool (thread_pool.h) and start
  // with the first step that uses them (an Error there if this host cannot, before anything changes).
  void set_threads(int threads);
  int threads() const { return threads_; }

  // The classes' names (empty: unnamed, shown as their indices). Kept in model files (version 2).
  const std::vector<std::string>& class_names() const { return class_names_; }
  std::string class_name(int k) const { return class_names_.empty() ? std::to_string(k) : class_names_.at(k); }
  // One name per class, each 1..kMaxClassNameBytes bytes without control characters; throws Error.
  void set_class_names(std::vector<std::string> names);
  static constexpr size_t kMaxClassNameBytes = 40;

  // Fine-tuning a head: the first `layers` layers keep their weights in train_batch (their
  // gradients are still computed: the layers after them need them). 0 = all learn.
  void freeze_layers(size_t layers);
  size_t frozen_layers() const { return frozen_layers_; }

  const OptimizerConfig& optimizer() const { return opt_; }
  void set_optimizer(const OptimizerConfig& o);
  uint64_t steps() const { return step_; }

  // One optimizer step on a batch; returns its mean loss. When training diverges (a NaN/Inf or
  // absurd loss, a NaN/Inf weight) the weights that last gave a sane loss come back and an Error
  // says so.
  float train_batch(const float* images, const uint8_t* labels, int n);
  // Class probabilities, n × classes(); inference mode (no dropout). Any n ≥ 1: batches larger
  // than Limits::max_batch are run in slices (layer_output then holds the last slice).
  void predict(const float* images, int n, float* probs);
  // ∂(class score)/∂(input) for one image: the saliency map (input_size() floats).
  void input_gradient(const float* image, int class_index, float* dx);
  // One example's backward pass of L = −log p(label), inference mode, nothing updated (docs/math.md
  // §6 shown on a user's drawing): returns L; the gradients are then read with the four below.
  float loss_gradients(const float* image, int label);
  const Tensor& layer_output_grad(size_t i) const { return shards_[0].dacts[i + 1]; }
  const Tensor& layer_input_grad(size_t i) const { return shards_[0].dacts[i]; }
  const float* weight_grads(size_t i) const { return shards_[0].grads.data() + layers_.at(i).w_offset; }
  const float* bias_grads(size_t i) const { return shards_[0].grads.data() + layers_.at(i).b_offset; }

  // Class probabilities of the last train_batch, n × classes() (training accuracy without a
  // second forward pass).
  const std::vector<float>& last_train_probs() const { return probs_; }
  // Inspection (after the last forward): output of layer i for the examples of the first shard —
  // all of that forward's examples after predict on one thread or of one image, or input_gradient.
  const Tensor& layer_output(size_t i) const { return shards_[0].acts[i + 1]; }
  const Tensor& layer_input(size_t i) const { return shards_[0].acts[i]; }  // the image for i = 0
  ParamView weights(size_t layer);
  ParamView biases(size_t layer);
  // Layer i's weights and biases from elsewhere (an imported model, a fine-tuned head), in the
  // layouts weights()/biases() give; they become the weights a diverged step falls back to.
  // Throws Error on a count that does not match or a NaN/Inf value, before anything changes.
  void set_parameters(size_t layer, const float* w, size_t w_count, const float* b, size_t b_count);

  // With optimizer state the file continues training exactly; without, momentum restarts at 0
  // (the shipped default model leaves it out: a third of the bytes).
  std::vector<uint8_t> save(bool with_optimizer_state = true) const;
  static Network load(const uint8_t* bytes, size_t size);  // throws Error on any bad file

 private:
  struct Layer {
    const LayerKind* kind = nullptr;
    LayerSpec spec;
    Shape in, out;  // per example
    size_t w_offset = 0, w_count = 0, b_offset = 0, b_count = 0;
  };
  // A slice of a batch and everything its forward and backward write.
  struct Shard {
    int begin = 0, n = 0;
    std::vector<Tensor> acts, dacts;  // acts[0] = input, acts[i+1] = layer i's output
    std::vector<float> grads;         // this shard's parameter gradients
    double loss_sum = 0.0;
  };
  void split(int n, int shards);
  void draw_masks(int n);
  void forward(Shard& s, const float* images, Workspace& ws);
  void backward(Shard& s, bool need_input_grad, Workspace& ws);
  // Inference-mode forward of one image into the first shard, its score gradient sized: the start
  // of input_gradient and loss_gradients. Throws for a class outside the scores.
  Shard& forward_one(const float* image, int class_index);
  LayerPass pass(size_t i, Shard& s, Workspace& ws);
  void start_threads();
  template <class F>
  void parallel(int count, F& task);
  void check_batch(const float* images, int n) const;
  void apply_optimizer();
  void restore_last_good();

  NetworkSpec spec_;
  std::vector<LayerInfo> info_;
  std::vector<Layer> layers_;
  std::vector<float> params_, grads_, opt_m_, opt_v_;
  std::vector<float> good_params_, good_m_, good_v_;  // the last weights that gave a sane loss
  uint64_t good_step_ = 0;
  std::vector<Shard> shards_;                         // max(kTrainShards, threads); a forward uses the first few
  int active_shards_ = 0;
  std::vector<Workspace> workspaces_;                 // one per thread, sized up front
  WorkspaceSize scratch_;                             // what one layer's kernels need at most
  int threads_ = 1;
  std::vector<Tensor> masks_;                         // per layer: dropout's mask for the whole batch
  std::vector<float> probs_;
  OptimizerConfig opt_;
  uint64_t step_ = 0;
  std::vector<std::string> class_names_;
  size_t frozen_layers_ = 0, frozen_params_ = 0;  // the frozen layers' parameters come first
  bool training_forward_ = false;  // the last forward was a training one (dropout masks in use)
  Rng rng_;
};

}  // namespace convlab
