#include "damage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace convlab {

namespace {

constexpr uint64_t kFrameSeed = 0x243F6A8885A308D3ull;

// Order-sensitive: the same things drawn in another order give another hash (blending depends on it).
uint64_t mix(uint64_t h, uint64_t v) {
  h = ((h << 31) | (h >> 33)) ^ v;
  h *= 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

}  // namespace

uint64_t hash_bytes(const void* data, size_t n, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = mix(seed, n);
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = mix(h, v);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return mix(h, tail);
}

void DamageTracker::begin(int width, int height) {
  if (width != width_ || height != height_) {
    width_ = std::max(width, 0), height_ = std::max(height, 0);
    cols_ = (width_ + kTile - 1) / kTile, rows_ = (height_ + kTile - 1) / kTile;
    before_.assign((size_t)cols_ * rows_, 0);
    valid_ = false;
  }
  now_.assign((size_t)cols_ * rows_, kFrameSeed);
}

void DamageTracker::add(float x0, float y0, float x1, float y1, uint64_t content) {
  // One pixel of margin: a triangle touches the pixels whose centres it covers, and its edges'
  // anti-aliasing fringe is part of its geometry already.
  const int c0 = std::max(0, (int)std::floor((x0 - 1) / kTile)), c1 = std::min(cols_ - 1, (int)std::floor((x1 + 1) / kTile));
  const int r0 = std::max(0, (int)std::floor((y0 - 1) / kTile)), r1 = std::min(rows_ - 1, (int)std::floor((y1 + 1) / kTile));
  for (int r = r0; r <= r1; r++)
    for (int c = c0; c <= c1; c++) now_[(size_t)r * cols_ + c] = mix(now_[(size_t)r * cols_ + c], content);
}

const std::vector<DamageRect>& DamageTracker::end() {
  rects_.clear();
  // A run of dirty tiles in a row extends the rectangle that ends at the row above with the same
  // columns, or starts a new one.
  open_.clear();
  for (int r = 0; r < rows_; r++) {
    const int y0 = r * kTile, y1 = std::min(y0 + kTile, height_);
    next_.clear();
    for (int c = 0; c < cols_;) {
      auto dirty = [&](int k) { return !valid_ || now_[(size_t)r * cols_ + k] != before_[(size_t)r * cols_ + k]; };
      if (!dirty(c)) {
        c++;
        continue;
      }
      int e = c;
      while (e < cols_ && dirty(e)) e++;
      const int x0 = c * kTile, x1 = std::min(e * kTile, width_);
      auto above = std::find_if(open_.begin(), open_.end(), [&](size_t i) { return rects_[i].x0 == x0 && rects_[i].x1 == x1; });
      if (above != open_.end()) {
        rects_[*above].y1 = y1;
        next_.push_back(*above);
      } else {
        rects_.push_back({x0, y0, x1, y1});
        next_.push_back(rects_.size() - 1);
      }
      c = e;
    }
    open_.swap(next_);
  }
  if ((int)rects_.size() > kMaxRects) {
    DamageRect box = rects_[0];
    for (const DamageRect& d : rects_)
      box = {std::min(box.x0, d.x0), std::min(box.y0, d.y0), std::max(box.x1, d.x1), std::max(box.y1, d.y1)};
    rects_.assign(1, box);
  }
  before_.swap(now_);
  valid_ = true;
  return rects_;
}

int64_t DamageTracker::dirty_pixels() const {
  int64_t sum = 0;
  for (const DamageRect& d : rects_) sum += (int64_t)(d.x1 - d.x0) * (d.y1 - d.y0);
  return sum;
}

}  // namespace convlab
