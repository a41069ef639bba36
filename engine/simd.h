// One SIMD source for native (SSE2) and WebAssembly (simd128): GCC/Clang vector extensions.
// Both compilers lower these to the target's 128-bit float vectors; no per-target intrinsics.
#pragma once
#include <cstring>

namespace convlab {

typedef float f32x4 __attribute__((vector_size(16)));

inline f32x4 load4(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);  // unaligned load, compiles to one instruction
  return v;
}
inline void store4(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }
inline f32x4 splat4(float x) { return f32x4{x, x, x, x}; }

}  // namespace convlab
