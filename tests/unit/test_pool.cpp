#include <doctest/doctest.h>

#include "helpers.h"
#include "pool.h"

using namespace convlab;

namespace {

// Independent reference: walk every window cell, skip the ones outside the image.
std::vector<float> pool_reference(PoolKind kind, const std::vector<float>& x, const Shape& xs,
                                  const PoolGeometry& g) {
  Shape ys = pool2d_output_shape(xs, g);
  std::vector<float> y(ys.size());
  for (int nc = 0; nc < xs.n * xs.c; nc++)
    for (int i = 0; i < ys.h; i++)
      for (int j = 0; j < ys.w; j++) {
        double best = -1e30, sum = 0, wsum = 0, sq = 0;
        int cells = 0;
        for (int a = 0; a < g.size.h; a++)
          for (int b = 0; b < g.size.w; b++) {
            int yy = i * g.stride.h - g.padding.h + a, xx = j * g.stride.w - g.padding.w + b;
            if (yy < 0 || yy >= xs.h || xx < 0 || xx >= xs.w) continue;
            double v = x[((size_t)nc * xs.h + yy) * xs.w + xx], wt = wavg_pool_weight(g, a, b);
            best = std::max(best, v), sum += v, sq += v * v, wsum += wt, cells++;
          }
        double r = 0;
        if (kind == PoolKind::Max) r = best;
        if (kind == PoolKind::Avg) r = sum / cells;
        if (kind == PoolKind::L2) r = std::sqrt(sq);
        if (kind == PoolKind::WeightedAvg) {
          double acc = 0;
          for (int a = 0; a < g.size.h; a++)
            for (int b = 0; b < g.size.w; b++) {
              int yy = i * g.stride.h - g.padding.h + a, xx = j * g.stride.w - g.padding.w + b;
              if (yy < 0 || yy >= xs.h || xx < 0 || xx >= xs.w) continue;
              acc += wavg_pool_weight(g, a, b) * x[((size_t)nc * xs.h + yy) * xs.w + xx];
            }
          r = acc / wsum;
        }
        y[((size_t)nc * ys.h + i) * ys.w + j] = (float)r;
      }
  return y;
}

PoolGeometry random_pool(Rng& rng) {
  PoolGeometry g;
  g.size = {test::random_int(rng, 1, 5), test::random_int(rng, 1, 5)};
  g.stride = {test::random_int(rng, 1, 3), test::random_int(rng, 1, 3)};
  g.padding = {test::random_int(rng, 0, g.size.h - 1), test::random_int(rng, 0, g.size.w - 1)};
  return g;
}

const PoolKind kKinds[] = {PoolKind::Max, PoolKind::Avg, PoolKind::WeightedAvg, PoolKind::L2};

}  // namespace

TEST_CASE("pooling matches the reference on 600 random configurations; gradients by finite differences") {
  Rng rng(21);
  int fd_checks[4] = {};
  for (int trial = 0; trial < 600; trial++) {
    PoolKind kind = kKinds[trial % 4];
    PoolGeometry g = random_pool(rng);
    Shape xs{test::random_int(rng, 1, 3), test::random_int(rng, 1, 3), g.size.h + test::random_int(rng, 0, 6),
             g.size.w + test::random_int(rng, 0, 6)};
    Shape ys = pool2d_output_shape(xs, g);
    auto x = test::random_vector(rng, xs.size());
    if (kind == PoolKind::Max)  // distinct values 0.01 apart: no tie within the finite-difference step
      for (size_t k = 0; k < x.size(); k++) x[k] = 0.01f * (float)((k * 7919) % x.size()) - 1.0f;
    std::vector<float> y(ys.size());
    pool2d_forward(kind, x.data(), xs, g, y.data());
    INFO("trial " << trial << " kind " << (int)kind);
    CHECK(test::relative_error(y, pool_reference(kind, x, xs, g)) < 1e-5);
    if ((trial / 4) % 10) continue;  // finite differences on every tenth round of the four kinds
    fd_checks[trial % 4]++;
    auto dy = test::random_vector(rng, ys.size());
    std::vector<float> dx(x.size());
    pool2d_backward(kind, x.data(), xs, g, y.data(), dy.data(), dx.data());
    auto loss = [&] {
      pool2d_forward(kind, x.data(), xs, g, y.data());
      return test::dot(y, dy);
    };
    CHECK(test::gradient_check(x, dx, loss, 1e-3f) < 2e-2);
  }
  for (int k = 0; k < 4; k++) CHECK(fd_checks[k] == 15);  // every kind's backward, not only some
}

TEST_CASE("pooling: padded cells are outside the image, not zeros") {
  // 2×2 image of negatives, 3×3 window, padding 1: a zero-padded max would give 0
  float x[4] = {-4, -3, -2, -1}, y[4];
  PoolGeometry g;
  g.size = {3, 3}, g.stride = {1, 1}, g.padding = {1, 1};
  pool2d_forward(PoolKind::Max, x, {1, 1, 2, 2}, g, y);
  CHECK(y[0] == -1);
  pool2d_forward(PoolKind::Avg, x, {1, 1, 2, 2}, g, y);
  CHECK(y[0] == doctest::Approx(-2.5));  // 4 real cells, not 9
  pool2d_forward(PoolKind::L2, x, {1, 1, 2, 2}, g, y);
  CHECK(y[0] == doctest::Approx(std::sqrt(30.0)));
}

TEST_CASE("max pooling: P(i,j) = max over the n×m window; gradient to the first maximum, row-major") {
  float x[16] = {1, 5, 2, 0,  //
                 5, 3, 7, 7,  //
                 0, 0, 1, 1,  //
                 0, 0, 1, 1};
  float y[4], dy[4] = {1, 2, 3, 4}, dx[16];
  PoolGeometry g;  // 2×2, stride 2
  pool2d_forward(PoolKind::Max, x, {1, 1, 4, 4}, g, y);
  CHECK(y[0] == 5);
  CHECK(y[1] == 7);
  CHECK(y[2] == 0);
  CHECK(y[3] == 1);
  pool2d_backward(PoolKind::Max, x, {1, 1, 4, 4}, g, y, dy, dx);
  CHECK(dx[1] == 1);   // the 5 at (0,1) comes before the 5 at (1,0)
  CHECK(dx[4] == 0);
  CHECK(dx[6] == 2);   // first of the two 7s
  CHECK(dx[7] == 0);
  CHECK(dx[8] == 3);   // all zeros: the first cell
  CHECK(dx[10] == 4);  // all ones: the first cell
  float total = 0;
  for (float d : dx) total += d;
  CHECK(total == 10);
}

TEST_CASE("weighted average pooling: fixed Gaussian window, renormalised, centre weighs most") {
  PoolGeometry g;
  g.size = {3, 3};
  CHECK(wavg_pool_weight(g, 1, 1) == doctest::Approx(1.0));
  CHECK(wavg_pool_weight(g, 0, 0) < wavg_pool_weight(g, 0, 1));
  float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, y[1];
  g.stride = {3, 3};
  pool2d_forward(PoolKind::WeightedAvg, ones, {1, 1, 3, 3}, g, y);
  CHECK(y[0] == doctest::Approx(1.0));  // weights sum to one over the real cells
}

TEST_CASE("global average pooling and its gradient") {
  Rng rng(2);
  auto x = test::random_vector(rng, 2 * 3 * 4 * 5);
  Shape xs{2, 3, 4, 5};
  std::vector<float> y(6), dy = test::random_vector(rng, 6), dx(x.size());
  global_avg_pool_forward(x.data(), xs, y.data());
  double s = 0;
  for (int k = 0; k < 20; k++) s += x[20 + k];
  CHECK(y[1] == doctest::Approx(s / 20));
  global_avg_pool_backward(xs, dy.data(), dx.data());
  auto loss = [&] {
    global_avg_pool_forward(x.data(), xs, y.data());
    return test::dot(y, dy);
  };
  CHECK(test::gradient_check(x, dx, loss) < 1e-2);
}

TEST_CASE("max and average pooling 2×2 stride 2 (the vectorised path): every shape 2..19, ties, odd edges") {
  Rng rng(5);
  PoolGeometry g;  // 2×2, stride 2, no padding
  for (PoolKind kind : {PoolKind::Max, PoolKind::Avg})
    for (int h = 2; h <= 19; h++)
      for (int w = 2; w <= 19; w++) {
        Shape xs{test::random_int(rng, 1, 2), test::random_int(rng, 1, 3), h, w};
        std::vector<float> x(xs.size());
        for (float& v : x) v = (float)test::random_int(rng, -2, 2);  // five values: ties everywhere
        Shape ys = pool2d_output_shape(xs, g);
        std::vector<float> y(ys.size()), dy = test::random_vector(rng, ys.size()), dx(x.size(), 9.0f);
        pool2d_forward(kind, x.data(), xs, g, y.data());
        INFO((kind == PoolKind::Max ? "max " : "avg ") << xs.n << "×" << xs.c << "×" << h << "×" << w);
        CHECK(y == pool_reference(kind, x, xs, g));  // small integers: every sum is exact
        pool2d_backward(kind, x.data(), xs, g, y.data(), dy.data(), dx.data());
        std::vector<float> expected(x.size(), 0.0f);  // max: dy to the first maximum, row-major; avg: dy/4 each
        for (int nc = 0; nc < xs.n * xs.c; nc++)
          for (int i = 0; i < ys.h; i++)
            for (int j = 0; j < ys.w; j++) {
              const float d = dy[((size_t)nc * ys.h + i) * ys.w + j];
              size_t best = ((size_t)nc * h + 2 * i) * w + 2 * j;
              for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++) {
                  size_t k = ((size_t)nc * h + 2 * i + a) * w + 2 * j + b;
                  if (kind == PoolKind::Avg) expected[k] = d / 4;
                  if (x[k] > x[best]) best = k;
                }
              if (kind == PoolKind::Max) expected[best] = d;
            }
        CHECK(dx == expected);
      }
}
