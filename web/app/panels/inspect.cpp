// Inspect: a tab per view of the network (inspect/), each made when what it shows changes.
#include "app.h"

namespace convlab {

void inspect_panel() {
  if (!app.net || app.net->input_size() != app.draw.in.input.size()) {
    ImGui::Text("Inspection needs a network that takes the 28×28 drawing.");
    return;
  }
  if (!ImGui::BeginTabBar("inspect", ImGuiTabBarFlags_FittingPolicyScroll)) return;
  struct Tab {
    const char* name;
    void (*draw)();
  };
  static const Tab tabs[] = {{"Feature maps", feature_maps_tab}, {"Explain", explain_tab},   {"Filters", filters_tab},
                             {"Histograms", histograms_tab},     {"Saliency", saliency_tab}, {"Shifts", shifts_tab},
                             {"Pooling", pooling_tab},         {"Backprop", backprop_tab},
                             {"Test set", test_set_tab},         {"im2col", im2col_tab}};
  for (const Tab& t : tabs) {
    // a click on a unit opens Explain
    const bool select = t.draw == explain_tab && app.inspect.open_explain;
    const bool open = ImGui::BeginTabItem(t.name, nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
    if (select) app.inspect.open_explain = false;
    mark(std::string("tab:") + t.name);
    if (!open) continue;
    ImGui::BeginChild("content", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
    t.draw();
    ImGui::EndChild();
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace convlab
