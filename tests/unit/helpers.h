// Shared by the unit tests: random data, comparisons and finite-difference gradient checks.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "rng.h"

namespace test {

// The page's own WASM engine is built without threads (its suite runs too): there, asking for more
// than one is an Error, and the tests that need threads run only where there are some.
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define CONVLAB_TEST_THREADS 0
#else
#define CONVLAB_TEST_THREADS 1
#endif
constexpr bool kThreadsAvailable = CONVLAB_TEST_THREADS;

inline std::vector<float> random_vector(convlab::Rng& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

inline int random_int(convlab::Rng& rng, int lo, int hi) { return lo + (int)rng.below((uint32_t)(hi - lo + 1)); }

// max |a − b| relative to the reference's largest magnitude (at least 1)
inline double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  double err = 0.0, scale = 1.0;
  for (size_t i = 0; i < b.size(); i++) scale = std::max(scale, (double)std::fabs(b[i]));
  for (size_t i = 0; i < a.size() && i < b.size(); i++) err = std::max(err, (double)std::fabs(a[i] - b[i]));
  return a.size() == b.size() ? err / scale : INFINITY;
}

// Finite differences of loss() with respect to every entry of x, compared to the analytic
// gradient: returns the worst |numeric − analytic| / max(1e-2, |numeric| + |analytic|).
// Per entry the best of the central, forward and backward differences counts: near a kink of
// relu or max (within eps) one side is still smooth, while a wrong gradient fails all three.
inline double gradient_check(std::vector<float>& x, const std::vector<float>& analytic,
                             const std::function<double()>& loss, float eps = 1e-2f) {
  double worst = 0.0;
  const double centre = loss();
  for (size_t i = 0; i < x.size(); i++) {
    float saved = x[i];
    x[i] = saved + eps;
    double up = loss();
    x[i] = saved - eps;
    double down = loss();
    x[i] = saved;
    double best = INFINITY;
    for (double numeric : {(up - down) / (2.0 * eps), (up - centre) / eps, (centre - down) / eps}) {
      double denom = std::max(1e-2, std::fabs(numeric) + std::fabs((double)analytic[i]));
      best = std::min(best, std::fabs(numeric - analytic[i]) / denom);
    }
    worst = std::max(worst, best);
  }
  return worst;
}

inline double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); i++) s += (double)a[i] * b[i];
  return s;
}

}  // namespace test
