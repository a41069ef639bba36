// One thread's scratch memory, sized when a network is built, so that no kernel allocates inside a
// step: floats for column matrices and padded copies, ints for convolution tap offsets, and the
// GEMM's packed panels. A thread pool gives each thread its own.
#pragma once
#include <cstdint>
#include <vector>

#include "gemm.h"

namespace convlab {

struct WorkspaceSize {
  uint64_t floats = 0, ints = 0;
};

struct Workspace {
  std::vector<float> floats;
  std::vector<int> ints;
  std::vector<float> gemm_pack = std::vector<float>(kGemmPackFloats);
  // Grows (never shrinks) to hold `size`.
  void reserve(const WorkspaceSize& size) {
    if (floats.size() < size.floats) floats.resize(size.floats);
    if (ints.size() < size.ints) ints.resize(size.ints);
  }
};

}  // namespace convlab
