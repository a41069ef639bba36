// The page's data without any UI. Data sets arrive as one asset (scripts/pack_assets.mjs; gzip on
// the wire): u32 count = 4 or 5, count u32 sizes, then the train images, train labels, test images
// and test labels as IDX files (little-endian header words, IDX's own big-endian inside) and, fifth,
// a JSON description {"name", "classNames", "preprocess": "digit" | "fill"} — MNIST's asset has
// four files and means unnamed digits. The user's own examples (MyExamples) become the same asset.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "idx.h"
#include "preprocess.h"

namespace convlab {

struct TrainTestData {
  Dataset train, test;
  std::string name = "MNIST";
  std::vector<std::string> class_names;  // empty: the classes are 0, 1, … (MNIST's digits)
  Preprocess preprocess = Preprocess::Digit;
};

// Throws Error naming the problem (truncated, wrong count, a bad IDX file or description inside).
TrainTestData parse_dataset_asset(const uint8_t* bytes, size_t size, const char* name);
std::vector<uint8_t> pack_dataset_asset(const TrainTestData& data);

// Empty when a training set of these named classes can train with this batch size, else why not
// (a class without examples, fewer examples than the batch).
std::string cannot_train_classes(const Dataset& train, const std::vector<std::string>& names, int batch);

// The user's own examples: 28×28 inputs (as the network saw them, bytes) in named classes. Every
// 5th example of a class (the 5th, 10th, …) is held out as its test set.
struct MyExamples {
  static constexpr int kMinClasses = 2, kMaxExamples = 5000, kHoldOutEvery = 5;
  std::vector<std::string> names = {"circle", "cross", "line"};
  std::vector<uint8_t> pixels;  // n × 784
  std::vector<uint8_t> labels;  // n

  int count() const { return (int)labels.size(); }
  int count_of(int cls) const;
  // Each throws Error with a message for the page (full, no such class, a name that cannot be).
  void add(const float* input28, int cls);
  void remove(int example);
  void relabel(int example, int cls);
  void rename(int cls, const std::string& name);
  void add_class(const std::string& name);
  void remove_class(int cls);  // its examples go; later classes move down by one
  // Train (all but every 5th of each class) and test (every 5th) as a data set of named classes.
  TrainTestData split() const;
  // IDX files of all examples (images n×28×28, labels n), and back: import replaces the examples
  // after every check (names as given; a label ≥ their count is refused, nothing changes).
  std::vector<uint8_t> images_idx() const;
  std::vector<uint8_t> labels_idx() const;
  void import_idx(const uint8_t* images, size_t images_size, const std::string& images_name, const uint8_t* labels,
                  size_t labels_size, const std::string& labels_name);
  // The class names alone, as JSON (stored next to the examples).
  std::string names_json() const;
  void set_names_json(const std::string& json);  // throws Error; nothing changes then
};

}  // namespace convlab
