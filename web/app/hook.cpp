// The bridge to the page's JavaScript (web/host.js): what C++ asks of it (EM_JS), and the entry
// points it calls — loading models and data, and the read-only test hook window.convlab.
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <numeric>
#include <nlohmann/json.hpp>

#include "app.h"
#include "datasets.h"
#include "js_bytes.h"
#include "presets.h"
#include "ui_renderer.h"

using namespace convlab;

EM_JS(void, js_download, (const uint8_t* bytes, int size, const char* name), {
  window.convlabHost.download(HEAPU8.slice(bytes, bytes + size), UTF8ToString(name));
});
EM_JS(void, js_pick_model_file, (), { window.convlabHost.pickModelFile(); });
EM_JS(void, js_store_model, (const char* data_id, const uint8_t* bytes, int size), {
  window.convlabHost.storeModel(UTF8ToString(data_id), HEAPU8.slice(bytes, bytes + size));
});
EM_JS(void, js_forget_model, (const char* data_id), { window.convlabHost.forgetModel(UTF8ToString(data_id)); });
EM_JS(void, js_load_kept_model, (const char* data_id), { window.convlabHost.loadKeptModel(UTF8ToString(data_id)); });
EM_JS(void, js_fetch_dataset, (const char* data_id), { window.convlabHost.fetchDataset(UTF8ToString(data_id)); });
EM_JS(void, js_use_trainer_data, (const char* data_id, const uint8_t* bytes, int size), {
  window.convlabHost.useTrainerData(UTF8ToString(data_id), size ? HEAPU8.slice(bytes, bytes + size) : null);
});
EM_JS(void, js_store_examples, (const char* names, const uint8_t* images, int images_size, const uint8_t* labels, int labels_size), {
  window.convlabHost.storeExamples(UTF8ToString(names), HEAPU8.slice(images, images + images_size),
                                   HEAPU8.slice(labels, labels + labels_size));
});
EM_JS(void, js_pick_example_files, (), { window.convlabHost.pickExampleFiles(); });
EM_JS(void, js_keep_named_model, (const char* name, const char* dataset, double accuracy, const uint8_t* bytes, int size), {
  window.convlabHost.keepNamedModel(UTF8ToString(name), UTF8ToString(dataset), accuracy, HEAPU8.slice(bytes, bytes + size));
});
EM_JS(void, js_named_model, (const char* action, const char* name, const char* new_name), {
  window.convlabHost.namedModel(UTF8ToString(action), UTF8ToString(name), UTF8ToString(new_name));
});
EM_JS(void, js_export_model, (const char* format, const char* json, const float* params, int count), {
  window.convlabHost.exportModel(UTF8ToString(format), UTF8ToString(json), HEAPF32.slice(params >> 2, (params >> 2) + count));
});
EM_JS(void, js_set_ready, (), { window.convlabHost.ready(); });
EM_JS(void, js_announce, (const char* text), { window.convlabHost.announce(UTF8ToString(text)); });
EM_JS(void, js_intro_seen, (), { window.convlabHost.introSeen(); });
EM_JS(int, js_intro_wanted, (), { return window.convlabHost.introWanted() ? 1 : 0; });
EM_JS(void, js_share_setup, (const char* fragment), { window.convlabHost.shareSetup(UTF8ToString(fragment)); });
EM_JS(void, js_trainer_command, (const char* json, const uint8_t* bytes, int size), {
  window.convlabHost.trainerCommand(UTF8ToString(json), HEAPU8.slice(bytes, bytes + size));
});

extern "C" {

// A link's fragment (location.hash), when the page opens with one or it changes.
EMSCRIPTEN_KEEPALIVE void convlab_open_setup(const char* fragment) { open_setup(fragment); }

// host.js's answer to js_share_setup: 1 when the link is on the clipboard.
EMSCRIPTEN_KEEPALIVE void convlab_setup_link_shared(int copied) {
  app.message = copied ? "Link copied: it opens this page with this network and these Train settings (no weights)."
                       : "The link is in the address bar (this browser did not let the page copy it).";
}

// The engine's limit, so that host.js refuses a larger file before reading it.
EMSCRIPTEN_KEEPALIVE double convlab_max_model_file_bytes() { return (double)Limits::max_model_file_bytes; }

namespace {
// The network `make` gives becomes the live model, or the current one stays and the reason is
// shown; `file`, when `make` fills it, is the model file the network was read from. Returns 1 on
// success.
int adopt_model(const char* source, const std::function<std::unique_ptr<Network>()>& make,
                std::vector<uint8_t>* file = nullptr) {
  std::string error;
  try {
    auto net = make();
    use_network(std::move(net), source, file ? std::move(*file) : std::vector<uint8_t>{});
    // what is loaded is kept (the shipped model and the kept one are there already)
    if (std::string(source) != "default" && std::string(source) != "browser storage") store_model();
    app.message = std::string("Loaded model: ") + source + ".";
    app.error.clear();
    return 1;
  } catch (const std::bad_alloc&) {
    error = "it does not fit in memory";
  } catch (const std::exception& e) {
    error = e.what();
  }
  app.error = std::string("Could not load ") + source + ": " + error + (app.net ? " — the current model is unchanged." : "");
  app.message.clear();
  return 0;
}
}  // namespace

// Loads a model file (`size` bytes in Module.convlabBytes, none when refused unread).
EMSCRIPTEN_KEEPALIVE int convlab_load_model(int size, const char* source, int unread) {
  std::vector<uint8_t> bytes;
  return adopt_model(
      source,
      [&] {
        if (unread)
          throw Error("the file has " + std::to_string(size) + " bytes, more than a model file can have (" +
                      std::to_string(Limits::max_model_file_bytes) + ")");
        bytes = take_js_bytes(size);
        return std::make_unique<Network>(Network::load(bytes.data(), bytes.size()));
      },
      &bytes);
}

// An ONNX model read by web/module/onnx_import.js: `json` has its spec, class names and each
// layer's [weights, biases] counts; the values, layer after layer, are `count` floats in
// Module.convlabBytes. `why` instead when the importer refused the file.
EMSCRIPTEN_KEEPALIVE int convlab_import_model(const char* source, const char* json, int count, const char* why) {
  return adopt_model(source, [&] {
    if (*why) throw Error(why);
    const std::vector<uint8_t> bytes = take_js_bytes(count * (int)sizeof(float));
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    const nlohmann::json j = nlohmann::json::parse(json);
    auto net = std::make_unique<Network>(j.at("spec").dump(), 0);
    size_t at = 0;
    for (size_t i = 0; i < j.at("counts").size(); i++) {
      const size_t w = j["counts"][i].at(0), b = j["counts"][i].at(1);
      if (at + w + b > values.size()) throw Error("the importer gave fewer values than its layers need");
      net->set_parameters(i, values.data() + at, w, values.data() + at + w, b);
      at += w + b;
    }
    if (j.contains("classNames") && !j["classNames"].empty()) net->set_class_names(j["classNames"].get<std::vector<std::string>>());
    // finite weights can still overflow (a damaged file): such a network is refused
    std::vector<float> grey(net->input_size(), 0.5f), probs(net->classes());
    net->predict(grey.data(), 1, probs.data());
    if (!std::all_of(probs.begin(), probs.end(), [](float p) { return std::isfinite(p); }))
      throw Error("its weights are so large that a plain grey image gives no finite scores");
    return net;
  });
}

namespace {
int data_index(const char* id) {
  for (int k = 0; k < kDataSets; k++)
    if (std::string(id) == kDataIds[k]) return k;
  return -1;
}
}  // namespace

EMSCRIPTEN_KEEPALIVE void convlab_dataset_failed(const char* id, const char* why);

// A packed data asset (scripts/pack_assets.mjs), already decompressed: "mnist" or "fashion".
// `size` bytes in Module.convlabBytes; the trainer gets the same bytes from host.js.
EMSCRIPTEN_KEEPALIVE void convlab_set_dataset(int size, const char* id) {
  const int which = data_index(id);
  if (which < 0) return;
  try {
    const std::vector<uint8_t> bytes = take_js_bytes(size);
    dataset_arrived(which, parse_dataset_asset(bytes.data(), bytes.size(), kDataNames[which]));
  } catch (const std::bad_alloc&) {
    convlab_dataset_failed(id, "it does not fit in memory");
  } catch (const std::exception& e) {
    convlab_dataset_failed(id, e.what());
  }
}

EMSCRIPTEN_KEEPALIVE void convlab_dataset_failed(const char* id, const char* why) {
  const int which = data_index(id);
  if (which < 0) return;
  app.data.progress = -1.0f;
  app.data.status[which] = std::string(kDataNames[which]) + " could not be loaded: " + why;
  if (app.data.wanted == which) app.data.wanted = app.data.active;  // the picker shows what is in use
  app.error = app.data.status[which];
}

EMSCRIPTEN_KEEPALIVE void convlab_dataset_progress(double fraction) {
  if (app.data.progress >= 0) app.data.progress = (float)std::clamp(fraction, 0.0, 1.0);
}

// The examples kept in this browser: names (JSON) and the images and labels IDX files, their
// bytes one after the other in Module.convlabBytes. No names: nothing was kept.
EMSCRIPTEN_KEEPALIVE void convlab_set_my_examples(const char* names, int images_size, int labels_size) {
  app.data.mine_restored = true;
  if (!*names) return;
  try {
    const std::vector<uint8_t> bytes = take_js_bytes(images_size + labels_size);
    MyExamples m;
    m.set_names_json(names);
    m.import_idx(bytes.data(), (size_t)images_size, "the stored images", bytes.data() + images_size, (size_t)labels_size,
                 "the stored labels");
    app.data.mine = std::move(m);
  } catch (const std::exception& e) {
    app.data.storage_error = std::string("Your stored examples could not be read: ") + e.what();
  }
}

// Import: IDX images and labels (bytes one after the other in Module.convlabBytes) and names
// (JSON, or empty) — added to my examples; names are taken when there are no examples yet.
EMSCRIPTEN_KEEPALIVE void convlab_import_examples(int images_size, int labels_size, const char* images_name,
                                                  const char* labels_name, const char* names) {
  try {
    const std::vector<uint8_t> bytes = take_js_bytes(images_size + labels_size);
    MyExamples m = app.data.mine;
    if (*names && m.count() == 0) m.set_names_json(names);
    m.import_idx(bytes.data(), (size_t)images_size, images_name, bytes.data() + images_size, (size_t)labels_size, labels_name);
    const int added = m.count() - app.data.mine.count();
    app.data.mine = std::move(m);
    app.message = "Imported " + std::to_string(added) + " examples from " + images_name + ".";
    app.error.clear();
    my_examples_changed();
  } catch (const std::bad_alloc&) {
    app.error = std::string("Could not import ") + images_name + ": it does not fit in memory; your examples are unchanged.";
  } catch (const std::exception& e) {
    app.error = std::string("Could not import: ") + e.what() + " — your examples are unchanged.";
  }
}

// What host.js's exporter answers: the file was downloaded (bytes) or why not.
EMSCRIPTEN_KEEPALIVE void convlab_export_done(const char* name, int bytes, const char* error) {
  if (*error) app.error = std::string("Could not export ") + name + ": " + error;
  else app.message = std::string("Exported ") + name + " (" + std::to_string(bytes) + " bytes).";
}

EMSCRIPTEN_KEEPALIVE void convlab_import_failed(const char* why) {
  app.error = std::string("Could not import: ") + why + " — your examples are unchanged.";
}

// The models kept by name, as host.js lists them: [{name, dataset, date, accuracy}].
EMSCRIPTEN_KEEPALIVE void convlab_models_listed(const char* json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  app.keep.listed = true;
  app.keep.models.clear();
  if (!j.is_array()) return;
  for (const auto& m : j)
    if (m.is_object())
      app.keep.models.push_back({m.value("name", ""), m.value("dataset", ""), m.value("date", ""), m.value("accuracy", -1.0)});
}

// The browser would not keep something (a quota, private browsing): it stays in this page.
EMSCRIPTEN_KEEPALIVE void convlab_storage_failed(const char* what) {
  app.data.storage_error = std::string("This browser would not keep ") + what + "; it stays in this page until it is closed.";
  app.error = app.data.storage_error;
}

// Nothing kept for my classes: a new network of the Build tab's architecture for them.
EMSCRIPTEN_KEEPALIVE void convlab_new_model_for_classes() { new_network_for_classes(false); }

// Which build runs the trainer, and on how many threads (host.js decides before the first model).
EMSCRIPTEN_KEEPALIVE void convlab_set_trainer_threads(int threaded, int threads) {
  app.link.threaded = threaded != 0;
  app.link.threads = std::max(1, threads);
}

// A report from the trainer's worker, with a weight snapshot of `size` bytes in Module.convlabBytes.
EMSCRIPTEN_KEEPALIVE void convlab_trainer_report(const char* json, int size) {
  apply_trainer_report(json, take_js_bytes(size));
}

EMSCRIPTEN_KEEPALIVE void convlab_trainer_restarted(const char* why) { trainer_restarted(why); }

// What a user's click does, without the frame that draws the button (the test hook's act(): click
// races faster than frames). Returns 0 for an unknown action.
EMSCRIPTEN_KEEPALIVE int convlab_act(const char* name) {
  const std::string a = name;
  if (a == "start") start_training();
  else if (a == "pause") pause_training();
  else if (a == "step") step_training();
  else if (a == "reset") reset_weights();
  else if (a == "use") use_built_network();
  else if (a == "evaluate") evaluate_model();
  else if (a.rfind("preset:", 0) == 0) pick_preset(std::atoi(a.c_str() + 7));
  else if (a.rfind("data:", 0) == 0) pick_dataset(data_index(a.c_str() + 5));
  else if (a.rfind("add:", 0) == 0) add_example(std::atoi(a.c_str() + 4));
  else if (a == "new-head") new_network_for_classes(false);
  else if (a == "fine-tune") new_network_for_classes(true);
  else if (a == "redraw-all") ui_renderer_redraw_all();
  else return 0;
  return 1;
}

// The read-only test hook (window.convlab.state / prediction).
EMSCRIPTEN_KEEPALIVE const char* convlab_state_json() {
  static std::string text;
  const TrainerStatus& t = app.trainer;
  nlohmann::json j;
  j["training"] = training_shown();
  j["trainerRunning"] = t.running;  // as the trainer last reported
  j["evaluating"] = t.evaluating;
  j["epoch"] = t.epoch;
  j["examplesSeen"] = t.examples_seen;
  j["trainLoss"] = t.loss_history.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.last_loss);
  j["lossPoints"] = t.loss_history.size();
  j["trainLossFirst"] = t.loss_history.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.loss_history.front());
  j["testAccuracy"] = t.have_eval ? nlohmann::json(t.last_eval.accuracy()) : nlohmann::json(nullptr);
  j["testAccuracyEpoch"] = t.evaluated_epoch;  // epochs trained when testAccuracy was measured
  j["testAccuracies"] = t.test_acc_history;
  j["fps"] = ImGui::GetIO().Framerate;
  j["drawn"] = {{"lists", app.drawn.lists}, {"commands", app.drawn.commands}, {"vertices", app.drawn.vertices},
                {"triangles", app.drawn.triangles}, {"redrawnPixels", app.drawn.redrawn_pixels}};
  j["redrawnPixelsTotal"] = app.redrawn_pixels_total;
  j["frames"] = app.frames;  // frames drawn so far: tests wait for frames, not milliseconds
  j["error"] = app.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(app.error);
  j["message"] = app.message;
  const auto pad = app.widgets.count("pad") ? app.widgets.at("pad") : std::array<float, 4>{};
  j["pad"] = {{"x", pad[0]}, {"y", pad[1]}, {"w", pad[2]}, {"h", pad[3]}};
  j["model"] = app.model_source;
  j["modelName"] = live_model_name();  // as the header says it
  j["steps"] = app.net ? app.net->steps() : 0;  // of the weights shown (the last snapshot)
  j["trainerSteps"] = t.steps;                  // of the trainer's copy
  j["dataLoaded"] = app.train != nullptr;
  j["dataset"] = kDataIds[app.data.active];
  j["datasetWanted"] = kDataIds[app.data.wanted];
  j["dataProgress"] = app.data.progress;
  j["dataStatus"] = data_status();
  j["trainExamples"] = app.train ? app.train->n : 0;
  j["testExamples"] = app.test ? app.test->n : 0;
  j["modelFitsData"] = model_fits_data();
  j["whyCannotTrain"] = why_cannot_train();
  std::vector<std::string> names;
  for (int k = 0; app.net && k < app.net->classes(); k++) names.push_back(class_name(k));
  j["classNames"] = names;
  j["myClasses"] = app.data.mine.names;
  std::vector<int> counts;
  for (int c = 0; c < (int)app.data.mine.names.size(); c++) counts.push_back(app.data.mine.count_of(c));
  j["myExampleCounts"] = counts;
  j["myExamplesRestored"] = app.data.mine_restored;
  j["storageError"] = app.data.storage_error;
  std::vector<std::string> kept;
  for (const KeptModel& m : app.keep.models) kept.push_back(m.name);
  j["keptModels"] = kept;
  j["buildError"] = app.build.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(app.build.error);
  j["layers"] = app.build.info.size();
  j["formulas"] = app.build.formulas;  // the Build table's output-size formulas
  j["examplesPerSecond"] = t.examples_per_s;
  j["lr"] = t.has_run ? t.lr : app.settings.lr;  // the rate of the next step (a schedule starts at lr)
  static const char* const kScheduleNames[] = {"constant", "step", "cosine"};
  j["schedule"] = kScheduleNames[std::clamp(app.settings.schedule, 0, 2)];
  j["batch"] = app.settings.batch;
  j["trainer"] = {{"threaded", app.link.threaded}, {"threads", t.threads}, {"generation", app.link.generation},
                  {"snapshots", app.link.snapshots}, {"pending", app.link.last_command - std::min(app.link.last_command, t.acked)}};
  nlohmann::json widgets = nlohmann::json::object();
  for (const auto& [name, r] : app.widgets) widgets[name] = {{"x", r[0]}, {"y", r[1]}, {"w", r[2]}, {"h", r[3]}};
  j["widgets"] = widgets;
  nlohmann::json legends = nlohmann::json::object();
  for (const auto& [name, ends] : app.legends) legends[name] = {{"lo", ends[0]}, {"hi", ends[1]}};
  j["legends"] = legends;
  j["helpOpen"] = app.help_open;
  j["panel"] = std::array<const char*, 6>{"Build", "Data", "Train", "Inspect", "Keep", "Draw"}[app.panel];
  j["touchScreen"] = app.touch_screen;
  j["introShown"] = app.show_intro;
  j["focused"] = app.focused;
  j["typing"] = ImGui::GetIO().WantTextInput;  // a text field has the keyboard
  j["setupLink"] = app.setup_link;
  j["plotHover"] = {{"plot", app.plot_hover.plot}, {"x", app.plot_hover.x}, {"values", app.plot_hover.values}};
  j["lossHistory"] = t.loss_history;  // every batch's loss, as the Train plot has it
  j["buildSpec"] = nlohmann::json::parse(spec_to_json(app.build.spec));
  j["buildPreset"] = app.build.custom ? "custom" : kPresets[app.build.preset].name;
  j["buildDraft"] = build_is_draft();
  j["trainSettings"] = settings_to_json(app.settings);
  j["shift"] = {app.draw.shift_y, app.draw.shift_x};
  j["inputInk"] = std::accumulate(app.draw.in.input.begin(), app.draw.in.input.end(), 0.0);
  text = j.dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_prediction_json() {
  static std::string text;
  nlohmann::json j;
  j["digit"] = app.digit >= 0 ? nlohmann::json(app.digit) : nlohmann::json(nullptr);  // the class's index
  j["label"] = app.digit >= 0 ? nlohmann::json(class_name(app.digit)) : nlohmann::json(nullptr);
  j["probs"] = app.draw.in.empty ? std::vector<float>(app.probs.size(), 0.0f) : app.probs;
  j["sure"] = prediction_is_sure();  // else shown faded, with a "?"
  text = j.dump();
  return text.c_str();
}

// The 28×28 input the network received from the pad (row-major), and one layer's output for it
// (channel-major, C·H·W): what the pictures of the page must show.
EMSCRIPTEN_KEEPALIVE const char* convlab_input_json() {
  static std::string text;
  text = nlohmann::json(app.draw.in.input).dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_layer_json(int layer) {
  static std::string text;
  if (!app.net || layer < 0 || (size_t)layer >= app.net->info().size()) return "null";
  const Tensor& t = app.net->layer_output((size_t)layer);
  const size_t n = app.net->info()[layer].out.per_example();
  text = t.shape.n < 1 ? "null" : nlohmann::json(std::vector<float>(t.ptr(), t.ptr() + n)).dump();
  return text.c_str();
}

// The Explain tab's unit (null when none is selected) and the receptive field shaded on the input.
EMSCRIPTEN_KEEPALIVE const char* convlab_explanation_json() {
  static std::string text;
  const UnitExplanation* e = selected_explanation();
  if (!e) return "null";
  nlohmann::json j;
  j["layer"] = e->layer, j["type"] = layer_type_name(e->type), j["channel"] = e->channel, j["y"] = e->y, j["x"] = e->x;
  j["value"] = e->value, j["engineValue"] = e->engine_value, j["flipped"] = app.inspect.explain_flipped;
  j["kh"] = e->kh, j["kw"] = e->kw, j["tapY"] = e->tap_y, j["tapX"] = e->tap_x;
  j["inChannels"] = e->in_channels, j["weightSet"] = e->weight_set, j["patch"] = e->patch, j["kernel"] = e->kernel;
  j["channelSums"] = e->channel_sums, j["bias"] = e->bias, j["flippedValue"] = e->flipped_value;
  j["winner"] = e->winner, j["counted"] = e->counted, j["windowWeights"] = e->window_weights;
  j["topIndex"] = e->top_index, j["topWeight"] = e->top_weight, j["topInput"] = e->top_input, j["rest"] = e->rest;
  j["input"] = e->input;
  text = j.dump();
  return text.c_str();
}

// The Saliency tab's last map and the Shifts tab's rows (null until the tab made them).
EMSCRIPTEN_KEEPALIVE const char* convlab_saliency_json() {
  static std::string text;
  const InspectState& in = app.inspect;
  if (in.saliency_version != app.draw.input_version || in.saliency.empty()) return "null";
  text = nlohmann::json{{"class", in.saliency_class}, {"smooth", in.saliency_smooth_made}, {"map", in.saliency}}.dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_shifts_json() {
  static std::string text;
  const InspectState& in = app.inspect;
  if (in.shifts_version != app.draw.input_version || in.shift_rows[0].empty()) return "null";
  text = nlohmann::json{{"across", in.shift_rows[0]}, {"down", in.shift_rows[1]}, {"centred", app.draw.in.centred}}.dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_pooling_json() {
  static std::string text;
  const PoolingState& p = app.inspect.pooling;
  if (p.version != app.draw.input_version || p.map.empty()) return "null";
  text = nlohmann::json{{"layer", p.made_for[0]}, {"channel", p.made_for[1]}, {"size", p.size}, {"stride", p.stride},
                        {"padding", p.padding}, {"map", p.map}, {"out", {p.out.h, p.out.w}}, {"max", p.results[0]},
                        {"avg", p.results[1]}, {"wavg", p.results[2]}, {"l2", p.results[3]}, {"weights", p.weights}}
             .dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_im2col_example_json() {
  static std::string text;
  const Im2colExample e = im2col_example();
  text = nlohmann::json{{"input", e.input}, {"col", e.col}, {"patches", e.patches}, {"kernel", e.kernel},
                        {"product", e.product}, {"direct", e.direct}}
             .dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_backprop_json() {
  static std::string text;
  const BackpropState& b = app.inspect.backprop;
  if (!b.ok || b.version != app.draw.input_version) return "null";
  const BackwardViews& v = b.views;
  text = nlohmann::json{{"layer", v.layer}, {"label", v.label}, {"loss", v.loss}, {"dy", v.dy}, {"dx", v.dx},
                        {"dw", v.dw}, {"db", v.db}, {"dxNotes", v.dx_notes}, {"dxMaxDiff", v.dx_max_diff},
                        {"winners", v.winners}}
             .dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_keymap_json() {
  static std::string text;
  size_t count = 0;
  const Shortcut* s = shortcuts(&count);
  nlohmann::json j = nlohmann::json::array();
  for (size_t k = 0; k < count; k++)
    j.push_back({{"keys", s[k].keys}, {"what", s[k].what}, {"where", s[k].scope == KeyScope::Page ? "page" : s[k].scope == KeyScope::Explain ? "explain" : "my-classes"}});
  text = j.dump();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* convlab_receptive_field_json() {
  static std::string text;
  text = nlohmann::json(shown_receptive_field()).dump();
  return text.c_str();
}

}  // extern "C"
