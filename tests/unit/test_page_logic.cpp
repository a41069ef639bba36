// The page's logic that needs no browser: the drawing pad, the training scheduler, the data asset.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "damage.h"
#include "datasets.h"
#include "helpers.h"
#include "palette.h"
#include "plot_columns.h"
#include "pad.h"
#include "preprocess.h"
#include "presets.h"
#include "setup_link.h"
#include "trainer.h"

using namespace convlab;

namespace {

double ink(const std::vector<float>& image, int side, int row0, int row1) {
  double s = 0;
  for (int r = row0; r < row1; r++)
    for (int c = 0; c < side; c++) s += image[(size_t)r * side + c];
  return s;
}

// A small data set of 28×28 images: a bar near the top for class 0, near the bottom for class 1.
Dataset bars(int n) {
  Dataset d;
  d.n = n, d.h = d.w = 28;
  d.pixels.assign((size_t)n * 784, 0);
  d.labels.resize(n);
  for (int i = 0; i < n; i++) {
    d.labels[i] = i % 2;
    const int row = i % 2 ? 20 + i % 4 : 4 + i % 4;
    for (int c = 4; c < 24; c++) d.pixels[(size_t)i * 784 + row * 28 + c] = 255;
  }
  return d;
}

std::vector<uint8_t> idx_file(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  return idx_bytes(dims, data.data());
}

}  // namespace

TEST_CASE("pad: a stroke across the top stays at the top — of the canvas and of the network's input") {
  Pad pad;
  CHECK(!pad.can_undo());
  pad.press(60, 40);
  for (float x = 60; x <= 220; x += 7) pad.drag(x, 40 + (x - 60) * 0.05f);
  pad.release();
  const auto& canvas = pad.canvas();
  CHECK(ink(canvas, kPadSide, 0, kPadSide / 2) > 1000);
  CHECK(ink(canvas, kPadSide, kPadSide / 2, kPadSide) == 0);
  // MNIST preprocessing centres the ink's mass: a horizontal stroke ends up in the middle rows,
  // its ends still left and right; the shift moves it by whole pixels.
  PadInput in = pad_input(pad, 0, 0);
  CHECK(!in.empty);
  PadInput up = pad_input(pad, -5, 0);
  CHECK(ink(up.input, kDigitSide, 0, 14) > ink(up.input, kDigitSide, 14, 28));
  PadInput down = pad_input(pad, 5, 0);
  CHECK(ink(down.input, kDigitSide, 14, 28) > ink(down.input, kDigitSide, 0, 14));
  CHECK(std::accumulate(up.input.begin(), up.input.end(), 0.0) ==
        doctest::Approx(std::accumulate(in.input.begin(), in.input.end(), 0.0)));
  // the stroke spans 160 pixels and more across: readable; a dot is too small to read
  CHECK(in.ink_side >= 160);
  CHECK(!in.too_small());
  Pad dot;
  dot.press(140, 140);
  dot.release();
  const PadInput tiny = pad_input(dot, 0, 0);
  CHECK(!tiny.empty);
  CHECK(tiny.ink_side < PadInput::kSmallestReadableSide);
  CHECK(tiny.too_small());
  CHECK(!pad_input(Pad{}, 0, 0).too_small());  // empty is not "small"
}

TEST_CASE("pad: a 28×28 image loaded onto the canvas (a test digit) is scaled up where it was, and undoable") {
  std::vector<float> image(28 * 28, 0.0f);
  for (int y = 4; y < 24; y++) image[y * 28 + 14] = image[y * 28 + 15] = 1.0f;  // a vertical bar
  Pad pad;
  pad.load_image(image.data(), 28, 28);
  const auto& c = pad.canvas();
  CHECK(c[(size_t)140 * kPadSide + 148] == doctest::Approx(1.0f));  // inside the bar, ×10
  CHECK(c[(size_t)140 * kPadSide + 60] == 0.0f);                    // far from it
  CHECK(c[(size_t)20 * kPadSide + 148] == 0.0f);                    // above it
  const PadInput in = pad_input(pad, 0, 0);
  CHECK(!in.empty);
  CHECK(!in.too_small());
  CHECK(pad.can_undo());
  pad.undo();
  CHECK(ink(pad.canvas(), kPadSide, 0, kPadSide) == 0);
}

TEST_CASE("pad: undo restores the canvas before each stroke or clear; the history is bounded") {
  Pad pad;
  const uint64_t v0 = pad.version();
  pad.press(100, 100);
  pad.release();
  const std::vector<float> one = pad.canvas();
  CHECK(pad.version() != v0);
  pad.clear();
  CHECK(std::all_of(pad.canvas().begin(), pad.canvas().end(), [](float v) { return v == 0.0f; }));
  CHECK(pad.undo());
  CHECK(pad.canvas() == one);
  CHECK(pad.undo());
  CHECK(std::all_of(pad.canvas().begin(), pad.canvas().end(), [](float v) { return v == 0.0f; }));
  CHECK(!pad.undo());
  for (int i = 0; i < PageCaps::max_undo_strokes + 10; i++) pad.press(10.0f + i, 10), pad.release();
  int undos = 0;
  while (pad.undo()) undos++;
  CHECK(undos == PageCaps::max_undo_strokes);
  CHECK(pad_input(Pad(), 0, 0).empty);
}

TEST_CASE("trainer: runs its epochs, says when to keep the model (each epoch end, the run's end), evaluates each") {
  Dataset train = bars(64), test = bars(20);
  Network net(kPresets[1].spec, 1);
  Trainer tr;
  tr.set_data(&train, &test);
  tr.settings.epochs = 3, tr.settings.batch = 16, tr.settings.augment = false;
  CHECK(tr.cannot_train(net) == "");
  tr.reset();
  tr.start(net);
  int epoch_ends = 0, finishes = 0, slices = 0;
  while ((tr.running() || tr.evaluating()) && slices++ < 10000) {
    const TrainerUpdate u = tr.work(net, 5.0);
    epoch_ends += u.epoch_ended, finishes += u.finished;
    CHECK(!u.failed);
  }
  CHECK(epoch_ends == 3);
  CHECK(finishes == 1);
  CHECK(tr.message == "Finished 3 epochs.");
  CHECK(tr.run()->epoch() == 3);
  CHECK(tr.test_acc_history.size() == 3);
  CHECK(tr.train_acc_history.size() == 3);
  CHECK(tr.have_eval);
  CHECK(tr.last_eval.examples == 20);
  CHECK(tr.last_eval.classes == 10);
  // Start again: it trains further instead of stopping at once.
  tr.start(net);
  CHECK(tr.settings.epochs == 6);
  tr.pause();
  // Step: one batch, whether running or not.
  const uint64_t before = tr.run()->examples_seen();
  CHECK(tr.step_batch(net).model_changed);
  CHECK(tr.run()->examples_seen() == before + 16);
}

TEST_CASE("trainer: a failing step stops training with the engine's message; a network that does not fit the data says why") {
  Dataset train = bars(64), test = bars(20);
  Network net(kPresets[1].spec, 1);
  Trainer tr;
  tr.set_data(&train, &test);
  tr.settings.lr = 1e30f, tr.settings.augment = false;
  tr.reset();
  tr.start(net);
  bool failed = false;
  for (int i = 0; i < 100 && !failed; i++) failed = tr.work(net, 5.0).failed;
  CHECK(failed);
  CHECK(!tr.running());
  CHECK(tr.error.find("Training stopped: training diverged") == 0);
  Network small(R"({"input":[1,14,14],"layers":[{"type":"dense","units":10}]})", 1);
  CHECK(tr.cannot_train(small).find("takes 1×14×14 inputs") != std::string::npos);
  Network two(R"({"input":[1,28,28],"layers":[{"type":"dense","units":2}]})", 1);
  Dataset three = bars(8);
  three.labels[0] = 2;
  tr.set_data(&three, &test);
  CHECK(tr.cannot_train(two).find("a label 2; this network gives 2 class scores") != std::string::npos);
}

TEST_CASE("trainer: a cosine schedule spans the run's epochs from the step it starts at, ending near lr × min") {
  Dataset train = bars(64), test = bars(20);
  Network net(kPresets[1].spec, 1);
  Trainer tr;
  tr.set_data(&train, &test);
  tr.settings.epochs = 2, tr.settings.batch = 16, tr.settings.lr = 0.1f, tr.settings.augment = false;
  tr.settings.schedule = 2, tr.settings.cosine_min = 0.1f;
  tr.reset();
  for (int i = 0; i < 3; i++) tr.step_batch(net);  // steps before the run: the schedule starts after them
  tr.start(net);
  CHECK(tr.current_lr(net) == doctest::Approx(0.1f));
  for (int i = 0; i < 4; i++) tr.step_batch(net);  // half of 2 epochs × 4 batches
  CHECK(tr.current_lr(net) == doctest::Approx(0.1f * (0.1f + 0.9f * 0.5f)));
  for (int i = 0; i < 4; i++) tr.step_batch(net);
  CHECK(tr.current_lr(net) == doctest::Approx(0.01f));
  CHECK(net.optimizer().schedule.kind == LrSchedule::Cosine);
  tr.settings.schedule = 1, tr.settings.step_epochs = 1, tr.settings.step_gamma = 0.5f;
  CHECK(tr.current_lr(net) == doctest::Approx(0.1f * 0.25f));  // two epochs since the start
}

namespace {

// Drives a TrainerHost as the page's worker does, and keeps a TrainerStatus as the page does.
struct HostAndPage {
  static constexpr int kThreads = test::kThreadsAvailable ? 2 : 1;
  TrainerHost host;
  TrainerStatus status;
  std::vector<uint8_t> last_snapshot;
  int epoch_ends = 0, finishes = 0, failures = 0, stale = 0, snapshots = 0;
  uint64_t next_id = 0;
  void take(const TrainerReport& r) {
    if (r.json.is_null()) return;
    CHECK(r.json["snapshot"].get<bool>() == !r.snapshot.empty());
    const ReportEvents ev = apply_report(status, nlohmann::json::parse(r.json.dump()));  // as text, as sent
    if (ev.stale) {
      stale++;
      return;
    }
    epoch_ends += ev.epoch_ended, finishes += ev.finished, failures += ev.failed;
    if (!r.snapshot.empty()) last_snapshot = r.snapshot, snapshots++;
  }
  uint64_t send(nlohmann::json cmd, const std::vector<uint8_t>& bytes = {}) {
    cmd["id"] = ++next_id;
    if (!cmd.contains("gen")) cmd["gen"] = status.generation;
    take(host.command(cmd, bytes.data(), bytes.size()));
    return next_id;
  }
  void use(const Network& net, uint64_t gen) {
    status = TrainerStatus{};
    status.generation = gen;
    send({{"cmd", "model"}, {"gen", gen}, {"threads", kThreads}}, net.save());
  }
  void work_until_idle(int max_slices = 100000) {
    for (int i = 0; i < max_slices && host.busy(); i++) take(host.work(2.0));
  }
};

TrainTestData bar_data() {
  TrainTestData d;
  d.train = bars(64), d.test = bars(20);
  return d;
}

}  // namespace

TEST_CASE("trainer host: a run reported to the page — history, evaluations, epoch ends, and weight snapshots equal to the trainer's") {
  HostAndPage hp;
  hp.host.report_interval_ms = 0, hp.host.snapshot_interval_ms = 0;
  hp.host.set_data(bar_data());
  Network net(kPresets[1].spec, 1);
  hp.use(net, 1);
  hp.work_until_idle();  // the new model's evaluation
  CHECK(hp.status.have_eval);
  CHECK(hp.status.last_eval.examples == 20);
  CHECK(hp.status.last_eval.predicted.size() == 20);
  CHECK(hp.status.threads == HostAndPage::kThreads);
  CHECK(hp.snapshots == 0);  // evaluating changes no weight
  TrainSettings s;
  s.epochs = 2, s.batch = 16, s.augment = false;
  const uint64_t start = hp.send({{"cmd", "start"}, {"settings", settings_to_json(s)}});
  CHECK(hp.status.acked == start);
  CHECK(hp.status.running);
  hp.work_until_idle();
  CHECK(!hp.status.running);
  CHECK(hp.epoch_ends == 2);
  CHECK(hp.finishes == 1);
  CHECK(hp.status.message == "Finished 2 epochs.");
  CHECK(hp.status.loss_history.size() == 8);  // 2 epochs × 64/16 batches, every point arrived once
  CHECK(hp.status.test_acc_history.size() == 2);
  CHECK(hp.status.examples_seen == 128);
  // The last snapshot is the trainer's network after its last step: same steps, same predictions.
  Network shown = Network::load(hp.last_snapshot.data(), hp.last_snapshot.size());
  CHECK(shown.steps() == 8);
  CHECK(hp.status.steps == 8);
  // Pause while running: the reply has stopped and carries the weights of the last step.
  s.epochs = 100;
  hp.send({{"cmd", "start"}, {"settings", settings_to_json(s)}});
  for (int i = 0; i < 3; i++) hp.take(hp.host.work(2.0));
  const uint64_t pause = hp.send({{"cmd", "pause"}});
  CHECK(hp.status.acked == pause);
  CHECK(!hp.status.running);
  shown = Network::load(hp.last_snapshot.data(), hp.last_snapshot.size());
  CHECK(shown.steps() == hp.status.steps);
  // paused: whatever is left (an epoch's test evaluation, if those slices ended one) trains nothing
  const uint64_t paused_steps = hp.status.steps;
  hp.work_until_idle();
  CHECK(hp.status.steps == paused_steps);
  CHECK(!hp.host.busy());
  // Step: one batch, a snapshot with it.
  const int before = hp.snapshots;
  hp.send({{"cmd", "step"}, {"settings", settings_to_json(s)}});
  CHECK(hp.snapshots == before + 1);
  CHECK(Network::load(hp.last_snapshot.data(), hp.last_snapshot.size()).steps() == shown.steps() + 1);
}

TEST_CASE("trainer host: a new model is a new generation — the old run's reports are dropped, its commands ignored, no weights mixed") {
  HostAndPage hp;
  hp.host.report_interval_ms = 0, hp.host.snapshot_interval_ms = 0;
  hp.host.set_data(bar_data());
  Network first(kPresets[1].spec, 1), second(kPresets[1].spec, 2);
  hp.use(first, 1);
  TrainSettings s;
  s.epochs = 50, s.batch = 16, s.augment = false;
  hp.send({{"cmd", "start"}, {"settings", settings_to_json(s)}});
  for (int i = 0; i < 5; i++) hp.host.work(2.0);  // reports the page has not read yet …
  const TrainerReport in_flight = hp.host.work(2.0);
  hp.use(second, 2);  // … when the page puts another model in place
  CHECK(!hp.status.running);
  CHECK(hp.status.loss_history.empty());
  hp.take(in_flight);
  CHECK(hp.stale == 1);
  CHECK(hp.status.loss_history.empty());
  // a start of the old generation (sent before the page switched) is acknowledged and ignored
  const uint64_t old_start = hp.send({{"cmd", "start"}, {"gen", 1}, {"settings", settings_to_json(s)}});
  CHECK(hp.status.acked == old_start);
  CHECK(!hp.status.running);
  hp.work_until_idle();  // the evaluation of `second` only
  CHECK(hp.status.steps == 0);
  CHECK(hp.snapshots == 0);
  // the trainer's copy is `second`, untouched: its evaluation equals the engine's on `second`
  Dataset test = bars(20);
  CHECK(hp.status.last_eval.correct == evaluate(second, test).correct);
}

TEST_CASE("trainer host: a diverging run stops with the engine's message and sends back the last sane weights") {
  HostAndPage hp;
  hp.host.report_interval_ms = 0, hp.host.snapshot_interval_ms = 1e9;  // snapshots only at events
  hp.host.set_data(bar_data());
  Network net(kPresets[1].spec, 1);
  hp.use(net, 1);
  TrainSettings s;
  s.lr = 1000.0f, s.batch = 16, s.augment = false;
  hp.send({{"cmd", "start"}, {"settings", settings_to_json(s)}});
  hp.work_until_idle();
  CHECK(hp.failures == 1);
  CHECK(!hp.status.running);
  CHECK(hp.status.error.find("Training stopped: training diverged") == 0);
  REQUIRE(!hp.last_snapshot.empty());
  Network shown = Network::load(hp.last_snapshot.data(), hp.last_snapshot.size());
  std::vector<float> probs(10);
  std::vector<float> image(784, 0.5f);
  shown.predict(image.data(), 1, probs.data());
  CHECK(std::all_of(probs.begin(), probs.end(), [](float p) { return std::isfinite(p); }));
}

TEST_CASE("train settings: JSON round trip; out-of-range or wrong-typed fields keep their defaults") {
  TrainSettings s;
  s.optimizer = 1, s.lr = 0.003f, s.batch = 48, s.epochs = 12, s.schedule = 1, s.cosine_min = 0.05f, s.augment = false;
  const TrainSettings back = settings_from_json(nlohmann::json::parse(settings_to_json(s).dump()));
  CHECK(back.optimizer == 1);
  CHECK(back.lr == doctest::Approx(0.003f));
  CHECK(back.batch == 48);
  CHECK(back.epochs == 12);
  CHECK(back.schedule == 1);
  CHECK(back.cosine_min == doctest::Approx(0.05f));
  CHECK(!back.augment);
  const TrainSettings bad = settings_from_json({{"batch", 0}, {"lr", "fast"}, {"schedule", 7}, {"epochs", -1}});
  CHECK(bad.batch == TrainSettings{}.batch);
  CHECK(bad.lr == TrainSettings{}.lr);
  CHECK(bad.schedule == TrainSettings{}.schedule);
  CHECK(bad.epochs == TrainSettings{}.epochs);
}

TEST_CASE("data asset: four IDX files in one; truncation and a wrong count are Errors") {
  auto train_images = idx_file({2, 2, 2}, {0, 255, 128, 0, 1, 2, 3, 4});
  auto train_labels = idx_file({2}, {3, 7});
  auto test_images = idx_file({1, 2, 2}, {9, 9, 9, 9});
  auto test_labels = idx_file({1}, {1});
  std::vector<uint8_t> asset;
  auto u32 = [&](uint32_t v) { asset.insert(asset.end(), {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)}); };
  u32(4);
  for (auto* f : {&train_images, &train_labels, &test_images, &test_labels}) u32((uint32_t)f->size());
  for (auto* f : {&train_images, &train_labels, &test_images, &test_labels}) asset.insert(asset.end(), f->begin(), f->end());
  TrainTestData d = parse_dataset_asset(asset.data(), asset.size(), "asset");
  CHECK(d.train.n == 2);
  CHECK(d.train.h == 2);
  CHECK(d.train.labels[1] == 7);
  float second[4];
  d.train.images(0, 1, second);
  CHECK(second[1] == doctest::Approx(1.0f));
  CHECK(d.train.pixels[2] == 128);
  CHECK(d.class_names.empty());   // four files: MNIST's digits, unnamed
  CHECK(d.preprocess == Preprocess::Digit);
  CHECK(d.test.n == 1);
  CHECK_THROWS_AS(parse_dataset_asset(asset.data(), asset.size() - 1, "asset"), Error);
  CHECK_THROWS_AS(parse_dataset_asset(asset.data(), 10, "asset"), Error);
  asset[0] = 3;
  CHECK_THROWS_WITH_AS(parse_dataset_asset(asset.data(), asset.size(), "asset"), "asset: expected 4 or 5 files", Error);
}

TEST_CASE("data asset, five files: class names and preprocessing travel with it; pack and parse agree") {
  TrainTestData d;
  d.name = "Fashion-MNIST";
  d.class_names = {"T-shirt/top", "Trouser", "Bag"};
  d.preprocess = Preprocess::Fill;
  d.train = bars(6);
  d.test = bars(2);
  d.test.labels[1] = 2;
  const auto asset = pack_dataset_asset(d);
  TrainTestData back = parse_dataset_asset(asset.data(), asset.size(), "fashion.bin");
  CHECK(back.name == "Fashion-MNIST");
  CHECK(back.class_names == d.class_names);
  CHECK(back.preprocess == Preprocess::Fill);
  CHECK(back.train.pixels == d.train.pixels);
  CHECK(back.test.labels == d.test.labels);
  // a label beyond the named classes is refused, naming the asset
  d.class_names = {"a", "b"};
  const auto bad = pack_dataset_asset(d);
  CHECK_THROWS_WITH(parse_dataset_asset(bad.data(), bad.size(), "fashion.bin"),
                    "fashion.bin: a label is 2, but there are only 2 classes");
}

namespace {
std::vector<float> blob(int y, int x) {
  std::vector<float> in(784, 0.0f);
  in[(size_t)y * 28 + x] = 1.0f;
  return in;
}
}  // namespace

TEST_CASE("my examples: add, relabel, delete, rename; every 5th is held out; why training cannot start") {
  MyExamples m;
  CHECK(m.names == std::vector<std::string>{"circle", "cross", "line"});
  CHECK(cannot_train_classes(m.split().train, m.names, 8) == "the class \"circle\" has no examples yet");
  for (int k = 0; k < 10; k++)
    for (int c = 0; c < 3; c++) m.add(blob(c, k).data(), c);
  CHECK(m.count() == 30);
  CHECK(m.count_of(1) == 10);
  CHECK(m.pixels[(size_t)3 * 784 + 0 * 28 + 1] == 255);  // example 3: class 0, pixel (0, 1)
  TrainTestData d = m.split();
  CHECK(d.train.n == 24);
  CHECK(d.test.n == 6);  // the 5th and 10th of each class
  CHECK(d.class_names == m.names);
  CHECK(cannot_train_classes(m.split().train, m.names, 24) == "");
  CHECK(cannot_train_classes(m.split().train, m.names, 32) == "24 training examples are fewer than the batch size (32): add examples or make the batch at most 24");
  m.relabel(0, 2);
  CHECK(m.count_of(2) == 11);
  m.remove(0);
  CHECK(m.count() == 29);
  CHECK(m.count_of(2) == 10);
  CHECK_THROWS_WITH(m.rename(1, "line"), "there is already a class named \"line\"");
  m.rename(1, "star");
  CHECK(m.names[1] == "star");
  m.add_class("letter A");
  CHECK(m.names.size() == 4);
  CHECK(cannot_train_classes(m.split().train, m.names, 8) == "the class \"letter A\" has no examples yet");
  m.remove_class(1);  // "star" and its examples go; "line" becomes class 1
  CHECK(m.names == std::vector<std::string>{"circle", "line", "letter A"});
  CHECK(m.count() == 19);
  CHECK(m.count_of(1) == 10);
  m.remove_class(2);
  CHECK_THROWS_WITH(m.remove_class(0), "a classifier needs at least 2 classes");
  CHECK_THROWS_AS(m.add(blob(0, 0).data(), 5), Error);
  CHECK_THROWS_AS(m.rename(0, ""), Error);
}

TEST_CASE("my examples: IDX export and import round trip; bad files change nothing") {
  MyExamples m;
  for (int k = 0; k < 7; k++) m.add(blob(k, 2 * k).data(), k % 3);
  const auto images = m.images_idx(), labels = m.labels_idx();
  MyExamples other;
  other.import_idx(images.data(), images.size(), "mine-images.idx3-ubyte", labels.data(), labels.size(), "mine-labels.idx1-ubyte");
  CHECK(other.pixels == m.pixels);
  CHECK(other.labels == m.labels);
  // names travel as JSON next to the examples
  m.rename(2, "star");
  other.set_names_json(m.names_json());
  CHECK(other.names == m.names);
  CHECK_THROWS_AS(other.set_names_json("[\"only one\"]"), Error);
  CHECK_THROWS_AS(other.set_names_json("{not json"), Error);
  CHECK(other.names == m.names);

  auto wrong_magic = images;
  wrong_magic[0] = 1;
  CHECK_THROWS_WITH(other.import_idx(wrong_magic.data(), wrong_magic.size(), "a.idx", labels.data(), labels.size(), "b.idx"),
                    "a.idx: not an IDX file (bad magic)");
  auto short_labels = idx_bytes({6}, m.labels.data());
  CHECK_THROWS_WITH(other.import_idx(images.data(), images.size(), "a.idx", short_labels.data(), short_labels.size(), "b.idx"),
                    "a.idx and b.idx disagree: 7 images, 6 labels");
  auto truncated = images;
  truncated.pop_back();
  CHECK_THROWS_AS(other.import_idx(truncated.data(), truncated.size(), "a.idx", labels.data(), labels.size(), "b.idx"), Error);
  std::vector<uint8_t> high = m.labels;
  high[3] = 9;
  auto high_labels = idx_bytes({7}, high.data());
  CHECK_THROWS_WITH(other.import_idx(images.data(), images.size(), "a.idx", high_labels.data(), high_labels.size(), "b.idx"),
                    "b.idx: label 9 of example 3 is not one of the 3 classes");
  std::vector<uint8_t> px(2 * 10 * 10);
  auto small = idx_bytes({2, 10, 10}, px.data());
  auto two = idx_bytes({2}, m.labels.data());
  CHECK_THROWS_WITH(other.import_idx(small.data(), small.size(), "a.idx", two.data(), two.size(), "b.idx"),
                    "a.idx: its images are 10×10; the drawing pad's examples are 28×28");
  CHECK(other.pixels == m.pixels);  // every refusal left the examples as they were
  CHECK(other.labels == m.labels);
}

TEST_CASE("a network for my classes: the head follows the class count; fine-tuning keeps the other layers; freeze keeps the features") {
  Network mnist(kPresets[0].spec, 1);
  const std::vector<std::string> names = {"circle", "cross", "line"};
  Network fresh = network_for_classes(mnist.spec(), names, 7);
  CHECK(fresh.classes() == 3);
  CHECK(fresh.class_names() == names);
  Network tuned = network_for_classes(mnist.spec(), names, 7, &mnist);
  const size_t features = feature_layers(tuned.spec());
  REQUIRE(features > 0);
  for (size_t i = 0; i < tuned.info().size(); i++) {
    ParamView a = tuned.weights(i), b = mnist.weights(i);
    if (a.count == 0) continue;
    INFO("layer " << i);
    const bool same = a.count == b.count && std::equal(a.data, a.data + a.count, b.data);
    CHECK(same == (i + 1 < tuned.info().size()));  // all but the resized head
  }
  // freeze: a step changes only the layers from the first dense one on
  Dataset three = bars(8);
  TrainSettings s;
  s.freeze_features = true, s.batch = 8, s.augment = false;
  Trainer t;
  t.settings = s;
  t.set_data(&three, &three);
  const std::vector<float> before(tuned.weights(0).data, tuned.weights(0).data + tuned.weights(0).count);
  const size_t head = tuned.info().size() - 1;
  const std::vector<float> head_before(tuned.weights(head).data, tuned.weights(head).data + tuned.weights(head).count);
  CHECK(!t.step_batch(tuned).failed);
  CHECK(std::equal(before.begin(), before.end(), tuned.weights(0).data));
  CHECK(!std::equal(head_before.begin(), head_before.end(), tuned.weights(head).data));
  CHECK(tuned.frozen_layers() == features);
  t.settings.freeze_features = false;
  CHECK(!t.step_batch(tuned).failed);
  CHECK(!std::equal(before.begin(), before.end(), tuned.weights(0).data));
  CHECK_THROWS_WITH(network_for_classes(parse_spec(R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":3,"kernel":28}]})"), names, 1),
                    "this network has no dense layer to give one score per class");
}

TEST_CASE("a shared setup: every preset and its training settings through a link, and every damaged link refused by name") {
  for (const Preset& p : kPresets) {
    TrainSettings t;
    t.optimizer = 1, t.lr = 0.003f, t.batch = 32, t.epochs = 7, t.schedule = 1, t.step_epochs = 2, t.step_gamma = 0.25f;
    t.augment = false, t.seed = 42;
    const NetworkSpec spec = parse_spec(p.spec);
    const std::string link = setup_fragment(spec, t);
    CHECK(link.rfind("setup=1.", 0) == 0);
    CHECK(link.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=") == std::string::npos);
    const Setup back = parse_setup_fragment("#" + link);
    CHECK(spec_to_json(back.spec) == spec_to_json(spec));
    CHECK(settings_to_json(back.settings) == settings_to_json(t));
  }
  const std::string good = setup_fragment(parse_spec(kPresets[1].spec), TrainSettings{});
  // a version-1 link whose setup is `json`
  auto damaged = [](const std::string& json) { return "setup=1." + base64url_encode(json); };
  CHECK_THROWS_WITH(parse_setup_fragment("#model=3"), "the link does not carry a setup (it should end in #setup=…)");
  CHECK_THROWS_WITH(parse_setup_fragment("setup=2.abc"), "the link's setup is version 2; this page reads version 1");
  CHECK_THROWS_WITH(parse_setup_fragment("setup=abc"), "the link's setup has no version");
  CHECK_THROWS_WITH(parse_setup_fragment("setup=1.ab!c"), "the link is damaged (\"!\" is not a base64url character)");
  CHECK_THROWS_WITH(parse_setup_fragment(good.substr(0, good.size() / 2)),
                    "the link is damaged (its setup is not the JSON of a spec and training settings)");
  CHECK_THROWS_WITH(parse_setup_fragment("setup=1." + std::string(9000, 'A')),
                    "the link's setup has 9008 characters, more than a setup can have (8192)");
  CHECK_THROWS_WITH(parse_setup_fragment(damaged(R"({"spec":{"layers":[{"type":"conv2d","filters":4,"kernel":40},{"type":"dense","units":10}]},"train":{}})")),
                    doctest::Contains("layer 1 (conv2d): output height"));
  CHECK_THROWS_WITH(parse_setup_fragment(damaged(R"({"spec":{"layers":[{"type":"dense","units":10}]},"train":{"lr":-1}})")),
                    "the training setting \"lr\" = -1 is not a number in 0..1000");
  CHECK_THROWS_WITH(parse_setup_fragment(damaged(R"({"spec":{"layers":[{"type":"dense","units":10}]},"train":{"epochs":"many"}})")),
                    "the training setting \"epochs\" = \"many\" is not a number in 1..1000000");
  CHECK_THROWS_WITH(parse_setup_fragment(damaged(R"({"spec":{"layers":[{"type":"dense","units":10}]},"train":{"speed":3}})")),
                    "\"speed\" is not a training setting");
  // a minimal setup: the settings not given keep their defaults
  const Setup minimal = parse_setup_fragment(damaged(R"({"spec":{"layers":[{"type":"dense","units":10}]},"train":{"epochs":3}})"));
  CHECK(minimal.settings.epochs == 3);
  CHECK(minimal.settings.lr == TrainSettings{}.lr);
  // the page's own settings parser stays lenient (a trainer command with a bad field keeps the default)
  CHECK(settings_from_json(nlohmann::json{{"lr", -1}}).lr == TrainSettings{}.lr);
}

TEST_CASE("the theme: WCAG contrast as defined, and every text colour on every background it is drawn on reads at 4.5:1") {
  // the definition's fixed points, and its usual example: #767676 on white is the lightest grey
  // that passes 4.5:1
  CHECK(contrast_ratio({0, 0, 0}, {1, 1, 1}) == doctest::Approx(21.0).epsilon(1e-4));
  CHECK(contrast_ratio({1, 1, 1}, {0, 0, 0}) == doctest::Approx(21.0).epsilon(1e-4));
  CHECK(contrast_ratio(palette::kText, palette::kText) == doctest::Approx(1.0));
  const float grey = 0x76 / 255.0f, lighter = 0x77 / 255.0f;
  CHECK(contrast_ratio({grey, grey, grey}, {1, 1, 1}) == doctest::Approx(4.54).epsilon(0.002));
  CHECK(contrast_ratio({lighter, lighter, lighter}, {1, 1, 1}) < kMinTextContrast);
  const auto pairs = text_on_backgrounds();
  CHECK(pairs.size() >= 30);
  for (const TextOnBackground& p : pairs) {
    INFO(p.text_name, " on ", p.background_name, ": ", contrast_ratio(p.text, p.background));
    CHECK(contrast_ratio(p.text, p.background) >= kMinTextContrast);
  }
}

TEST_CASE("colour scales: the stops at their values, linear between, clamped outside, luminance in order") {
  auto same = [](Rgb a, Rgb b) { return std::fabs(a.r - b.r) < 1e-6f && std::fabs(a.g - b.g) < 1e-6f && std::fabs(a.b - b.b) < 1e-6f; };
  const float s = 0.37f;
  const ColormapStops d = colormap_stops(Colormap::Diverging), q = colormap_stops(Colormap::Sequential);
  CHECK(same(colormap_rgb(Colormap::Diverging, -s, s), d.low));
  CHECK(same(colormap_rgb(Colormap::Diverging, 0, s), d.mid));
  CHECK(same(colormap_rgb(Colormap::Diverging, s, s), d.high));
  CHECK(same(colormap_rgb(Colormap::Diverging, -s / 2, s), mix(d.low, d.mid, 0.5f)));
  CHECK(same(colormap_rgb(Colormap::Diverging, 5 * s, s), d.high));  // beyond the scale: its end
  CHECK(same(colormap_rgb(Colormap::Diverging, NAN, s), d.low));      // never a colour off the scale
  CHECK(same(colormap_rgb(Colormap::Sequential, 0, s), q.low));
  CHECK(same(colormap_rgb(Colormap::Sequential, -s, s), q.low));
  CHECK(same(colormap_rgb(Colormap::Sequential, s / 2, s), q.mid));
  CHECK(same(colormap_rgb(Colormap::Sequential, 0.75f * s, s), mix(q.mid, q.high, 0.5f)));
  CHECK(same(colormap_rgb(Colormap::Gray, 0.25f, 1), Rgb{0.25f, 0.25f, 0.25f}));
  // a count written on any colour of either scale reads at 4.5:1 (the confusion matrix)
  for (int k = -100; k <= 100; k++)
    for (Colormap map : {Colormap::Sequential, Colormap::Diverging}) {
      const Rgb cell = colormap_rgb(map, k / 100.0f * s, s);
      CHECK(contrast_ratio(ink_on(cell), cell) >= kMinTextContrast);
    }
  // sequential: brighter with the value; diverging: darker away from zero, on both sides
  for (int k = 1; k <= 20; k++) {
    const float v0 = (k - 1) / 20.0f * s, v1 = k / 20.0f * s;
    CHECK(relative_luminance(colormap_rgb(Colormap::Sequential, v1, s)) > relative_luminance(colormap_rgb(Colormap::Sequential, v0, s)));
    CHECK(relative_luminance(colormap_rgb(Colormap::Diverging, v1, s)) < relative_luminance(colormap_rgb(Colormap::Diverging, v0, s)));
    CHECK(relative_luminance(colormap_rgb(Colormap::Diverging, -v1, s)) < relative_luminance(colormap_rgb(Colormap::Diverging, -v0, s)));
  }
}

TEST_CASE("plot_columns: one entry per pixel column, every point inside its column's range") {
  // 5,000 noisy points with one spike, on 300 columns
  std::vector<float> y(5000);
  uint32_t state = 7;
  for (float& v : y) state = state * 1664525u + 1013904223u, v = 0.5f + (float)(state >> 8) / (1u << 24) * 0.1f;
  y[2345] = 3.0f;
  y[100] = std::nanf("");
  const double x0 = 0.064, dx = 0.064, x_lo = 0, x_hi = 5000 * 0.064;
  const int width = 300;
  const std::vector<convlab::PlotColumn> cols = convlab::plot_columns(y.data(), (int)y.size(), x0, dx, x_lo, x_hi, width);
  REQUIRE(cols.size() == (size_t)width);
  for (size_t i = 1; i < cols.size(); i++) CHECK(cols[i].column > cols[i - 1].column);
  // each finite point is within the range of the column its x falls in; the mean is the mean of those
  std::vector<double> sum(width, 0);
  std::vector<int> n(width, 0);
  std::vector<float> last(width, 0);
  for (int k = 0; k < (int)y.size(); k++) {
    if (!std::isfinite(y[k])) continue;
    const int c = std::min(width - 1, (int)((x0 + k * dx - x_lo) / (x_hi - x_lo) * width));
    const convlab::PlotColumn& col = cols[c];
    REQUIRE(col.column == c);
    CHECK(y[k] >= col.lo);
    CHECK(y[k] <= col.hi);
    sum[c] += y[k], n[c]++, last[c] = y[k];
  }
  for (const convlab::PlotColumn& col : cols) {
    CHECK(col.mean == doctest::Approx(sum[col.column] / n[col.column]).epsilon(1e-6));
    CHECK(col.last == last[col.column]);
  }
  // the spike is a column's top: drawing every 16th point would have skipped it
  CHECK(std::count_if(cols.begin(), cols.end(), [](const convlab::PlotColumn& c) { return c.hi == 3.0f; }) == 1);
  // points outside the frame are left out; no columns without a frame
  CHECK(convlab::plot_columns(y.data(), 10, -100, 1, 0, 1000, 100).empty());
  CHECK(convlab::plot_columns(y.data(), 10, 0, 1, 0, 0, 100).empty());
  CHECK(convlab::plot_columns(y.data(), 10, 0, 1, 0, 10, 0).empty());
}

// ---- damage tracking (web/gfx/damage.h) ----

namespace {
using convlab::DamageRect;
using convlab::DamageTracker;
struct Quad {
  float x0, y0, x1, y1;
  uint64_t content;
};
std::vector<DamageRect> frame(DamageTracker& t, int w, int h, const std::vector<Quad>& quads) {
  t.begin(w, h);
  for (const Quad& q : quads) t.add(q.x0, q.y0, q.x1, q.y1, q.content);
  return t.end();
}
bool covers(const std::vector<DamageRect>& rects, int x, int y) {
  return std::any_of(rects.begin(), rects.end(), [&](const DamageRect& r) { return x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1; });
}
}  // namespace

TEST_CASE("damage: the first frame, a new size and invalidate() redraw everything; an unchanged frame nothing") {
  DamageTracker t;
  const std::vector<Quad> ui = {{0, 0, 300, 200, 1}, {50, 50, 60, 60, 2}};
  auto all = frame(t, 300, 200, ui);
  REQUIRE(all.size() == 1);
  CHECK(all[0].x0 == 0);
  CHECK(all[0].y0 == 0);
  CHECK(all[0].x1 == 300);  // clipped to the canvas, not to whole tiles
  CHECK(all[0].y1 == 200);
  CHECK(t.dirty_pixels() == 300 * 200);
  CHECK(frame(t, 300, 200, ui).empty());
  CHECK(t.dirty_pixels() == 0);
  CHECK(frame(t, 310, 200, ui).size() == 1);
  CHECK(t.dirty_pixels() == 310 * 200);
  t.invalidate();
  CHECK(t.dirty_pixels() == 310 * 200);  // of the frame before; the next one is all dirty
  CHECK(frame(t, 310, 200, ui).size() == 1);
  CHECK(frame(t, 310, 200, ui).empty());
}

TEST_CASE("damage: what changed is redrawn, where it was and where it is, and nothing far from it") {
  DamageTracker t;
  const int k = DamageTracker::kTile;
  frame(t, 640, 480, {{0, 0, 640, 480, 1}, {100, 100, 110, 110, 2}, {400, 300, 420, 310, 3}});
  SUBCASE("a colour changes") {
    auto r = frame(t, 640, 480, {{0, 0, 640, 480, 1}, {100, 100, 110, 110, 99}, {400, 300, 420, 310, 3}});
    CHECK(covers(r, 100, 100));
    CHECK(covers(r, 109, 109));
    CHECK_FALSE(covers(r, 405, 305));
    CHECK_FALSE(covers(r, 0, 0));
    CHECK(t.dirty_pixels() <= 4 * k * k);  // the tiles around it, with the one-pixel margin
  }
  SUBCASE("a quad moves: both places") {
    auto r = frame(t, 640, 480, {{0, 0, 640, 480, 1}, {200, 20, 210, 30, 2}, {400, 300, 420, 310, 3}});
    CHECK(covers(r, 105, 105));
    CHECK(covers(r, 205, 25));
    CHECK_FALSE(covers(r, 405, 305));
  }
  SUBCASE("the same two overlapping things drawn in the other order (blending depends on it)") {
    frame(t, 640, 480, {{0, 0, 640, 480, 1}, {100, 100, 110, 110, 2}, {105, 105, 115, 115, 4}});
    CHECK(frame(t, 640, 480, {{0, 0, 640, 480, 1}, {100, 100, 110, 110, 2}, {105, 105, 115, 115, 4}}).empty());
    auto r = frame(t, 640, 480, {{0, 0, 640, 480, 1}, {105, 105, 115, 115, 4}, {100, 100, 110, 110, 2}});
    CHECK(covers(r, 107, 107));
  }
  SUBCASE("a pixel just outside a quad's edge is redrawn with it (a triangle reaches the pixels its edge crosses)") {
    frame(t, 640, 480, {{0, 0, 640, 480, 1}, {0, 0, (float)k - 0.5f, 10, 7}});
    auto r = frame(t, 640, 480, {{0, 0, 640, 480, 1}, {0, 0, (float)k - 0.5f, 10, 8}});
    CHECK(covers(r, k, 5));
  }
}

TEST_CASE("damage: dirty tiles merge into few rectangles; too many become their bounding box") {
  DamageTracker t;
  const int k = DamageTracker::kTile;
  std::vector<Quad> base = {{0, 0, 1280, 800, 1}};
  frame(t, 1280, 800, base);
  // a column of changed tiles (a progress bar's end, a plot) → one rectangle
  auto column = base;
  column.push_back({5.0f * k + 4, 2.0f * k + 4, 6.0f * k - 4, 9.0f * k - 4, 5});
  auto r = frame(t, 1280, 800, column);
  REQUIRE(r.size() == 1);
  CHECK(r[0].x0 == 5 * k);
  CHECK(r[0].x1 == 6 * k);
  CHECK(r[0].y0 == 2 * k);
  CHECK(r[0].y1 == 9 * k);
  // two separate places → two rectangles, each of the tiles there
  frame(t, 1280, 800, base);
  auto two = base;
  two.push_back({4.0f * k + 4, 4.0f * k + 4, 5.0f * k - 4, 5.0f * k - 4, 6});
  two.push_back({20.0f * k + 4, 20.0f * k + 4, 21.0f * k - 4, 21.0f * k - 4, 7});
  r = frame(t, 1280, 800, two);
  CHECK(r.size() == 2);
  CHECK(t.dirty_pixels() == 2 * k * k);
  // a checkerboard of changes → the bounding box
  frame(t, 1280, 800, base);
  auto many = base;
  for (int i = 0; i < 2 * DamageTracker::kMaxRects; i++)
    many.push_back({(2.0f * (i % 10) + 1) * k + 4, (2.0f * (i / 10) + 1) * k + 4, (2.0f * (i % 10) + 2) * k - 4,
                    (2.0f * (i / 10) + 2) * k - 4, (uint64_t)(100 + i)});
  r = frame(t, 1280, 800, many);
  REQUIRE(r.size() == 1);
  CHECK(r[0].x0 == k);
  CHECK(r[0].y0 == k);
  CHECK(r[0].x1 == 20 * k);
  CHECK(r[0].y1 == 10 * k);
  // every changed tile lies in some rectangle, whatever the pattern
  for (int trial = 0; trial < 20; trial++) {
    frame(t, 1280, 800, base);
    auto some = base;
    uint64_t s = 12345 + trial;
    std::vector<std::pair<int, int>> changed;
    for (int i = 0; i < 12; i++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      const int c = (int)((s >> 33) % 40), row = (int)((s >> 13) % 25);
      changed.push_back({c, row});
      some.push_back({(float)c * k + 4, (float)row * k + 4, (float)(c + 1) * k - 4, (float)(row + 1) * k - 4, 1000 + s});
    }
    r = frame(t, 1280, 800, some);
    for (auto [c, row] : changed) CHECK(covers(r, c * k + k / 2, row * k + k / 2));
    for (size_t i = 0; i < r.size(); i++)
      for (size_t j = i + 1; j < r.size(); j++)  // disjoint: no pixel is drawn twice
        CHECK((r[i].x1 <= r[j].x0 || r[j].x1 <= r[i].x0 || r[i].y1 <= r[j].y0 || r[j].y1 <= r[i].y0));
  }
}

TEST_CASE("damage: hash_bytes depends on every byte and on the seed") {
  unsigned char a[21] = {};
  const uint64_t h = convlab::hash_bytes(a, sizeof a, 1);
  CHECK(h == convlab::hash_bytes(a, sizeof a, 1));
  CHECK(h != convlab::hash_bytes(a, sizeof a, 2));
  CHECK(h != convlab::hash_bytes(a, 20, 1));
  for (size_t i = 0; i < sizeof a; i++) {
    a[i] = 1;
    CHECK(convlab::hash_bytes(a, sizeof a, 1) != h);
    a[i] = 0;
  }
}
