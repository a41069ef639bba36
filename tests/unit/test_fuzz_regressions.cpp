#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../fuzz/targets.h"

namespace fs = std::filesystem;

// Every saved fuzz finding, replayed through the target that found it: it must load or be
// rejected with convlab::Error — never crash, hang or trip a sanitizer.
TEST_CASE("fuzz regressions replay cleanly") {
  const fs::path root = CONVLAB_FUZZ_REGRESSIONS;
  REQUIRE(fs::is_directory(root));
  struct Target {
    const char* name;
    void (*run)(const uint8_t*, size_t);
  };
  const Target targets[] = {{"model_file", fuzz::model_file}, {"idx", fuzz::idx}, {"spec", fuzz::spec}};
  int replayed = 0;
  for (const Target& t : targets) {
    if (!fs::is_directory(root / t.name)) continue;
    for (const auto& entry : fs::directory_iterator(root / t.name)) {
      std::ifstream f(entry.path(), std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      INFO(entry.path().string());
      t.run(bytes.data(), bytes.size());
      replayed++;
    }
  }
  MESSAGE("replayed " << replayed << " saved inputs");
}

// Bytes no loader should ever accept as anything but an error, through every target.
TEST_CASE("fuzz targets take hand-made hostile inputs") {
  std::vector<std::vector<uint8_t>> inputs = {
      {},
      {0},
      std::vector<uint8_t>(64, 0xFF),
      {'C', 'O', 'N', 'V', 'L', 'A', 'B', 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F},
      {0, 0, 8, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 1, 1},
  };
  std::string deep = "{\"layers\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  inputs.emplace_back(deep.begin(), deep.end());
  for (const auto& in : inputs) {
    fuzz::model_file(in.data(), in.size());
    fuzz::idx(in.data(), in.size());
    fuzz::spec(in.data(), in.size());
  }
}
