#include "datasets.h"

#include <string>
#include <vector>

#include "error.h"

namespace convlab {

TrainTestData parse_dataset_asset(const uint8_t* bytes, size_t size, const char* name) {
  const std::string what = name;
  auto u32 = [&](size_t at) {
    if (at + 4 > size) throw Error(what + " is truncated");
    return (uint32_t)bytes[at] | (uint32_t)bytes[at + 1] << 8 | (uint32_t)bytes[at + 2] << 16 |
           (uint32_t)bytes[at + 3] << 24;
  };
  if (u32(0) != 4) throw Error(what + ": expected 4 files");
  std::vector<IdxArray> files;
  size_t offset = 20;
  for (int k = 0; k < 4; k++) {
    const size_t len = u32(4 + 4 * k);
    if (len > size - offset) throw Error(what + " is truncated");
    files.push_back(parse_idx(bytes + offset, len, what));
    offset += len;
  }
  return {make_dataset(files[0], files[1]), make_dataset(files[2], files[3])};
}

}  // namespace convlab
