// A small seeded generator (SplitMix64): same seed, same build → same stream.
#pragma once
#include <cmath>
#include <cstdint>

namespace convlab {

struct Rng {
  uint64_t state = 0;
  explicit Rng(uint64_t seed = 0) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() { return (float)(next() >> 40) * (1.0f / 16777216.0f); }  // [0, 1)
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  uint32_t below(uint32_t n) { return (uint32_t)(((next() >> 32) * n) >> 32); }
  // Standard normal (Box–Muller; 1 − u keeps the logarithm finite).
  float normal() {
    const float u = 1.0f - uniform(), v = uniform();
    return std::sqrt(-2.0f * std::log(u)) * std::cos(6.28318530718f * v);
  }
};

}  // namespace convlab
