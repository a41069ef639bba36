// The layer table and the one set of rules for a valid spec: the JSON path (parse_spec) and the
// editor's path (a NetworkSpec built field by field, checked by analyze) must agree.
#include <doctest/doctest.h>

#include <cstring>

#include "helpers.h"
#include "network.h"
#include "presets.h"

using namespace convlab;

namespace {

NetworkSpec digits_spec(std::vector<LayerSpec> layers) {
  NetworkSpec s;
  s.input = {1, 1, 28, 28};
  s.layers = std::move(layers);
  LayerSpec out = layer_kind(LayerType::Dense).editor_default;
  out.units = 10;
  s.layers.push_back(out);
  return s;
}

std::string analyze_error(const NetworkSpec& s) {
  try {
    analyze(s);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("layer table: every kind has a row; editor defaults are valid and round-trip through JSON") {
  CHECK(layer_kinds().size() == 15);
  for (const LayerKind& kind : layer_kinds()) {
    INFO(kind.name);
    CHECK(find_layer_kind(kind.name) == &kind);
    CHECK(std::strlen(kind.summary) > 5);
    CHECK((kind.shape && kind.forward && kind.backward));
    NetworkSpec s = digits_spec({kind.editor_default});
    CHECK(analyze_error(s) == "");
    NetworkSpec back = parse_spec(spec_to_json(s));
    CHECK(spec_to_json(back) == spec_to_json(s));
    // has_weights agrees with the shape rule
    CHECK(kind.has_weights == (analyze(s)[0].params() > 0));
  }
  CHECK(find_layer_kind("conv3d") == nullptr);
}

TEST_CASE("pooling padding ≥ window is refused by analyze itself (the editor's path), not only by the JSON parser") {
  for (LayerType t : {LayerType::MaxPool, LayerType::AvgPool, LayerType::WAvgPool, LayerType::L2Pool}) {
    LayerSpec pool = layer_kind(t).editor_default;
    pool.kernel = {2, 2}, pool.stride = {2, 2}, pool.padding = {2, 2};
    NetworkSpec s = digits_spec({pool});
    const std::string message = analyze_error(s);
    INFO(layer_type_name(t));
    CHECK(message.find("layer 1") != std::string::npos);
    CHECK(message.find("padding must be smaller than the window") != std::string::npos);
    CHECK_THROWS_AS(Network(s, 1), Error);  // never built: its forward read and wrote outside the maps
    CHECK_THROWS_WITH_AS(parse_spec(spec_to_json(s)), message.c_str(), Error);
  }
}

TEST_CASE("a setting outside its limits from the editor is refused by analyze") {
  LayerSpec conv = layer_kind(LayerType::Conv2d).editor_default;
  conv.filters = Limits::max_channels + 1;
  CHECK(analyze_error(digits_spec({conv})).find("\"filters\" is outside 1..1024") != std::string::npos);
  conv.filters = 4, conv.dilation = {0, 1};
  CHECK(analyze_error(digits_spec({conv})).find("\"dilation\" is outside 1..64") != std::string::npos);
  LayerSpec drop = layer_kind(LayerType::Dropout).editor_default;
  drop.rate = 0.99f;
  CHECK(analyze_error(digits_spec({drop})).find("\"rate\" is outside 0..0.95") != std::string::npos);
}

TEST_CASE("the workspace limit is a rule of a valid spec: analyze refuses what the constructor could not build") {
  // 28×28 → conv 256×64×64, stride 2, padding 64 → conv 1×64×64, stride 2, padding 64: the second
  // layer's column matrix would need 6,576,668,672 floats.
  const char* json = R"({"input":[1,28,28],"layers":[
    {"type":"conv2d","filters":256,"kernel":64,"stride":2,"padding":64},
    {"type":"conv2d","filters":1,"kernel":64,"stride":2,"padding":64},
    {"type":"dense","units":10}]})";
  try {
    parse_spec(json);
    FAIL("the spec was accepted");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("layer 2 (conv2d)") != std::string::npos);
    CHECK(m.find("workspace") != std::string::npos);
  }
}

TEST_CASE("predict takes any number of images: more than the batch limit is run in slices") {
  Network net(kPresets[1].spec, 3);
  Rng rng(4);
  const int n = Limits::max_batch * 2 + 7;
  auto images = test::random_vector(rng, (size_t)n * net.input_size(), 0.0f, 1.0f);
  std::vector<float> all((size_t)n * net.classes()), one(net.classes());
  net.predict(images.data(), n, all.data());
  for (int i : {0, Limits::max_batch - 1, Limits::max_batch, n - 1}) {
    net.predict(images.data() + (size_t)i * net.input_size(), 1, one.data());
    for (int k = 0; k < net.classes(); k++) CHECK(all[(size_t)i * net.classes() + k] == doctest::Approx(one[k]).epsilon(1e-6));
  }
  CHECK_THROWS_AS(net.predict(images.data(), 0, all.data()), Error);
}

TEST_CASE("weighted average pooling with a 2-wide window is the plain average (both cells are equally central)") {
  Rng rng(8);
  const Shape xs{2, 3, 6, 8};
  auto x = test::random_vector(rng, xs.size());
  PoolGeometry g;  // 2×2, stride 2
  std::vector<float> avg(pool2d_output_shape(xs, g).size()), wavg(avg.size());
  pool2d_forward(PoolKind::Avg, x.data(), xs, g, avg.data());
  pool2d_forward(PoolKind::WeightedAvg, x.data(), xs, g, wavg.data());
  CHECK(test::relative_error(wavg, avg) < 1e-6);
  CHECK(layer_kind(LayerType::WAvgPool).editor_default.kernel.h == 3);  // so the editor defaults to 3
}
