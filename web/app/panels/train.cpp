// Train: optimizer and schedule settings, start/pause/step/reset, progress, loss and accuracy.
#include <algorithm>
#include <cfloat>

#include "app.h"

namespace convlab {

void train_panel() {
  const TrainerStatus& tr = app.trainer;
  TrainSettings& t = app.settings;
  if (!app.train) {
    ImGui::TextColored(kDim, "%s", data_status().c_str());
    return;
  }
  // Where training runs: never on this (the page's) thread.
  if (app.link.threaded)
    ImGui::TextColored(kDim, "Training in a background worker on %d thread%s (this page is cross-origin isolated).",
                       tr.threads, tr.threads == 1 ? "" : "s");
  else
    ImGui::TextColored(kDim, "Training in a background worker on 1 thread: this host does not send the cross-origin isolation headers.");
  const bool running = training_shown();
  ImGui::BeginDisabled(running);
  ImGui::SetNextItemWidth(120);
  ImGui::Combo("optimizer", &t.optimizer, "SGD\0Adam\0");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("learning rate", &t.lr, 0.0f, 0.0f, "%.4f");
  mark("field:lr");
  t.lr = std::clamp(t.lr, 0.0f, 1000.0f);  // parse_optimizer's range
  if (t.optimizer == 0) {
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("momentum", &t.momentum, 0.0f, 0.99f);
    ImGui::SameLine();
    ImGui::Checkbox("Nesterov", &t.nesterov);
  }
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("weight decay", &t.weight_decay, 0.0f, 0.0f, "%.5f");
  t.weight_decay = std::clamp(t.weight_decay, 0.0f, 1.0f);
  static const char* const kSchedules[] = {"constant", "step", "cosine"};
  ImGui::SetNextItemWidth(120);
  const bool schedules_open = ImGui::BeginCombo("lr schedule", kSchedules[t.schedule]);
  mark("field:schedule");
  if (schedules_open) {
    for (int k = 0; k < 3; k++) {
      if (ImGui::Selectable(kSchedules[k], k == t.schedule)) t.schedule = k;
      mark(std::string("schedule:") + kSchedules[k]);
    }
    ImGui::EndCombo();
  }
  if (t.schedule == 1) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::InputInt("epochs, then lr ×", &t.step_epochs);
    t.step_epochs = std::clamp(t.step_epochs, 1, PageCaps::max_epochs);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::SliderFloat("##gamma", &t.step_gamma, 0.05f, 1.0f, "%.2f");
  } else if (t.schedule == 2) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("× lr at the last epoch", &t.cosine_min, 0.0f, 1.0f, "%.3f");
  }
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("batch size", &t.batch);
  t.batch = std::clamp(t.batch, 1, Limits::max_batch);
  mark("field:batch");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("epochs", &t.epochs);
  t.epochs = std::clamp(t.epochs, 1, PageCaps::max_epochs);
  mark("field:epochs");
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("seed", &t.seed);
  t.seed = std::max(0, t.seed);
  ImGui::SameLine();
  ImGui::Checkbox("augment", &t.augment);
  if (t.augment) {
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("shift px", &t.shift_px, 0.0f, 4.0f);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat("rotate °", &t.rotate_deg, 0.0f, 30.0f);
  }
  ImGui::EndDisabled();
  const std::string why_not = why_cannot_train();
  ImGui::Text("Training on %s: %d examples, testing on %d.", kDataNames[app.data.active], app.train->n, app.test->n);
  if (app.data.active == kMine)
    ImGui::TextColored(kDim, "Each data set keeps its settings; for a few drawings: batches of 8, lr 0.02, 60 epochs, "
                             "stronger augmentation.");
  if (!why_not.empty()) ImGui::TextColored(kRed, "Cannot train: %s.", why_not.c_str());
  ImGui::BeginDisabled(!why_not.empty());
  // One ID for Start and Pause ("###run"): the keyboard focus stays on the button as it toggles.
  if (!running) {
    const bool start = ImGui::Button(tr.has_run ? "Resume###run" : "Start###run");
    mark("button:Start");
    if (start) start_training();
  } else {
    const bool pause = ImGui::Button("Pause###run");
    mark("button:Pause");
    if (pause) pause_training();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(running);
  if (ImGui::Button("Step one batch")) step_training();
  mark("button:Step");
  ImGui::SameLine();
  const bool reset = ImGui::Button("Reset weights");
  mark("button:Reset");
  if (reset) reset_weights();
  ImGui::EndDisabled();
  ImGui::EndDisabled();
  if (tr.has_run) {
    const int n = app.train->n, epochs = std::max(1, tr.epochs);
    const double done_examples = (double)tr.epoch * n + tr.position;
    const double left_s = tr.examples_per_s > 0 ? ((double)epochs * n - done_examples) / tr.examples_per_s : 0;
    const int batch = std::max(1, t.batch);
    char overlay[128];
    std::snprintf(overlay, sizeof overlay, "epoch %d/%d  batch %d/%d  %.0f examples/s  %.0f s left  lr %.4g",
                  std::min(tr.epoch + 1, epochs), epochs, tr.position / batch, (n + batch - 1) / batch,
                  tr.examples_per_s, running ? left_s : 0.0, tr.lr);
    ImGui::ProgressBar(std::min(1.0f, (float)(done_examples / ((double)epochs * n))), ImVec2(-1, 0), overlay);
  }
  if (!tr.loss_history.empty()) {
    char label[64];
    std::snprintf(label, sizeof label, "training loss %.4f", tr.last_loss);
    ImGui::PlotLines("##loss", tr.loss_history.data(), (int)tr.loss_history.size(), 0, label, 0.0f, FLT_MAX,
                     ImVec2(-1, 110));
  }
  if (!tr.test_acc_history.empty() || !tr.train_acc_history.empty()) {
    // an epoch's test accuracy comes after its evaluation: until then say so, not "0.00%"
    char test[32] = "evaluating…";
    if (tr.test_acc_history.size() >= tr.train_acc_history.size() && !tr.test_acc_history.empty())
      std::snprintf(test, sizeof test, "%.2f%%", 100 * tr.test_acc_history.back());
    char label[96];
    std::snprintf(label, sizeof label, "accuracy per epoch: test %s  train %.2f%%", test,
                  tr.train_acc_history.empty() ? 0.0f : 100 * tr.train_acc_history.back());
    ImGui::PlotLines("##test", tr.test_acc_history.data(), (int)tr.test_acc_history.size(), 0, label, 0.8f, 1.0f,
                     ImVec2(-1, 80));
    ImGui::PlotLines("##train", tr.train_acc_history.data(), (int)tr.train_acc_history.size(), 0, "train", 0.8f,
                     1.0f, ImVec2(-1, 60));
  }
  if (tr.evaluating)
    ImGui::TextColored(kDim, "evaluating on the test images…");
  else if (tr.have_eval)
    ImGui::Text("test accuracy on the %d test images: %.2f%%", tr.last_eval.examples, 100 * tr.last_eval.accuracy());
}

}  // namespace convlab
