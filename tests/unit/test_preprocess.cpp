#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "helpers.h"
#include "preprocess.h"
#include "train.h"

using namespace convlab;

namespace {

struct Moments {
  int y0 = 99, y1 = -1, x0 = 99, x1 = -1;
  double cy = 0, cx = 0;
};
Moments moments(const std::vector<float>& img) {
  Moments m;
  double mass = 0;
  for (int i = 0; i < 28; i++)
    for (int j = 0; j < 28; j++) {
      float v = img[i * 28 + j];
      if (v > 0.05f) m.y0 = std::min(m.y0, i), m.y1 = std::max(m.y1, i), m.x0 = std::min(m.x0, j), m.x1 = std::max(m.x1, j);
      mass += v, m.cy += v * (i + 0.5), m.cx += v * (j + 0.5);
    }
  m.cy /= mass, m.cx /= mass;
  return m;
}

// A tall bar 150×50 in the top-left corner of a 280×280 canvas, plus a blob at its foot that moves
// its centre of mass (100 px wide in all).
std::vector<float> lopsided_shape() {
  std::vector<float> canvas(280 * 280, 0.0f);
  for (int i = 10; i < 160; i++)
    for (int j = 20; j < 70; j++) canvas[i * 280 + j] = 1.0f;
  for (int i = 130; i < 160; i++)
    for (int j = 70; j < 120; j++) canvas[i * 280 + j] = 1.0f;
  return canvas;
}

}  // namespace

TEST_CASE("MNIST preprocessing: empty canvas gives a blank image") {
  std::vector<float> canvas(280 * 280, 0.0f), out(784, 1.0f);
  CHECK_FALSE(preprocess_drawing(canvas.data(), 280, 280, Preprocess::Digit, out.data()));
  for (float v : out) CHECK(v == 0.0f);
}

TEST_CASE("MNIST preprocessing: longer side → 20 px, aspect kept, centre of mass at (14, 14)") {
  std::vector<float> canvas = lopsided_shape(), out(784);
  REQUIRE(preprocess_drawing(canvas.data(), 280, 280, Preprocess::Digit, out.data()));
  Moments m = moments(out);
  CHECK(m.y1 - m.y0 + 1 == 20);            // 150 px → 20 px
  CHECK(m.x1 - m.x0 + 1 == doctest::Approx(100 * 20 / 150.0).epsilon(0.1));  // 100 px wide → ≈ 13
  CHECK(std::fabs(m.cy - 14) <= 0.5);
  CHECK(std::fabs(m.cx - 14) <= 0.5);
  for (float v : out) CHECK((v >= 0.0f && v <= 1.0f));
}

TEST_CASE("MNIST preprocessing: a digit drawn anywhere, any size, gives the same 28×28") {
  // A ring drawn small in one corner and large in the middle
  auto ring = [](float cy, float cx, float r, float width) {
    std::vector<float> c(280 * 280, 0.0f);
    for (int i = 0; i < 280; i++)
      for (int j = 0; j < 280; j++) {
        float d = std::fabs(std::hypot(i - cy, j - cx) - r);
        c[i * 280 + j] = std::max(0.0f, std::min(1.0f, width - d));
      }
    return c;
  };
  std::vector<float> a(784), b(784);
  auto small = ring(60, 60, 40, 8), large = ring(140, 140, 100, 20);
  REQUIRE(preprocess_drawing(small.data(), 280, 280, Preprocess::Digit, a.data()));
  REQUIRE(preprocess_drawing(large.data(), 280, 280, Preprocess::Digit, b.data()));
  double diff = 0;
  for (int k = 0; k < 784; k++) diff += std::fabs(a[k] - b[k]);
  CHECK(diff / 784 < 0.03);
}

TEST_CASE("Fashion-MNIST preprocessing: longer side → 28 px, the box centred (not the centre of mass)") {
  // Its box fills the frame's height and sits in the middle.
  std::vector<float> canvas = lopsided_shape(), out(784);
  REQUIRE(preprocess_drawing(canvas.data(), 280, 280, Preprocess::Fill, out.data()));
  Moments m = moments(out);
  CHECK(m.y0 == 0);
  CHECK(m.y1 == 27);                        // 150 px → 28 px
  CHECK(m.x1 - m.x0 + 1 == 19);             // 100 px wide → 18.7
  CHECK(std::abs((m.x0 + m.x1) - 27) <= 1);  // the box, not the heavier left bar, is centred
  CHECK(m.cx < 13.0);                        // so the centre of mass stays left of the middle
  CHECK_FALSE(preprocess_drawing(std::vector<float>(280 * 280, 0.0f).data(), 280, 280, Preprocess::Fill, out.data()));
}

TEST_CASE("shift_image moves the picture and brings in zeros") {
  std::vector<float> in(16), out(16);
  for (int k = 0; k < 16; k++) in[k] = (float)k + 1;
  shift_image(in.data(), 4, 4, 1, -1, out.data());
  CHECK(out[0] == 0);            // row 0 comes from row −1
  CHECK(out[4] == in[1]);        // (1,0) ← (0,1)
  CHECK(out[4 * 4 - 1] == 0);    // column 3 comes from column 4
  CHECK(out[2 * 4 + 2] == in[1 * 4 + 3]);
}

namespace {

// The augmentation's transform as plain loops: every pixel through floor() and four bounds checks.
void transform_image_reference(const float* src, int h, int w, float dy, float dx, float deg, float* dst) {
  const float rad = deg * 3.14159265f / 180.0f, c = std::cos(rad), s = std::sin(rad);
  const float cy = 0.5f * (h - 1), cx = 0.5f * (w - 1);
  for (int i = 0; i < h; i++)
    for (int j = 0; j < w; j++) {
      float yi = i - dy - cy, xj = j - dx - cx;
      float sy = c * yi + s * xj + cy, sx = -s * yi + c * xj + cx;
      int y0 = (int)std::floor(sy), x0 = (int)std::floor(sx);
      float fy = sy - y0, fx = sx - x0, v = 0.0f;
      for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
          int yy = y0 + a, xx = x0 + b;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          v += (a ? fy : 1 - fy) * (b ? fx : 1 - fx) * src[yy * w + xx];
        }
      dst[i * w + j] = v;
    }
}

}  // namespace

TEST_CASE("augmentation: the transform equals the plain bilinear loops bit for bit; far outside is black") {
  Rng rng(17);
  for (int trial = 0; trial < 600; trial++) {
    const int h = test::random_int(rng, 1, 40), w = test::random_int(rng, 1, 40);
    std::vector<float> src = test::random_vector(rng, (size_t)h * w, 0.0f, 1.0f);
    for (float& x : src) x = rng.uniform(0, 1) < 0.6f ? 0.0f : x;  // mostly background, as digits are
    // random shifts and angles; every third one whole pixels and no rotation (sampling positions
    // exactly on pixel centres and image edges); shifts beyond the image too
    const bool whole = trial % 3 == 0;
    const float reach = trial % 10 == 1 ? 2.0f * std::max(h, w) : 4.0f;
    const float dy = whole ? (float)test::random_int(rng, -3, 3) : rng.uniform(-reach, reach);
    const float dx = whole ? (float)test::random_int(rng, -3, 3) : rng.uniform(-reach, reach);
    const float deg = whole ? 0.0f : rng.uniform(-45, 45);
    std::vector<float> fast((size_t)h * w, -1.0f), plain((size_t)h * w, -2.0f);
    transform_image(src.data(), h, w, dy, dx, deg, fast.data());
    transform_image_reference(src.data(), h, w, dy, dx, deg, plain.data());
    INFO(h << "×" << w << " dy " << dy << " dx " << dx << " deg " << deg);
    CHECK(std::memcmp(fast.data(), plain.data(), fast.size() * sizeof(float)) == 0);
  }
  std::vector<float> src(28 * 28, 1.0f), dst(28 * 28, -1.0f);
  for (float shift : {1e30f, -1e30f, NAN, INFINITY}) {
    INFO("shift " << shift);
    transform_image(src.data(), 28, 28, shift, 0.5f, 3.0f, dst.data());
    CHECK(std::all_of(dst.begin(), dst.end(), [](float v) { return v == 0.0f; }));
  }
}
