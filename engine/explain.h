// Every number of one unit's computation in the network's last forward pass of one image, taken
// from the layer's own input and weights and summed the way docs/math.md writes it (§1 cross-
// correlation, §2 multi-channel + bias, padding, stride, dilation, §3 tiled and local, §5 pooling),
// and which input pixels can influence a unit (§2, the receptive field). The page draws these; the
// tests check them against the layers' own forward passes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "network.h"

namespace convlab {

struct UnitExplanation {
  LayerType type = LayerType::Relu;
  size_t layer = 0;
  int channel = 0, y = 0, x = 0;
  float value = 0.0f;         // recomputed here from the numbers below, in the notes' order
  float engine_value = 0.0f;  // the layer's output as its forward pass computed it (another order)

  // Convolutions (conv2d, tiledconv2d, local2d) and pooling: the taps of the window, row-major,
  // with dilation applied; a tap outside the image is padding.
  int kh = 0, kw = 0;
  std::vector<int> tap_y, tap_x;  // kh·kw input coordinates (may lie outside the input)
  bool tap_inside(int t, int h, int w) const { return tap_y[t] >= 0 && tap_y[t] < h && tap_x[t] >= 0 && tap_x[t] < w; }

  // Convolutions: y = Σ_c Σ_ab x[c][tap]·w[c][a][b] + b, with x = 0 on padding.
  int in_channels = 0;
  int weight_set = 0;               // tiled/local: the kernel set this output position uses
  std::vector<float> patch;         // in_channels·kh·kw input values (0 on padding)
  std::vector<float> kernel;        // in_channels·kh·kw
  std::vector<float> channel_sums;  // in_channels: Σ_ab patch·kernel
  float bias = 0.0f;
  float flipped_value = 0.0f;       // with every kernel flipped (true convolution, §1)

  // Pooling (over real cells only: padding is not a zero). patch holds the window's values.
  int winner = -1;                     // max: the first maximum in row order (a tap index)
  int counted = 0;                     // real cells in the window
  std::vector<float> window_weights;   // wavg: each tap's weight renormalised over real cells

  // Dense: the largest contributions w·x by magnitude, the rest summed, + bias.
  std::vector<int> top_index;
  std::vector<float> top_weight, top_input;
  float rest = 0.0f;

  // Element-wise layers (activations, flatten, dropout at inference) and global average pooling:
  // the input value (its mean for global pooling).
  float input = 0.0f;
};

// Unit (channel, y, x) of `layer` after the network's last forward pass of one image (predict on
// one image). Throws Error for a unit outside the layer's output or when no forward pass is there.
UnitExplanation explain_unit(Network& net, size_t layer, int channel, int y, int x, int dense_top = 8);

// The input pixels that can influence unit (channel, y, x) of `layer`: H×W of the network's input,
// row-major, 1 where some kernel or window tap on the way down lands (dilation holes and padding
// left out). Throws Error for a unit outside the layer's output.
std::vector<uint8_t> receptive_field_mask(const NetworkSpec& spec, const std::vector<LayerInfo>& info, size_t layer,
                                          int channel, int y, int x);

// Backpropagation through one layer for one example (docs/math.md §6), nothing updated: the loss
// L = −log p(label) and, at `layer`, ∂L/∂Y (its output), ∂L/∂X (its input), ∂L/∂W and ∂L/∂b as the
// engine's backward pass computed them. For conv2d also ∂L/∂X the notes' way — the full
// convolution of ∂L/∂Y, dilated by the stride and padded, with the flipped (dilated) kernels — and
// its largest difference from the engine's; for max pooling the input cell each output's gradient
// went to.
struct BackwardViews {
  size_t layer = 0;
  int label = 0;
  float loss = 0.0f;
  Shape in, out;                      // per example
  std::vector<float> dy, dx, dw, db;  // out, in, weights, biases
  std::vector<float> dx_notes;        // conv2d only
  float dx_max_diff = 0.0f;
  std::vector<int> winners;           // max pooling: per output unit, the input index it routes to
};
BackwardViews backward_views(Network& net, const float* image, int label, size_t layer);

// The output-size formula of a layer with its numbers (docs/math.md §2), per axis when the axes
// differ: "H′ = W′ = ⌊(28 + 2·2 − (5−1)·1 − 1)/1⌋ + 1 = 28"; for the other kinds how the shape follows.
std::string output_size_text(const LayerSpec& l, const Shape& in);

// The receptive-field recurrence at a layer with its numbers (§2): R_k = R_{k−1} + (K_eff − 1)·J_{k−1},
// J_k = J_{k−1}·S, with K_eff = (K − 1)·d + 1; `before` is the previous layer's (null for the first).
// Says "the whole image" once the field covers the input.
std::string receptive_field_text(const LayerSpec& l, const Shape& in, const LayerInfo* before, const LayerInfo& info,
                                 const Shape& input);

// Class probabilities of a one-channel h×w image moved by −max_shift..+max_shift whole pixels along
// one axis, zeros brought in: (2·max_shift + 1) rows of classes(), row s + max_shift for shift s.
// Invariance measured, not claimed: pooling keeps a prediction only for small shifts.
std::vector<float> shift_probabilities(Network& net, const float* image, int max_shift, bool vertical);

// SmoothGrad (Smilkov et al. 2017): ∂(class score)/∂(input) averaged over `samples` copies of the
// image with Gaussian noise of standard deviation sigma (seeded: the same map every time).
std::vector<float> smooth_gradient(Network& net, const float* image, int class_index, int samples, float sigma,
                                   uint64_t seed);

}  // namespace convlab
