#include "idx.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "error.h"
#include "size_limits.h"

namespace convlab {

static constexpr uint64_t kMaxIdxBytes = 256u << 20;

IdxArray parse_idx(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size < 4) throw Error(name + ": not an IDX file (only " + std::to_string(size) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0) throw Error(name + ": not an IDX file (bad magic)");
  if (bytes[2] != 0x08) throw Error(name + ": IDX element type must be unsigned byte (0x08)");
  const int dims = bytes[3];
  if (dims < 1 || dims > 4) throw Error(name + ": IDX file with " + std::to_string(dims) + " dimensions");
  const size_t header = 4 + 4 * (size_t)dims;
  if (size < header) throw Error(name + ": truncated IDX header");
  IdxArray a;
  uint64_t count = 1;
  for (int d = 0; d < dims; d++) {
    const uint8_t* p = bytes + 4 + 4 * d;
    uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    a.dims.push_back(v);
    count *= v;
    if (count > kMaxIdxBytes) throw Error(name + ": IDX dimensions too large");
  }
  if (size - header != count)
    throw Error(name + ": IDX file is " + std::to_string(size) + " bytes, its dimensions need " +
                std::to_string(header + count) + (size - header < count ? " (truncated)" : ""));
  a.data.assign(bytes + header, bytes + size);
  return a;
}

IdxArray read_idx_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_idx(bytes.data(), bytes.size(), path);
}

std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, const uint8_t* data) {
  std::vector<uint8_t> out = {0, 0, 0x08, (uint8_t)dims.size()};
  size_t count = 1;
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) out.push_back((uint8_t)(d >> s));
    count *= d;
  }
  out.insert(out.end(), data, data + count);
  return out;
}

Dataset make_dataset(const IdxArray& images, const IdxArray& labels, const std::string& images_name,
                     const std::string& labels_name) {
  if (images.dims.size() != 3)
    throw Error(images_name + ": an image file must have 3 dimensions (count, height, width), this one has " +
                std::to_string(images.dims.size()));
  if (labels.dims.size() != 1)
    throw Error(labels_name + ": a label file must have 1 dimension, this one has " + std::to_string(labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    throw Error(images_name + " and " + labels_name + " disagree: " + std::to_string(images.dims[0]) + " images, " +
                std::to_string(labels.dims[0]) + " labels");
  if (images.dims[1] < 1 || images.dims[2] < 1 || images.dims[1] > (uint32_t)Limits::max_input_side ||
      images.dims[2] > (uint32_t)Limits::max_input_side)
    throw Error(images_name + ": images of " + std::to_string(images.dims[1]) + "×" + std::to_string(images.dims[2]) +
                " pixels; the engine takes 1 to " + std::to_string(Limits::max_input_side) + " pixels a side");
  Dataset d;
  d.n = (int)images.dims[0], d.h = (int)images.dims[1], d.w = (int)images.dims[2];
  d.pixels = images.data;
  d.labels = labels.data;
  return d;
}

void Dataset::images(int first, int count, float* dst) const {
  const uint8_t* src = pixels.data() + (size_t)first * image_size();
  for (size_t k = 0, total = (size_t)count * image_size(); k < total; k++) dst[k] = src[k] * (1.0f / 255.0f);
}

int Dataset::classes() const {
  int top = -1;
  for (uint8_t l : labels) top = std::max(top, (int)l);
  return top + 1;
}

}  // namespace convlab
