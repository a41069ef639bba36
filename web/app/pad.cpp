#include "pad.h"

#include <algorithm>
#include <cmath>

#include "preprocess.h"

namespace convlab {

Pad::Pad() : canvas_((size_t)kPadSide * kPadSide, 0.0f) {}

void Pad::remember() {
  undo_.push_back(canvas_);
  if ((int)undo_.size() > PageCaps::max_undo_strokes) undo_.pop_front();
}

// An anti-aliased disc: coverage = clamp(r + ½ − distance to the centre).
void Pad::stamp(float cx, float cy) {
  const float r = brush_px;
  for (int y = std::max(0, (int)(cy - r - 1)); y <= std::min(kPadSide - 1, (int)(cy + r + 1)); y++)
    for (int x = std::max(0, (int)(cx - r - 1)); x <= std::min(kPadSide - 1, (int)(cx + r + 1)); x++) {
      float v = std::clamp(r + 0.5f - std::hypot(x + 0.5f - cx, y + 0.5f - cy), 0.0f, 1.0f);
      float& c = canvas_[(size_t)y * kPadSide + x];
      c = std::max(c, v);
    }
  version_++;
}

void Pad::press(float x, float y) {
  remember();
  stroking_ = true, last_x_ = x, last_y_ = y;
  stamp(x, y);
}

// Discs a third of the brush apart along the segment: a smooth line at any drag speed.
void Pad::drag(float x, float y) {
  if (!stroking_ || (x == last_x_ && y == last_y_)) return;
  const float dx = x - last_x_, dy = y - last_y_, len = std::hypot(dx, dy);
  const int steps = std::max(1, (int)std::ceil(len / std::max(1.0f, brush_px * 0.3f)));
  for (int s = 1; s <= steps; s++) stamp(last_x_ + dx * s / steps, last_y_ + dy * s / steps);
  last_x_ = x, last_y_ = y;
}

void Pad::clear() {
  remember();
  std::fill(canvas_.begin(), canvas_.end(), 0.0f);
  version_++;
}

void Pad::load_image(const float* image, int h, int w) {
  remember();
  // bilinear: canvas pixel centres mapped onto the image's pixel centres
  for (int y = 0; y < kPadSide; y++)
    for (int x = 0; x < kPadSide; x++) {
      const float fy = std::clamp((y + 0.5f) * h / kPadSide - 0.5f, 0.0f, h - 1.0f);
      const float fx = std::clamp((x + 0.5f) * w / kPadSide - 0.5f, 0.0f, w - 1.0f);
      const int y0 = (int)fy, x0 = (int)fx, y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
      const float ty = fy - y0, tx = fx - x0;
      const float top = image[y0 * w + x0] * (1 - tx) + image[y0 * w + x1] * tx;
      const float bottom = image[y1 * w + x0] * (1 - tx) + image[y1 * w + x1] * tx;
      canvas_[(size_t)y * kPadSide + x] = std::clamp(top * (1 - ty) + bottom * ty, 0.0f, 1.0f);
    }
  version_++;
}

bool Pad::undo() {
  if (undo_.empty()) return false;
  canvas_ = std::move(undo_.back());
  undo_.pop_back();
  version_++;
  return true;
}

PadInput pad_input(const Pad& pad, int shift_y, int shift_x, Preprocess how) {
  PadInput in;
  in.centred.assign((size_t)kDigitSide * kDigitSide, 0.0f);
  in.input.assign(in.centred.size(), 0.0f);
  in.empty = !preprocess_drawing(pad.canvas().data(), kPadSide, kPadSide, how, in.centred.data());
  int top = kPadSide, bottom = -1, left = kPadSide, right = -1;
  for (int y = 0; y < kPadSide; y++)
    for (int x = 0; x < kPadSide; x++)
      if (pad.canvas()[(size_t)y * kPadSide + x] > 0.1f)
        top = std::min(top, y), bottom = std::max(bottom, y), left = std::min(left, x), right = std::max(right, x);
  in.ink_side = bottom < 0 ? 0 : std::max(bottom - top, right - left) + 1;
  shift_image(in.centred.data(), kDigitSide, kDigitSide, shift_y, shift_x, in.input.data());
  return in;
}

}  // namespace convlab
