// Model file, version 2, little-endian:
//   0  "CONVLAB\0"                      magic (8 bytes)
//   8  u32 version = 2 (version 1 files, without class names, still load)
//  12  u32 header_bytes H               JSON: {"spec", "optimizer", "steps", "rng"[, "classNames"]}
//  16  u64 param_count P
//  24  u64 state_count S = 2·P or 0     optimizer moments m then v, or none
//  32  header JSON (H bytes)
//   …  P float32 parameters, S float32 optimizer state
//   …  u32 CRC-32 (IEEE) of every byte before it
// Nothing read from the file is trusted before it is checked against the actual byte count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "crc32.h"
#include "network.h"

namespace convlab {

using json = nlohmann::json;

static constexpr char kMagic[8] = {'C', 'O', 'N', 'V', 'L', 'A', 'B', '\0'};
static constexpr uint32_t kVersion = 2, kOldestVersion = 1;
static constexpr size_t kFixedHeader = 32;
static constexpr size_t kMaxHeaderBytes = 1u << 20;

// Writers at a cursor into a buffer sized up front: a model file is written in one pass, without
// the reallocations (and, in the page, the memory growth) of appending byte by byte.
static uint8_t* put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
  return p + 4;
}
static uint8_t* put_u64(uint8_t* p, uint64_t v) { return put_u32(put_u32(p, (uint32_t)v), (uint32_t)(v >> 32)); }
static uint8_t* put_floats(uint8_t* p, const std::vector<float>& v) {
  for (float f : v) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    p = put_u32(p, bits);
  }
  return p;
}
static uint32_t get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t* p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }
static void get_floats(const uint8_t* p, std::vector<float>& v) {
  for (size_t k = 0; k < v.size(); k++) {
    uint32_t bits = get_u32(p + 4 * k);
    std::memcpy(&v[k], &bits, 4);
  }
}

std::vector<uint8_t> Network::save(bool with_optimizer_state) const {
  json header;
  header["spec"] = json::parse(spec_to_json(spec_));
  header["optimizer"] = json::parse(optimizer_to_json(opt_));
  header["steps"] = step_;
  header["rng"] = std::to_string(rng_.state);  // a string: JSON numbers lose 64-bit precision
  if (!class_names_.empty()) header["classNames"] = class_names_;
  const std::string text = header.dump();
  const size_t state = with_optimizer_state ? opt_m_.size() + opt_v_.size() : 0;
  std::vector<uint8_t> out(kFixedHeader + text.size() + 4 * (params_.size() + state) + 4);
  uint8_t* p = std::copy(kMagic, kMagic + 8, out.data());
  p = put_u32(p, kVersion);
  p = put_u32(p, (uint32_t)text.size());
  p = put_u64(p, params_.size());
  p = put_u64(p, state);
  p = std::copy(text.begin(), text.end(), p);
  p = put_floats(p, params_);
  if (with_optimizer_state) {
    p = put_floats(p, opt_m_);
    p = put_floats(p, opt_v_);
  }
  put_u32(p, crc32(out.data(), out.size() - 4));
  return out;
}

Network Network::load(const uint8_t* bytes, size_t size) {
  const std::string bad = "not a ConvLab model file: ";
  // The size limit comes first: the page asks with no bytes at all for a file that is too large.
  if (size > Limits::max_model_file_bytes)
    throw Error("model file is " + std::to_string(size) + " bytes, over the limit of " +
                std::to_string(Limits::max_model_file_bytes));
  if (!bytes || size < kFixedHeader + 4) throw Error(bad + "only " + std::to_string(size) + " bytes");
  if (std::memcmp(bytes, kMagic, 8) != 0) throw Error(bad + "wrong magic bytes");
  uint32_t version = get_u32(bytes + 8);
  if (version < kOldestVersion || version > kVersion)
    throw Error("model file version " + std::to_string(version) + " is not supported (this build reads " +
                std::to_string(kOldestVersion) + " to " + std::to_string(kVersion) + ")");
  uint64_t header_bytes = get_u32(bytes + 12), params = get_u64(bytes + 16), state = get_u64(bytes + 24);
  if (header_bytes > kMaxHeaderBytes) throw Error("model file: header is too large");
  if (params > Limits::max_params || state > 2 * Limits::max_params)
    throw Error("model file: parameter count " + std::to_string(params) + " is over the limit of " +
                std::to_string(Limits::max_params));
  uint64_t expected = kFixedHeader + header_bytes + 4 * (params + state) + 4;
  if (expected != size)
    throw Error("model file is truncated or has extra bytes: its header announces " + std::to_string(expected) +
                " bytes, the file has " + std::to_string(size));
  uint32_t stored_crc = get_u32(bytes + size - 4);
  if (crc32(bytes, size - 4) != stored_crc) throw Error("model file is corrupt: checksum mismatch");

  json header = json::parse(bytes + kFixedHeader, bytes + kFixedHeader + header_bytes, nullptr, false);
  if (header.is_discarded() || !header.is_object() || !header.contains("spec") || !header.contains("optimizer") ||
      !header["steps"].is_number_unsigned() || !header["rng"].is_string())
    throw Error("model file: its header is not a valid ConvLab header");
  Network net(parse_spec(header["spec"].dump()), 0);
  if (net.params_.size() != params || (state != 2 * params && state != 0))
    throw Error("model file: " + std::to_string(params) + " parameters stored, but its network has " +
                std::to_string(net.params_.size()));
  net.opt_ = parse_optimizer(header["optimizer"].dump());
  if (header.contains("classNames")) {
    const json& names = header["classNames"];
    if (version < 2 || !names.is_array() || names.size() > (size_t)Limits::max_classes)
      throw Error("model file: its class names are not a list of names");
    std::vector<std::string> list;
    for (const json& n : names) {
      if (!n.is_string()) throw Error("model file: a class name is not a string");
      list.push_back(n.get<std::string>());
    }
    try {
      net.set_class_names(std::move(list));
    } catch (const Error& e) {
      throw Error(std::string("model file: ") + e.what());
    }
  }
  net.step_ = header["steps"].get<uint64_t>();
  try {
    net.rng_.state = std::stoull(header["rng"].get<std::string>());
  } catch (const std::exception&) {
    throw Error("model file: bad generator state in its header");
  }
  const uint8_t* p = bytes + kFixedHeader + header_bytes;
  get_floats(p, net.params_);
  if (state) {
    get_floats(p + 4 * params, net.opt_m_);
    get_floats(p + 8 * params, net.opt_v_);
  }
  for (float v : net.params_)
    if (!std::isfinite(v)) throw Error("model file: a weight is NaN or infinite");
  net.good_params_ = net.params_, net.good_m_ = net.opt_m_, net.good_v_ = net.opt_v_;
  net.good_step_ = net.step_;
  return net;
}

}  // namespace convlab
