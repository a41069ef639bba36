#include "theme.h"

#include <cstdio>

namespace convlab {

void apply_theme(ImGuiStyle& style) {
  using namespace palette;
  ImVec4* c = style.Colors;
  const ImVec4 clear(0, 0, 0, 0);
  c[ImGuiCol_Text] = to_vec4(kText);
  c[ImGuiCol_TextDisabled] = to_vec4(kTextDim);
  c[ImGuiCol_WindowBg] = to_vec4(kWindow);
  c[ImGuiCol_ChildBg] = clear;
  c[ImGuiCol_PopupBg] = to_vec4(kPopup);
  c[ImGuiCol_Border] = to_vec4(kBorder);
  c[ImGuiCol_BorderShadow] = clear;
  c[ImGuiCol_FrameBg] = to_vec4(kFrame);
  c[ImGuiCol_FrameBgHovered] = to_vec4(kFrameHover);
  c[ImGuiCol_FrameBgActive] = to_vec4(kFrameActive);
  c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgActive] = c[ImGuiCol_TitleBgCollapsed] = to_vec4(kPopup);
  c[ImGuiCol_MenuBarBg] = to_vec4(kPopup);
  c[ImGuiCol_ScrollbarBg] = to_vec4(kWindow);
  c[ImGuiCol_ScrollbarGrab] = to_vec4(kFrameActive);
  c[ImGuiCol_ScrollbarGrabHovered] = to_vec4(kMuted);
  c[ImGuiCol_ScrollbarGrabActive] = to_vec4(kTextDim);
  c[ImGuiCol_CheckMark] = to_vec4(kAccent);
  // a slider's grab sits under its text: muted, so it never reads as a cursor or a selection
  c[ImGuiCol_SliderGrab] = to_vec4(kMuted, 0.45f);
  c[ImGuiCol_SliderGrabActive] = to_vec4(kAccent, 0.45f);
  c[ImGuiCol_Button] = c[ImGuiCol_Header] = to_vec4(kAccentFill);
  c[ImGuiCol_ButtonHovered] = c[ImGuiCol_HeaderHovered] = c[ImGuiCol_TabHovered] = to_vec4(kAccentFillHover);
  c[ImGuiCol_ButtonActive] = c[ImGuiCol_HeaderActive] = to_vec4(kAccentFillActive);
  // the open tab in the accent, the others neutral: which panel is open reads at a glance
  c[ImGuiCol_Tab] = c[ImGuiCol_TabUnfocused] = to_vec4(kFrameHover);
  c[ImGuiCol_TabActive] = c[ImGuiCol_TabUnfocusedActive] = to_vec4(kAccentFillActive);
  c[ImGuiCol_Separator] = c[ImGuiCol_SeparatorHovered] = c[ImGuiCol_SeparatorActive] = to_vec4(kBorder);
  c[ImGuiCol_ResizeGrip] = c[ImGuiCol_ResizeGripHovered] = c[ImGuiCol_ResizeGripActive] = clear;
  c[ImGuiCol_PlotLines] = c[ImGuiCol_PlotLinesHovered] = to_vec4(kAccent);
  c[ImGuiCol_PlotHistogram] = c[ImGuiCol_PlotHistogramHovered] = to_vec4(kAccentFill);
  c[ImGuiCol_TableHeaderBg] = to_vec4(kTableHeader);
  c[ImGuiCol_TableBorderStrong] = to_vec4(kBorder);
  c[ImGuiCol_TableBorderLight] = to_vec4(mix(kWindow, kBorder, 0.6f));
  c[ImGuiCol_TableRowBg] = clear;
  c[ImGuiCol_TableRowBgAlt] = to_vec4(kText, 0.03f);
  c[ImGuiCol_TextSelectedBg] = to_vec4(kAccentFillActive);
  c[ImGuiCol_DragDropTarget] = to_vec4(kAccent);
  c[ImGuiCol_NavHighlight] = to_vec4(kAccent);
  c[ImGuiCol_NavWindowingHighlight] = to_vec4(kText, 0.7f);
  c[ImGuiCol_NavWindowingDimBg] = c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.55f);
  // spacing: a little roomier than ImGui's defaults (a touch screen's are set after, in main.cpp)
  style.WindowPadding = ImVec2(10, 10);
  style.FramePadding = ImVec2(8, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.ItemInnerSpacing = ImVec2(6, 4);
  style.FrameRounding = style.GrabRounding = style.TabRounding = 3.0f;
  style.PopupRounding = style.ChildRounding = 4.0f;
  style.WindowRounding = 0.0f;
  style.GrabMinSize = 6.0f;
}

LegendBar colour_legend(const char* id, const Heatmap& h, const char* unit, float width) {
  if (h.all_zero()) {  // no scale to read: say so rather than show an invented one
    ImGui::TextDisabled("all 0");
    return {ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), 0.0f, 0.0f};
  }
  return colour_legend(id, h.map(), h.scale(), unit, width);
}

LegendBar colour_legend(const char* id, Colormap map, float scale, const char* unit, float width) {
  const ColormapStops s = colormap_stops(map);
  const float lo = s.lowest * scale, hi = scale;
  char lo_text[32], hi_text[32];
  std::snprintf(lo_text, sizeof lo_text, lo == 0 ? "0" : "%.3g", lo);
  std::snprintf(hi_text, sizeof hi_text, "%s%.3g", s.lowest < 0 ? "+" : "", hi);
  ImGui::PushID(id);
  ImGui::TextDisabled("%s", lo_text);
  ImGui::SameLine();
  const float bar_w = width > 0 ? width : 160.0f, bar_h = ImGui::GetTextLineHeight() * 0.8f;
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const float y0 = a.y + (ImGui::GetTextLineHeight() - bar_h) * 0.5f;
  ImGui::Dummy(ImVec2(bar_w, ImGui::GetTextLineHeight()));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // two linear gradients, exactly the shader's three-stop scale
  const ImU32 low = to_u32(s.low), mid = to_u32(s.mid), high = to_u32(s.high);
  const float xm = a.x + bar_w * 0.5f;
  dl->AddRectFilledMultiColor(ImVec2(a.x, y0), ImVec2(xm, y0 + bar_h), low, mid, mid, low);
  dl->AddRectFilledMultiColor(ImVec2(xm, y0), ImVec2(a.x + bar_w, y0 + bar_h), mid, high, high, mid);
  if (s.lowest < 0) dl->AddLine(ImVec2(xm, y0 + bar_h), ImVec2(xm, y0 + bar_h + 3), to_u32(palette::kTextDim));
  if (ImGui::IsItemHovered()) {
    const float t = (ImGui::GetIO().MousePos.x - a.x) / bar_w;
    ImGui::SetTooltip("%.3g %s", lo + (hi - lo) * t, unit);
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%s%s%s", hi_text, unit[0] ? "  " : "", unit);
  ImGui::PopID();
  return {ImVec2(a.x, y0), ImVec2(a.x + bar_w, y0 + bar_h), lo, hi};
}

}  // namespace convlab
