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

template <int K>
void add_to_class() {
  if (K < (int)app.data.mine.names.size()) add_example(K);
}

template <int DY, int DX>
void shift_drawing() {
  app.draw.shift_y += DY, app.draw.shift_x += DX, app.draw.changed = true;
}

template <int P>
void open_panel() {
  app.panel_request = P;
}

const Shortcut kShortcuts[] = {
    {ImGuiKey_C, false, false, KeyScope::Page, "C", "clear the drawing", [] { clear_pad(); }},
    {ImGuiKey_Z, true, false, KeyScope::Page, "Ctrl+Z", "undo the last stroke", [] { undo_stroke(); }},
    {ImGuiKey_T, false, false, KeyScope::Page, "T", "start or pause training", [] { training_shown() ? pause_training() : start_training(); }},
    {ImGuiKey_Slash, false, true, KeyScope::Page, "?", "show or hide this list", [] { app.help_open = !app.help_open; }},
    {ImGuiKey_W, false, false, KeyScope::Page, "W", "shift the drawing up a pixel", shift_drawing<-1, 0>},
    {ImGuiKey_A, false, false, KeyScope::Page, "A", "… left", shift_drawing<0, -1>},
    {ImGuiKey_S, false, false, KeyScope::Page, "S", "… down", shift_drawing<1, 0>},
    {ImGuiKey_D, false, false, KeyScope::Page, "D", "… right", shift_drawing<0, 1>},
    {ImGuiKey_1, false, false, KeyScope::Page, "1", "the Build panel", open_panel<0>},
    {ImGuiKey_2, false, false, KeyScope::Page, "2", "the Data panel", open_panel<1>},
    {ImGuiKey_3, false, false, KeyScope::Page, "3", "the Train panel", open_panel<2>},
    {ImGuiKey_4, false, false, KeyScope::Page, "4", "the Inspect panel", open_panel<3>},
    {ImGuiKey_5, false, false, KeyScope::Page, "5", "the Keep panel", open_panel<4>},
    {ImGuiKey_Tab, false, false, KeyScope::Page, "Tab, Shift+Tab", "the next, previous control (Space or Enter presses it)", nullptr},
    {ImGuiKey_1, false, true, KeyScope::MyClasses, "Shift+1", "add the drawing to my class 1", add_to_class<0>},
    {ImGuiKey_2, false, true, KeyScope::MyClasses, "Shift+2", "… to my class 2", add_to_class<1>},
    {ImGuiKey_3, false, true, KeyScope::MyClasses, "Shift+3", "… to my class 3", add_to_class<2>},
    {ImGuiKey_4, false, true, KeyScope::MyClasses, "Shift+4", "… to my class 4", add_to_class<3>},
    {ImGuiKey_5, false, true, KeyScope::MyClasses, "Shift+5", "… to my class 5", add_to_class<4>},
    {ImGuiKey_6, false, true, KeyScope::MyClasses, "Shift+6", "… to my class 6", add_to_class<5>},
    {ImGuiKey_7, false, true, KeyScope::MyClasses, "Shift+7", "… to my class 7", add_to_class<6>},
    {ImGuiKey_8, false, true, KeyScope::MyClasses, "Shift+8", "… to my class 8", add_to_class<7>},
    {ImGuiKey_9, false, true, KeyScope::MyClasses, "Shift+9", "… to my class 9", add_to_class<8>},
    {ImGuiKey_0, false, true, KeyScope::MyClasses, "Shift+0", "… to my class 10", add_to_class<9>},
    {ImGuiKey_Escape, false, false, KeyScope::Explain, "Esc", "close the explanation", [] { app.inspect.selected_layer = -1; }},
    // while a unit is explained the arrows are its; else they move the keyboard focus (ImGui's)
    {ImGuiKey_LeftArrow, false, false, KeyScope::Explain, "←", "the unit to the left", [] { move_explained(0, -1); }},
    {ImGuiKey_RightArrow, false, false, KeyScope::Explain, "→", "the unit to the right", [] { move_explained(0, 1); }},
    {ImGuiKey_UpArrow, false, false, KeyScope::Explain, "↑", "the unit above", [] { move_explained(-1, 0); }},
    {ImGuiKey_DownArrow, false, false, KeyScope::Explain, "↓", "the unit below", [] { move_explained(1, 0); }},
};

const char* scope_name(KeyScope s) {
  return s == KeyScope::Page ? "anywhere" : s == KeyScope::MyClasses ? "Data: my classes" : "Explain (a unit selected)";
}

}  // namespace

const Shortcut* shortcuts(size_t* count) {
  *count = sizeof kShortcuts / sizeof kShortcuts[0];
  return kShortcuts;
}

void handle_shortcuts() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || !app.net) return;  // a text field has the keyboard
  const bool explaining = app.inspect.explain_visible && selected_explanation();
  app.arrows_explain = explaining;
  for (const Shortcut& s : kShortcuts) {
    if (!s.act) continue;  // listed only: ImGui's own keyboard navigation does it
    if (s.ctrl != io.KeyCtrl || (s.scope == KeyScope::Explain && !explaining)) continue;
    if (s.scope == KeyScope::MyClasses && app.data.active != kMine) continue;
    // "?" is Shift+/ on most layouts, / on some: either; every other key exactly as listed
    if (s.key != ImGuiKey_Slash && s.shift != io.KeyShift) continue;
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
