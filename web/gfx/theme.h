// The palette (palette.h) applied to Dear ImGui, and the legend bar of a colour scale.
#pragma once
#include "heatmap.h"
#include "imgui.h"
#include "palette.h"

namespace convlab {

inline ImVec4 to_vec4(Rgb c, float alpha = 1.0f) { return ImVec4(c.r, c.g, c.b, alpha); }
inline ImU32 to_u32(Rgb c, float alpha = 1.0f) { return ImGui::ColorConvertFloat4ToU32(to_vec4(c, alpha)); }

// Every ImGui colour from the palette, opaque where text is drawn on it (so that its contrast is
// the palette's), and the page's spacing.
void apply_theme(ImGuiStyle& style);

// A bar of the colour scale a heatmap was drawn with, its end values and `unit` beside it, as wide
// as `width` (≤ 0: 160 px): read a picture's colours as numbers. Returns where the bar is and the
// values at its two ends.
struct LegendBar {
  ImVec2 min, max;
  float lo, hi;
};
LegendBar colour_legend(const char* id, const Heatmap& h, const char* unit, float width = 0);
LegendBar colour_legend(const char* id, Colormap map, float scale, const char* unit, float width = 0);

}  // namespace convlab
