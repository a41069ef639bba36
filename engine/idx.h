// IDX files (the MNIST format): big-endian magic 0x0000 08 D (unsigned bytes, D dimensions),
// D big-endian u32 sizes, then the bytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace convlab {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

// Throws Error naming the problem: bad magic, unsupported type, wrong size for the dimensions.
IdxArray parse_idx(const uint8_t* bytes, size_t size, const std::string& name);
IdxArray read_idx_file(const std::string& path);
// The IDX file of unsigned bytes with these dimensions (data holds their product).
std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, const uint8_t* data);

// An MNIST-style data set: n images of h×w and their labels. The pixels stay bytes (0..255) — a
// quarter of the memory of floats — and become floats in [0, 1] a batch at a time (images()).
struct Dataset {
  int n = 0, h = 0, w = 0;
  std::vector<uint8_t> pixels;  // n·h·w, row-major
  std::vector<uint8_t> labels;
  size_t image_size() const { return (size_t)h * w; }
  void images(int first, int count, float* dst) const;  // examples first.. as floats in [0, 1]
  int classes() const;                                  // 1 + the largest label; 0 when empty
};
// Checks the two files agree (named in every message: images_name, labels_name).
Dataset make_dataset(const IdxArray& images, const IdxArray& labels, const std::string& images_name = "images",
                     const std::string& labels_name = "labels");

}  // namespace convlab
