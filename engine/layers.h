// The layer table: one row per layer kind — its name, its settings with their defaults and limits,
// its shape rule (output shape, parameters, FLOPs, the window its receptive field grows by, the
// scratch it needs), whether it has weights, its forward and backward, and what the editor shows.
// parse_spec/spec_to_json, analyze, Network, the page's layer editor and the JS bindings all read
// this table: a new kind of layer is a row here, its kernel and its test.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "conv.h"
#include "pool.h"
#include "tensor.h"
#include "workspace.h"

namespace convlab {

enum class LayerType {
  Conv2d, TiledConv2d, Local2d, MaxPool, AvgPool, WAvgPool, L2Pool, GlobalAvgPool,
  Dense, Flatten, Relu, LeakyRelu, Sigmoid, Tanh, Dropout
};

// One layer's settings; which of them apply is the row's list of settings.
struct LayerSpec {
  LayerType type = LayerType::Relu;
  int filters = 0;              // convolutions: output channels
  Pair kernel{1, 1};            // convolutions: kernel; poolings: the window ("size")
  Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int tiles = 1;                // tiledconv2d: kernel sets per axis
  int units = 0;                // dense
  float alpha = 0.01f;          // leaky_relu
  float rate = 0.5f;            // dropout
  ConvGeometry conv() const { return {kernel, stride, padding, dilation}; }
  PoolGeometry pool() const { return {kernel, stride, padding}; }
};

enum class Setting { Filters, Kernel, Size, Stride, Padding, Dilation, Tiles, Units, Alpha, Rate };

struct SettingDef {
  Setting setting;
  const char* key;              // in the spec JSON and on the editor's field
  enum Kind { Int, IntPair, Float } kind;
  double lo, hi;                // inclusive limits (from size_limits.h)
  bool required;                // no default: the JSON must give it
  double fallback;              // the default when not given; pool stride: −1 = the window size
  const char* help;             // the editor's tooltip
};
int& setting_int(LayerSpec& l, Setting s);     // Filters, Tiles, Units
Pair& setting_pair(LayerSpec& l, Setting s);   // Kernel, Size, Stride, Padding, Dilation
float& setting_float(LayerSpec& l, Setting s); // Alpha, Rate

// A layer applied to an input map: what analyze() and Network need to know of it.
struct LayerShape {
  Shape out;                    // per example (n = 1)
  uint64_t weights = 0, biases = 0, flops = 0;  // FLOPs per example, 2 per multiply-add
  uint64_t fan_in = 0;          // inputs of one output unit (He initialisation)
  // How an output unit sees its input map: the same position (activations), a window (effective
  // extent, dilation included), or all of it (dense, flatten, global pooling).
  enum Reach { Pointwise, Window, Whole } reach = Pointwise;
  Pair window{1, 1}, stride{1, 1}, padding{0, 0};
  WorkspaceSize workspace;      // scratch for one batch's forward and backward
};

// One forward or backward of a layer on a batch. Shapes carry the batch size n.
struct LayerPass {
  const LayerSpec* spec = nullptr;
  Shape in, out;
  const float* x = nullptr;     // input
  const float* y = nullptr;     // forward output (backward reads it: L2 pool, sigmoid, tanh)
  float* y_out = nullptr;       // forward writes here
  const float* w = nullptr;
  const float* b = nullptr;
  const float* dy = nullptr;    // backward: ∂L/∂y
  float* dx = nullptr;          // backward: ∂L/∂x, overwritten; null for the first layer
  float* dw = nullptr;          // backward: += ∂L/∂w
  float* db = nullptr;          // backward: += ∂L/∂b
  const float* mask = nullptr;  // dropout: the training forward's mask, null for inference
  Workspace* ws = nullptr;
};

struct LayerKind {
  LayerType type;
  const char* name;             // in the spec JSON
  const char* summary;          // one line the editor shows
  std::vector<SettingDef> settings;
  LayerSpec editor_default;     // a new layer of this kind in the editor
  bool has_weights;
  bool draws_mask;              // its training forward needs a random mask (dropout)
  // Throws Error with the problem (the caller names the layer) when the layer cannot take `in`.
  LayerShape (*shape)(const LayerSpec& l, const Shape& in);
  void (*forward)(const LayerPass& p);
  void (*backward)(const LayerPass& p);
};

const std::vector<LayerKind>& layer_kinds();
const LayerKind& layer_kind(LayerType t);
const LayerKind* find_layer_kind(const std::string& name);  // null when there is none
const char* layer_type_name(LayerType t);
PoolKind pool_kind_of(LayerType t);  // MaxPool, AvgPool, WAvgPool, L2Pool
UnsharedConv unshared_of(const LayerSpec& l);  // TiledConv2d, Local2d
const char* pool_kind_name(PoolKind k);  // "max", "avg", "wavg", "l2" (the JS API's raw pooling ops)

}  // namespace convlab
