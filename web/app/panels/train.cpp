// Train: optimizer and schedule settings, start/pause/step/reset, progress, loss and accuracy.
#include <algorithm>
#include <cmath>

#include "app.h"
#include "plot.h"

namespace convlab {

namespace {

const ImU32 kRawLoss = to_u32(palette::kMuted), kLossAverage = to_u32(palette::kAccent);
const ImU32 kTestColor = to_u32(palette::kGood), kTrainColor = to_u32(palette::kAccent);

// Loss against examples seen (every batch, and its moving average), accuracy per epoch (train and
// test), and the learning rate the schedule gives over the run's epochs.
void training_plots(const TrainSettings& t) {
  const TrainerStatus& tr = app.trainer;
  const float height = 150;
  PlotHover hover;
  auto keep_hover = [&](bool hovered) {
    if (hovered) app.plot_hover = hover;
  };
  if (!tr.loss_history.empty()) {
    // the moving average keeps the trend readable over thousands of noisy batches
    std::vector<float>& average = app.loss_average;
    if (average.size() > tr.loss_history.size()) average.clear();
    for (size_t k = average.size(); k < tr.loss_history.size(); k++)
      average.push_back(k ? 0.95f * average.back() + 0.05f * tr.loss_history[k] : tr.loss_history[k]);
    const double per_point = t.batch / 1000.0;  // thousands of examples per batch
    PlotAxes axes{"examples seen (thousands)", "loss (cross-entropy)"};
    axes.x_format = "%.0f", axes.y_min = 0;
    axes.y_max = std::max(0.1, 1.1 * *std::max_element(average.begin(), average.end()));
    axes.x_min = 0, axes.x_max = std::max(per_point, per_point * tr.loss_history.size());
    keep_hover(plot_lines("loss", axes,
                          {{"every batch", kRawLoss, tr.loss_history.data(), (int)tr.loss_history.size(), per_point, per_point, false, 1.0f, true},
                           {"moving average", kLossAverage, average.data(), (int)average.size(), per_point, per_point, false, 2.0f}},
                          ImVec2(-1, height), &hover));
    mark("plot:loss");
  }
  if (!tr.test_acc_history.empty() || !tr.train_acc_history.empty()) {
    PlotAxes axes{"epoch", "accuracy (%)"};
    axes.y_scale = 100, axes.y_format = "%.1f", axes.x_format = "%.0f", axes.x_tick_step_min = 1;
    float lowest = 1;
    for (float v : tr.test_acc_history) lowest = std::min(lowest, v);
    for (float v : tr.train_acc_history) lowest = std::min(lowest, v);
    axes.y_min = std::max(0.0, std::floor(lowest * 20 - 0.5) / 20), axes.y_max = 1.0;
    axes.x_min = 0.5, axes.x_max = std::max<size_t>(tr.train_acc_history.size(), tr.test_acc_history.size()) + 0.5;
    keep_hover(plot_lines("accuracy", axes,
                          {{"test", kTestColor, tr.test_acc_history.data(), (int)tr.test_acc_history.size(), 1, 1, true, 2.0f},
                           {"train", kTrainColor, tr.train_acc_history.data(), (int)tr.train_acc_history.size(), 1, 1, true, 2.0f}},
                          ImVec2(-1, height), &hover));
    mark("plot:accuracy");
  }
  if (t.schedule != 0) {
    // the schedule of a run of these settings, epoch by epoch (a run continues from the network's step)
    const uint64_t per_epoch = std::max(1, (app.train->n + t.batch - 1) / t.batch);
    const OptimizerConfig o = optimizer_of(t, 0, per_epoch);
    const int points = std::min(400, t.epochs * 20);
    std::vector<float> lr(points + 1);
    for (int k = 0; k <= points; k++) lr[k] = o.lr_at((uint64_t)((double)k / points * t.epochs * per_epoch));
    PlotAxes axes{"epoch", "learning rate"};
    axes.y_min = 0, axes.y_max = 1.1 * t.lr + 1e-9, axes.x_min = 0, axes.x_max = t.epochs;
    axes.y_format = "%.3g", axes.x_format = t.epochs < 5 ? "%.1f" : "%.0f", axes.x_tick_step_min = t.epochs < 5 ? 0.5 : 1;
    keep_hover(plot_lines("lr", axes, {{"", kTrainColor, lr.data(), points + 1, 0, (double)t.epochs / points, false, 2.0f}},
                          ImVec2(-1, 110), &hover));
    mark("plot:lr");
  }
}

}  // namespace

void train_panel() {
  const TrainerStatus& tr = app.trainer;
  TrainSettings& t = app.settings;
  if (!app.train) {
    hint("%s", data_status().c_str());
    return;
  }
  hint("Train the live model on the data set picked in Data; hover a setting for what it does.");
  // Where training runs: never on this (the page's) thread.
  if (app.link.threaded)
    hint("Training in a background worker on %d thread%s (this page is cross-origin isolated).",
                       tr.threads, tr.threads == 1 ? "" : "s");
  else
    hint("Training in a background worker on 1 thread: this host does not send the cross-origin isolation headers.");
  const bool running = training_shown();
  ImGui::BeginDisabled(running);
  ImGui::SetNextItemWidth(field_width(120));
  ImGui::Combo("optimizer", &t.optimizer, "SGD\0Adam\0");
  tip("SGD: w ← w − lr·(gradient + momentum); Adam: a step per weight scaled by its gradients' running mean and variance");
  same_line_if_fits(labeled(field_width(120), "learning rate"));
  ImGui::SetNextItemWidth(field_width(120));
  ImGui::InputFloat("learning rate", &t.lr, 0.0f, 0.0f, "%.4f", kNumberChars);
  mark("field:lr");
  tip("how far each step moves the weights along the negative gradient; too high diverges, too low crawls");
  t.lr = std::clamp(t.lr, 0.0f, 1000.0f);  // parse_optimizer's range
  if (t.optimizer == 0) {
    ImGui::SetNextItemWidth(field_width(120));
    ImGui::SliderFloat("momentum", &t.momentum, 0.0f, 0.99f);
    tip("the share of the last step kept in the next (0.9: steps average over about 10 batches)");
    same_line_if_fits(labeled(ImGui::GetFrameHeight(), "Nesterov"));
    ImGui::Checkbox("Nesterov", &t.nesterov);
    tip("take the gradient where momentum is about to carry the weights (often a little steadier)");
  }
  ImGui::SetNextItemWidth(field_width(120));
  ImGui::InputFloat("weight decay", &t.weight_decay, 0.0f, 0.0f, "%.5f", kNumberChars);
  tip("pulls every weight towards 0 each step (L2 regularisation): smaller weights, less overfitting");
  t.weight_decay = std::clamp(t.weight_decay, 0.0f, 1.0f);
  static const char* const kSchedules[] = {"constant", "step", "cosine"};
  ImGui::SetNextItemWidth(field_width(120));
  const bool schedules_open = ImGui::BeginCombo("lr schedule", kSchedules[t.schedule]);
  mark("field:schedule");
  tip("how the learning rate changes over the run: constant, step (× a factor every few epochs) or cosine (down a half cosine)");
  if (schedules_open) {
    for (int k = 0; k < 3; k++) {
      if (ImGui::Selectable(kSchedules[k], k == t.schedule)) t.schedule = k;
      mark(std::string("schedule:") + kSchedules[k]);
    }
    ImGui::EndCombo();
  }
  if (t.schedule == 1) {
    same_line_if_fits(labeled(90, "epochs, then lr ×"));
    ImGui::SetNextItemWidth(90);
    ImGui::InputInt("epochs, then lr ×", &t.step_epochs, 1, 100, kIntegerChars);
    t.step_epochs = std::clamp(t.step_epochs, 1, PageCaps::max_epochs);
    same_line_if_fits(labeled(90, "##gamma"));
    ImGui::SetNextItemWidth(90);
    ImGui::SliderFloat("##gamma", &t.step_gamma, 0.05f, 1.0f, "%.2f");
  } else if (t.schedule == 2) {
    same_line_if_fits(labeled(field_width(120), "× lr at the last epoch"));
    ImGui::SetNextItemWidth(field_width(120));
    ImGui::SliderFloat("× lr at the last epoch", &t.cosine_min, 0.0f, 1.0f, "%.3f");
  }
  ImGui::SetNextItemWidth(field_width(120));
  ImGui::InputInt("batch size", &t.batch, 1, 100, kIntegerChars);
  t.batch = std::clamp(t.batch, 1, Limits::max_batch);
  mark("field:batch");
  tip("examples per step: their gradients are averaged; larger batches are steadier and faster per example");
  same_line_if_fits(labeled(field_width(120), "epochs"));
  ImGui::SetNextItemWidth(field_width(120));
  ImGui::InputInt("epochs", &t.epochs, 1, 100, kIntegerChars);
  t.epochs = std::clamp(t.epochs, 1, PageCaps::max_epochs);
  mark("field:epochs");
  tip("passes over the training examples");
  ImGui::SetNextItemWidth(field_width(120));
  ImGui::InputInt("seed", &t.seed, 1, 100, kIntegerChars);
  tip("fixes the random initial weights, the order of the examples and the augmentation: the same seed, the same run");
  t.seed = std::max(0, t.seed);
  same_line_if_fits(labeled(ImGui::GetFrameHeight(), "augment"));
  ImGui::Checkbox("augment", &t.augment);
  mark("check:augment");
  tip("each training image shifted and rotated a little at random, so the network learns digits, not positions");
  if (t.augment) {
    ImGui::SetNextItemWidth(field_width(120));
    ImGui::SliderFloat("shift px", &t.shift_px, 0.0f, 4.0f);
    tip("the largest random shift, in pixels");
    same_line_if_fits(labeled(field_width(120), "rotate °"));
    ImGui::SetNextItemWidth(field_width(120));
    ImGui::SliderFloat("rotate °", &t.rotate_deg, 0.0f, 30.0f);
    tip("the largest random rotation, in degrees");
  }
  ImGui::EndDisabled();
  const std::string why_not = why_cannot_train();
  ImGui::Text("Training on %s: %d examples, testing on %d.", kDataNames[app.data.active], app.train->n, app.test->n);
  if (app.data.active == kMine)
    hint("Each data set keeps its settings; for a few drawings: batches of 8, lr 0.02, 60 epochs, "
                             "stronger augmentation.");
  if (!why_not.empty()) ImGui::TextColored(kRed, "Cannot train: %s.", why_not.c_str());
  ImGui::BeginDisabled(!why_not.empty());
  // Start on a model trained elsewhere continues its training; say so, and offer a fresh start.
  if (!tr.has_run && !running && app.net->steps() > 0 && app.model_source.rfind("default", 0) == 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, kDim);
    ImGui::TextWrapped("Start fine-tunes the shipped model (already trained: its loss starts low). For your own run from scratch:");
    ImGui::PopStyleColor();
    if (ImGui::Button("train a fresh copy")) reset_weights();
    mark("button:fresh-copy");
  }
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
  same_line_if_fits(button_width("Step one batch"));
  ImGui::BeginDisabled(running);
  if (ImGui::Button("Step one batch")) step_training();
  mark("button:Step");
  same_line_if_fits(button_width("Reset weights"));
  const bool reset = ImGui::Button("Reset weights");
  mark("button:Reset");
  if (reset) unless_training_is_lost("Reset the weights to new random ones?", reset_weights);
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
  training_plots(t);
  if (tr.evaluating)
    hint("evaluating on the test images…");
  else if (tr.have_eval)
    ImGui::Text("test accuracy on the %d test images: %.2f%%", tr.last_eval.examples, 100 * tr.last_eval.accuracy());
}

}  // namespace convlab
