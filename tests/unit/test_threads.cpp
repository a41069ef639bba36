// Data-parallel training and inference: the same bits whatever the thread count.
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>

#include "helpers.h"
#include "presets.h"
#include "thread_pool.h"
#include "train.h"

using namespace convlab;

#if CONVLAB_TEST_THREADS  // test cases need the preprocessor: test::kThreadsAvailable

TEST_CASE("thread pool: every task runs exactly once, on a thread id below the run's count, run after run") {
  ThreadPool& pool = ThreadPool::shared();
  for (int threads : {1, 2, 3, 5, 2}) {
    for (int count : {0, 1, 2, 7, 64}) {
      for (int round = 0; round < 50; round++) {
        std::vector<std::atomic<int>> hits(count);
        std::atomic<int> bad_thread{0};
        auto task = [&](int i, int thread) {
          hits[i]++;
          if (thread < 0 || thread >= threads) bad_thread++;
        };
        pool.run(count, threads, task);
        for (int i = 0; i < count; i++) CHECK(hits[i] == 1);
        CHECK(bad_thread == 0);
      }
    }
  }
}

TEST_CASE("thread pool: a run that finds the pool busy does its tasks alone, with the same results") {
  ThreadPool& pool = ThreadPool::shared();
  std::atomic<long> sum_outer{0}, sum_inner{0};
  auto inner = [&](int i, int) { sum_inner += i; };
  auto outer = [&](int i, int) {
    sum_outer += i;
    pool.run(10, 3, inner);  // from inside a run: the pool is busy
  };
  pool.run(4, 2, outer);
  CHECK(sum_outer == 6);
  CHECK(sum_inner == 4 * 45);
}

TEST_CASE("training on 1, 2, 3 and 4 threads gives bit-identical weights; inference too") {
  Rng rng(11);
  Dataset data;
  data.n = 75, data.h = 28, data.w = 28;
  for (int k = 0; k < data.n * 784; k++) data.pixels.push_back((uint8_t)rng.below(256));
  for (int i = 0; i < data.n; i++) data.labels.push_back((uint8_t)(i % 10));
  std::vector<float> images((size_t)data.n * 784);
  data.images(0, data.n, images.data());
  for (const Preset& preset : kPresets) {
    INFO("preset " << preset.name);
    std::vector<uint8_t> reference;
    std::vector<float> reference_probs;
    for (int threads : {1, 2, 3, 4}) {
      INFO("threads " << threads);
      Network net(preset.spec, 5);
      net.set_threads(threads);
      CHECK(net.threads() == threads);
      OptimizerConfig o;
      o.lr = 0.02f, o.momentum = 0.9f;
      net.set_optimizer(o);
      TrainingRun run(data, 3);
      run.augment.max_shift_px = 1.5f, run.augment.max_rotate_deg = 8;
      // batches of 32, 32 and 11 (an epoch's end), then 5: fewer examples than shards
      for (int step = 0; step < 3; step++) run.step(net);
      run.batch_size = 5;
      run.step(net);
      std::vector<uint8_t> bytes = net.save();
      std::vector<float> probs((size_t)data.n * net.classes());
      net.predict(images.data(), data.n, probs.data());
      if (threads == 1) {
        reference = bytes, reference_probs = probs;
        continue;
      }
      CHECK(bytes == reference);  // weights, optimizer moments, step count and RNG state
      CHECK(std::memcmp(probs.data(), reference_probs.data(), probs.size() * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("threads: out of range is an Error; the count can change between steps") {
  Network net(kPresets[1].spec, 1);
  CHECK_THROWS_AS(net.set_threads(0), Error);
  CHECK_THROWS_AS(net.set_threads(Network::kMaxThreads + 1), Error);
  Rng rng(2);
  auto images = test::random_vector(rng, 16 * 784, 0.0f, 1.0f);
  std::vector<uint8_t> labels(16, 3);
  Network other(kPresets[1].spec, 1);
  for (int threads : {2, 1, 4, 3}) {
    net.set_threads(threads);
    CHECK(net.train_batch(images.data(), labels.data(), 16) == other.train_batch(images.data(), labels.data(), 16));
  }
  CHECK(net.save() == other.save());
  // more threads than training shards: inference cuts a batch into one shard per thread
  std::vector<float> many(16 * 10), one(16 * 10);
  net.set_threads(Network::kMaxThreads);
  net.predict(images.data(), 16, many.data());
  net.set_threads(1);
  net.predict(images.data(), 16, one.data());
  CHECK(many == one);
}

#else

TEST_CASE("without threads: more than one is an Error that says why, and the network goes on with one") {
  static_assert(!test::kThreadsAvailable);
  Rng rng(2);
  auto images = test::random_vector(rng, 16 * 784, 0.0f, 1.0f);
  std::vector<uint8_t> labels(16, 3);
  Network net(kPresets[1].spec, 1), other(kPresets[1].spec, 1);
  net.set_threads(2);
  CHECK_THROWS_WITH_AS(net.train_batch(images.data(), labels.data(), 16), doctest::Contains("cannot start 2 threads here"), Error);
  auto nothing = [](int, int) {};
  CHECK_THROWS_AS(ThreadPool::shared().run(4, 3, nothing), Error);
  net.set_threads(1);
  CHECK(net.train_batch(images.data(), labels.data(), 16) == other.train_batch(images.data(), labels.data(), 16));
  CHECK(net.save() == other.save());
}

#endif

TEST_CASE("learning-rate schedules: constant, step, cosine; parsed, saved, and applied step by step") {
  OptimizerConfig o = parse_optimizer(R"({"type":"sgd","lr":0.1,"schedule":{"type":"step","every":10,"gamma":0.5}})");
  CHECK(o.lr_at(0) == doctest::Approx(0.1));
  CHECK(o.lr_at(9) == doctest::Approx(0.1));
  CHECK(o.lr_at(10) == doctest::Approx(0.05));
  CHECK(o.lr_at(35) == doctest::Approx(0.0125));
  o = parse_optimizer(R"({"type":"adam","lr":0.01,"schedule":{"type":"cosine","steps":100,"min":0.1}})");
  CHECK(o.lr_at(0) == doctest::Approx(0.01));
  CHECK(o.lr_at(50) == doctest::Approx(0.01 * (0.1 + 0.9 * 0.5)));
  CHECK(o.lr_at(100) == doctest::Approx(0.001));
  CHECK(o.lr_at(1000) == doctest::Approx(0.001));
  CHECK(parse_optimizer(optimizer_to_json(o)).lr_at(50) == doctest::Approx(o.lr_at(50)));
  CHECK(parse_optimizer(R"({"lr":0.3})").lr_at(12345) == doctest::Approx(0.3));
  // a schedule that starts at step 1000 (fine-tuning a trained model): full lr until then
  o = parse_optimizer(R"({"lr":0.1,"schedule":{"type":"cosine","steps":100,"start":1000}})");
  CHECK(o.lr_at(500) == doctest::Approx(0.1));
  CHECK(o.lr_at(1050) == doctest::Approx(0.05));
  CHECK(o.lr_at(1100) == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(parse_optimizer(optimizer_to_json(o)).schedule.start == 1000);
  CHECK_THROWS_WITH_AS(parse_optimizer(R"({"schedule":{"type":"linear"}})"),
                       "optimizer: unknown schedule \"linear\"; use \"constant\", \"step\" or \"cosine\"", Error);
  CHECK_THROWS_AS(parse_optimizer(R"({"schedule":{"type":"step","steps":5}})"), Error);
  CHECK_THROWS_AS(parse_optimizer(R"({"schedule":{"type":"cosine","steps":0}})"), Error);
  CHECK_THROWS_AS(parse_optimizer(R"({"schedule":{"type":"step","gamma":2}})"), Error);
  // Applied: a step schedule with γ = 0 stops learning after `every` steps.
  Network net(kPresets[1].spec, 1);
  net.set_optimizer(parse_optimizer(R"({"type":"sgd","lr":0.05,"schedule":{"type":"step","every":3,"gamma":0}})"));
  Rng rng(6);
  auto images = test::random_vector(rng, 8 * 784, 0.0f, 1.0f);
  std::vector<uint8_t> labels(8, 1);
  std::vector<float> before;
  for (int step = 0; step < 6; step++) {
    if (step == 3) before.assign(net.weights(0).data, net.weights(0).data + net.weights(0).count);
    net.train_batch(images.data(), labels.data(), 8);
    if (step == 2) CHECK(net.steps() == 3);
  }
  CHECK(std::equal(before.begin(), before.end(), net.weights(0).data));
  // and it travels with the model file
  Network back = Network::load(net.save().data(), net.save().size());
  CHECK(back.optimizer().schedule.kind == LrSchedule::Step);
  CHECK(back.optimizer().schedule.every == 3);
}
