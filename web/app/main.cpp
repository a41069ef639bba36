// The page's shell: GLFW over WebGL2, touch, hi-DPI and fonts, the layout of the panels and the
// frame loop. The panels are in panels/ and inspect/, the test hook and host bridge in hook.cpp.
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <cmath>

#include "app.h"
#include "gl_program.h"
#include "heatmap.h"
#include "imgui_impl_glfw.h"
#include "presets.h"
#include "ui_font.h"
#include "ui_renderer.h"

using namespace convlab;

namespace {

GLFWwindow* window = nullptr;
double device_pixel_ratio = 1.0, css_width = 0, css_height = 0;
// Keep in step with UI_FONT_UNICODES in web/web.cmake.
const ImWchar kUiGlyphRanges[] = {0x0020, 0x007E, 0x00A7, 0x00A7, 0x00B0, 0x00B0, 0x00B2, 0x00B2, 0x00B7, 0x00B7, 0x00D7, 0x00D7,
                                  0x03A0, 0x03A0, 0x03A3, 0x03A3, 0x03B1, 0x03B1, 0x03B5, 0x03B5, 0x03BB, 0x03BC,
                                  0x03C3, 0x03C3, 0x2014, 0x2014, 0x2026, 0x2026, 0x2032, 0x2032, 0x2190, 0x2193,
                                  0x2202, 0x2202, 0x2212, 0x2212, 0x221A, 0x221A, 0x2264, 0x2265, 0x230A, 0x230B, 0};

// A first visit opens on the feature maps of a test digit already on the pad (the maps of an empty
// pad are blank and show nothing); a stroke draws over it, Clear (C) removes it. Not when the visitor has
// drawn before the test set arrived.
constexpr int kFirstVisitDigit = 0;
void first_visit_digit() {
  if (!app.show_intro || app.intro_digit_done || !app.test || !app.net) return;
  app.intro_digit_done = true;
  if (app.draw.in.empty && !app.draw.pad.can_undo()) load_test_digit(kFirstVisitDigit);
}

// A first visit's three steps, until "Got it" (kept by host.js in localStorage).
void intro() {
  if (!app.show_intro) return;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, to_vec4(palette::kCallout));
  ImGui::BeginChild("intro", ImVec2(0, 0), ImGuiChildFlags_AutoResizeY | ImGuiChildFlags_AlwaysUseWindowPadding);
  ImGui::TextWrapped("1. Draw a digit on the pad: the network reads it as you draw. A digit of the test set is there to start: Clear (C) removes it.");
  ImGui::TextWrapped("2. Look inside: Inspect shows what every layer makes of your drawing; click a unit to see how it is computed.");
  ImGui::TextWrapped("3. Train your own: pick or build a network (Build), press Start (Train), and watch it learn.");
  if (ImGui::Button("Got it")) app.show_intro = false, js_intro_seen();
  mark("button:intro-done");
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

void main_window() {
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  if (app.frames == 0) ImGui::SetNextWindowFocus();  // so that the first Tab lands in the page
  // No background: the frame's clear is one, and a full-screen blend less is a quarter of a
  // software GPU's frame.
  ImGui::Begin("ConvLab", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoBackground);
  ImGui::Text("ConvLab");
  ImGui::SameLine();
  // a phone has no room for the tagline: the live model's name, wrapped
  ImGui::PushStyleColor(ImGuiCol_Text, kDim);
  if (io.DisplaySize.x >= 900)
    ImGui::Text("draw a digit, watch a CNN read it, train your own, look inside   |   model: %s", live_model_name().c_str());
  else
    ImGui::TextWrapped("model: %s", live_model_name().c_str());
  ImGui::PopStyleColor();
  mark("header");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("data: %s\n%.0f frames a second", data_status().c_str(), io.Framerate);
  // One status line, always there (blank when there is nothing to say) and never wrapped, so
  // that the columns below do not move under the pointer when a message comes or goes; an error
  // and a message share it. The whole text is in the tooltip (and said by the live region).
  auto status_line = [](const char* name, const std::string& text, const ImVec4& color) {
    const float room = ImGui::GetContentRegionAvail().x;
    ImGui::TextColored(color, "%s", text.c_str());
    mark(name);
    if (ImGui::IsItemHovered() && ImGui::CalcTextSize(text.c_str()).x > room) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
      ImGui::TextUnformatted(text.c_str());
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  };
  if (!app.error.empty()) status_line("status:error", app.error, kRed);
  if (!app.error.empty() && !app.message.empty()) ImGui::SameLine(0, 2 * ImGui::GetStyle().ItemSpacing.x);
  if (!app.message.empty()) status_line("status:message", app.message, ImGui::GetStyle().Colors[ImGuiCol_Text]);
  if (app.error.empty() && app.message.empty()) ImGui::Dummy(ImVec2(0, ImGui::GetTextLineHeight()));
  const bool wide = io.DisplaySize.x >= 900;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  // From 1600 px wide the pad, the preview and the map tiles grow with the window (up to 2×)
  // rather than leave most of a big screen empty.
  app.ui_scale = io.DisplaySize.x >= 1600 && io.DisplaySize.y >= 900
                     ? std::clamp(std::min(io.DisplaySize.x / 1280.0f, io.DisplaySize.y / 800.0f), 1.0f, 2.0f)
                     : 1.0f;
  const float side = wide ? std::round(300.0f * app.ui_scale)
                          : std::min(io.DisplaySize.x - 2 * ImGui::GetStyle().WindowPadding.x, 360.0f);
  auto left_column = [&] {
    draw_panel(side);
    input_preview(wide ? std::floor(4.0f * app.ui_scale) : 3.0f);
    predict_panel();
  };
  if (wide) {
    // flattened: Tab and the arrows move between the columns as if they were one window
    ImGui::BeginChild("left", ImVec2(side + 2 * spacing, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
    left_column();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("right", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
  }
  // Tabs that do not fit scroll (arrows at the end) rather than shrink to "Insp…". On a narrow
  // screen the tabs come first, the drawing being one of them: every panel is one tap away.
  // A panel's content scrolls under the tab bar, which stays in place.
  auto content = [](auto&& draw, bool focus) {
    ImGui::BeginChild("content", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NavFlattened);
    if (focus) ImGui::SetKeyboardFocusHere();  // opened by its key: Tab goes on from its first control
    intro();
    draw();
    ImGui::EndChild();
  };
  if (ImGui::BeginTabBar("panels", ImGuiTabBarFlags_FittingPolicyScroll)) {
    if (!wide) {
      const bool open = ImGui::BeginTabItem("Draw", nullptr, app.panel_request == kDrawPanel ? ImGuiTabItemFlags_SetSelected : 0);
      mark("tab:Draw");
      if (open) {
        app.panel = kDrawPanel;
        content(left_column, false);
        ImGui::EndTabItem();
      }
    }
    struct Panel {
      const char* name;
      void (*draw)();
    };
    static const Panel panels[] = {{"Build", build_panel}, {"Data", data_panel}, {"Train", train_panel}, {"Inspect", inspect_panel}, {"Keep", keep_panel}};
    for (int k = 0; k < (int)(sizeof panels / sizeof panels[0]); k++) {
      const Panel& p = panels[k];
      // the page opens on what the network sees (Inspect → Feature maps), on a narrow screen on the drawing
      const bool opening = app.frames == 0 && wide && k == 3;
      const bool open = ImGui::BeginTabItem(p.name, nullptr, app.panel_request == k || opening ? ImGuiTabItemFlags_SetSelected : 0);
      mark(std::string("tab:") + p.name);
      if (!open) continue;
      app.panel = k;
      content(p.draw, app.panel_request == k);  // a key asks on one frame; the tab opens on the next
      if (app.panel_request == k) app.panel_request = -1;
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  if (wide) ImGui::EndChild();
  confirm_popup();
  ImGui::End();
}

// ---- frame loop, hi-DPI, fonts ----

// The canvas fills the page; its backing store has devicePixelRatio pixels per CSS pixel and
// ImGui lays out in CSS pixels. (glfwSetWindowSize is avoided: Emscripten 3.1.6's GLFW asks for
// fullscreen whenever the size equals the screen's.)
void sync_canvas_size() {
  double w, h;
  emscripten_get_element_css_size("#canvas", &w, &h);
  const double dpr = emscripten_get_device_pixel_ratio();
  if (w == css_width && h == css_height && dpr == device_pixel_ratio) return;
  css_width = w, css_height = h;
  emscripten_set_canvas_element_size("#canvas", (int)std::lround(w * dpr), (int)std::lround(h * dpr));
  if (dpr == device_pixel_ratio) return;
  // A font atlas rasterised at the screen's density keeps text crisp.
  device_pixel_ratio = dpr;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;
  io.Fonts->AddFontFromMemoryTTF((void*)kUiFont, (int)sizeof kUiFont, (float)std::round(15.0 * dpr), &cfg, kUiGlyphRanges);
  // The big font shows the predicted digit only: 11 glyphs, no oversampling at this size (a small
  // atlas is a faster first frame).
  static const ImWchar kDigitGlyphs[] = {'0', '9', '?', '?', 0};
  ImFontConfig big_cfg = cfg;
  big_cfg.OversampleH = 1;
  big_font = io.Fonts->AddFontFromMemoryTTF((void*)kUiFont, (int)sizeof kUiFont, (float)std::round(72.0 * dpr),
                                            &big_cfg, kDigitGlyphs);
  io.FontGlobalScale = (float)(1.0 / dpr);
  ui_renderer_upload_fonts();
}

// Touch: Emscripten 3.1.6's GLFW presses the mouse button on touchstart but never moves the
// cursor (its calculateMouseEvent only reads SDL's event.touch), so fingers come through the
// html5 callbacks instead and GLFW's touch listeners are removed. On the pad a finger draws at
// once; elsewhere a finger that moves scrolls what is under it (as the wheel does) and one that
// does not is a tap (a click where it went down).
struct Touch {
  bool on_pad = false, tap = false, scrolling = false;
  float x0 = 0, y0 = 0, last_y = 0;
} touch;

bool inside_pad(float x, float y) {
  auto it = app.widgets.find("pad");
  if (it == app.widgets.end()) return false;
  const auto& r = it->second;
  return x >= r[0] && x < r[0] + r[2] && y >= r[1] && y < r[1] + r[3];
}

EM_BOOL on_touch(int type, const EmscriptenTouchEvent* e, void*) {
  const EmscriptenTouchPoint* point = nullptr;
  for (int i = 0; i < e->numTouches && !point; i++)
    if (e->touches[i].isChanged) point = &e->touches[i];
  if (!point) return EM_TRUE;
  const float x = (float)point->targetX, y = (float)point->targetY;
  ImGuiIO& io = ImGui::GetIO();
  io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
  if (type == EMSCRIPTEN_EVENT_TOUCHSTART) {
    // The backend polls glfwGetCursorPos (a stale mouse position) while it believes the cursor is
    // outside the window, which a finger never enters: tell it the cursor is in.
    ImGui_ImplGlfw_CursorEnterCallback(window, GLFW_TRUE);
    touch = Touch{inside_pad(x, y), false, false, x, y, y};
    touch.tap = !touch.on_pad;
    io.AddMousePosEvent(x, y);
    if (touch.on_pad) io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
  } else if (type == EMSCRIPTEN_EVENT_TOUCHMOVE) {
    if (touch.on_pad) {
      io.AddMousePosEvent(x, y);
    } else {
      if (touch.tap && std::hypot(x - touch.x0, y - touch.y0) > 10) touch.tap = false, touch.scrolling = true;
      // one wheel step scrolls 5 lines (Dear ImGui): the content follows the finger
      if (touch.scrolling) io.AddMouseWheelEvent(0, (y - touch.last_y) / (5 * ImGui::GetFontSize())), touch.last_y = y;
    }
  } else {  // end or cancel
    if (touch.on_pad) io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    else if (touch.tap && type == EMSCRIPTEN_EVENT_TOUCHEND) {
      io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);  // the input queue gives press and release a frame each
      io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    }
    touch = Touch{};
  }
  return EM_TRUE;  // no emulated mouse events, no page scrolling
}

void install_touch() {
  EM_ASM({
    const canvas = Module['canvas'];
    canvas.removeEventListener('touchmove', GLFW.onMousemove, true);
    canvas.removeEventListener('touchstart', GLFW.onMouseButtonDown, true);
    canvas.removeEventListener('touchcancel', GLFW.onMouseButtonUp, true);
    canvas.removeEventListener('touchend', GLFW.onMouseButtonUp, true);
  });
  emscripten_set_touchstart_callback("#canvas", nullptr, true, on_touch);
  emscripten_set_touchmove_callback("#canvas", nullptr, true, on_touch);
  emscripten_set_touchend_callback("#canvas", nullptr, true, on_touch);
  emscripten_set_touchcancel_callback("#canvas", nullptr, true, on_touch);
}

// The wheel: ImGui's backend listens on the document, where Chromium makes wheel listeners
// passive, so its preventDefault logged a console error for every wheel event. The same
// steps (100 pixels, 3 lines or 1/80 page a step, as the backend counts them) from the canvas.
EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void*) {
  const float step = e->deltaMode == DOM_DELTA_PIXEL ? 0.01f : e->deltaMode == DOM_DELTA_LINE ? 1.0f / 3.0f : 80.0f;
  ImGui::GetIO().AddMouseWheelEvent((float)e->deltaX * -step, (float)e->deltaY * -step);
  return EM_TRUE;  // the page itself never scrolls
}

void install_wheel() {
  emscripten_set_wheel_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, false, nullptr);
  emscripten_set_wheel_callback("#canvas", nullptr, true, on_wheel);
}

void cursor_pos_callback(GLFWwindow* w, double x, double y) {
  // Emscripten's GLFW reports backing-store pixels; ImGui works in CSS pixels.
  ImGui_ImplGlfw_CursorPosCallback(w, x / device_pixel_ratio, y / device_pixel_ratio);
}

void frame() {
  app.widgets.clear();
  app.legends.clear();
  glfwPollEvents();
  sync_canvas_size();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2((float)css_width, (float)css_height);
  io.DisplayFramebufferScale = ImVec2((float)device_pixel_ratio, (float)device_pixel_ratio);
  if (app.arrows_explain) io.ConfigFlags &= ~ImGuiConfigFlags_NavEnableKeyboard;
  else io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  app.focused.clear();
  ImGui::NewFrame();
  first_visit_digit();
  update_input();  // training runs in a worker (trainer.h); the frame only shows its snapshots
  handle_shortcuts();
  main_window();
  help_overlay();
  announce_changes();
  ImGui::Render();
  const ImDrawData* drawn = ImGui::GetDrawData();
  app.drawn = {drawn->CmdListsCount, 0, drawn->TotalVtxCount, drawn->TotalIdxCount / 3, 0};
  for (int n = 0; n < drawn->CmdListsCount; n++) app.drawn.commands += drawn->CmdLists[n]->CmdBuffer.Size;
  app.drawn.redrawn_pixels = ui_renderer_draw(ImGui::GetDrawData(), ImGui::GetStyle().Colors[ImGuiCol_WindowBg]);
  app.redrawn_pixels_total += app.drawn.redrawn_pixels;
  app.frames++;
  if (!app.ready_reported && app.net && app.frames > 1) {
    app.ready_reported = true;
    js_set_ready();
  } else if (app.frames == 60) {
    check_started_programs();  // long compiled by now: the answer costs no wait
  }
}

}  // namespace

int main() {
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // An opaque canvas without depth or stencil: ImGui draws in 2D with scissors, and a software GPU
  // composites an opaque canvas for less.
  glfwWindowHint(GLFW_ALPHA_BITS, 0);
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  window = glfwCreateWindow(1280, 800, "ConvLab", nullptr, nullptr);
  if (!window) return 1;
  glfwMakeContextCurrent(window);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGuiStyle& style = ImGui::GetStyle();
  apply_theme(style);
  // A finger needs targets of 44 CSS pixels (WCAG 2.5.5): taller frames and more room between rows.
  if (EM_ASM_INT({ return window.matchMedia && window.matchMedia('(pointer: coarse)').matches ? 1 : 0; })) {
    style.FramePadding = ImVec2(10.0f, 14.5f);
    style.ItemSpacing = ImVec2(8.0f, 8.0f);
    style.ScrollbarSize = 18.0f;
    app.touch_screen = true;
  }
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  glfwSetCursorPosCallback(window, cursor_pos_callback);
  install_touch();
  install_wheel();
  ui_renderer_init();
  heatmap_init();
  device_pixel_ratio = 0;  // forces the first sync_canvas_size to build fonts for this screen
  sync_canvas_size();
  app.show_intro = js_intro_wanted();  // before the first frame: the layout never jumps
  app.build.spec = parse_spec(kPresets[0].spec);
  app.build.info = analyze(app.build.spec);
  emscripten_set_main_loop(frame, 0, false);
  return 0;
}
