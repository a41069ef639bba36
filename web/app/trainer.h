// The page's training scheduler without any UI: settings, start/pause/step, training and test
// evaluation in slices of a time budget, the loss and accuracy history, and what the page must do
// after a slice (redraw, keep the model). Pure logic: builds natively and is tested with doctest.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets.h"
#include "idx.h"
#include "network.h"
#include "train.h"

namespace convlab {

// The defaults are what Start on fresh weights of the default network uses: 25 epochs of the
// 8,000 digits with a cosine schedule to 0 and weight decay 5e-4 — 98.60–99.00% on the 2,000 test
// digits at the end (eight seeds, CLI; mean 98.78%, against 98.69% after 15 epochs and 98.69% after
// 20), and ≥ 98.5% for every seed from epoch 18 on. The page ran the 25 in 36–45 s on two cores
// without a GPU (README, "Performance", compares this recipe with others).
struct TrainSettings {
  int optimizer = 0;  // 0 SGD, 1 Adam
  float lr = 0.08f, momentum = 0.9f, weight_decay = 5e-4f;
  bool nesterov = false;
  int batch = 64, epochs = 25, seed = 1;
  bool augment = true;
  float shift_px = 1.5f, rotate_deg = 6.0f;
  int schedule = 2;               // 0 constant, 1 step, 2 cosine (over the run's epochs)
  int step_epochs = 3;            // step: every this many epochs …
  float step_gamma = 0.5f;        // … the learning rate × this
  float cosine_min = 0.0f;        // cosine: down to lr × this at the last epoch
  bool freeze_features = false;   // only the dense head learns (feature_layers() keep their weights)
};
// What Start uses on a user's few examples (tens per class): small batches, a gentler rate, more
// epochs and stronger augmentation — the MNIST recipe diverges on 20 examples.
TrainSettings few_examples_settings();
// The optimizer for a run that starts at network step `start` with `steps_per_epoch` batches.
OptimizerConfig optimizer_of(const TrainSettings& s, uint64_t start, uint64_t steps_per_epoch);

// Empty when `net` can train on `train`, else why not.
std::string cannot_train(const Network& net, const Dataset* train);

// The layers before the first dense layer: the features that "freeze" keeps (0 when it has none).
size_t feature_layers(const NetworkSpec& spec);
// A network for these classes: `spec` with its last dense layer giving names.size() scores, fresh
// weights from `seed`; with keep_weights, every layer whose weights have the same shape in `from`
// (all of them but a resized head) starts from `from`'s weights — fine-tuning. Throws Error.
Network network_for_classes(const NetworkSpec& spec, const std::vector<std::string>& names, uint64_t seed,
                            Network* from = nullptr);  // only read

// What a slice of work did, for the page to act on.
struct TrainerUpdate {
  bool model_changed = false;  // weights changed, or forward passes replaced the drawing's activations
  bool epoch_ended = false;    // an epoch ended (the model is worth keeping)
  bool finished = false;       // the run's last epoch ended
  bool failed = false;         // training stopped with an error (see Trainer::error)
};

class Trainer {
 public:
  TrainSettings settings;
  // Every batch's loss; the train and test accuracy of every epoch.
  std::vector<float> loss_history, train_acc_history, test_acc_history;
  float last_loss = 0.0f, examples_per_s = 0.0f;
  Evaluation last_eval;
  bool have_eval = false;
  int evaluated_epoch = -1;     // completed epochs when last_eval was taken
  uint64_t eval_version = 0;    // grows with every finished evaluation
  std::string error, message;   // why training stopped; "Finished N epochs."

  void set_data(const Dataset* train, const Dataset* test) { train_ = train, test_ = test; }
  bool has_data() const { return train_ && test_; }
  const Dataset* test_data() const { return test_; }
  std::string cannot_train(const Network& net) const { return convlab::cannot_train(net, train_); }
  // A new model: progress and history go, the settings stay; an evaluation of it starts.
  void reset();
  void start(const Network& net);
  float current_lr(const Network& net) const;  // the rate of the next step
  void pause() { running_ = false; }
  bool running() const { return running_; }
  bool evaluating() const { return eval_ != nullptr; }
  const TrainingRun* run() const { return run_.get(); }
  // One batch now (the Step button), whether running or not.
  TrainerUpdate step_batch(Network& net);
  // Trains while running and evaluates, for about budget_ms. An epoch's test evaluation runs
  // first and alone, so that its accuracy is that of one set of weights.
  TrainerUpdate work(Network& net, double budget_ms);
  void start_evaluation(bool ends_epoch = false);

 private:
  void ensure_run(Network& net);
  const Dataset* train_ = nullptr;
  const Dataset* test_ = nullptr;
  std::unique_ptr<TrainingRun> run_;
  std::unique_ptr<EvaluationRun> eval_;
  bool eval_ends_epoch_ = false, running_ = false;
  uint64_t schedule_start_ = 0;  // the network's step count when the run started
  bool schedule_started_ = false;
  double train_ms_ = 0.0;       // time in training steps since Start
  uint64_t examples_at_start_ = 0;
  int epoch_correct_ = 0, epoch_seen_ = 0;
};

// ---- training off the UI thread ----
// The page's UI thread never trains. A TrainerHost — in a Web Worker (web/app/worker.cpp,
// web/trainer_worker.js) — owns the training copy of the network and the data, answers commands
// and sends reports; the page keeps a TrainerStatus from those reports, and its own network is the
// last weight snapshot a report carried (a whole model file, loaded between frames: a prediction
// never sees half-updated weights). Both sides speak JSON (+ model-file bytes), tested natively.
//
// Every model the page puts in place opens a new generation; commands and reports carry it, and
// the page drops reports of an older one — so a model loaded mid-training never mixes with the
// weights of the run it replaced, and the page never waits for the trainer to stop.

nlohmann::json settings_to_json(const TrainSettings& s);
// Missing fields keep their defaults; out-of-range or unknown ones too, or with `strict` an Error
// naming the field (a shared link must not change silently).
TrainSettings settings_from_json(const nlohmann::json& j, bool strict = false);

// What the page knows of the trainer, from its reports.
struct TrainerStatus {
  uint64_t generation = 0;  // of the model the reports are about
  uint64_t acked = 0;       // the last command the trainer has finished
  bool running = false, evaluating = false, has_run = false;
  int epoch = 0, position = 0, epochs = 0, threads = 1;
  uint64_t examples_seen = 0, steps = 0;
  float last_loss = 0.0f, examples_per_s = 0.0f, lr = 0.0f;
  std::vector<float> loss_history, train_acc_history, test_acc_history;
  Evaluation last_eval;
  bool have_eval = false;
  int evaluated_epoch = -1;
  uint64_t eval_version = 0;
  std::string error, message;
};

// What a report asks the page to do besides updating its status.
struct ReportEvents {
  bool stale = false;         // of an older generation: ignored
  bool epoch_ended = false, finished = false, failed = false;
};
// Applies a report to `status` (loss points append; the evaluation is replaced when it is new).
ReportEvents apply_report(TrainerStatus& status, const nlohmann::json& report);

struct TrainerReport {
  nlohmann::json json;
  std::vector<uint8_t> snapshot;  // a model file of the current weights, or empty
};

class TrainerHost {
 public:
  // Reports go out at most this often while training, snapshots of the weights at most this often
  // (and always at an epoch's end, a pause, a step, the end of the run and after a failure).
  double report_interval_ms = 100.0, snapshot_interval_ms = 250.0;

  void set_data(TrainTestData data);
  // Handles one command {"cmd", "id", "gen", …} (+ a model file for "model") between two slices of
  // work; the reply acknowledges it. Commands of an older generation are acknowledged and ignored.
  //   model {gen, threads}  use this model (bytes): training stops, an evaluation of it starts
  //   start {settings}      train until the run's epochs are done (Resume keeps the run)
  //   pause | step {settings} | evaluate
  TrainerReport command(const nlohmann::json& cmd, const uint8_t* bytes, size_t size);
  bool busy() const { return net_ && (trainer_.running() || trainer_.evaluating()); }
  // Trains or evaluates for about budget_ms; returns a report when one is due (`json` null if not).
  TrainerReport work(double budget_ms);

 private:
  TrainerReport report(bool snapshot);
  std::unique_ptr<TrainTestData> data_;
  std::unique_ptr<Network> net_;
  Trainer trainer_;
  uint64_t generation_ = 0, acked_ = 0, sent_eval_version_ = ~0ull;
  size_t sent_loss_ = 0;
  int threads_ = 1;
  bool weights_changed_ = false;
  double last_report_ms_ = -1e18, last_snapshot_ms_ = -1e18;
  ReportEvents pending_;  // events since the last report
};

}  // namespace convlab
