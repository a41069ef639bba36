// One SIMD source for native (SSE2) and WebAssembly (simd128): GCC/Clang vector extensions.
// Both compilers lower these to the target's 128-bit vectors; no per-target intrinsics.
#pragma once
#include <cstring>

namespace convlab {

typedef float f32x4 __attribute__((vector_size(16)));
typedef int i32x4 __attribute__((vector_size(16)));  // comparison results: lanes of 0 or −1

inline f32x4 load4(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);  // unaligned load, compiles to one instruction
  return v;
}
inline void store4(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }
inline f32x4 splat4(float x) { return f32x4{x, x, x, x}; }
inline f32x4 max4(f32x4 a, f32x4 b) { return a > b ? a : b; }
// Lanes 0,2,4,6 and 1,3,5,7 of the eight values a:b (de-interleaving pairs)…
inline f32x4 even4(f32x4 a, f32x4 b) { return __builtin_shufflevector(a, b, 0, 2, 4, 6); }
inline f32x4 odd4(f32x4 a, f32x4 b) { return __builtin_shufflevector(a, b, 1, 3, 5, 7); }
// …and back: a0 b0 a1 b1 | a2 b2 a3 b3.
inline f32x4 interleave_lo4(f32x4 a, f32x4 b) { return __builtin_shufflevector(a, b, 0, 4, 1, 5); }
inline f32x4 interleave_hi4(f32x4 a, f32x4 b) { return __builtin_shufflevector(a, b, 2, 6, 3, 7); }
// Rows a, b, c, d of a 4×4 block become its columns (packing a transposed operand).
inline void transpose4(f32x4& a, f32x4& b, f32x4& c, f32x4& d) {
  f32x4 ab_lo = interleave_lo4(a, b), ab_hi = interleave_hi4(a, b);
  f32x4 cd_lo = interleave_lo4(c, d), cd_hi = interleave_hi4(c, d);
  a = __builtin_shufflevector(ab_lo, cd_lo, 0, 1, 4, 5);
  b = __builtin_shufflevector(ab_lo, cd_lo, 2, 3, 6, 7);
  c = __builtin_shufflevector(ab_hi, cd_hi, 0, 1, 4, 5);
  d = __builtin_shufflevector(ab_hi, cd_hi, 2, 3, 6, 7);
}

}  // namespace convlab
