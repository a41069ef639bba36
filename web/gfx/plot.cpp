#include "plot.h"

#include "plot_columns.h"
#include "theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace convlab {

std::vector<double> nice_ticks(double lo, double hi, int wanted, double step_min) {
  std::vector<double> ticks;
  if (!(hi > lo) || wanted < 1) return {lo};
  const double raw = std::max((hi - lo) / wanted, step_min), magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

namespace {

void format(char* out, size_t n, const char* fmt, double v) { std::snprintf(out, n, fmt, v); }

}  // namespace

bool plot_lines(const char* id, const PlotAxes& axes, const std::vector<PlotSeries>& series, ImVec2 size,
                PlotHover* hover) {
  ImGui::PushID(id);
  if (size.x <= 0) size.x = ImGui::GetContentRegionAvail().x;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("plot", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float line = ImGui::GetTextLineHeight();

  // the data's ranges (or the given ones)
  double x_lo = axes.x_min, x_hi = axes.x_max, y_lo = axes.y_min, y_hi = axes.y_max;
  if (x_lo == x_hi || y_lo == y_hi) {
    double xl = std::numeric_limits<double>::max(), xh = -xl, yl = xl, yh = -xl;
    for (const PlotSeries& s : series)
      for (int k = 0; k < s.count; k++) {
        if (!std::isfinite(s.y[k])) continue;
        xl = std::min(xl, s.x0 + k * s.dx), xh = std::max(xh, s.x0 + k * s.dx);
        yl = std::min(yl, (double)s.y[k]), yh = std::max(yh, (double)s.y[k]);
      }
    if (xl > xh) xl = 0, xh = 1, yl = 0, yh = 1;
    if (x_lo == x_hi) x_lo = xl, x_hi = xh > xl ? xh : xl + 1;
    if (y_lo == y_hi) {
      const double pad = yh > yl ? 0.05 * (yh - yl) : 0.5;
      y_lo = yl - pad, y_hi = yh + pad;
    }
  }

  // the frame: room for the y labels on the left, the x labels and the axis title below
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 grid = to_u32(palette::kText, 0.08f), frame = to_u32(palette::kBorder);
  const std::vector<double> y_ticks = nice_ticks(y_lo, y_hi, std::max(2, (int)(size.y / (2.2f * line))));
  float label_w = 0;
  char buf[64];
  for (double t : y_ticks) format(buf, sizeof buf, axes.y_format, t * axes.y_scale), label_w = std::max(label_w, ImGui::CalcTextSize(buf).x);
  const ImVec2 a(origin.x + label_w + 8, origin.y + line + 4);  // the y axis's title above the frame
  const ImVec2 b(origin.x + size.x - 4, origin.y + size.y - 2 * line - 4);
  if (b.x - a.x < 20 || b.y - a.y < 20) {
    ImGui::PopID();
    return false;
  }
  auto px = [&](double x) { return (float)(a.x + (x - x_lo) / (x_hi - x_lo) * (b.x - a.x)); };
  auto py = [&](double y) { return (float)(b.y - (y - y_lo) / (y_hi - y_lo) * (b.y - a.y)); };
  dl->AddRectFilled(a, b, to_u32(palette::kPlot));
  for (double t : y_ticks) {
    const float y = py(t);
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), grid);
    format(buf, sizeof buf, axes.y_format, t * axes.y_scale);
    dl->AddText(ImVec2(a.x - 6 - ImGui::CalcTextSize(buf).x, y - line * 0.5f), dim, buf);
  }
  const int x_wanted = std::max(2, (int)((b.x - a.x) / 80));
  const std::vector<double> x_ticks = nice_ticks(x_lo, x_hi, x_wanted, axes.x_tick_step_min);
  // ticks closer than the format's precision (a run's first batches: 0.064 thousand examples) get
  // the decimals they need rather than reading "0 0 0"
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  const int decimals = x_step < 1 ? (int)std::ceil(-std::log10(x_step) - 1e-9) : 0;
  for (double t : x_ticks) {
    const float x = px(t);
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), grid);
    if (decimals > 0) std::snprintf(buf, sizeof buf, "%.*f", decimals, t);
    else format(buf, sizeof buf, axes.x_format, t);
    const float w = ImGui::CalcTextSize(buf).x;
    dl->AddText(ImVec2(std::clamp(x - w * 0.5f, a.x - w * 0.5f, b.x - w), b.y + 2), dim, buf);
  }
  dl->AddRect(a, b, frame);
  const float title_w = ImGui::CalcTextSize(axes.x_label).x;
  dl->AddText(ImVec2((a.x + b.x - title_w) * 0.5f, b.y + line + 3), dim, axes.x_label);
  dl->AddText(ImVec2(a.x, origin.y), dim, axes.y_label);

  // the series, clipped to the frame
  dl->PushClipRect(a, b, true);
  const int width = std::max(1, (int)(b.x - a.x));
  for (const PlotSeries& s : series) {
    std::vector<ImVec2> points;
    if (s.count > width) {  // a long series (thousands of batches): one entry per pixel column
      const std::vector<PlotColumn> columns = plot_columns(s.y, s.count, s.x0, s.dx, x_lo, x_hi, width);
      if (s.envelope) {
        // each column spans its points' range, joined to the column before as a line through every point would be
        float before = std::nanf("");
        for (const PlotColumn& c : columns) {
          const float lo = std::isfinite(before) ? std::min(c.lo, before) : c.lo;
          const float hi = std::isfinite(before) ? std::max(c.hi, before) : c.hi;
          const float x = a.x + c.column, half = 0.5f * s.thickness;
          dl->AddRectFilled(ImVec2(x, py(hi) - half), ImVec2(x + 1, py(lo) + half), s.color);
          before = c.last;
        }
        continue;
      }
      for (const PlotColumn& c : columns) points.push_back(ImVec2(a.x + c.column + 0.5f, py(c.mean)));
    } else {
      for (int k = 0; k < s.count; k++)
        if (std::isfinite(s.y[k])) points.push_back(ImVec2(px(s.x0 + k * s.dx), py(s.y[k])));
    }
    if (points.size() > 1) dl->AddPolyline(points.data(), (int)points.size(), s.color, 0, s.thickness);
    if (s.markers || points.size() == 1)  // a single point is a dot, not an invisible line
      for (const ImVec2& p : points) dl->AddCircleFilled(p, 3.0f, s.color);
  }
  dl->PopClipRect();

  // the legend, top right
  float legend_w = 0;
  for (const PlotSeries& s : series) legend_w = std::max(legend_w, ImGui::CalcTextSize(s.name).x);
  if (!series.empty() && (series.size() > 1 || series[0].name[0])) {
    ImVec2 p(b.x - legend_w - 28, a.y + 4);
    dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(b.x - 2, p.y + line * series.size() + 2), to_u32(palette::kPopup));
    for (const PlotSeries& s : series) {
      dl->AddLine(ImVec2(p.x, p.y + line * 0.5f), ImVec2(p.x + 16, p.y + line * 0.5f), s.color, 3.0f);
      dl->AddText(ImVec2(p.x + 20, p.y), text, s.name);
      p.y += line;
    }
  }

  // the read-out under the cursor: the x there and each series' nearest point
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool inside = hovered && mouse.x >= a.x && mouse.x <= b.x;
  if (inside) {
    const double x = x_lo + (mouse.x - a.x) / (b.x - a.x) * (x_hi - x_lo);
    dl->AddLine(ImVec2(mouse.x, a.y), ImVec2(mouse.x, b.y), to_u32(palette::kTextDim));
    PlotHover h{id, x, {}};
    std::string tip = axes.x_label;
    format(buf, sizeof buf, axes.x_format, x);
    tip += std::string(": ") + buf;
    for (const PlotSeries& s : series) {
      const int k = s.count ? std::clamp((int)std::lround((x - s.x0) / s.dx), 0, s.count - 1) : -1;
      const double v = k >= 0 && std::isfinite(s.y[k]) ? s.y[k] * axes.y_scale : std::nan("");
      h.values.push_back(v);
      if (k < 0) continue;
      dl->AddCircle(ImVec2(px(s.x0 + k * s.dx), py(s.y[k])), 4.5f, s.color, 0, 2.0f);
      format(buf, sizeof buf, axes.y_format, v);
      tip += std::string("\n") + (s.name[0] ? s.name : axes.y_label) + ": " + buf;  // one unnamed series: the axis's
    }
    ImGui::SetTooltip("%s", tip.c_str());
    if (hover) *hover = std::move(h);
  }
  ImGui::PopID();
  return inside;
}

}  // namespace convlab
