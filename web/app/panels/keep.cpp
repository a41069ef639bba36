// Keep: save and load model files, back to the default model.
#include "app.h"

namespace convlab {

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
  const bool mine = app.data.active == kMine;
  if (ImGui::Button(mine ? "Start over with a new network" : "Back to the default model")) {
    js_forget_model(kDataIds[app.data.active]);
    js_load_kept_model(kDataIds[app.data.active]);
  }
  ImGui::TextColored(kDim, "The last model of each data set is kept in this browser and restored on reload (after each epoch, a pause or a load).");
  ImGui::TextColored(kDim, "Model files are checked (size, version, shapes, checksum) before anything is used.");
}

}  // namespace convlab
