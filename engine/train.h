// The training loop shared by the CLI and the page: seeded shuffling, batching, augmentation,
// evaluation. Stepped one batch at a time so the page can time-slice it inside its frame loop.
#pragma once
#include <cstdint>
#include <vector>

#include "idx.h"
#include "network.h"

namespace convlab {

struct Augment {
  float max_shift_px = 0.0f;    // uniform in [−s, s] per axis
  float max_rotate_deg = 0.0f;  // uniform in [−r, r]
};

// Shift by (dy,dx) pixels and rotate by deg about the centre, bilinear, zeros outside.
void transform_image(const float* src, int h, int w, float dy, float dx, float deg, float* dst);

class TrainingRun {
 public:
  TrainingRun(const Dataset& train, uint64_t seed);
  int batch_size = 32;
  Augment augment;
  // Trains one batch; returns its mean loss. Starts a new epoch (reshuffled) when one ends.
  float step(Network& net);
  int epoch() const { return epoch_; }            // completed epochs
  int position() const { return position_; }      // examples used in the current epoch
  uint64_t examples_seen() const { return seen_; }
  const std::vector<uint8_t>& last_labels() const { return batch_labels_; }  // of the last step

 private:
  const Dataset& data_;
  Rng rng_;
  std::vector<uint32_t> order_;
  std::vector<float> batch_images_, image_;  // image_: one example before augmentation
  std::vector<uint8_t> batch_labels_;
  int epoch_ = 0, position_ = 0;
  uint64_t seen_ = 0;
  void shuffle();
};

// Throws Error naming both shapes when the data set's images are not the network's input, or
// naming the label when one is not among the network's classes.
void check_fits(const Network& net, const Dataset& data);
// The same, as a message (empty when it fits).
std::string why_not_fits(const Network& net, const Dataset& data);

struct Evaluation {
  int examples = 0, correct = 0;
  double loss_sum = 0.0;
  int classes = 0;
  std::vector<int> confusion;                        // classes × classes: [true][predicted]
  std::vector<int> predicted;                        // per example
  int count(int truth, int pred) const { return confusion[(size_t)truth * classes + pred]; }
  double accuracy() const { return examples ? (double)correct / examples : 0.0; }
  double mean_loss() const { return examples ? loss_sum / examples : 0.0; }
};

// Evaluates a data set a batch at a time, so the page can spread it over frames.
class EvaluationRun {
 public:
  explicit EvaluationRun(const Dataset& data);
  bool step(Network& net, int batch = 100);  // true once every example is done
  bool done() const { return result_.examples == data_.n; }
  const Evaluation& result() const { return result_; }

 private:
  const Dataset& data_;
  Evaluation result_;
  std::vector<float> images_, probs_;
};
Evaluation evaluate(Network& net, const Dataset& data, int batch = 100);

}  // namespace convlab
