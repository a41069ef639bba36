// The network spec (PRODUCT.md's JSON), its validation and per-layer analysis:
// output shape, parameter count, receptive field and FLOPs — the formulas of the notes.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "conv.h"
#include "pool.h"

namespace convlab {

// Every error the engine reports to a user: a readable message, never an abort.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class LayerType {
  Conv2d, TiledConv2d, Local2d, MaxPool, AvgPool, WAvgPool, L2Pool, GlobalAvgPool,
  Dense, Flatten, Relu, LeakyRelu, Sigmoid, Tanh, Dropout
};
const char* layer_type_name(LayerType t);

struct LayerSpec {
  LayerType type = LayerType::Relu;
  int filters = 0;     // conv2d, tiledconv2d, local2d
  ConvGeometry conv;   // conv2d, tiledconv2d, local2d
  int tiles = 1;       // tiledconv2d
  PoolGeometry pool;   // maxpool, avgpool, wavgpool, l2pool
  int units = 0;       // dense
  float alpha = 0.01f; // leaky_relu
  float rate = 0.5f;   // dropout
};

struct NetworkSpec {
  Shape input{1, 1, 28, 28};  // n is always 1 here: shapes are per example
  std::vector<LayerSpec> layers;
};

// Limits checked before anything is allocated.
struct Limits {
  static constexpr int max_layers = 64;
  static constexpr int max_channels = 1024;
  static constexpr int max_input_side = 256;
  static constexpr int max_input_channels = 16;
  static constexpr int max_window = 64;   // kernel, stride, padding, dilation, pool size
  static constexpr int max_units = 8192;
  static constexpr int max_tiles = 16;
  static constexpr int max_classes = 256;  // labels are bytes
  static constexpr uint64_t max_params = 16u << 20;             // 64 MB of float32
  static constexpr uint64_t max_activation_floats = 8u << 20;   // per example, per layer
  static constexpr int max_batch = 1024;
  static constexpr size_t max_model_file_bytes = 64u << 20;
};

NetworkSpec parse_spec(const std::string& json);  // throws Error naming the layer and the problem
std::string spec_to_json(const NetworkSpec& spec);

struct LayerInfo {
  Shape out;                  // per example (n = 1)
  uint64_t weights = 0, biases = 0;
  Pair receptive_field;       // R_k in input pixels, dilation-aware
  Pair jump;                  // input pixels between neighbouring units: Π S_i
  Pair rf_start;              // top-left input pixel of unit (0,0)'s receptive field (may be < 0)
  uint64_t flops = 0;         // per example, 2 per multiply-add
  uint64_t params() const { return weights + biases; }
};

// Validates the whole network (shapes, limits) and returns one LayerInfo per layer.
std::vector<LayerInfo> analyze(const NetworkSpec& spec);

// R_k = 1 + Σ_{j≤k} (K_j − 1) · Π_{i<j} S_i for a plain list of kernels and strides (the notes' formula).
int receptive_field(const std::vector<int>& kernels, const std::vector<int>& strides);

}  // namespace convlab
