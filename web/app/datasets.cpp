#include "datasets.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "error.h"
#include "network.h"
#include "size_limits.h"

namespace convlab {

namespace {

constexpr size_t kImage = (size_t)kDigitSide * kDigitSide;

void check_name(const std::string& name, const std::vector<std::string>& names, int except) {
  if (name.empty() || name.size() > Network::kMaxClassNameBytes)
    throw Error("a class name must have 1 to " + std::to_string(Network::kMaxClassNameBytes) + " characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) throw Error("a class name cannot have control characters");
  for (int k = 0; k < (int)names.size(); k++)
    if (k != except && names[k] == name) throw Error("there is already a class named \"" + name + "\"");
}

}  // namespace

TrainTestData parse_dataset_asset(const uint8_t* bytes, size_t size, const char* name) {
  const std::string what = name;
  auto u32 = [&](size_t at) {
    if (at + 4 > size) throw Error(what + " is truncated");
    return (uint32_t)bytes[at] | (uint32_t)bytes[at + 1] << 8 | (uint32_t)bytes[at + 2] << 16 |
           (uint32_t)bytes[at + 3] << 24;
  };
  const uint32_t count = u32(0);
  if (count != 4 && count != 5) throw Error(what + ": expected 4 or 5 files");
  std::vector<std::pair<size_t, size_t>> files;  // offset, length
  size_t offset = 4 + 4 * (size_t)count;
  for (uint32_t k = 0; k < count; k++) {
    const size_t len = u32(4 + 4 * k);
    if (offset > size || len > size - offset) throw Error(what + " is truncated");
    files.emplace_back(offset, len);
    offset += len;
  }
  auto idx = [&](int k, const char* part) {
    return parse_idx(bytes + files[k].first, files[k].second, what + " (" + part + ")");
  };
  TrainTestData d;
  d.train = make_dataset(idx(0, "train images"), idx(1, "train labels"), what + " train images", what + " train labels");
  d.test = make_dataset(idx(2, "test images"), idx(3, "test labels"), what + " test images", what + " test labels");
  if (count == 5) {
    const char* text = reinterpret_cast<const char*>(bytes + files[4].first);
    const nlohmann::json j = nlohmann::json::parse(text, text + files[4].second, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.value("name", nlohmann::json()).is_string() ||
        !j.value("classNames", nlohmann::json()).is_array())
      throw Error(what + ": its description is not valid");
    d.name = j["name"].get<std::string>();
    for (const auto& n : j["classNames"]) {
      if (!n.is_string()) throw Error(what + ": a class name is not a string");
      d.class_names.push_back(n.get<std::string>());
    }
    d.preprocess = j.value("preprocess", "digit") == "fill" ? Preprocess::Fill : Preprocess::Digit;
  }
  const int classes = d.class_names.empty() ? 10 : (int)d.class_names.size();
  for (const Dataset* part : {&d.train, &d.test})
    if (part->classes() > classes)
      throw Error(what + ": a label is " + std::to_string(part->classes() - 1) + ", but there are only " +
                  std::to_string(classes) + " classes");
  return d;
}

std::vector<uint8_t> pack_dataset_asset(const TrainTestData& data) {
  auto images = [](const Dataset& d) {
    return idx_bytes({(uint32_t)d.n, (uint32_t)d.h, (uint32_t)d.w}, d.pixels.data());
  };
  auto labels = [](const Dataset& d) { return idx_bytes({(uint32_t)d.n}, d.labels.data()); };
  const std::string meta = nlohmann::json{{"name", data.name},
                                          {"classNames", data.class_names},
                                          {"preprocess", data.preprocess == Preprocess::Fill ? "fill" : "digit"}}
                               .dump();
  const std::vector<std::vector<uint8_t>> files = {images(data.train), labels(data.train), images(data.test),
                                                   labels(data.test), std::vector<uint8_t>(meta.begin(), meta.end())};
  std::vector<uint8_t> out;
  auto u32 = [&](uint32_t v) {
    for (int s = 0; s < 32; s += 8) out.push_back((uint8_t)(v >> s));
  };
  u32((uint32_t)files.size());
  for (const auto& f : files) u32((uint32_t)f.size());
  for (const auto& f : files) out.insert(out.end(), f.begin(), f.end());
  return out;
}

int MyExamples::count_of(int cls) const { return (int)std::count(labels.begin(), labels.end(), (uint8_t)cls); }

void MyExamples::add(const float* input28, int cls) {
  if (cls < 0 || cls >= (int)names.size()) throw Error("there is no class " + std::to_string(cls));
  if (count() >= kMaxExamples)
    throw Error("there are already " + std::to_string(kMaxExamples) + " examples, as many as the page keeps");
  for (size_t k = 0; k < kImage; k++)
    pixels.push_back((uint8_t)std::lround(std::clamp(input28[k], 0.0f, 1.0f) * 255.0f));
  labels.push_back((uint8_t)cls);
}

void MyExamples::remove(int example) {
  if (example < 0 || example >= count()) throw Error("there is no example " + std::to_string(example));
  pixels.erase(pixels.begin() + (ptrdiff_t)(example * kImage), pixels.begin() + (ptrdiff_t)((example + 1) * kImage));
  labels.erase(labels.begin() + example);
}

void MyExamples::relabel(int example, int cls) {
  if (example < 0 || example >= count()) throw Error("there is no example " + std::to_string(example));
  if (cls < 0 || cls >= (int)names.size()) throw Error("there is no class " + std::to_string(cls));
  labels[example] = (uint8_t)cls;
}

void MyExamples::rename(int cls, const std::string& name) {
  if (cls < 0 || cls >= (int)names.size()) throw Error("there is no class " + std::to_string(cls));
  check_name(name, names, cls);
  names[cls] = name;
}

void MyExamples::add_class(const std::string& name) {
  if ((int)names.size() >= Limits::max_classes)
    throw Error("a network has at most " + std::to_string(Limits::max_classes) + " classes");
  check_name(name, names, -1);
  names.push_back(name);
}

void MyExamples::remove_class(int cls) {
  if (cls < 0 || cls >= (int)names.size()) throw Error("there is no class " + std::to_string(cls));
  if ((int)names.size() <= kMinClasses) throw Error("a classifier needs at least " + std::to_string(kMinClasses) + " classes");
  for (int k = count() - 1; k >= 0; k--)
    if (labels[k] == cls) remove(k);
  for (uint8_t& l : labels)
    if (l > cls) l--;
  names.erase(names.begin() + cls);
}

TrainTestData MyExamples::split() const {
  TrainTestData d;
  d.name = "my classes";
  d.class_names = names;
  for (Dataset* part : {&d.train, &d.test}) part->h = part->w = kDigitSide;
  std::vector<int> seen(names.size(), 0);
  for (int k = 0; k < count(); k++) {
    Dataset& part = ++seen[labels[k]] % kHoldOutEvery == 0 ? d.test : d.train;
    part.pixels.insert(part.pixels.end(), pixels.begin() + (ptrdiff_t)(k * kImage),
                       pixels.begin() + (ptrdiff_t)((k + 1) * kImage));
    part.labels.push_back(labels[k]);
    part.n++;
  }
  return d;
}

std::string cannot_train_classes(const Dataset& train, const std::vector<std::string>& names, int batch) {
  std::vector<int> counts(names.size(), 0);
  for (uint8_t l : train.labels)
    if (l < counts.size()) counts[l]++;
  for (size_t c = 0; c < names.size(); c++)
    if (!counts[c]) return "the class \"" + names[c] + "\" has no examples yet";
  if (train.n < batch)
    return std::to_string(train.n) + " training examples are fewer than the batch size (" + std::to_string(batch) +
           "): add examples or make the batch at most " + std::to_string(train.n);
  return "";
}


std::vector<uint8_t> MyExamples::images_idx() const {
  return idx_bytes({(uint32_t)count(), (uint32_t)kDigitSide, (uint32_t)kDigitSide}, pixels.data());
}
std::vector<uint8_t> MyExamples::labels_idx() const { return idx_bytes({(uint32_t)count()}, labels.data()); }

void MyExamples::import_idx(const uint8_t* images, size_t images_size, const std::string& images_name,
                            const uint8_t* labels_bytes, size_t labels_size, const std::string& labels_name) {
  const Dataset d = make_dataset(parse_idx(images, images_size, images_name),
                                 parse_idx(labels_bytes, labels_size, labels_name), images_name, labels_name);
  if (d.h != kDigitSide || d.w != kDigitSide)
    throw Error(images_name + ": its images are " + std::to_string(d.h) + "×" + std::to_string(d.w) +
                "; the drawing pad's examples are 28×28");
  if (d.n > kMaxExamples)
    throw Error(images_name + ": " + std::to_string(d.n) + " images, more than the " + std::to_string(kMaxExamples) +
                " examples the page keeps");
  for (int k = 0; k < d.n; k++)
    if (d.labels[k] >= names.size())
      throw Error(labels_name + ": label " + std::to_string(d.labels[k]) + " of example " + std::to_string(k) +
                  " is not one of the " + std::to_string(names.size()) + " classes");
  pixels = d.pixels;
  labels = d.labels;
}

std::string MyExamples::names_json() const { return nlohmann::json(names).dump(); }

void MyExamples::set_names_json(const std::string& json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_array() || (int)j.size() < kMinClasses || (int)j.size() > Limits::max_classes)
    throw Error("the stored class names are not a list of 2 to 256 names");
  std::vector<std::string> list;
  for (const auto& n : j) {
    if (!n.is_string()) throw Error("a stored class name is not a string");
    check_name(n.get<std::string>(), list, -1);
    list.push_back(n.get<std::string>());
  }
  for (uint8_t l : labels)
    if (l >= list.size()) throw Error("a stored example's class is not among the stored names");
  names = std::move(list);
}

}  // namespace convlab
