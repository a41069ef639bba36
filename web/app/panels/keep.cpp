// Keep: save and load model files, export ONNX, back to the default model.
#include <nlohmann/json.hpp>

#include "app.h"

namespace convlab {

namespace {

// The page's exporters are JavaScript (web/module/onnx_export.js and safetensors.js, loaded on
// demand by host.js): they get the spec, each layer's output shape and class names as JSON, and
// the weights and biases of every layer one after the other (floats; "params" gives each layer's
// offsets and counts). format: "onnx" or "safetensors".
void export_model(const char* format) {
  Network& net = *app.net;
  nlohmann::json j;
  j["spec"] = nlohmann::json::parse(spec_to_json(net.spec()));
  j["classNames"] = net.class_names();
  std::vector<float> params;
  for (size_t i = 0; i < net.info().size(); i++) {
    const Shape out = net.info()[i].out;
    j["outShapes"].push_back({out.c, out.h, out.w});
    const ParamView w = net.weights(i), b = net.biases(i);
    j["params"].push_back({params.size(), w.count, params.size() + w.count, b.count});
    params.insert(params.end(), w.data, w.data + w.count);
    params.insert(params.end(), b.data, b.data + b.count);
  }
  const std::string text = j.dump();
  js_export_model(format, text.c_str(), params.data(), (int)params.size());
}

}  // namespace

void keep_panel() {
  if (!app.net) return;
  ImGui::Text("Current model: %s", app.model_source.c_str());
  ImGui::Text("%zu parameters, %llu training steps", app.net->param_count(), (unsigned long long)app.net->steps());
  const bool save = ImGui::Button("Save model file");
  mark("button:Save");
  if (save) {
    try {
      auto bytes = app.net->save();
      js_download(bytes.data(), (int)bytes.size(), "convlab-model.clmodel");
      app.message = "Saved convlab-model.clmodel (" + std::to_string(bytes.size()) + " bytes).";
    } catch (const std::exception& e) {
      app.error = std::string("Could not save the model: ") + e.what();
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Load model file…")) js_pick_model_file();
  mark("button:Load");
  ImGui::SameLine();
  if (ImGui::Button("Export ONNX")) export_model("onnx");
  mark("button:export-onnx");
  if (ImGui::IsItemHovered()) {
    const Shape in = app.net->spec().input;
    ImGui::SetTooltip("an .onnx file for ONNX Runtime and other tools: opset 13, input [N, %d, %d, %d], output the class "
                      "probabilities [N, %d]", in.c, in.h, in.w, app.net->classes());
  }
  ImGui::SameLine();
  if (ImGui::Button("Export safetensors")) export_model("safetensors");
  mark("button:export-safetensors");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the weights alone, named layers.I.weight / .bias, the spec in the metadata");
  ImGui::SameLine();
  const bool mine = app.data.active == kMine;
  if (ImGui::Button(mine ? "Start over with a new network" : "Back to the default model")) {
    js_forget_model(kDataIds[app.data.active]);
    js_load_kept_model(kDataIds[app.data.active]);
  }
  ImGui::TextColored(kDim, "The last model of each data set is kept in this browser and restored on reload (after each epoch, a pause or a load).");
  ImGui::TextColored(kDim, "Model files are checked (size, version, shapes, checksum) before anything is used.");
}

}  // namespace convlab
