#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <type_traits>
#include <chrono>
#include <new>

namespace convlab {

namespace {
double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

TrainSettings few_examples_settings() {
  TrainSettings s;
  s.lr = 0.02f, s.batch = 8, s.epochs = 60, s.shift_px = 2.0f, s.rotate_deg = 10.0f;
  return s;
}

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

std::string cannot_train(const Network& net, const Dataset* train) {
  if (!train) return "the data set is not loaded yet";
  return why_not_fits(net, *train);
}

size_t feature_layers(const NetworkSpec& spec) {
  for (size_t i = 0; i < spec.layers.size(); i++)
    if (spec.layers[i].type == LayerType::Dense) return i;
  return 0;
}

Network network_for_classes(const NetworkSpec& spec, const std::vector<std::string>& names, uint64_t seed,
                            Network* from) {
  NetworkSpec s = spec;
  auto head = std::find_if(s.layers.rbegin(), s.layers.rend(), [](const LayerSpec& l) { return l.type == LayerType::Dense; });
  if (head == s.layers.rend()) throw Error("this network has no dense layer to give one score per class");
  head->units = (int)names.size();
  Network net(s, seed);
  if (net.classes() != (int)names.size())
    throw Error("this network gives " + std::to_string(net.classes()) + " scores after its last dense layer, not one per class");
  net.set_class_names(names);
  if (from && from->spec().input.per_example() == s.input.per_example() && from->info().size() == net.info().size()) {
    for (size_t i = 0; i < net.info().size(); i++) {
      if (s.layers[i].type != from->spec().layers[i].type) continue;
      const ParamView w = net.weights(i), b = net.biases(i), fw = from->weights(i), fb = from->biases(i);
      if (w.count == fw.count && b.count == fb.count) net.set_parameters(i, fw.data, fw.count, fb.data, fb.count);
    }
  }
  return net;
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
  net.freeze_layers(settings.freeze_features ? feature_layers(net.spec()) : 0);
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
  loss_history.push_back(last_loss);  // every batch's loss; the page draws its moving average too
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

// ---- training off the UI thread ----

nlohmann::json settings_to_json(const TrainSettings& s) {
  return {{"optimizer", s.optimizer}, {"lr", s.lr}, {"momentum", s.momentum}, {"weightDecay", s.weight_decay},
          {"nesterov", s.nesterov}, {"batch", s.batch}, {"epochs", s.epochs}, {"seed", s.seed},
          {"augment", s.augment}, {"shiftPx", s.shift_px}, {"rotateDeg", s.rotate_deg},
          {"schedule", s.schedule}, {"stepEpochs", s.step_epochs}, {"stepGamma", s.step_gamma},
          {"cosineMin", s.cosine_min}, {"freezeFeatures", s.freeze_features}};
}

TrainSettings settings_from_json(const nlohmann::json& j, bool strict) {
  auto number = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, v == std::floor(v) && std::fabs(v) < 1e15 ? "%.0f" : "%g", v);
    return std::string(text);
  };
  TrainSettings s;
  size_t known = 0;
  auto get = [&](const char* key, auto& field, double lo, double hi) {
    auto it = j.find(key);
    if (it == j.end()) return;
    known++;
    const bool numeric = it->is_number() || it->is_boolean();
    const double v = !numeric ? NAN : it->is_boolean() ? (double)it->get<bool>() : it->get<double>();
    if (std::isfinite(v) && v >= lo && v <= hi) field = static_cast<std::decay_t<decltype(field)>>(v);
    else if (strict) throw Error(std::string("the training setting \"") + key + "\" = " + it->dump() + " is not a number in " +
                                 number(lo) + ".." + number(hi));
  };
  get("optimizer", s.optimizer, 0, 1);
  get("lr", s.lr, 0, 1000);
  get("momentum", s.momentum, 0, 0.999);
  get("weightDecay", s.weight_decay, 0, 1);
  get("nesterov", s.nesterov, 0, 1);
  get("batch", s.batch, 1, Limits::max_batch);
  get("epochs", s.epochs, 1, 1e6);
  get("seed", s.seed, 0, 2147483647);
  get("augment", s.augment, 0, 1);
  get("shiftPx", s.shift_px, 0, 28);
  get("rotateDeg", s.rotate_deg, 0, 180);
  get("schedule", s.schedule, 0, 2);
  get("stepEpochs", s.step_epochs, 1, 1e6);
  get("stepGamma", s.step_gamma, 0, 1);
  get("cosineMin", s.cosine_min, 0, 1);
  get("freezeFeatures", s.freeze_features, 0, 1);
  if (strict && known != j.size())
    for (const auto& [key, value] : j.items())
      if (!settings_to_json(TrainSettings{}).contains(key)) throw Error("\"" + key + "\" is not a training setting");
  return s;
}

namespace {

nlohmann::json evaluation_to_json(const Evaluation& e) {
  return {{"examples", e.examples}, {"correct", e.correct}, {"lossSum", e.loss_sum}, {"classes", e.classes},
          {"confusion", e.confusion}, {"predicted", e.predicted}};
}

// A build without threads (or a host that cannot start them) trains on one.
void use_threads(Network& net, int& threads) {
  try {
    net.set_threads(threads);
  } catch (const std::exception&) {
    threads = 1;
    net.set_threads(1);
  }
}

Evaluation evaluation_from_json(const nlohmann::json& j) {
  Evaluation e;
  e.examples = j.at("examples"), e.correct = j.at("correct"), e.loss_sum = j.at("lossSum");
  e.classes = j.at("classes");
  e.confusion = j.at("confusion").get<std::vector<int>>();
  e.predicted = j.at("predicted").get<std::vector<int>>();
  return e;
}

}  // namespace

ReportEvents apply_report(TrainerStatus& st, const nlohmann::json& r) {
  ReportEvents ev;
  if (r.at("gen").get<uint64_t>() != st.generation) {
    ev.stale = true;
    return ev;
  }
  st.acked = std::max(st.acked, r.value("ack", (uint64_t)0));
  st.running = r.at("running"), st.evaluating = r.at("evaluating"), st.has_run = r.at("hasRun");
  st.epoch = r.at("epoch"), st.position = r.at("position"), st.epochs = r.at("epochs");
  st.threads = r.at("threads");
  st.examples_seen = r.at("examplesSeen"), st.steps = r.at("steps");
  st.last_loss = r.at("lastLoss"), st.examples_per_s = r.at("examplesPerSecond"), st.lr = r.at("lr");
  // Loss points since `lossFrom`: a report may repeat some the page has (after it dropped one).
  const size_t from = r.at("lossFrom");
  const auto& points = r.at("loss");
  if (from <= st.loss_history.size()) {
    st.loss_history.resize(from);
    for (const auto& p : points) st.loss_history.push_back(p.get<float>());
  }
  st.train_acc_history = r.at("trainAcc").get<std::vector<float>>();
  st.test_acc_history = r.at("testAcc").get<std::vector<float>>();
  st.have_eval = r.at("haveEval"), st.evaluated_epoch = r.at("evaluatedEpoch");
  if (r.contains("eval")) st.last_eval = evaluation_from_json(r["eval"]), st.eval_version = r.at("evalVersion");
  st.error = r.at("error"), st.message = r.at("message");
  ev.epoch_ended = r.value("epochEnded", false), ev.finished = r.value("finished", false);
  ev.failed = r.value("failed", false);
  return ev;
}

void TrainerHost::set_data(TrainTestData data) {
  trainer_.pause();
  data_ = std::make_unique<TrainTestData>(std::move(data));
  trainer_.set_data(&data_->train, &data_->test);
  if (net_) trainer_.reset();  // a new data set: the run and its history are of the old one
}

TrainerReport TrainerHost::command(const nlohmann::json& cmd, const uint8_t* bytes, size_t size) {
  const std::string name = cmd.at("cmd");
  const uint64_t id = cmd.value("id", (uint64_t)0), gen = cmd.value("gen", (uint64_t)0);
  acked_ = std::max(acked_, id);
  if (name == "model") {
    generation_ = gen;
    threads_ = std::clamp(cmd.value("threads", threads_), 1, Network::kMaxThreads);
    trainer_.pause();
    pending_ = ReportEvents{};
    try {
      net_ = std::make_unique<Network>(Network::load(bytes, size));
      use_threads(*net_, threads_);
    } catch (const std::exception& e) {
      // The page loaded this file before sending it: only memory can fail here.
      net_.reset();
      trainer_.reset();
      trainer_.error = std::string("The trainer cannot hold this model: ") + e.what();
      pending_.failed = true;
      return report(false);
    }
    trainer_.reset();  // its history is of the old model; an evaluation of this one starts
    sent_loss_ = 0, sent_eval_version_ = ~0ull, weights_changed_ = false;
    return report(false);
  }
  if (gen != generation_ || !net_) return report(false);  // about a model the page no longer shows
  if (name == "start" || name == "step") trainer_.settings = settings_from_json(cmd.at("settings"));
  if (name == "start" && trainer_.cannot_train(*net_).empty()) {
    trainer_.start(*net_);
  } else if (name == "pause") {
    trainer_.pause();
    return report(weights_changed_);
  } else if (name == "step" && trainer_.cannot_train(*net_).empty()) {
    trainer_.pause();
    const TrainerUpdate u = trainer_.step_batch(*net_);
    weights_changed_ |= u.model_changed && !u.failed;
    pending_.epoch_ended |= u.epoch_ended, pending_.finished |= u.finished, pending_.failed |= u.failed;
    return report(weights_changed_);
  } else if (name == "evaluate" && !trainer_.evaluating()) {
    trainer_.start_evaluation();
  }
  return report(false);
}

TrainerReport TrainerHost::work(double budget_ms) {
  if (!busy()) return {};
  const bool training = trainer_.running();
  const TrainerUpdate u = trainer_.work(*net_, budget_ms);
  // An evaluation's forward passes do not change the weights; training steps do.
  weights_changed_ |= training && u.model_changed;
  pending_.epoch_ended |= u.epoch_ended, pending_.finished |= u.finished, pending_.failed |= u.failed;
  // After a failure the engine has put back the last sane weights: the page gets them too.
  const bool event = u.epoch_ended || u.finished || u.failed || !busy();
  const double now = now_ms();
  const bool snapshot = weights_changed_ && (event || now - last_snapshot_ms_ >= snapshot_interval_ms);
  if (!event && !snapshot && now - last_report_ms_ < report_interval_ms) return {};
  return report(snapshot);
}

TrainerReport TrainerHost::report(bool snapshot) {
  TrainerReport out;
  const Trainer& t = trainer_;
  const TrainingRun* run = t.run();
  nlohmann::json& j = out.json;
  j["gen"] = generation_, j["ack"] = acked_;
  j["running"] = t.running(), j["evaluating"] = t.evaluating(), j["hasRun"] = run != nullptr;
  j["epoch"] = run ? run->epoch() : 0, j["position"] = run ? run->position() : 0;
  j["epochs"] = t.settings.epochs, j["threads"] = threads_;
  j["examplesSeen"] = run ? run->examples_seen() : 0, j["steps"] = net_ ? net_->steps() : 0;
  j["lastLoss"] = t.last_loss, j["examplesPerSecond"] = t.examples_per_s;
  j["lr"] = net_ ? t.current_lr(*net_) : 0.0f;
  j["lossFrom"] = std::min(sent_loss_, t.loss_history.size());
  j["loss"] = std::vector<float>(t.loss_history.begin() + (ptrdiff_t)j["lossFrom"].get<size_t>(), t.loss_history.end());
  sent_loss_ = t.loss_history.size();
  j["trainAcc"] = t.train_acc_history, j["testAcc"] = t.test_acc_history;
  j["haveEval"] = t.have_eval, j["evaluatedEpoch"] = t.evaluated_epoch, j["evalVersion"] = t.eval_version;
  if (t.have_eval && t.eval_version != sent_eval_version_) {
    j["eval"] = evaluation_to_json(t.last_eval);
    sent_eval_version_ = t.eval_version;
  }
  j["error"] = t.error, j["message"] = t.message;
  j["epochEnded"] = pending_.epoch_ended, j["finished"] = pending_.finished, j["failed"] = pending_.failed;
  pending_ = ReportEvents{};
  const double now = now_ms();
  last_report_ms_ = now;
  if (snapshot && net_) {
    try {
      out.snapshot = net_->save();
      weights_changed_ = false;
      last_snapshot_ms_ = now;
    } catch (const std::exception&) {
      // out of memory for the copy: the next report tries again
    }
  }
  j["snapshot"] = !out.snapshot.empty();
  return out;
}

}  // namespace convlab
