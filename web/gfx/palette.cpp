#include "palette.h"

#include <algorithm>
#include <cmath>

namespace convlab {

namespace {
float linear(float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }
}  // namespace

float relative_luminance(Rgb c) { return 0.2126f * linear(c.r) + 0.7152f * linear(c.g) + 0.0722f * linear(c.b); }

float contrast_ratio(Rgb a, Rgb b) {
  const float la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05f) / (std::min(la, lb) + 0.05f);
}

Rgb mix(Rgb a, Rgb b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }

Rgb ink_on(Rgb background) {
  const Rgb white{1, 1, 1}, black{0, 0, 0};
  return contrast_ratio(white, background) >= contrast_ratio(black, background) ? white : black;
}

std::vector<TextOnBackground> text_on_backgrounds() {
  using namespace palette;
  const struct {
    const char* name;
    Rgb rgb;
  } backgrounds[] = {{"window", kWindow},           {"popup", kPopup},
                     {"callout", kCallout},         {"plot", kPlot},
                     {"frame", kFrame},             {"frame hovered", kFrameHover},
                     {"table header", kTableHeader}},
    fills[] = {{"frame active", kFrameActive},      {"muted fill", kMutedFill},      {"accent fill", kAccentFill},
               {"accent fill hovered", kAccentFillHover}, {"accent fill active", kAccentFillActive}};
  std::vector<TextOnBackground> pairs;
  // every text colour is drawn on the page's backgrounds; buttons, tabs, selections and bars
  // (the fills) carry only the main text colour
  const struct {
    const char* name;
    Rgb rgb;
  } texts[] = {{"text", kText}, {"dim text", kTextDim}, {"error", kError}, {"good", kGood}, {"accent", kAccent}};
  for (const auto& t : texts)
    for (const auto& b : backgrounds) pairs.push_back({t.name, t.rgb, b.name, b.rgb});
  for (const auto& f : fills) pairs.push_back({"text", kText, f.name, f.rgb});
  return pairs;
}

ColormapStops colormap_stops(Colormap map) {
  switch (map) {
    case Colormap::Diverging: return {{0.13f, 0.40f, 0.67f}, {0.97f, 0.97f, 0.97f}, {0.70f, 0.09f, 0.17f}, -1.0f};
    case Colormap::Sequential: return {{0.27f, 0.00f, 0.33f}, {0.13f, 0.57f, 0.55f}, {0.99f, 0.91f, 0.14f}, 0.0f};
    case Colormap::Gray: break;
  }
  return {{0, 0, 0}, {0.5f, 0.5f, 0.5f}, {1, 1, 1}, 0.0f};
}

Rgb colormap_rgb(Colormap map, float v, float scale) {
  const ColormapStops s = colormap_stops(map);
  // t in [0, 1] along the bar: low at 0, mid at ½, high at 1
  float t = (v / (scale > 0 ? scale : 1.0f) - s.lowest) / (1.0f - s.lowest);
  t = std::clamp(std::isfinite(t) ? t : 0.0f, 0.0f, 1.0f);
  return t < 0.5f ? mix(s.low, s.mid, 2 * t) : mix(s.mid, s.high, 2 * t - 1);
}

}  // namespace convlab
