// Writes the fuzzers' seed corpus from real artifacts: saved models of every preset (with and
// without optimizer state, trained a step), the presets' specs, and small IDX files.
//   make_seeds OUT_DIR
#include <fstream>
#include <string>

#include "network.h"
#include "presets.h"

using namespace convlab;

static void write(const std::string& path, const void* data, size_t size) {
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), (std::streamsize)size);
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const std::string out = argv[1];
  int k = 0;
  for (const Preset& p : kPresets) {
    write(out + "/spec/preset" + std::to_string(k) + ".json", p.spec, std::string(p.spec).size());
    Network net(p.spec, (uint64_t)k);
    std::vector<float> x(net.input_size(), 0.5f);
    uint8_t label = 3;
    net.train_batch(x.data(), &label, 1);
    for (bool state : {false, true}) {
      auto bytes = net.save(state);
      if (bytes.size() <= 65536)
        write(out + "/model_file/preset" + std::to_string(k) + (state ? "-state" : "") + ".clmodel", bytes.data(), bytes.size());
    }
    k++;
  }
  const char* small = R"({"input":[2,9,7],"layers":[{"type":"tiledconv2d","filters":2,"kernel":[3,2],"tiles":2},)"
                      R"({"type":"l2pool","size":2,"padding":1},{"type":"wavgpool","size":[1,2]},{"type":"dense","units":3}]})";
  write(out + "/spec/small.json", small, std::string(small).size());
  Network tiny(small, 1);
  auto bytes = tiny.save();
  write(out + "/model_file/small.clmodel", bytes.data(), bytes.size());
  const uint8_t images[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
  const uint8_t labels[] = {0, 0, 8, 1, 0, 0, 0, 2, 4, 7};
  write(out + "/idx/images.idx3", images, sizeof images);
  write(out + "/idx/labels.idx1", labels, sizeof labels);
  return 0;
}
