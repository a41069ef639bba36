// ConvLab's page: the state of every panel, kept in one struct (Dear ImGui demo style).
#pragma once
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "heatmap.h"
#include "idx.h"
#include "network.h"
#include "train.h"

constexpr int kCanvasSide = 280;  // drawing pad resolution (10× MNIST)

struct DrawState {
  std::vector<float> canvas = std::vector<float>(kCanvasSide * kCanvasSide, 0.0f);
  std::vector<std::vector<float>> undo;  // canvases before each stroke
  bool stroking = false;
  float last_x = 0, last_y = 0;
  float brush_px = 11.0f;
  int shift_y = 0, shift_x = 0;       // equivariance demo: whole-pixel shift of the 28×28 input
  bool empty = true;
  std::array<float, 784> centred{};   // preprocessed drawing
  std::array<float, 784> input{};     // what the network receives (centred + shift)
  bool changed = true;         // the drawing or shift changed: preprocess and predict again
  bool pad_dirty = true;       // the pad's texture needs redrawing
  uint64_t input_version = 0, shown_version = ~0ull;
};

struct TrainState {
  int optimizer = 0;  // 0 SGD, 1 Adam
  float lr = 0.02f, momentum = 0.9f, weight_decay = 0.0f;
  bool nesterov = false;
  int batch = 16, epochs = 5, seed = 1;
  bool augment = true;
  float shift_px = 2.0f, rotate_deg = 10.0f;
  bool running = false;
  std::unique_ptr<convlab::TrainingRun> run;
  std::vector<float> loss_history;  // per batch, smoothed (exponential moving average) as it comes
  std::vector<float> train_acc_history, test_acc_history;
  double train_ms = 0.0;   // time spent in train steps since Start
  uint64_t examples_at_start = 0;
  float examples_per_s = 0.0f, last_loss = 0.0f;
  int epoch_correct = 0, epoch_seen = 0;
  // A new model starts a new run; the settings above stay.
  void reset_progress() {
    running = false;
    run.reset();
    loss_history.clear(), train_acc_history.clear(), test_acc_history.clear();
    train_ms = 0.0, examples_at_start = 0, examples_per_s = 0.0f, last_loss = 0.0f;
    epoch_correct = epoch_seen = 0;
  }
};

struct BuildState {
  int preset = 0;
  convlab::NetworkSpec spec;            // the spec being edited
  std::vector<convlab::LayerInfo> info;
  std::string error;                    // why the edited spec is impossible, or empty
  int add_type = 0;
};

struct InspectState {
  int hover_unit_y = -1, hover_unit_x = -1, hover_layer = -1;
  int confusion_true = -1, confusion_pred = -1;
};

struct App {
  std::unique_ptr<convlab::Network> net;
  std::string model_source;        // "default", "browser storage", a file name, "new"
  uint64_t model_version = 0;
  std::unique_ptr<convlab::Dataset> train, test;
  std::string data_status = "loading MNIST…";
  std::unique_ptr<convlab::EvaluationRun> eval;
  convlab::Evaluation last_eval;
  bool have_eval = false;
  bool eval_ends_epoch = false;  // the running evaluation closes an epoch (it goes on the plot)
  int evaluated_epoch = -1;      // completed training epochs when last_eval was taken
  std::vector<float> probs = std::vector<float>(10, 0.0f);
  int digit = -1;
  std::string error, message;      // red and plain status lines
  DrawState draw;
  TrainState training;
  BuildState build;
  InspectState inspect;
  std::map<std::string, Heatmap> heatmaps;
  bool ready_reported = false;
  int frames = 0;
  // Rectangles (x, y, w, h in CSS pixels) of named widgets drawn this frame, for the test hook:
  // tests find a button the way a user sees it, then click it.
  std::map<std::string, std::array<float, 4>> widgets;
  double frame_work_ms = 10.0;     // the frame's own work (layout, drawing), training excluded: an average
  double frame_interval_ms = 16.7;  // time between frames: an average
  double train_budget_ms = 8.0;
};
