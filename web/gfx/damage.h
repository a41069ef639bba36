// Which parts of the canvas changed since the last frame. Under a software GPU (SwiftShader) every
// pixel a frame fills costs CPU time that the trainer's thread needs, yet while training only the
// progress bar and a plot change from one frame to the next. The canvas is cut into tiles; each
// tile keeps a hash of everything drawn over it, in draw order; the tiles whose hash changed are
// redrawn (as a few rectangles) and the others keep the last frame's pixels. Plain C++ (no ImGui,
// no GL), so that it is unit-tested natively.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace convlab {

struct DamageRect {
  int x0, y0, x1, y1;  // pixels, [x0, x1) × [y0, y1), y down
};

class DamageTracker {
 public:
  static constexpr int kTile = 32;     // pixels a side
  static constexpr int kMaxRects = 24;  // more than this and their bounding box is redrawn instead

  // Starts a frame of width × height pixels; a new size makes every tile dirty.
  void begin(int width, int height);
  // Everything is redrawn at the next frame (a texture whose contents are unknown here changed).
  void invalidate() { valid_ = false; }
  // Something drawn over [x0, x1) × [y0, y1) (already clipped), whose pixels depend on `content`
  // (its vertices, colours, texture and clip rectangle). Call in draw order.
  void add(float x0, float y0, float x1, float y1, uint64_t content);
  // The rectangles to redraw this frame, merged from the dirty tiles; the tiles' hashes become
  // the reference for the next frame.
  const std::vector<DamageRect>& end();
  // Pixels in end()'s rectangles.
  int64_t dirty_pixels() const;

 private:
  int width_ = 0, height_ = 0, cols_ = 0, rows_ = 0;
  bool valid_ = false;
  std::vector<uint64_t> now_, before_;
  std::vector<DamageRect> rects_;
  std::vector<size_t> open_, next_;  // rectangles ending at the row above, and at this one
};

// A 64-bit hash of n bytes, chained from `seed` (FNV-1a's order-sensitivity with a stronger mix).
uint64_t hash_bytes(const void* data, size_t n, uint64_t seed);

}  // namespace convlab
