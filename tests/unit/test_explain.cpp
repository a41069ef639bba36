// Explanations (engine/explain.h) against the layers themselves: every unit's recomputed value
// equals what the forward pass produced, the flipped kernel gives what a network with flipped
// kernels computes, max pooling's winner is the engine's, and the receptive-field mask is exactly
// where the gradient of the unit with respect to the input can be non-zero.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "explain.h"
#include "helpers.h"
#include "preprocess.h"
#include "presets.h"

using namespace convlab;

namespace {

// Networks that use every layer kind, padding, stride and dilation.
const char* const kSpecs[] = {
    R"({"input":[2,11,10],"layers":[{"type":"conv2d","filters":3,"kernel":[3,2],"stride":[2,1],"padding":[1,2],"dilation":[2,1]},)"
    R"({"type":"leaky_relu"},{"type":"maxpool","size":2,"stride":1,"padding":1},{"type":"tanh"},{"type":"flatten"},{"type":"dense","units":4}]})",
    R"({"input":[1,12,12],"layers":[{"type":"tiledconv2d","filters":2,"kernel":3,"tiles":2,"padding":1},{"type":"sigmoid"},)"
    R"({"type":"wavgpool","size":3,"stride":2,"padding":1},{"type":"local2d","filters":2,"kernel":2,"stride":1},{"type":"relu"},)"
    R"({"type":"l2pool","size":2},{"type":"dropout"},{"type":"dense","units":3}]})",
    R"({"input":[3,9,9],"layers":[{"type":"conv2d","filters":4,"kernel":3,"padding":1},{"type":"avgpool","size":3,"stride":2,"padding":1},)"
    R"({"type":"globalavgpool"},{"type":"dense","units":5}]})",
};

void forward_one(Network& net, Rng& rng) {
  std::vector<float> image = test::random_vector(rng, net.input_size());
  std::vector<float> probs(net.classes());
  net.predict(image.data(), 1, probs.data());
}

}  // namespace

TEST_CASE("explain_unit: every unit of every layer kind recomputes the forward pass's value (1e-5 relative)") {
  Rng rng(3);
  int explained = 0;
  for (const char* spec : kSpecs) {
    Network net(spec, 7);
    forward_one(net, rng);
    for (size_t l = 0; l < net.info().size(); l++) {
      const Shape out = net.info()[l].out;
      for (int c = 0; c < out.c; c++)
        for (int y = 0; y < out.h; y++)
          for (int x = 0; x < out.w; x++) {
            const UnitExplanation e = explain_unit(net, l, c, y, x);
            CAPTURE(l);
            CAPTURE(spec);
            CHECK(std::fabs(e.value - e.engine_value) <= 1e-5f * std::max(1.0f, std::fabs(e.engine_value)));
            explained++;
          }
    }
  }
  CHECK(explained > 1000);
  Network net(kSpecs[0], 7);
  forward_one(net, rng);
  CHECK_THROWS_WITH_AS(explain_unit(net, 0, 3, 0, 0), doctest::Contains("outside layer 1's 3×5×13 output"), Error);
  CHECK_THROWS_AS(explain_unit(net, 9, 0, 0, 0), Error);
}

TEST_CASE("explain_unit, convolution: patch, kernel, per-channel sums and bias as the notes write them; padding taps are zeros") {
  Rng rng(5);
  Network net(kSpecs[0], 7);
  forward_one(net, rng);
  const UnitExplanation e = explain_unit(net, 0, 1, 0, 0);  // top-left: padding 1 row, 2 columns, dilation 2 rows
  CHECK(e.kh == 3);
  CHECK(e.kw == 2);
  CHECK(e.in_channels == 2);
  CHECK(e.tap_y == std::vector<int>{-1, -1, 1, 1, 3, 3});
  CHECK(e.tap_x == std::vector<int>{-2, -1, -2, -1, -2, -1});
  for (size_t t = 0; t < e.patch.size(); t++) CHECK(e.patch[t] == 0.0f);  // every tap is outside: only the bias
  CHECK(e.value == doctest::Approx(e.bias));
  const UnitExplanation mid = explain_unit(net, 0, 2, 2, 5);
  double total = mid.bias;
  for (int c = 0; c < mid.in_channels; c++) {
    double s = 0.0;
    for (int t = 0; t < mid.kh * mid.kw; t++) s += (double)mid.patch[c * 6 + t] * mid.kernel[c * 6 + t];
    CHECK(mid.channel_sums[c] == doctest::Approx(s));
    total += s;
  }
  CHECK(mid.value == doctest::Approx(total));
}

TEST_CASE("explain_unit: the flipped kernel's value is what a network with every kernel flipped computes (convolution vs cross-correlation)") {
  Rng rng(9);
  for (const char* spec : {kSpecs[0], kSpecs[1]}) {
    Network net(spec, 11);
    std::vector<float> image = test::random_vector(rng, net.input_size());
    std::vector<float> probs(net.classes());
    net.predict(image.data(), 1, probs.data());
    const auto bytes = net.save(false);
    Network flipped = Network::load(bytes.data(), bytes.size());
    // flip every kernel of the first layer: w[..][a][b] → w[..][kh−1−a][kw−1−b]
    const LayerSpec& l = net.spec().layers[0];
    const int taps = l.kernel.h * l.kernel.w;
    ParamView w = flipped.weights(0);
    for (size_t k = 0; k < w.count; k += taps) std::reverse(w.data + k, w.data + k + taps);
    flipped.predict(image.data(), 1, probs.data());
    const Shape out = net.info()[0].out;
    for (int c = 0; c < out.c; c++)
      for (int y = 0; y < out.h; y++)
        for (int x = 0; x < out.w; x++) {
          const float expected = flipped.layer_output(0).ptr()[((size_t)c * out.h + y) * out.w + x];
          CHECK(explain_unit(net, 0, c, y, x).flipped_value == doctest::Approx(expected).epsilon(1e-5));
        }
  }
}

TEST_CASE("explain_unit, pooling: max names the first maximum in row order (where the engine routes the gradient); average counts real cells only") {
  Network net(R"({"input":[1,4,4],"layers":[{"type":"maxpool","size":3,"stride":1,"padding":1},{"type":"flatten"},{"type":"dense","units":2}]})", 1);
  std::vector<float> image(16, 0.5f);  // ties everywhere
  std::vector<float> probs(2);
  net.predict(image.data(), 1, probs.data());
  const UnitExplanation corner = explain_unit(net, 0, 0, 0, 0);
  CHECK(corner.counted == 4);
  CHECK(corner.winner == 4);  // taps (−1,−1) (−1,0) (−1,1) (0,−1) are padding; (0,0) is tap 4
  std::vector<float> dx(16);
  // the engine's backward: the gradient of unit (0,0) lands on one input cell, the explained winner
  Network probe(R"({"input":[1,4,4],"layers":[{"type":"maxpool","size":3,"stride":1,"padding":1},{"type":"flatten"}]})", 1);
  probe.input_gradient(image.data(), 0, dx.data());
  CHECK(dx[0] != 0.0f);
  CHECK(std::count_if(dx.begin(), dx.end(), [](float v) { return v != 0.0f; }) == 1);
  Network avg(R"({"input":[1,4,4],"layers":[{"type":"avgpool","size":3,"stride":1,"padding":1},{"type":"flatten"},{"type":"dense","units":2}]})", 1);
  for (int i = 0; i < 16; i++) image[i] = (float)i;
  avg.predict(image.data(), 1, probs.data());
  const UnitExplanation a = explain_unit(avg, 0, 0, 0, 0);
  CHECK(a.counted == 4);
  CHECK(a.value == doctest::Approx((0 + 1 + 4 + 5) / 4.0));
}

TEST_CASE("receptive_field_mask: exactly the input pixels where ∂unit/∂input can be non-zero (dilation holes, padding and tiles included)") {
  // Linear networks (no kink, no max): the gradient of a unit is non-zero exactly on the pixels
  // that reach it. The probed layer is the last one, so its units are the class scores.
  const char* const specs[] = {
      R"({"input":[1,13,13],"layers":[{"type":"conv2d","filters":1,"kernel":3,"dilation":3,"padding":2}]})",
      R"({"input":[1,14,14],"layers":[{"type":"conv2d","filters":2,"kernel":3,"stride":2,"dilation":2},{"type":"avgpool","size":2,"stride":1}]})",
      R"({"input":[2,12,12],"layers":[{"type":"tiledconv2d","filters":2,"kernel":2,"tiles":2,"dilation":2,"padding":1},{"type":"local2d","filters":1,"kernel":3,"stride":2}]})",
      R"({"input":[1,10,10],"layers":[{"type":"wavgpool","size":3,"stride":2,"padding":1},{"type":"conv2d","filters":1,"kernel":2,"dilation":2}]})",
  };
  Rng rng(13);
  int units = 0;
  for (const char* spec : specs) {
    Network net(spec, 21);
    std::vector<float> image = test::random_vector(rng, net.input_size());
    std::vector<float> dx(net.input_size());
    const size_t last = net.info().size() - 1;
    const Shape out = net.info()[last].out;
    for (int c = 0; c < out.c; c++)
      for (int y = 0; y < out.h; y++)
        for (int x = 0; x < out.w; x++) {
          net.input_gradient(image.data(), (c * out.h + y) * out.w + x, dx.data());
          const auto mask = receptive_field_mask(net.spec(), net.info(), last, c, y, x);
          const Shape in = net.spec().input;
          for (int p = 0; p < in.h * in.w; p++) {
            bool reaches = false;
            for (int ch = 0; ch < in.c; ch++) reaches |= dx[(size_t)ch * in.h * in.w + p] != 0.0f;
            CAPTURE(spec);
            CAPTURE(p);
            CHECK(reaches == (mask[p] != 0));
          }
          units++;
        }
  }
  CHECK(units > 50);
}

TEST_CASE("receptive_field_mask of the default network: clipped to the image; a dense unit sees the whole image") {
  const NetworkSpec spec = parse_spec(kPresets[0].spec);
  const auto info = analyze(spec);
  const auto corner = receptive_field_mask(spec, info, 0, 0, 0, 0);  // 5×5, padding 2: 3×3 inside
  CHECK(std::count(corner.begin(), corner.end(), 1) == 9);
  CHECK(corner[0] == 1);
  CHECK(corner[2 * 28 + 2] == 1);
  CHECK(corner[3] == 0);
  size_t dense = 0;
  while (spec.layers[dense].type != LayerType::Dense) dense++;
  const auto all = receptive_field_mask(spec, info, dense, 0, 0, 0);
  CHECK(std::count(all.begin(), all.end(), 1) == 28 * 28);
}

TEST_CASE("output_size_text and receptive_field_text: the notes' formulas with the default network's numbers") {
  const NetworkSpec spec = parse_spec(kPresets[0].spec);
  const auto info = analyze(spec);
  CHECK(output_size_text(spec.layers[0], spec.input) == "H′ = W′ = ⌊(28 + 2·2 − (5−1)·1 − 1)/1⌋ + 1 = 28");
  CHECK(output_size_text(spec.layers[2], info[1].out) == "H′ = W′ = ⌊(28 + 2·0 − (2−1)·1 − 1)/2⌋ + 1 = 14");
  CHECK(output_size_text(spec.layers[1], info[0].out) == "the same shape, value by value");
  CHECK(receptive_field_text(spec.layers[0], spec.input, nullptr, info[0], spec.input) == "R = 1 + (5−1)·1 = 5;  J = 1·1 = 1");
  CHECK(receptive_field_text(spec.layers[2], info[1].out, &info[1], info[2], spec.input) == "R = 5 + (2−1)·1 = 6;  J = 1·2 = 2");
  // a conv after the pool: the kernel's step is the jump of 2 input pixels
  CHECK(receptive_field_text(spec.layers[3], info[2].out, &info[2], info[3], spec.input) == "R = 6 + (5−1)·2 = 14;  J = 2·1 = 2");
  // per axis, with dilation: K_eff = (3−1)·2 + 1 = 5 rows, 3 columns
  const NetworkSpec d = parse_spec(R"({"input":[1,20,30],"layers":[{"type":"conv2d","filters":1,"kernel":3,"dilation":[2,1],"stride":[1,2]}]})");
  const auto di = analyze(d);
  CHECK(output_size_text(d.layers[0], d.input) == "H′ = ⌊(20 + 2·0 − (3−1)·2 − 1)/1⌋ + 1 = 16,  W′ = ⌊(30 + 2·0 − (3−1)·1 − 1)/2⌋ + 1 = 14");
  CHECK(receptive_field_text(d.layers[0], d.input, nullptr, di[0], d.input) == "R = 1 + (5−1)·1 = 5,  1 + (3−1)·1 = 3;  J = 1·1 = 1,  1·2 = 2");
  size_t dense = 0;
  while (spec.layers[dense].type != LayerType::Dense) dense++;
  CHECK(receptive_field_text(spec.layers[dense], info[dense - 1].out, &info[dense - 1], info[dense], spec.input).find("(the whole image)") != std::string::npos);
}

TEST_CASE("shift_probabilities: each row is the prediction of the image moved by that many pixels; smooth_gradient averages noisy gradients") {
  Rng rng(17);
  Network net(kPresets[1].spec, 3);
  std::vector<float> image = test::random_vector(rng, 784, 0.0f, 1.0f);
  const auto rows = shift_probabilities(net, image.data(), 3, false);
  REQUIRE(rows.size() == 7u * 10);
  std::vector<float> moved(784), probs(10);
  for (int s = -3; s <= 3; s++) {
    shift_image(image.data(), 28, 28, 0, s, moved.data());
    net.predict(moved.data(), 1, probs.data());
    for (int k = 0; k < 10; k++) CHECK(rows[(size_t)(s + 3) * 10 + k] == doctest::Approx(probs[k]).epsilon(1e-6));
  }
  const auto down = shift_probabilities(net, image.data(), 2, true);
  shift_image(image.data(), 28, 28, 2, 0, moved.data());
  net.predict(moved.data(), 1, probs.data());
  CHECK(down[4 * 10 + 5] == doctest::Approx(probs[5]).epsilon(1e-6));
  // sigma 0: every copy is the image, the mean is its gradient
  std::vector<float> plain(784);
  net.input_gradient(image.data(), 4, plain.data());
  CHECK(test::relative_error(smooth_gradient(net, image.data(), 4, 3, 0.0f, 1), plain) < 1e-6);
  // noise: the same seed gives the same map, the mean of the noisy copies' gradients
  const auto a = smooth_gradient(net, image.data(), 4, 5, 0.2f, 9), b = smooth_gradient(net, image.data(), 4, 5, 0.2f, 9);
  CHECK(a == b);
  Rng noise(9);
  std::vector<float> mean(784, 0.0f), copy(784), dx(784);
  for (int k = 0; k < 5; k++) {
    for (int i = 0; i < 784; i++) copy[i] = image[i] + 0.2f * noise.normal();
    net.input_gradient(copy.data(), 4, dx.data());
    for (int i = 0; i < 784; i++) mean[i] += dx[i] / 5;
  }
  CHECK(test::relative_error(a, mean) < 1e-5);
  CHECK(test::relative_error(a, plain) > 1e-3);  // the noise changed something
}

TEST_CASE("backward_views: ∂L/∂X of a convolution the notes' way (full convolution of the dilated, padded dY with the flipped kernel) equals the engine's; nothing is updated") {
  const char* const specs[] = {
      R"({"input":[2,11,10],"layers":[{"type":"conv2d","filters":3,"kernel":[3,2],"stride":[2,1],"padding":[1,0],"dilation":[2,1]},{"type":"relu"},{"type":"dense","units":4}]})",
      R"({"input":[1,12,12],"layers":[{"type":"conv2d","filters":2,"kernel":3,"stride":3,"padding":2},{"type":"tanh"},{"type":"conv2d","filters":3,"kernel":2,"dilation":2,"padding":1},{"type":"dense","units":3}]})",
      R"({"input":[1,9,9],"layers":[{"type":"conv2d","filters":2,"kernel":4,"stride":2},{"type":"maxpool","size":2,"stride":1},{"type":"dense","units":3}]})",
  };
  Rng rng(23);
  for (const char* spec : specs) {
    Network net(spec, 5);
    std::vector<float> image = test::random_vector(rng, net.input_size());
    const auto before = net.save();
    for (size_t l = 0; l < net.info().size(); l++) {
      if (net.spec().layers[l].type != LayerType::Conv2d) continue;
      const BackwardViews v = backward_views(net, image.data(), 1, l);
      CAPTURE(spec);
      CAPTURE(l);
      REQUIRE(v.dx_notes.size() == v.dx.size());
      const float scale = std::max(1e-3f, *std::max_element(v.dx.begin(), v.dx.end(), [](float a, float b) { return std::fabs(a) < std::fabs(b); }));
      CHECK(v.dx_max_diff <= 1e-5f * std::fabs(scale) + 1e-7f);
      CHECK(std::any_of(v.dx.begin(), v.dx.end(), [](float x) { return x != 0.0f; }));
      // ∂L/∂b = Σ over positions of ∂L/∂Y (§6)
      for (int o = 0; o < v.out.c; o++) {
        double sum = 0;
        for (int k = 0; k < v.out.h * v.out.w; k++) sum += v.dy[(size_t)o * v.out.h * v.out.w + k];
        CHECK(v.db[o] == doctest::Approx(sum).epsilon(1e-4));
      }
    }
    CHECK(net.save() == before);  // weights, optimizer state and step count untouched
  }
  // max pooling: every output's gradient lands on its winner, and only there
  Network pool(specs[2], 5);
  std::vector<float> image = test::random_vector(rng, pool.input_size());
  const BackwardViews v = backward_views(pool, image.data(), 0, 1);
  REQUIRE(v.winners.size() == v.dy.size());
  std::vector<float> routed(v.dx.size(), 0.0f);
  for (size_t k = 0; k < v.winners.size(); k++) routed[v.winners[k]] += v.dy[k];
  CHECK(test::relative_error(routed, v.dx) < 1e-6);
  std::vector<float> probs(3);
  pool.predict(image.data(), 1, probs.data());
  CHECK(v.loss == doctest::Approx(-std::log(probs[0])).epsilon(1e-5));
}
