// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) — the checksum of model files.
#pragma once
#include <cstddef>
#include <cstdint>

namespace convlab {

inline uint32_t crc32(const uint8_t* data, size_t size) {
  static const auto table = [] {
    struct T { uint32_t v[256]; } t{};
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t.v[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; i++) c = table.v[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

}  // namespace convlab
