// The page's data assets without any UI. MNIST arrives as one gzip file (scripts/pack_assets.mjs):
// u32 count = 4, four u32 sizes, then the train images, train labels, test images and test labels
// as IDX files (little-endian header words, IDX's own big-endian inside).
#pragma once
#include <cstddef>
#include <cstdint>

#include "idx.h"

namespace convlab {

struct TrainTestData {
  Dataset train, test;
};

// Throws Error naming the problem (truncated, wrong count, a bad IDX file inside).
TrainTestData parse_dataset_asset(const uint8_t* bytes, size_t size, const char* name);

}  // namespace convlab
