// NCHW float32 tensors: a shape and a flat buffer.
#pragma once
#include <cstddef>
#include <vector>

namespace convlab {

struct Shape {
  int n = 0, c = 0, h = 0, w = 0;
  size_t size() const { return (size_t)n * c * h * w; }
  size_t per_example() const { return (size_t)c * h * w; }
  bool operator==(const Shape& o) const { return n == o.n && c == o.c && h == o.h && w == o.w; }
};

// A pair of per-axis integers (height, width): kernel, stride, padding, dilation.
struct Pair {
  int h = 0, w = 0;
};

struct Tensor {
  Shape shape;
  std::vector<float> data;
  // Reshape without giving memory back, so a smaller batch never reallocates.
  void resize(const Shape& s) {
    shape = s;
    if (data.size() < s.size()) data.resize(s.size());
  }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }
};

}  // namespace convlab
