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

// Models kept by name in this browser: keep the current one, then load, rename or delete any.
void named_models() {
  KeepState& k = app.keep;
  if (!k.listed) {
    k.listed = true;  // asked once; host.js answers with convlab_models_listed
    js_named_model("list", "", "");
  }
  ImGui::SetNextItemWidth(200);
  ImGui::InputTextWithHint("##keep name", "a name for this model", k.name, sizeof k.name);
  mark("field:keep-name");
  ImGui::SameLine();
  ImGui::BeginDisabled(!k.name[0]);
  if (ImGui::Button("Keep in this browser")) {
    try {
      const auto bytes = app.net->save();
      const double accuracy = app.trainer.have_eval ? app.trainer.last_eval.accuracy() : -1.0;
      js_keep_named_model(k.name, kDataIds[app.data.active], accuracy, bytes.data(), (int)bytes.size());
      k.name[0] = 0;
    } catch (const std::exception& e) {
      app.error = std::string("Could not keep the model: ") + e.what();
    }
  }
  mark("button:keep-named");
  ImGui::EndDisabled();
  if (k.models.empty()) {
    hint("No models kept by name yet.");
    return;
  }
  if (!ImGui::BeginTable("kept", 5, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) return;
  for (const char* h : {"name", "data set", "test accuracy", "kept on", ""}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (int i = 0; i < (int)k.models.size(); i++) {
    const KeptModel& m = k.models[i];
    ImGui::PushID(i);
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    if (k.renaming == i) {
      ImGui::SetNextItemWidth(160);
      const bool enter = ImGui::InputText("##rename", k.new_name, sizeof k.new_name, ImGuiInputTextFlags_EnterReturnsTrue);
      mark("field:kept-rename:" + m.name);
      if (enter && k.new_name[0]) {
        js_named_model("rename", m.name.c_str(), k.new_name);
        k.renaming = -1;
      }
    } else {
      ImGui::TextUnformatted(m.name.c_str());
    }
    ImGui::TableSetColumnIndex(1), ImGui::TextUnformatted(m.dataset.c_str());
    ImGui::TableSetColumnIndex(2);
    if (m.accuracy >= 0) ImGui::Text("%.2f%%", 100 * m.accuracy);
    else hint("—");
    ImGui::TableSetColumnIndex(3), ImGui::TextUnformatted(m.date.c_str());
    ImGui::TableSetColumnIndex(4);
    if (ImGui::SmallButton("load")) js_named_model("load", m.name.c_str(), "");
    mark("button:kept-load:" + m.name);
    ImGui::SameLine();
    if (ImGui::SmallButton("rename")) {
      k.renaming = i;
      std::snprintf(k.new_name, sizeof k.new_name, "%s", m.name.c_str());
    }
    mark("button:kept-rename:" + m.name);
    ImGui::SameLine();
    if (ImGui::SmallButton("delete")) {
      const std::string name = m.name;
      ask("Delete the kept model \"" + name + "\" from this browser?", [name] { js_named_model("delete", name.c_str(), ""); });
    }
    mark("button:kept-delete:" + m.name);
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace

void keep_panel() {
  if (!app.net) return;
  hint("Keep the live model: as a file, in this browser by name, or for other tools (ONNX, safetensors).");
  ImGui::Text("Current model: %s", live_model_name().c_str());
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
  same_line_if_fits(button_width("Load model file…"));
  if (ImGui::Button("Load model file…")) js_pick_model_file();
  mark("button:Load");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("a ConvLab model (.clmodel) or an ONNX model (.onnx) of the operators Export ONNX writes");
  same_line_if_fits(button_width("Export ONNX"));
  if (ImGui::Button("Export ONNX")) export_model("onnx");
  mark("button:export-onnx");
  if (ImGui::IsItemHovered()) {
    const Shape in = app.net->spec().input;
    ImGui::SetTooltip("an .onnx file for ONNX Runtime and other tools: opset 13, input [N, %d, %d, %d], output the class "
                      "probabilities [N, %d]", in.c, in.h, in.w, app.net->classes());
  }
  same_line_if_fits(button_width("Export safetensors"));
  if (ImGui::Button("Export safetensors")) export_model("safetensors");
  mark("button:export-safetensors");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the weights alone, named layers.I.weight / .bias, the spec in the metadata");
  const bool mine = app.data.active == kMine;
  const char* back = mine ? "Start over with a new network" : "Back to the default model";
  same_line_if_fits(button_width(back));
  if (ImGui::Button(back)) {
    js_forget_model(kDataIds[app.data.active]);
    js_load_kept_model(kDataIds[app.data.active]);
  }
  hint("The last model of each data set is kept in this browser and restored on reload (after each epoch, a pause or a load).");
  ImGui::SeparatorText("Kept by name");
  named_models();
  hint("Model files are checked (size, version, shapes, checksum) before anything is used; an ONNX file is read "
                          "operator by operator, and one ConvLab cannot run is named.");
}

}  // namespace convlab
