// No allocation inside a training step. Every operator new of this test binary is
// counted; once a network has seen its batch size, a step (with augmentation, every preset) and a
// prediction must not allocate.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "helpers.h"
#include "presets.h"
#include "train.h"

namespace {
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations++;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace convlab;

TEST_CASE("a training step and a prediction allocate nothing once the batch size has been seen, on 1 or 3 threads") {
  Rng rng(3);
  Dataset data;
  data.n = 96, data.h = 28, data.w = 28;
  for (int k = 0; k < data.n * 784; k++) data.pixels.push_back((uint8_t)rng.below(256));
  for (int i = 0; i < data.n; i++) data.labels.push_back((uint8_t)(i % 10));
  std::vector<float> images((size_t)data.n * 784);
  data.images(0, data.n, images.data());
  std::vector<float> probs(32 * 10);
  const long counted = allocations;
  std::vector<int>* probe = new std::vector<int>(3);  // the counter works: the vector and its buffer
  delete probe;
  REQUIRE(allocations - counted == 2);
  for (int threads : {1, 3})
  for (const Preset& preset : kPresets) {
    if (threads > 1 && !test::kThreadsAvailable) continue;
    INFO("preset " << preset.name << ", threads " << threads);
    Network net(preset.spec, 1);
    net.set_threads(threads);
    OptimizerConfig adam;
    adam.type = OptimizerConfig::Adam, adam.lr = 1e-3f;
    net.set_optimizer(adam);
    TrainingRun run(data, 2);
    run.batch_size = 32;
    run.augment.max_shift_px = 2, run.augment.max_rotate_deg = 10;
    run.step(net);  // sizes every buffer
    net.predict(images.data(), 32, probs.data());
    const long before = allocations;
    for (int k = 0; k < 4; k++) run.step(net);  // crosses an epoch end (96 = 3 batches): a reshuffle
    net.predict(images.data(), 32, probs.data());
    CHECK(allocations - before == 0);
  }
}
