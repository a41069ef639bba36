// The page's colours in one place: the theme (backgrounds, text, one accent hue, the two status
// colours) and the colour scales of every picture of numbers. No ImGui or GL here, so that the
// contrast of every text colour on every background it is drawn on is checked natively
// (tests/unit/test_page_logic.cpp), with WCAG 2.x's definitions of luminance and contrast.
#pragma once
#include <vector>

namespace convlab {

struct Rgb {
  float r, g, b;  // sRGB, 0…1
};

namespace palette {
// backgrounds, darkest first
constexpr Rgb kWindow{0.075f, 0.080f, 0.095f};
constexpr Rgb kPopup{0.105f, 0.112f, 0.135f};     // popups, tooltips, the help overlay
constexpr Rgb kCallout{0.110f, 0.160f, 0.240f};   // the first visit's box: the accent's hue, dark
constexpr Rgb kPlot{0.050f, 0.054f, 0.066f};      // inside a plot's axes
constexpr Rgb kFrame{0.155f, 0.165f, 0.205f};     // text fields, checkboxes, progress bars
constexpr Rgb kFrameHover{0.200f, 0.215f, 0.270f};
constexpr Rgb kFrameActive{0.240f, 0.260f, 0.330f};
constexpr Rgb kTableHeader{0.150f, 0.158f, 0.190f};
// the accent: one blue. Fills (buttons, tabs, selections, bars under text) in its dark shades, so
// that text on them stays readable; lines and marks (a plot's main curve, the answer, focus) light.
constexpr Rgb kAccent{0.400f, 0.660f, 1.000f};
constexpr Rgb kAccentFill{0.155f, 0.290f, 0.490f};
constexpr Rgb kAccentFillHover{0.190f, 0.350f, 0.590f};
constexpr Rgb kAccentFillActive{0.205f, 0.385f, 0.640f};
// text
constexpr Rgb kText{0.920f, 0.930f, 0.950f};
constexpr Rgb kTextDim{0.660f, 0.680f, 0.730f};   // hints, captions, axis labels
constexpr Rgb kError{1.000f, 0.470f, 0.440f};     // errors, wrong answers
constexpr Rgb kGood{0.400f, 0.800f, 0.520f};      // test accuracy, right answers
constexpr Rgb kMuted{0.400f, 0.430f, 0.500f};     // secondary marks: a raw curve
constexpr Rgb kMutedFill{0.300f, 0.325f, 0.390f}; // secondary fills: the other classes' bars
constexpr Rgb kBorder{0.300f, 0.320f, 0.380f};
}  // namespace palette

// WCAG 2.x relative luminance of an sRGB colour, and the contrast ratio of two (1…21).
float relative_luminance(Rgb c);
float contrast_ratio(Rgb a, Rgb b);
Rgb mix(Rgb a, Rgb b, float t);  // a + (b − a)·t

// Black or white, whichever reads better on `background`: never below √21 ≈ 4.58:1 (the two are
// equal where the luminance is √(1.05·0.05) − 0.05), so text on any colour of a scale reads.
Rgb ink_on(Rgb background);

// Every place text of one colour is drawn on a background, by name: all must read at ≥ 4.5:1.
struct TextOnBackground {
  const char* text_name;
  Rgb text;
  const char* background_name;
  Rgb background;
};
std::vector<TextOnBackground> text_on_backgrounds();
constexpr float kMinTextContrast = 4.5f;

// The colour scales, shared by the heatmap shader (as uniforms) and every legend bar: each is
// three stops, linear between them, so a bar of two linear gradients draws it exactly.
//   Gray        v in [0, 1]:   black … white          (images: the digit as the network sees it)
//   Diverging   v/s in [−1, 1]: blue … white … red    (signed values: weights, gradients)
//   Sequential  v/s in [0, 1]:  dark purple … teal … yellow (activations, magnitudes, counts)
enum class Colormap { Gray = 0, Diverging = 1, Sequential = 2 };
struct ColormapStops {
  Rgb low, mid, high;
  float lowest;  // the value of `low` in units of the scale: 0, or −1 for a diverging map
};
ColormapStops colormap_stops(Colormap map);
// The colour of value v on a map with scale s (> 0); the same as the shader's.
Rgb colormap_rgb(Colormap map, float v, float scale);

}  // namespace convlab
