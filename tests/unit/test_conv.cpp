#include <doctest/doctest.h>

#include "conv.h"
#include "helpers.h"
#include "spec.h"

using namespace convlab;

namespace {

struct ConvCase {
  Shape xs;
  int c_out;
  ConvGeometry g;
};

// Random geometry from the issue's ranges, with an input large enough for ≥ 1 output per axis.
ConvCase random_case(Rng& rng) {
  ConvCase c;
  c.g.kernel = {test::random_int(rng, 1, 7), test::random_int(rng, 1, 7)};
  c.g.stride = {test::random_int(rng, 1, 3), test::random_int(rng, 1, 3)};
  c.g.padding = {test::random_int(rng, 0, 3), test::random_int(rng, 0, 3)};
  c.g.dilation = {test::random_int(rng, 1, 3), test::random_int(rng, 1, 3)};
  int min_h = std::max(1, (c.g.kernel.h - 1) * c.g.dilation.h + 1 - 2 * c.g.padding.h);
  int min_w = std::max(1, (c.g.kernel.w - 1) * c.g.dilation.w + 1 - 2 * c.g.padding.w);
  c.xs = {test::random_int(rng, 1, 4), test::random_int(rng, 1, 4), min_h + test::random_int(rng, 0, 6),
          min_w + test::random_int(rng, 0, 6)};
  c.c_out = test::random_int(rng, 1, 6);
  return c;
}

// The fast path (whichever way it goes) against the naive loops, forward and backward.
void check_fast_equals_naive(Rng& rng, const ConvCase& c) {
  Shape ys = conv2d_output_shape(c.xs, c.c_out, c.g);
  REQUIRE(ys.h >= 1);
  REQUIRE(ys.w >= 1);
  size_t K = (size_t)c.xs.c * c.g.kernel.h * c.g.kernel.w;
  auto x = test::random_vector(rng, c.xs.size()), w = test::random_vector(rng, c.c_out * K);
  auto b = test::random_vector(rng, c.c_out), dy = test::random_vector(rng, ys.size());
  std::vector<float> y_fast(ys.size()), y_ref(ys.size());
  Workspace ws;
  ws.reserve(conv2d_workspace(c.xs, c.c_out, c.g));
  auto fill_garbage = [&] {  // garbage must not leak in
    std::fill(ws.floats.begin(), ws.floats.end(), NAN);
    std::fill(ws.ints.begin(), ws.ints.end(), -12345);
    std::fill(ws.gemm_pack.begin(), ws.gemm_pack.end(), NAN);
  };
  fill_garbage();
  conv2d_forward(x.data(), c.xs, w.data(), b.data(), c.c_out, c.g, y_fast.data(), ws);
  conv2d_forward_naive(x.data(), c.xs, w.data(), b.data(), c.c_out, c.g, y_ref.data());
  INFO("x=" << c.xs.n << "x" << c.xs.c << "x" << c.xs.h << "x" << c.xs.w << " c_out=" << c.c_out
            << " k=" << c.g.kernel.h << "x" << c.g.kernel.w << " s=" << c.g.stride.h << "," << c.g.stride.w
            << " p=" << c.g.padding.h << "," << c.g.padding.w << " d=" << c.g.dilation.h << "," << c.g.dilation.w);
  CHECK(test::relative_error(y_fast, y_ref) < 1e-4);
  std::vector<float> dx_f(x.size()), dw_f(w.size(), 0.f), db_f(b.size(), 0.f);
  std::vector<float> dx_r(x.size()), dw_r(w.size(), 0.f), db_r(b.size(), 0.f);
  fill_garbage();
  conv2d_backward(x.data(), c.xs, w.data(), c.c_out, c.g, dy.data(), dx_f.data(), dw_f.data(), db_f.data(), ws);
  conv2d_backward_naive(x.data(), c.xs, w.data(), c.c_out, c.g, dy.data(), dx_r.data(), dw_r.data(), db_r.data());
  CHECK(test::relative_error(dx_f, dx_r) < 1e-4);
  CHECK(test::relative_error(dw_f, dw_r) < 1e-4);
  CHECK(test::relative_error(db_f, db_r) < 1e-4);
}

}  // namespace

TEST_CASE("conv2d output size: docs/math.md §5, floor included") {
  // ⌊(n + 2p − k)/s⌋ + 1 for dilation 1 (docs/math.md §5, d = 1)
  CHECK(conv2d_output_size(4, 2, 2, 0, 1) == 2);
  CHECK(conv2d_output_size(28, 5, 1, 2, 1) == 28);
  CHECK(conv2d_output_size(28, 5, 2, 0, 1) == 12);  // ⌊23/2⌋ + 1
  CHECK(conv2d_output_size(7, 3, 3, 0, 1) == 2);    // ⌊4/3⌋ + 1
  // H' = ⌊(H + 2p − (k−1)·d − 1)/s + 1⌋ (docs/math.md §5)
  CHECK(conv2d_output_size(28, 3, 1, 0, 2) == 24);
  CHECK(conv2d_output_size(10, 3, 2, 1, 3) == 3);   // ⌊(10 + 2 − 6 − 1)/2⌋ + 1
  CHECK(conv2d_output_size(7, 5, 1, 0, 2) == -1);   // impossible: (7 − 8 − 1)/1 + 1
  CHECK(conv2d_output_size(2, 3, 2, 0, 1) == 0);    // ⌊−1/2⌋ + 1 = 0, a floor not a truncation
  CHECK(conv2d_output_size_formula(7, 5, 1, 0, 2) ==
        "\u230a(7 + 2\u00b70 \u2212 (5\u22121)\u00b72 \u2212 1)/1\u230b + 1 = \u22121");
}

TEST_CASE("im2col: docs/math.md §5's 4×4 image, 2×2 kernel, stride-2 example") {
  // I[r][c] = 10·r + c (1-based like docs/math.md §5), so entries name their position.
  float I[16];
  for (int r = 1; r <= 4; r++)
    for (int c = 1; c <= 4; c++) I[(r - 1) * 4 + (c - 1)] = 10.0f * r + c;
  ConvGeometry g;
  g.kernel = {2, 2}, g.stride = {2, 2};
  float col[4 * 4];
  im2col(I, 1, 4, 4, g, 2, 2, col);
  // I' of docs/math.md §5; our col is I'ᵀ: col[k][p] = I'[p][k]
  const float I_prime[4][4] = {{11, 12, 21, 22}, {13, 14, 23, 24}, {31, 32, 41, 42}, {33, 34, 43, 44}};
  for (int p = 0; p < 4; p++)
    for (int k = 0; k < 4; k++) CHECK(col[k * 4 + p] == I_prime[p][k]);
  // I'·K' reshaped to 2×2 is the stride-2 convolution
  float K[4] = {1, -2, 3, 0.5f}, y[4];
  conv2d_forward_naive(I, {1, 1, 4, 4}, K, nullptr, 1, g, y);
  for (int p = 0; p < 4; p++) {
    float s = 0;
    for (int k = 0; k < 4; k++) s += I_prime[p][k] * K[k];
    CHECK(y[p] == doctest::Approx(s));
  }
}

TEST_CASE("conv2d: cross-correlation S(i,j) = Σ I(i+a, j+b) K(a,b), multi-channel plus bias") {
  // 2 channels of 3×3, a 2×2 kernel per channel, bias 0.5: S = B + Σ_c I_c * K_c (docs/math.md §5)
  float x[18], w[8] = {1, 0, 0, -1, 2, 1, 0, 0}, b[1] = {0.5f}, y[4];
  for (int i = 0; i < 18; i++) x[i] = (float)i;
  ConvGeometry g;
  g.kernel = {2, 2};
  conv2d_forward_naive(x, {1, 2, 3, 3}, w, b, 1, g, y);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      float c0 = x[i * 3 + j] - x[(i + 1) * 3 + j + 1];
      float c1 = 2 * x[9 + i * 3 + j] + x[9 + i * 3 + j + 1];
      CHECK(y[i * 2 + j] == doctest::Approx(0.5f + c0 + c1));
    }
}


TEST_CASE("conv2d fast path equals the naive loops on 600 random configurations, forward and backward") {
  Rng rng(7);
  for (int trial = 0; trial < 600; trial++) {
    INFO("trial " << trial);
    check_fast_equals_naive(rng, random_case(rng));
  }
}

TEST_CASE("conv2d stride 1 (read in place, no column matrix): 400 shapes against the naive loops") {
  Rng rng(8);
  for (int trial = 0; trial < 400; trial++) {
    ConvCase c = random_case(rng);
    c.g.stride = {trial % 5 == 4 ? 2 : 1, 1};  // stride 2 along the height: the backward through the column matrix
    c.g.dilation = {test::random_int(rng, 1, 2), test::random_int(rng, 1, 2)};
    // mostly padding ≤ (k−1)·d (the backward in place), sometimes more (its fallback)
    c.g.padding = {test::random_int(rng, 0, (c.g.kernel.h - 1) * c.g.dilation.h + (trial % 7 == 6)),
                   test::random_int(rng, 0, (c.g.kernel.w - 1) * c.g.dilation.w + (trial % 7 == 6))};
    c.xs.c = test::random_int(rng, 1, 9), c.c_out = test::random_int(rng, 1, 19);
    c.xs.h = std::max(1, (c.g.kernel.h - 1) * c.g.dilation.h + 1 - 2 * c.g.padding.h) + test::random_int(rng, 0, 12);
    c.xs.w = std::max(1, (c.g.kernel.w - 1) * c.g.dilation.w + 1 - 2 * c.g.padding.w) + test::random_int(rng, 0, 20);
    INFO("trial " << trial);
    check_fast_equals_naive(rng, c);
  }
}

TEST_CASE("conv2d backward: finite differences of L = Σ dy·y agree with dx, dw, db (docs/math.md §6)") {
  Rng rng(11);
  for (int trial = 0; trial < 40; trial++) {
    ConvCase c = random_case(rng);
    c.xs.n = std::min(c.xs.n, 2);
    Shape ys = conv2d_output_shape(c.xs, c.c_out, c.g);
    size_t K = (size_t)c.xs.c * c.g.kernel.h * c.g.kernel.w;
    auto x = test::random_vector(rng, c.xs.size()), w = test::random_vector(rng, c.c_out * K);
    auto b = test::random_vector(rng, c.c_out), dy = test::random_vector(rng, ys.size());
    std::vector<float> y(ys.size());
    auto loss = [&] {
      conv2d_forward_naive(x.data(), c.xs, w.data(), b.data(), c.c_out, c.g, y.data());
      return test::dot(y, dy);
    };
    std::vector<float> dx(x.size()), dw(w.size(), 0.f), db(b.size(), 0.f);
    conv2d_backward_naive(x.data(), c.xs, w.data(), c.c_out, c.g, dy.data(), dx.data(), dw.data(), db.data());
    CHECK(test::gradient_check(x, dx, loss) < 1e-2);
    CHECK(test::gradient_check(w, dw, loss) < 1e-2);
    CHECK(test::gradient_check(b, db, loss) < 1e-2);
  }
}

TEST_CASE("translation equivariance: shifting the input shifts a stride-1 convolution's output") {
  Rng rng(3);
  const int H = 12, W = 12, shift_y = 2, shift_x = 1;
  ConvGeometry g;
  g.kernel = {3, 3}, g.padding = {1, 1};
  auto x = test::random_vector(rng, H * W), w = test::random_vector(rng, 2 * 9);
  std::vector<float> shifted(H * W, 0.0f), y(2 * H * W), ys(2 * H * W);
  for (int i = shift_y; i < H; i++)
    for (int j = shift_x; j < W; j++) shifted[i * W + j] = x[(i - shift_y) * W + (j - shift_x)];
  conv2d_forward_naive(x.data(), {1, 1, H, W}, w.data(), nullptr, 2, g, y.data());
  conv2d_forward_naive(shifted.data(), {1, 1, H, W}, w.data(), nullptr, 2, g, ys.data());
  // f(g(x)) = g(f(x)) away from the borders, where the shift brings in zeros
  for (int o = 0; o < 2; o++)
    for (int i = shift_y + 1; i < H - 1; i++)
      for (int j = shift_x + 1; j < W - 1; j++)
        CHECK(ys[(o * H + i) * W + j] == doctest::Approx(y[(o * H + i - shift_y) * W + j - shift_x]));
}

TEST_CASE("tiled convolution with t = 1 and locally connected with tied weights equal conv2d") {
  Rng rng(5);
  for (int trial = 0; trial < 100; trial++) {
    ConvCase c = random_case(rng);
    Shape ys = conv2d_output_shape(c.xs, c.c_out, c.g);
    const int P = ys.h * ys.w;
    size_t K = (size_t)c.xs.c * c.g.kernel.h * c.g.kernel.w;
    auto x = test::random_vector(rng, c.xs.size()), w = test::random_vector(rng, c.c_out * K);
    auto b = test::random_vector(rng, c.c_out), dy = test::random_vector(rng, ys.size());
    std::vector<float> y_conv(ys.size()), y_tiled(ys.size()), y_local(ys.size());
    conv2d_forward_naive(x.data(), c.xs, w.data(), b.data(), c.c_out, c.g, y_conv.data());

    UnsharedConv tiled{c.g, c.c_out, 1, false};
    Workspace ws;
    ws.reserve(unshared_conv_workspace(tiled, c.xs));
    unshared_conv_forward(tiled, x.data(), c.xs, w.data(), b.data(), y_tiled.data(), ws);
    CHECK(test::relative_error(y_tiled, y_conv) < 1e-4);

    UnsharedConv local{c.g, c.c_out, 0, true};
    std::vector<float> w_local, b_local((size_t)c.c_out * P);
    for (int p = 0; p < P; p++) w_local.insert(w_local.end(), w.begin(), w.end());
    for (int o = 0; o < c.c_out; o++) std::fill_n(b_local.begin() + (size_t)o * P, P, b[o]);
    unshared_conv_forward(local, x.data(), c.xs, w_local.data(), b_local.data(), y_local.data(), ws);
    CHECK(test::relative_error(y_local, y_conv) < 1e-4);

    // Gradients too: tied local weights' gradients summed over positions = conv2d's dw
    std::vector<float> dx_c(x.size()), dw_c(w.size(), 0.f), db_c(b.size(), 0.f);
    conv2d_backward_naive(x.data(), c.xs, w.data(), c.c_out, c.g, dy.data(), dx_c.data(), dw_c.data(), db_c.data());
    std::vector<float> dx_l(x.size()), dw_l(w_local.size(), 0.f), db_l(b_local.size(), 0.f);
    unshared_conv_backward(local, x.data(), c.xs, w_local.data(), dy.data(), dx_l.data(), dw_l.data(),
                           db_l.data(), ws);
    std::vector<float> dw_sum(w.size(), 0.f);
    for (int p = 0; p < P; p++)
      for (size_t k = 0; k < w.size(); k++) dw_sum[k] += dw_l[p * w.size() + k];
    CHECK(test::relative_error(dx_l, dx_c) < 1e-4);
    CHECK(test::relative_error(dw_sum, dw_c) < 1e-4);
  }
}

TEST_CASE("tiled convolution cycles t×t kernel sets over the output grid; gradients check") {
  Rng rng(9);
  for (int trial = 0; trial < 30; trial++) {
    ConvCase c = random_case(rng);
    c.xs.n = 1;
    const int t = test::random_int(rng, 2, 3);
    Shape ys = conv2d_output_shape(c.xs, c.c_out, c.g);
    size_t K = (size_t)c.xs.c * c.g.kernel.h * c.g.kernel.w;
    auto x = test::random_vector(rng, c.xs.size()), w = test::random_vector(rng, (size_t)t * t * c.c_out * K);
    auto b = test::random_vector(rng, c.c_out), dy = test::random_vector(rng, ys.size());
    UnsharedConv u{c.g, c.c_out, t, false};
    std::vector<float> y(ys.size());
    Workspace ws;
    ws.reserve(unshared_conv_workspace(u, c.xs));
    unshared_conv_forward(u, x.data(), c.xs, w.data(), b.data(), y.data(), ws);
    // Reference: output (i,j) equals an ordinary convolution with kernel set (i mod t, j mod t)
    std::vector<float> ref(ys.size());
    for (int s = 0; s < t * t; s++) {
      conv2d_forward_naive(x.data(), c.xs, w.data() + (size_t)s * c.c_out * K, b.data(), c.c_out, c.g, ref.data());
      for (int o = 0; o < c.c_out; o++)
        for (int i = 0; i < ys.h; i++)
          for (int j = 0; j < ys.w; j++)
            if ((i % t) * t + j % t == s)
              CHECK(y[(o * ys.h + i) * ys.w + j] == doctest::Approx(ref[(o * ys.h + i) * ys.w + j]).epsilon(1e-4));
    }
    auto loss = [&] {
      unshared_conv_forward(u, x.data(), c.xs, w.data(), b.data(), y.data(), ws);
      return test::dot(y, dy);
    };
    std::vector<float> dx(x.size()), dw(w.size(), 0.f), db(b.size(), 0.f);
    unshared_conv_backward(u, x.data(), c.xs, w.data(), dy.data(), dx.data(), dw.data(), db.data(), ws);
    CHECK(test::gradient_check(x, dx, loss) < 1e-2);
    CHECK(test::gradient_check(w, dw, loss) < 1e-2);
    CHECK(test::gradient_check(b, db, loss) < 1e-2);
  }
}

TEST_CASE("receptive field: R_k = 1 + Σ (K_j − 1) Π S_i, dilation-aware") {
  CHECK(receptive_field({3, 3}, {1, 1}) == 5);
  CHECK(receptive_field({5, 2, 5, 2}, {1, 2, 1, 2}) == 16);  // conv5, pool2, conv5, pool2
  CHECK(receptive_field({3, 3, 3}, {2, 2, 2}) == 15);
  // Through analyze(): a 3×3 kernel with dilation 2 spans (3−1)·2+1 = 5
  NetworkSpec s = parse_spec(R"({"input":[1,28,28],"layers":[
    {"type":"conv2d","filters":4,"kernel":3,"dilation":2},
    {"type":"conv2d","filters":4,"kernel":3,"dilation":4},
    {"type":"maxpool","size":2},
    {"type":"conv2d","filters":4,"kernel":[3,5],"stride":[1,2]},
    {"type":"dense","units":10}]})");
  auto info = analyze(s);
  CHECK(info[0].receptive_field.h == 5);
  CHECK(info[1].receptive_field.h == 5 + 8);               // + (9 − 1)·1
  CHECK(info[2].receptive_field.h == 14);                  // + (2 − 1)·1
  CHECK(info[3].receptive_field.h == 14 + 2 * 2);          // + (3 − 1)·2
  CHECK(info[3].receptive_field.w == 14 + 4 * 2);          // + (5 − 1)·2
  CHECK(info[3].jump.w == 4);
  CHECK(receptive_field({5, 9, 2}, {1, 1, 2}) == info[2].receptive_field.h);
}

TEST_CASE("conv2d: a padded copy larger than the column matrix falls back to im2col; huge workspaces are an Error") {
  Rng rng(9);
  ConvCase c;  // 3×3 taps 20 apart, padding 20, on a 2×3 input: a 42×43 padded copy for 2×3 outputs
  c.xs = {2, 3, 2, 3}, c.c_out = 5;
  c.g.kernel = {3, 3}, c.g.padding = {20, 20}, c.g.dilation = {20, 20};
  check_fast_equals_naive(rng, c);
  CHECK(conv2d_workspace(c.xs, c.c_out, c.g).floats <= 2 * (size_t)3 * 9 * 2 * 3 + 64);
  ConvGeometry g;
  g.kernel = {5, 5}, g.stride = {2, 2};
  CHECK_THROWS_AS(conv2d_workspace({1, 4096, 256, 256}, 1, g), Error);
}
