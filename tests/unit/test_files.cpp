#include <doctest/doctest.h>

#include <cstring>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crc32.h"
#include "helpers.h"
#include "idx.h"
#include "network.h"
#include "presets.h"
#include "train.h"

using namespace convlab;

namespace {

std::string load_error(const std::vector<uint8_t>& bytes) {
  try {
    Network::load(bytes.data(), bytes.size());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) b[at + i] = (uint8_t)(v >> (8 * i));
}
void reseal(std::vector<uint8_t>& b) { put_u32(b, b.size() - 4, crc32(b.data(), b.size() - 4)); }

std::vector<uint8_t> idx_file(std::vector<uint32_t> dims, size_t payload) {
  std::vector<uint8_t> b = {0, 0, 8, (uint8_t)dims.size()};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back((uint8_t)(d >> s));
  b.resize(b.size() + payload, 7);
  return b;
}

}  // namespace

TEST_CASE("crc32 of the standard check string") {
  const char* s = "123456789";
  CHECK(crc32(reinterpret_cast<const uint8_t*>(s), 9) == 0xCBF43926u);
}

TEST_CASE("IDX reader: good files load, bad magic, types and sizes are named") {
  auto good = idx_file({2, 3, 3}, 18);
  IdxArray a = parse_idx(good.data(), good.size(), "x.idx");
  CHECK(a.dims == std::vector<uint32_t>{2, 3, 3});
  CHECK(a.data.size() == 18);
  auto truncated = idx_file({2, 3, 3}, 17);
  CHECK_THROWS_WITH(parse_idx(truncated.data(), truncated.size(), "x.idx"),
                    "x.idx: IDX file is 33 bytes, its dimensions need 34 (truncated)");
  auto bad_magic = good;
  bad_magic[0] = 1;
  CHECK_THROWS_WITH(parse_idx(bad_magic.data(), bad_magic.size(), "x.idx"), "x.idx: not an IDX file (bad magic)");
  auto floats = good;
  floats[2] = 0x0D;
  CHECK_THROWS_WITH(parse_idx(floats.data(), floats.size(), "x.idx"),
                    "x.idx: IDX element type must be unsigned byte (0x08)");
  auto huge = idx_file({60000, 60000, 60000}, 0);
  CHECK_THROWS_WITH(parse_idx(huge.data(), huge.size(), "x.idx"), "x.idx: IDX dimensions too large");
  CHECK_THROWS(parse_idx(good.data(), 3, "x.idx"));
  auto labels = idx_file({3}, 3);
  CHECK_THROWS_WITH(make_dataset(parse_idx(good.data(), good.size(), "i"), parse_idx(labels.data(), labels.size(), "l")),
                    "images and labels disagree: 2 images, 3 labels");
}

TEST_CASE("model files: every corruption is rejected with a message") {
  Network net(kPresets[0].spec, 1);
  const auto good = net.save();
  CHECK(load_error(good) == "");

  auto b = good;
  b.resize(b.size() - 1);
  CHECK(load_error(b).find("truncated or has extra bytes") != std::string::npos);
  b = good;
  b.push_back(0);
  CHECK(load_error(b).find("truncated or has extra bytes") != std::string::npos);
  CHECK(load_error({}) == "not a ConvLab model file: only 0 bytes");
  b = good;
  b[0] = 'X';
  CHECK(load_error(b) == "not a ConvLab model file: wrong magic bytes");
  b = good;
  put_u32(b, 8, 7);
  CHECK(load_error(b) == "model file version 7 is not supported (this build reads 1 to 2)");
  b = good;
  b[b.size() / 2] ^= 0x40;
  CHECK(load_error(b) == "model file is corrupt: checksum mismatch");
  b = good;
  put_u32(b, 16, 0xFFFFFFFFu);  // absurd parameter count: refused before any allocation
  put_u32(b, 20, 0xFFFFFFFFu);
  CHECK(load_error(b).find("over the limit") != std::string::npos);
  std::vector<uint8_t> big((64u << 20) + 1, 0);
  CHECK(load_error(big).find("over the limit of 67108864") != std::string::npos);

  // A consistent file whose spec does not match its weights: 10 units → 11 units, CRC resealed
  std::string text(good.begin() + 32, good.begin() + 32 + (good[12] | good[13] << 8));
  size_t at = text.find("\"units\":10");
  REQUIRE(at != std::string::npos);
  b = good;
  b[32 + at + 9] = '1';  // "units":11
  reseal(b);
  CHECK(load_error(b).find("parameters stored, but its network has") != std::string::npos);
  // A weight that is NaN
  b = good;
  size_t first_weight = 32 + text.size();
  float nan = NAN;
  std::memcpy(&b[first_weight], &nan, 4);
  reseal(b);
  CHECK(load_error(b) == "model file: a weight is NaN or infinite");
  // Random corruption: never a crash, always a load or an Error
  Rng rng(1);
  for (int trial = 0; trial < 300; trial++) {
    b = good;
    int flips = test::random_int(rng, 1, 8);
    for (int f = 0; f < flips; f++) b[rng.below((uint32_t)b.size())] = (uint8_t)rng.below(256);
    if (trial % 2) reseal(b);
    try {
      Network::load(b.data(), b.size());
    } catch (const Error&) {
    }
  }
}

#ifdef CONVLAB_MNIST_DIR
TEST_CASE("MNIST: one epoch of the default network on the 8,000 reaches ≥ 95% on the 2,000") {
  const std::string dir = CONVLAB_MNIST_DIR;
  Dataset train = make_dataset(read_idx_file(dir + "/train-images.idx3-ubyte"),
                               read_idx_file(dir + "/train-labels.idx1-ubyte"));
  Dataset test_set = make_dataset(read_idx_file(dir + "/test-images.idx3-ubyte"),
                                  read_idx_file(dir + "/test-labels.idx1-ubyte"));
  REQUIRE(train.n == 8000);
  REQUIRE(test_set.n == 2000);
  Network net(kPresets[0].spec, 1);
  net.set_optimizer(parse_optimizer(R"({"type":"adam","lr":0.002})"));
  TrainingRun run(train, 2);
  run.batch_size = 16;
  while (run.epoch() < 1) run.step(net);
  Evaluation e = evaluate(net, test_set);
  MESSAGE("test accuracy after one epoch: " << e.accuracy());
  CHECK(e.accuracy() >= 0.95);
}
#endif

TEST_CASE("model files, version 2: class names round trip; version 1 files still load; bad names are refused") {
  Network net(kPresets[0].spec, 1);
  CHECK(net.class_names().empty());
  CHECK(net.class_name(3) == "3");
  const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  net.set_class_names(names);
  auto bytes = net.save();
  CHECK((bytes[8] | bytes[9] << 8) == 2);
  Network back = Network::load(bytes.data(), bytes.size());
  CHECK(back.class_names() == names);
  CHECK(back.class_name(9) == "Ankle boot");
  CHECK(nlohmann::json::parse(back.describe())["classNames"].size() == 10);

  // A version-1 file (what earlier builds wrote: no names) loads, unnamed.
  Network plain(kPresets[0].spec, 2);
  auto v1 = plain.save();
  put_u32(v1, 8, 1);
  reseal(v1);
  Network old = Network::load(v1.data(), v1.size());
  CHECK(old.class_names().empty());
  CHECK(old.param_count() == plain.param_count());
  // … but a version-1 file cannot carry names
  put_u32(bytes, 8, 1);
  reseal(bytes);
  CHECK(load_error(bytes) == "model file: its class names are not a list of names");

  CHECK_THROWS_WITH(net.set_class_names({"a", "b"}), "2 class names for a network with 10 classes");
  std::vector<std::string> bad = names;
  bad[2] = "";
  CHECK_THROWS_AS(net.set_class_names(bad), Error);
  bad[2] = std::string(41, 'x');
  CHECK_THROWS_AS(net.set_class_names(bad), Error);
  bad[2] = "tab\there";
  CHECK_THROWS_WITH(net.set_class_names(bad), "a class name has a control character");
  CHECK(net.class_names() == names);  // a refused list changes nothing
  net.set_class_names({});
  CHECK(net.class_names().empty());
}

TEST_CASE("IDX writer: what idx_bytes writes, parse_idx reads back; data sets keep bytes and give floats") {
  std::vector<uint8_t> pixels(3 * 5 * 4);
  for (size_t k = 0; k < pixels.size(); k++) pixels[k] = (uint8_t)(k * 7);
  const auto images = idx_bytes({3, 5, 4}, pixels.data());
  CHECK(images.size() == 4 + 12 + 60);
  const uint8_t labels_data[3] = {2, 0, 1};
  const auto labels = idx_bytes({3}, labels_data);
  Dataset d = make_dataset(parse_idx(images.data(), images.size(), "i"), parse_idx(labels.data(), labels.size(), "l"));
  CHECK(d.n == 3);
  CHECK(d.h == 5);
  CHECK(d.w == 4);
  CHECK(d.pixels == pixels);
  CHECK(d.classes() == 3);
  std::vector<float> two(40);
  d.images(1, 2, two.data());
  CHECK(two[0] == doctest::Approx(pixels[20] / 255.0f));
  CHECK(two[39] == doctest::Approx(pixels[59] / 255.0f));
  // not 28×28, any size within the limits: a network of that input trains on it
  Network net(R"({"input":[1,5,4],"layers":[{"type":"flatten"},{"type":"dense","units":3}]})", 1);
  TrainingRun run(d, 1);
  run.batch_size = 3;
  CHECK(std::isfinite(run.step(net)));
  CHECK(evaluate(net, d).examples == 3);
  auto flat = idx_bytes({3, 20}, pixels.data());
  CHECK_THROWS_WITH(make_dataset(parse_idx(flat.data(), flat.size(), "i"), parse_idx(labels.data(), labels.size(), "l"), "flat.idx", "l"),
                    "flat.idx: an image file must have 3 dimensions (count, height, width), this one has 2");
}
