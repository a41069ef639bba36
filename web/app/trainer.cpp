#include "trainer.h"

#include <algorithm>
#include <chrono>
#include <new>

namespace convlab {

namespace {
double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

OptimizerConfig optimizer_of(const TrainSettings& s, uint64_t start, uint64_t steps_per_epoch) {
  OptimizerConfig o;
  o.type = s.optimizer == 1 ? OptimizerConfig::Adam : OptimizerConfig::SGD;
  o.lr = s.lr, o.momentum = s.momentum, o.nesterov = s.nesterov, o.weight_decay = s.weight_decay;
  o.schedule.start = start;
  if (s.schedule == 1) {
    o.schedule.kind = LrSchedule::Step;
    o.schedule.every = std::max<uint64_t>(1, (uint64_t)s.step_epochs * steps_per_epoch);
    o.schedule.gamma = s.step_gamma;
  } else if (s.schedule == 2) {
    o.schedule.kind = LrSchedule::Cosine;
    o.schedule.steps = std::max<uint64_t>(1, (uint64_t)s.epochs * steps_per_epoch);
    o.schedule.min_factor = s.cosine_min;
  }
  return o;
}

std::string Trainer::cannot_train(const Network& net) const {
  if (!has_data()) return "the data set is not loaded yet";
  const Shape in = net.spec().input;
  if (in.c != 1 || in.h != train_->h || in.w != train_->w)
    return "this network takes " + std::to_string(in.c) + "×" + std::to_string(in.h) + "×" + std::to_string(in.w) +
           " inputs; the data set's images are 1×" + std::to_string(train_->h) + "×" + std::to_string(train_->w);
  int max_label = 0;
  for (uint8_t l : train_->labels) max_label = std::max(max_label, (int)l);
  if (max_label >= net.classes())
    return "the data set has " + std::to_string(max_label + 1) + " classes; this network gives " +
           std::to_string(net.classes()) + " class scores";
  return "";
}

void Trainer::reset() {
  running_ = false;
  run_.reset();
  eval_.reset();
  loss_history.clear(), train_acc_history.clear(), test_acc_history.clear();
  train_ms_ = 0.0, examples_at_start_ = 0, examples_per_s = 0.0f, last_loss = 0.0f;
  epoch_correct_ = epoch_seen_ = 0;
  have_eval = false, evaluated_epoch = -1;
  schedule_start_ = 0, schedule_started_ = false;
  error.clear(), message.clear();
  start_evaluation();
}

void Trainer::start_evaluation(bool ends_epoch) {
  if (!test_) return;
  eval_ = std::make_unique<EvaluationRun>(*test_);
  eval_ends_epoch_ = ends_epoch;
}

void Trainer::ensure_run(Network& net) {
  if (!run_) run_ = std::make_unique<TrainingRun>(*train_, (uint64_t)settings.seed + 1);
  run_->batch_size = settings.batch;
  run_->augment.max_shift_px = settings.augment ? settings.shift_px : 0.0f;
  run_->augment.max_rotate_deg = settings.augment ? settings.rotate_deg : 0.0f;
  const uint64_t steps_per_epoch = ((uint64_t)train_->n + settings.batch - 1) / settings.batch;
  net.set_optimizer(optimizer_of(settings, schedule_start_, steps_per_epoch));
}

float Trainer::current_lr(const Network& net) const {
  const uint64_t steps_per_epoch = train_ ? ((uint64_t)train_->n + settings.batch - 1) / settings.batch : 1;
  return optimizer_of(settings, schedule_start_, steps_per_epoch).lr_at(net.steps());
}

void Trainer::start(const Network& net) {
  if (!has_data()) return;
  if (run_ && run_->epoch() >= settings.epochs) settings.epochs = run_->epoch() + settings.epochs;  // train further
  // A schedule spans the run's epochs from the step where Start was first pressed (Resume keeps it).
  if (!schedule_started_) schedule_start_ = net.steps(), schedule_started_ = true;
  running_ = true;
  train_ms_ = 0, examples_at_start_ = run_ ? run_->examples_seen() : 0;
  error.clear(), message.clear();
}

TrainerUpdate Trainer::step_batch(Network& net) {
  TrainerUpdate u;
  if (!has_data()) return u;
  ensure_run(net);
  const int epoch_before = run_->epoch(), n = std::min(settings.batch, train_->n - run_->position());
  const double start = now_ms();
  u.model_changed = true;
  try {
    last_loss = run_->step(net);
  } catch (const std::bad_alloc&) {
    error = "Training stopped: out of memory (try a smaller batch or network).";
  } catch (const std::exception& e) {
    error = std::string("Training stopped: ") + e.what();
  }
  if (!error.empty()) {
    running_ = false;
    u.failed = true;
    return u;
  }
  train_ms_ += now_ms() - start;
  // training accuracy of this batch, from the probabilities the step already computed
  const auto& probs = net.last_train_probs();
  const auto& labels = run_->last_labels();
  const int classes = net.classes();
  for (int i = 0; i < n; i++) {
    const float* row = probs.data() + (size_t)i * classes;
    epoch_correct_ += (int)(std::max_element(row, row + classes) - row) == labels[i];
  }
  // a moving average keeps the curve readable at thousands of batches
  loss_history.push_back(loss_history.empty() ? last_loss : 0.95f * loss_history.back() + 0.05f * last_loss);
  epoch_seen_ += n;
  if (run_->epoch() != epoch_before) {  // an epoch ended: evaluate on the test set
    u.epoch_ended = true;
    train_acc_history.push_back(epoch_seen_ ? (float)epoch_correct_ / epoch_seen_ : 0.0f);
    epoch_correct_ = epoch_seen_ = 0;
    start_evaluation(true);
    if (run_->epoch() >= settings.epochs) {
      running_ = false;
      u.finished = true;
      message = "Finished " + std::to_string(settings.epochs) + (settings.epochs == 1 ? " epoch." : " epochs.");
    }
  }
  return u;
}

TrainerUpdate Trainer::work(Network& net, double budget_ms) {
  TrainerUpdate u;
  const double start = now_ms();
  auto merge = [&](const TrainerUpdate& s) {
    u.model_changed |= s.model_changed, u.epoch_ended |= s.epoch_ended, u.finished |= s.finished,
        u.failed |= s.failed;
  };
  while (running_ && has_data() && !eval_ && now_ms() - start < budget_ms) merge(step_batch(net));
  if (running_ && train_ms_ > 0)
    examples_per_s = (float)((run_->examples_seen() - examples_at_start_) / (train_ms_ / 1000.0));
  while (eval_ && now_ms() - start < budget_ms) {
    bool done = false;
    try {
      done = eval_->step(net, 100);
    } catch (const std::exception& e) {
      error = std::string("Evaluation stopped: ") + e.what();
      eval_.reset();
      u.failed = true;
      break;
    }
    u.model_changed = true;  // its forward passes replaced the drawing's activations
    if (!done) continue;
    last_eval = eval_->result();
    have_eval = true;
    eval_version++;
    evaluated_epoch = run_ ? run_->epoch() : 0;
    if (eval_ends_epoch_) test_acc_history.push_back((float)last_eval.accuracy());
    eval_.reset();
  }
  return u;
}

double next_train_budget_ms(double budget_ms, double frame_interval_ms, double frame_work_ms) {
  const double cap_ms = std::max(2.0, 28.0 - frame_work_ms);
  budget_ms += frame_interval_ms <= 1000.0 / 32 ? 0.25 : -1.0;
  return std::clamp(budget_ms, 1.0, cap_ms);
}

}  // namespace convlab
