// The page's training scheduler without any UI: settings, start/pause/step, training and test
// evaluation in slices of a time budget, the loss and accuracy history, and what the page must do
// after a slice (redraw, keep the model). Pure logic: builds natively and is tested with doctest.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "idx.h"
#include "network.h"
#include "train.h"

namespace convlab {

struct TrainSettings {
  int optimizer = 0;  // 0 SGD, 1 Adam
  float lr = 0.02f, momentum = 0.9f, weight_decay = 0.0f;
  bool nesterov = false;
  int batch = 16, epochs = 5, seed = 1;
  bool augment = true;
  float shift_px = 2.0f, rotate_deg = 10.0f;
  int schedule = 0;               // 0 constant, 1 step, 2 cosine (over the run's epochs)
  int step_epochs = 3;            // step: every this many epochs …
  float step_gamma = 0.5f;        // … the learning rate × this
  float cosine_min = 0.02f;       // cosine: down to lr × this at the last epoch
};
// The optimizer for a run that starts at network step `start` with `steps_per_epoch` batches.
OptimizerConfig optimizer_of(const TrainSettings& s, uint64_t start, uint64_t steps_per_epoch);

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
  // Per batch, smoothed (exponential moving average) as it comes; per epoch.
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
  // Empty when `net` can train on the data, else why not.
  std::string cannot_train(const Network& net) const;
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

// The per-frame training budget that holds the page at ≥ 30 fps with a margin: it grows while
// frames come at least 32 times a second, shrinks fast when they do not (a software GPU shares the
// CPU with training), and never exceeds what is left of 28 ms after the frame's own work.
double next_train_budget_ms(double budget_ms, double frame_interval_ms, double frame_work_ms);

}  // namespace convlab
