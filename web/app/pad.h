// The drawing pad without any UI: a canvas of coverage values in [0,1] (row 0 at the top, as the
// user sees it), anti-aliased round strokes, undo, and the 28×28 input the network receives.
// Pure logic: builds natively and is tested with doctest (tests/unit/test_page_logic.cpp).
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "preprocess.h"
#include "size_limits.h"

namespace convlab {

constexpr int kPadSide = 280;           // canvas pixels per side (10× MNIST); undo keeps PageCaps::max_undo_strokes

class Pad {
 public:
  Pad();
  float brush_px = 11.0f;
  // A stroke in canvas pixels: press, drag (any number), release.
  void press(float x, float y);
  void drag(float x, float y);
  void release() { stroking_ = false; }
  void clear();
  // An image (h × w, values 0..1, e.g. a test digit) scaled up onto the whole canvas; undoable.
  void load_image(const float* image, int h, int w);
  bool undo();
  bool can_undo() const { return !undo_.empty(); }
  bool stroking() const { return stroking_; }
  const std::vector<float>& canvas() const { return canvas_; }
  uint64_t version() const { return version_; }  // changes with every change of the canvas

 private:
  void stamp(float cx, float cy);
  void remember();
  std::vector<float> canvas_;
  std::deque<std::vector<float>> undo_;  // canvases before each stroke or clear
  bool stroking_ = false;
  float last_x_ = 0, last_y_ = 0;
  uint64_t version_ = 1;
};

// What the network receives from the pad: the data set's preprocessing (preprocess.h: MNIST's
// crop, 20-px box and centre of mass, or Fashion-MNIST's full frame), then the equivariance demo's
// whole-pixel shift.
struct PadInput {
  std::vector<float> centred, input;  // 28×28 each
  bool empty = true;                  // nothing drawn
  int ink_side = 0;                   // the larger side of the ink's bounding box, in pad pixels
  // Preprocessing scales any drawing to MNIST's 20-pixel box: a dot becomes a disc, which a network
  // can read as "0" with confidence. Below this the page calls the drawing too small to read.
  static constexpr int kSmallestReadableSide = kPadSide / 8;
  bool too_small() const { return !empty && ink_side < kSmallestReadableSide; }
};
PadInput pad_input(const Pad& pad, int shift_y, int shift_x, Preprocess how = Preprocess::Digit);

}  // namespace convlab
