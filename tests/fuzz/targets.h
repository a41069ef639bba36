// The fuzz targets' bodies, shared by the libFuzzer drivers (fuzz_*.cpp, bench/fuzz.sh) and the
// regression test that replays every saved crash input (tests/unit/test_fuzz_regressions.cpp).
// Each either accepts the input or rejects it with convlab::Error; anything else is a bug.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "crc32.h"
#include "idx.h"
#include "network.h"

namespace fuzz {

// A network that loaded or parsed must also run: forward and one training step on zeros.
inline void exercise(convlab::Network& net) {
  std::vector<float> x(net.input_size(), 0.25f), probs(net.classes());
  net.predict(x.data(), 1, probs.data());
  uint8_t label = 0;
  try {
    net.train_batch(x.data(), &label, 1);
  } catch (const convlab::Error&) {  // divergence is a legitimate answer for hostile weights
  }
}

// Small enough to run thousands of times a second.
inline bool cheap(const convlab::NetworkSpec& spec) {
  uint64_t params = 0, flops = 0, act = 0;
  for (const auto& f : convlab::analyze(spec)) params += f.params(), flops += f.flops, act = std::max(act, (uint64_t)f.out.per_example());
  return params <= 200000 && flops <= 20000000 && act <= 200000;
}

inline void model_file(const uint8_t* data, size_t size) {
  // As given, and with the checksum recomputed so that mutations reach the deeper checks.
  std::vector<uint8_t> resealed(data, data + size);
  if (size >= 36) {
    uint32_t crc = convlab::crc32(resealed.data(), size - 4);
    std::memcpy(&resealed[size - 4], &crc, 4);
  }
  for (const auto* bytes : {data, (const uint8_t*)resealed.data()}) {
    try {
      convlab::Network net = convlab::Network::load(bytes, size);
      if (cheap(net.spec())) exercise(net);
    } catch (const convlab::Error&) {
    }
  }
}

inline void idx(const uint8_t* data, size_t size) {
  try {
    convlab::IdxArray a = convlab::parse_idx(data, size, "fuzz");
    if (a.dims.size() == 3) convlab::make_dataset(a, convlab::parse_idx(data, size, "fuzz"));
  } catch (const convlab::Error&) {
  }
}

inline void spec(const uint8_t* data, size_t size) {
  try {
    convlab::NetworkSpec s = convlab::parse_spec(std::string(reinterpret_cast<const char*>(data), size));
    if (!cheap(s)) return;
    convlab::Network net(s, 1);
    exercise(net);
  } catch (const convlab::Error&) {
  }
}

}  // namespace fuzz
