// The page's one keymap: every shortcut, where it applies and what it does, in one table that both
// handles the keys and fills the help overlay (?) — so that no key can mean two things in one place
// (handle_shortcuts refuses a table that would, and the browser test reads the table).
#include "app.h"

namespace convlab {

namespace {

void move_explained(int dy, int dx) {
  InspectState& s = app.inspect;
  const Shape out = app.net->info()[s.selected_layer].out;
  if (out.h == 1 && out.w == 1) s.selected_channel += dx;  // a flat layer's units are its channels
  else s.selected_y += dy, s.selected_x += dx;
}

const Shortcut kShortcuts[] = {
    {ImGuiKey_C, false, KeyScope::Page, "C", "clear the drawing", [] { clear_pad(); }},
    {ImGuiKey_Z, true, KeyScope::Page, "Ctrl+Z", "undo the last stroke", [] { undo_stroke(); }},
    {ImGuiKey_T, false, KeyScope::Page, "T", "start or pause training", [] { training_shown() ? pause_training() : start_training(); }},
    {ImGuiKey_Slash, false, KeyScope::Page, "?", "show or hide this list", [] { app.help_open = !app.help_open; }},
    {ImGuiKey_Escape, false, KeyScope::Explain, "Esc", "close the explanation", [] { app.inspect.selected_layer = -1; }},
    {ImGuiKey_LeftArrow, false, KeyScope::Explain, "←", "the unit to the left", [] { move_explained(0, -1); }},
    {ImGuiKey_RightArrow, false, KeyScope::Explain, "→", "the unit to the right", [] { move_explained(0, 1); }},
    {ImGuiKey_UpArrow, false, KeyScope::Explain, "↑", "the unit above", [] { move_explained(-1, 0); }},
    {ImGuiKey_DownArrow, false, KeyScope::Explain, "↓", "the unit below", [] { move_explained(1, 0); }},
};

const char* scope_name(KeyScope s) { return s == KeyScope::Page ? "anywhere" : "Explain (a unit selected)"; }

}  // namespace

const Shortcut* shortcuts(size_t* count) {
  *count = sizeof kShortcuts / sizeof kShortcuts[0];
  return kShortcuts;
}

void handle_shortcuts() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || !app.net) return;  // a text field has the keyboard
  const bool explaining = app.inspect.explain_visible && selected_explanation();
  for (const Shortcut& s : kShortcuts) {
    if (s.ctrl != io.KeyCtrl || (s.scope == KeyScope::Explain && !explaining)) continue;
    // "?" is Shift+/ on most layouts; the other keys without Shift
    if (s.key != ImGuiKey_Slash && io.KeyShift) continue;
    if (ImGui::IsKeyPressed(s.key, s.key >= ImGuiKey_LeftArrow && s.key <= ImGuiKey_DownArrow)) s.act();
  }
  app.inspect.explain_visible = false;  // the Explain tab says so again when it is drawn
}

void help_overlay() {
  if (!app.help_open) return;
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, 80), ImGuiCond_Always, ImVec2(0.5f, 0));
  ImGui::SetNextWindowBgAlpha(1.0f);  // the page must not show through the list
  ImGui::Begin("Keys", &app.help_open, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
  mark("help");
  if (ImGui::BeginTable("keys", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"key", "does", "where"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const Shortcut& s : kShortcuts) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0), ImGui::TextUnformatted(s.keys);
      ImGui::TableSetColumnIndex(1), ImGui::TextUnformatted(s.what);
      ImGui::TableSetColumnIndex(2), ImGui::TextUnformatted(scope_name(s.scope));
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace convlab
