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

// MNIST-style data set: n images of h×w as floats in [0,1] and their labels.
struct Dataset {
  int n = 0, h = 0, w = 0;
  std::vector<float> images;
  std::vector<uint8_t> labels;
};
Dataset make_dataset(const IdxArray& images, const IdxArray& labels);  // checks they match

}  // namespace convlab
