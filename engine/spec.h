// The network spec (the JSON of docs/api.md), its validation and per-layer analysis: output
// shape, parameter count, receptive field and FLOPs — the formulas of docs/math.md. Every rule of
// a valid spec lives in analyze(): parse_spec (JSON) and the page's editor both go through it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "error.h"
#include "layers.h"
#include "size_limits.h"

namespace convlab {

struct NetworkSpec {
  Shape input{1, 1, 28, 28};  // n is always 1 here: shapes are per example
  std::vector<LayerSpec> layers;
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
  uint64_t fan_in = 0;        // inputs of one output unit
  WorkspaceSize workspace;    // scratch the layer's kernels need
  uint64_t params() const { return weights + biases; }
};

// Validates the whole network (shapes, limits, workspace) and returns one LayerInfo per layer;
// throws Error naming the first layer that breaks a rule.
std::vector<LayerInfo> analyze(const NetworkSpec& spec);

// R_k = 1 + Σ_{j≤k} (K_j − 1) · Π_{i<j} S_i for a plain list of kernels and strides (docs/math.md §2).
int receptive_field(const std::vector<int>& kernels, const std::vector<int>& strides);

}  // namespace convlab
