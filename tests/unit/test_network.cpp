#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "helpers.h"
#include "network.h"
#include "presets.h"

using namespace convlab;

namespace {

std::string error_of(const std::string& spec) {
  try {
    parse_spec(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Horizontal bar (class 0) vs vertical bar (class 1) at random positions in 8×8.
void bars(Rng& rng, int n, std::vector<float>& x, std::vector<uint8_t>& y) {
  x.assign((size_t)n * 64, 0.0f), y.resize(n);
  for (int i = 0; i < n; i++) {
    y[i] = (uint8_t)rng.below(2);
    int at = (int)rng.below(8);
    for (int k = 0; k < 8; k++) x[i * 64 + (y[i] ? k * 8 + at : at * 8 + k)] = 1.0f;
  }
}

std::vector<float> all_params(Network& net) {
  std::vector<float> all;
  for (size_t i = 0; i < net.spec().layers.size(); i++)
    for (ParamView v : {net.weights(i), net.biases(i)}) all.insert(all.end(), v.data, v.data + v.count);
  return all;
}

const char* kSmallNet =
    R"({"input":[1,8,8],"layers":[{"type":"conv2d","filters":4,"kernel":3,"padding":1},{"type":"relu"},)"
    R"({"type":"maxpool","size":2},{"type":"dense","units":2}]})";

}  // namespace

TEST_CASE("spec validation names the layer and the failing formula") {
  CHECK(error_of(R"({"input":[1,7,7],"layers":[{"type":"conv2d","filters":2,"kernel":5,"dilation":2},)"
                 R"({"type":"dense","units":10}]})") ==
        "layer 1 (conv2d): output height \u230a(7 + 2\u00b70 \u2212 (5\u22121)\u00b72 \u2212 1)/1\u230b + 1 = "
        "\u22121 \u2264 0");
  CHECK(error_of("{nope").find("not valid JSON") != std::string::npos);
  CHECK(error_of(R"({"layers":[{"type":"conv3d"}]})").find("layer 1 (conv3d): unknown layer type") == 0);
  CHECK(error_of(R"({"layers":[{"type":"conv2d","kernel":3}]})") == "layer 1 (conv2d): \"filters\" is missing");
  CHECK(error_of(R"({"layers":[{"type":"dense","units":10,"unit":3}]})") ==
        "layer 1 (dense): unknown setting \"unit\"");
  CHECK(error_of(R"({"layers":[{"type":"dense","units":2.5}]})") ==
        "layer 1 (dense): \"units\" must be a whole number");
  CHECK(error_of(R"({"layers":[{"type":"dense","units":1e12}]})").find("is outside 1..") != std::string::npos);
  CHECK(error_of(R"({"layers":[{"type":"relu"}]})").find("the last layer gives 784 class scores") == 0);
  CHECK(error_of(R"({"layers":[{"type":"maxpool","size":2,"padding":2},{"type":"dense","units":10}]})")
            .find("padding must be smaller than the window") != std::string::npos);
  CHECK(error_of(R"({"layers":[{"type":"dense","units":8192},{"type":"dense","units":8192},)"
                 R"({"type":"dense","units":10}]})")
            .find("over the limit") != std::string::npos);
  CHECK(error_of(R"({"input":[1,28],"layers":[{"type":"dense","units":10}]})") ==
        "spec: \"input\" must be [channels, height, width]");
  CHECK(error_of(R"({"layers":[]})") == "spec: \"layers\" must be a non-empty array");
  for (const Preset& p : kPresets) CHECK_MESSAGE(error_of(p.spec) == "", p.name);
}

TEST_CASE("describe: shapes, parameters, receptive fields and FLOPs of a LeNet-like network") {
  Network net(R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"padding":2},)"
              R"({"type":"relu"},{"type":"maxpool","size":2},{"type":"conv2d","filters":16,"kernel":5,"padding":2},)"
              R"({"type":"relu"},{"type":"maxpool","size":2},{"type":"dense","units":10}]})",
              1);
  auto d = nlohmann::json::parse(net.describe());
  auto& L = d["layers"];
  REQUIRE(L.size() == 7);
  CHECK(L[0]["outShape"] == nlohmann::json({8, 28, 28}));
  CHECK(L[0]["params"] == 8 * 25 + 8);
  CHECK(L[0]["receptiveField"] == nlohmann::json({5, 5}));
  CHECK(L[0]["flops"] == 2 * 25 * 8 * 28 * 28);
  CHECK(L[2]["outShape"] == nlohmann::json({8, 14, 14}));
  CHECK(L[2]["receptiveField"] == nlohmann::json({6, 6}));
  CHECK(L[3]["params"] == 16 * 8 * 25 + 16);
  CHECK(L[3]["receptiveField"] == nlohmann::json({14, 14}));  // 6 + (5−1)·2
  CHECK(L[5]["outShape"] == nlohmann::json({16, 7, 7}));
  CHECK(L[5]["receptiveField"] == nlohmann::json({16, 16}));
  CHECK(L[5]["rfStart"] == nlohmann::json({-6, -6}));
  CHECK(L[6]["params"] == 10 * 16 * 49 + 10);
  CHECK(d["params"] == 208 + 3216 + 7850);
  CHECK(net.param_count() == 208 + 3216 + 7850);
}

TEST_CASE("every layer type: whole-network gradients agree with finite differences") {
  const char* middles[] = {
      R"({"type":"conv2d","filters":3,"kernel":[3,2],"stride":[1,2],"padding":[1,0],"dilation":[2,1]})",
      R"({"type":"tiledconv2d","filters":2,"kernel":3,"tiles":2})",
      R"({"type":"local2d","filters":2,"kernel":3,"stride":2})",
      R"({"type":"maxpool","size":3,"stride":2,"padding":1})",
      R"({"type":"avgpool","size":[2,3],"padding":[1,1]})",
      R"({"type":"wavgpool","size":3,"stride":1})",
      R"({"type":"l2pool","size":2})",
      R"({"type":"globalavgpool"})",
      R"({"type":"flatten"})",
      R"({"type":"relu"})",
      R"({"type":"leaky_relu","alpha":0.2})",
      R"({"type":"sigmoid"})",
      R"({"type":"tanh"})",
      R"({"type":"dense","units":5})",
  };
  Rng rng(17);
  for (const char* middle : middles) {
    INFO(std::string(middle));
    std::string spec = std::string(R"({"input":[2,7,7],"layers":[{"type":"conv2d","filters":2,"kernel":2},)") +
                       middle + R"(,{"type":"dense","units":3}]})";
    Network net(spec, 3);
    OptimizerConfig sgd;
    sgd.lr = 0.0f;  // a step computes gradients and changes nothing
    net.set_optimizer(sgd);
    auto x = test::random_vector(rng, 2 * net.input_size());
    uint8_t labels[2] = {0, 2};
    auto loss = [&] { return (double)net.train_batch(x.data(), labels, 2); };
    for (size_t layer = 0; layer < net.spec().layers.size(); layer++)
      for (ParamView v : {net.weights(layer), net.biases(layer)}) {
        loss();  // gradients at the unperturbed point
        std::vector<float> analytic(v.grad, v.grad + v.count), values(v.data, v.data + v.count);
        double worst = test::gradient_check(values, analytic, [&] {
          std::copy(values.begin(), values.end(), v.data);
          return loss();
        }, 1e-3f);
        std::copy(values.begin(), values.end(), v.data);
        CHECK(worst < 2e-2);
      }
    // Input gradient (saliency) of class 1's score
    std::vector<float> dx(net.input_size()), x1(x.begin(), x.begin() + net.input_size());
    net.input_gradient(x1.data(), 1, dx.data());
    std::vector<float> probs(3);
    double worst = test::gradient_check(x1, dx, [&] {
      net.predict(x1.data(), 1, probs.data());
      return (double)net.layer_output(net.spec().layers.size() - 1).data[1];
    }, 1e-3f);
    CHECK(worst < 2e-2);
  }
}

TEST_CASE("saliency through dropout: the inference-mode gradient, whatever the last training mask") {
  Network net(R"({"input":[1,8,8],"layers":[{"type":"conv2d","filters":3,"kernel":3},{"type":"relu"},)"
              R"({"type":"dropout","rate":0.5},{"type":"dense","units":4}]})",
              2);
  Rng rng(4);
  auto x = test::random_vector(rng, 64, 0, 1);
  uint8_t label = 1;
  net.train_batch(x.data(), &label, 1);  // leaves a dropout mask behind
  std::vector<float> dx(64), probs(4);
  net.input_gradient(x.data(), 2, dx.data());
  double worst = test::gradient_check(x, dx, [&] {
    net.predict(x.data(), 1, probs.data());
    return (double)net.layer_output(3).data[2];
  }, 1e-3f);
  CHECK(worst < 2e-2);
}

TEST_CASE("training learns; SGD, momentum, Nesterov and Adam all lower the loss") {
  const char* optimizers[] = {R"({"type":"sgd","lr":0.1})", R"({"type":"sgd","lr":0.05,"momentum":0.9})",
                              R"({"type":"sgd","lr":0.05,"momentum":0.9,"nesterov":true,"weightDecay":1e-4})",
                              R"({"type":"adam","lr":0.01})"};
  for (const char* o : optimizers) {
    INFO(o);
    Rng rng(5);
    Network net(kSmallNet, 9);
    net.set_optimizer(parse_optimizer(o));
    std::vector<float> x;
    std::vector<uint8_t> y;
    float first = 0, last = 0;
    for (int step = 0; step < 60; step++) {
      bars(rng, 16, x, y);
      float loss = net.train_batch(x.data(), y.data(), 16);
      if (step == 0) first = loss;
      last = loss;
    }
    CHECK(last < 0.5f * first);
    bars(rng, 100, x, y);
    std::vector<float> p(200);
    net.predict(x.data(), 100, p.data());
    int correct = 0;
    for (int i = 0; i < 100; i++) correct += (p[2 * i + 1] > p[2 * i]) == (y[i] == 1);
    CHECK(correct >= 95);
  }
}

TEST_CASE("same seed, same data → byte-identical model; different seed → different weights") {
  auto run = [](uint64_t seed) {
    Network net(kPresets[0].spec, seed);
    Rng rng(1);
    auto x = test::random_vector(rng, 8 * 784, 0, 1);
    std::vector<uint8_t> y(8);
    for (auto& l : y) l = (uint8_t)rng.below(10);
    for (int i = 0; i < 3; i++) net.train_batch(x.data(), y.data(), 8);
    return net.save();
  };
  CHECK(run(42) == run(42));
  CHECK(run(42) != run(43));
}

TEST_CASE("save → load keeps predictions, optimizer and step count") {
  Network net(kPresets[3].spec, 5);
  net.set_optimizer(parse_optimizer(R"({"type":"adam","lr":0.002})"));
  Rng rng(2);
  auto x = test::random_vector(rng, 4 * 784, 0, 1);
  uint8_t y[4] = {1, 2, 3, 4};
  net.train_batch(x.data(), y, 4);
  auto bytes = net.save();
  Network copy = Network::load(bytes.data(), bytes.size());
  std::vector<float> p1(40), p2(40);
  net.predict(x.data(), 4, p1.data());
  copy.predict(x.data(), 4, p2.data());
  CHECK(p1 == p2);
  CHECK(copy.steps() == 1);
  CHECK(copy.optimizer().type == OptimizerConfig::Adam);
  CHECK(copy.save() == bytes);
  // Weights only (the shipped default model): same predictions, momentum/Adam state restarts
  auto weights_only = net.save(false);
  CHECK(weights_only.size() < bytes.size() / 2);
  Network light = Network::load(weights_only.data(), weights_only.size());
  std::vector<float> p3(40);
  light.predict(x.data(), 4, p3.data());
  CHECK(p3 == p1);
  CHECK(light.save(false) == weights_only);
  // Both continue identically
  CHECK(net.train_batch(x.data(), y, 4) == copy.train_batch(x.data(), y, 4));
}

TEST_CASE("bad training input is an Error, and divergence keeps the last good weights") {
  Network net(kSmallNet, 1);
  std::vector<float> x(2 * 64, 0.5f);
  uint8_t bad_labels[2] = {0, 2};
  CHECK_THROWS_WITH(net.train_batch(x.data(), bad_labels, 2), "label 2 of example 1 is not a class (0..1)");
  x[70] = NAN;
  uint8_t labels[2] = {0, 1};
  CHECK_THROWS_WITH(net.train_batch(x.data(), labels, 2), "image 1 has a NaN or infinite pixel");
  CHECK_THROWS_WITH(net.train_batch(x.data(), labels, 0), "batch size 0 is outside 1..1024");

  // lr = 100 blows the default network up within a few steps; the failed step leaves the weights
  // (and optimizer state) of the last good one
  Network lenet(kPresets[0].spec, 1);
  lenet.set_optimizer(parse_optimizer(R"({"type":"sgd","lr":100})"));
  Rng rng(3);
  std::vector<float> bx(16 * 784);
  std::vector<uint8_t> by(16);
  bool diverged = false;
  std::vector<float> two_steps_ago, one_step_ago = all_params(lenet);
  for (int step = 0; step < 50 && !diverged; step++) {
    for (auto& v : bx) v = rng.uniform();
    for (auto& l : by) l = (uint8_t)rng.below(10);
    try {
      lenet.train_batch(bx.data(), by.data(), 16);
      two_steps_ago = one_step_ago, one_step_ago = all_params(lenet);
    } catch (const Error& e) {
      diverged = true;
      CHECK(std::string(e.what()).find("try a lower learning rate") != std::string::npos);
      // The weights that gave the last finite loss are the ones before the last good update
      CHECK(all_params(lenet) == two_steps_ago);
    }
  }
  CHECK(diverged);
  // and training goes on at a sane rate
  lenet.set_optimizer(parse_optimizer(R"({"type":"sgd","lr":0.001})"));
  for (int step = 0; step < 5; step++) CHECK(std::isfinite(lenet.train_batch(bx.data(), by.data(), 16)));
}

TEST_CASE("set_parameters: another network's weights, checked, and the point a diverged step returns to") {
  Network from(kPresets[0].spec, 3), net(kPresets[0].spec, 4);
  for (size_t i = 0; i < from.info().size(); i++) {
    const ParamView w = from.weights(i), b = from.biases(i);
    net.set_parameters(i, w.data, w.count, b.data, b.count);
  }
  CHECK(all_params(net) == all_params(from));
  const std::vector<float> wanted = all_params(net);

  const ParamView w0 = net.weights(0), b0 = net.biases(0);
  std::vector<float> w(w0.count, 0.5f), b(b0.count, 0.5f);
  CHECK_THROWS_WITH(net.set_parameters(0, w.data(), w.size() - 1, b.data(), b.size()),
                    "layer 1 (conv2d) has 200 weights and 8 biases, not 199 and 8");
  w[7] = INFINITY;
  CHECK_THROWS_WITH(net.set_parameters(0, w.data(), w.size(), b.data(), b.size()),
                    "layer 1 (conv2d): a weight or bias is NaN or infinite");
  CHECK_THROWS_WITH(net.set_parameters(99, w.data(), w.size(), b.data(), b.size()), "no layer 99 (the network has 10)");
  CHECK(all_params(net) == wanted);  // nothing changed by a refused call

  // an absurd rate blows up the first steps; the weights come back to the ones set
  net.set_optimizer(parse_optimizer(R"({"type":"sgd","lr":1000})"));
  std::vector<float> x(8 * 784, 1.0f);
  std::vector<uint8_t> y = {0, 1, 2, 3, 4, 5, 6, 7};
  bool diverged = false;
  for (int step = 0; step < 50 && !diverged; step++) {
    try {
      net.train_batch(x.data(), y.data(), 8);
    } catch (const Error&) {
      diverged = true;
    }
  }
  CHECK(diverged);
  CHECK(all_params(net) == wanted);
}
