// Every size limit of ConvLab in one place: the engine checks specs, batches and files against
// these before it allocates anything; the page's fields clamp to them and the JS API exports them
// (web/module/bindings.cpp), so no layer has a limit of its own.
#pragma once
#include <cstddef>
#include <cstdint>

namespace convlab {

struct Limits {
  static constexpr int max_layers = 64;
  static constexpr int max_channels = 1024;      // filters of a convolution, channels of any map
  static constexpr int max_input_side = 256;
  static constexpr int max_input_channels = 16;
  static constexpr int max_window = 64;          // kernel, stride, padding, dilation, pool size
  static constexpr int max_units = 8192;         // dense units
  static constexpr int max_tiles = 16;           // kernel sets per axis of a tiled convolution
  static constexpr int max_classes = 256;        // labels are bytes
  static constexpr uint64_t max_params = 16u << 20;            // 64 MB of float32
  static constexpr uint64_t max_activation_floats = 8u << 20;  // per example, per layer
  static constexpr uint64_t max_workspace_floats = 1u << 28;   // 1 GiB of scratch for one layer
  static constexpr int max_batch = 1024;         // examples in one training step or forward pass
  static constexpr size_t max_model_file_bytes = 64u << 20;
  static constexpr uint64_t max_raw_op_floats = 64u << 20;      // a tensor given to a raw op of the JS API
  static constexpr int max_raw_op_side = 4096;                 // any dimension of such a tensor
};

// Tighter caps of the page's editor, each with its reason. The engine accepts up to Limits; the
// page keeps what a user builds trainable in a browser tab in seconds to minutes.
struct PageCaps {
  static constexpr int max_epochs = 200;             // a run the page can finish in an afternoon
  static constexpr int max_undo_strokes = 30;        // 30 canvases of 280×280 floats = 9 MB
};

}  // namespace convlab
