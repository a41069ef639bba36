#include "train.h"

#include <algorithm>
#include <cmath>

namespace convlab {

// dst(i, j) = src bilinearly sampled where the inverse map sends (i, j): shifted back by (dy, dx),
// then rotated by −deg about the centre; neighbours outside the image count as 0.
void transform_image(const float* src, int h, int w, float dy, float dx, float deg, float* dst) {
  const float rad = deg * 3.14159265f / 180.0f, c = std::cos(rad), s = std::sin(rad);
  const float cy = 0.5f * (h - 1), cx = 0.5f * (w - 1);
  for (int i = 0; i < h; i++)
    for (int j = 0; j < w; j++) {
      const float yi = i - dy - cy, xj = j - dx - cx;
      const float sy = c * yi + s * xj + cy, sx = -s * yi + c * xj + cx;
      float v = 0.0f;
      if (sy >= 0 && sy < h - 1 && sx >= 0 && sx < w - 1) {
        // All four neighbours inside, as for most pixels of a small shift and rotation: no bounds
        // checks and no floor() (a library call without SSE4.1) — the same sums in the same order.
        const int y0 = (int)sy, x0 = (int)sx;
        const float fy = sy - y0, fx = sx - x0;
        const float* p = src + y0 * w + x0;
        v = (1 - fy) * (1 - fx) * p[0] + (1 - fy) * fx * p[1] + fy * (1 - fx) * p[w] + fy * fx * p[w + 1];
      } else if (sy > -1 && sy < h && sx > -1 && sx < w) {  // at an edge: the neighbours inside
        const int y0 = (int)std::floor(sy), x0 = (int)std::floor(sx);
        const float fy = sy - y0, fx = sx - x0;
        for (int a = 0; a < 2; a++)
          for (int b = 0; b < 2; b++) {
            const int yy = y0 + a, xx = x0 + b;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            v += (a ? fy : 1 - fy) * (b ? fx : 1 - fx) * src[yy * w + xx];
          }
      }  // else no neighbour inside (or an absurd shift: never converted to int)
      dst[i * w + j] = v;
    }
}

TrainingRun::TrainingRun(const Dataset& train, uint64_t seed) : data_(train), rng_(seed) {
  order_.resize(train.n);
  for (int i = 0; i < train.n; i++) order_[i] = i;
  shuffle();
}

void TrainingRun::shuffle() {
  for (size_t i = order_.size(); i > 1; i--) std::swap(order_[i - 1], order_[rng_.below((uint32_t)i)]);
}

float TrainingRun::step(Network& net) {
  const int n = std::min(batch_size, data_.n - position_);
  const size_t pixels = (size_t)data_.h * data_.w;
  batch_images_.resize((size_t)n * pixels);
  batch_labels_.resize(n);
  image_.resize(pixels);
  const bool aug = augment.max_shift_px > 0.0f || augment.max_rotate_deg > 0.0f;
  for (int i = 0; i < n; i++) {
    uint32_t k = order_[position_ + i];
    float* dst = batch_images_.data() + i * pixels;
    if (aug) {
      data_.images((int)k, 1, image_.data());
      const float* src = image_.data();
      float dy = rng_.uniform(-augment.max_shift_px, augment.max_shift_px);
      float dx = rng_.uniform(-augment.max_shift_px, augment.max_shift_px);
      float deg = rng_.uniform(-augment.max_rotate_deg, augment.max_rotate_deg);
      transform_image(src, data_.h, data_.w, dy, dx, deg, dst);
    } else {
      data_.images((int)k, 1, dst);
    }
    batch_labels_[i] = data_.labels[k];
  }
  float loss = net.train_batch(batch_images_.data(), batch_labels_.data(), n);
  position_ += n;
  seen_ += n;
  if (position_ >= data_.n) {
    position_ = 0;
    epoch_++;
    shuffle();
  }
  return loss;
}

std::string why_not_fits(const Network& net, const Dataset& data) {
  const Shape in = net.spec().input;
  if (in.c != 1 || in.h != data.h || in.w != data.w)
    return "this network takes " + std::to_string(in.c) + "×" + std::to_string(in.h) + "×" + std::to_string(in.w) +
           " inputs; the data set's images are 1×" + std::to_string(data.h) + "×" + std::to_string(data.w);
  if (data.classes() > net.classes())
    return "the data set has a label " + std::to_string(data.classes() - 1) + "; this network gives " +
           std::to_string(net.classes()) + " class scores (labels 0.." + std::to_string(net.classes() - 1) + ")";
  return "";
}

void check_fits(const Network& net, const Dataset& data) {
  const std::string why = why_not_fits(net, data);
  if (!why.empty()) throw Error(why);
}

EvaluationRun::EvaluationRun(const Dataset& data) : data_(data) { result_.predicted.resize(data.n); }

bool EvaluationRun::step(Network& net, int batch) {
  const int classes = net.classes(), start = result_.examples, n = std::min(batch, data_.n - start);
  if (n <= 0) return true;
  if (result_.classes != classes) {
    result_.classes = classes;
    result_.confusion.assign((size_t)classes * classes, 0);
  }
  probs_.resize((size_t)n * classes);
  images_.resize((size_t)n * data_.image_size());
  data_.images(start, n, images_.data());
  net.predict(images_.data(), n, probs_.data());
  for (int i = 0; i < n; i++) {
    const float* p = probs_.data() + (size_t)i * classes;
    int pred = (int)(std::max_element(p, p + classes) - p), truth = data_.labels[start + i];
    if (truth >= classes)
      throw Error("label " + std::to_string(truth) + " of example " + std::to_string(start + i) +
                  " is not a class of this network (0.." + std::to_string(classes - 1) + ")");
    result_.predicted[start + i] = pred;
    result_.correct += pred == truth;
    result_.loss_sum -= std::log(std::max(p[truth], 1e-12f));
    result_.confusion[(size_t)truth * classes + pred]++;
  }
  result_.examples += n;
  return done();
}

Evaluation evaluate(Network& net, const Dataset& data, int batch) {
  EvaluationRun run(data);
  while (!run.step(net, batch)) {
  }
  return run.result();
}

}  // namespace convlab
