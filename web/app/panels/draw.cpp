// Draw: the pad (mouse, pen, finger), clear and undo; the 28×28 input with the shift arrows;
// the prediction with its probability bars.
#include <algorithm>

#include "app.h"
#include "preprocess.h"

namespace convlab {

namespace {

void draw_pad(float side) {
  DrawState& d = app.draw;
  ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", ImVec2(side, side));
  mark("pad");
  const bool active = ImGui::IsItemActive();
  ImVec2 m = ImGui::GetIO().MousePos;
  const float x = (m.x - pos.x) * kPadSide / side, y = (m.y - pos.y) * kPadSide / side;
  if (active && !d.pad.stroking()) d.pad.press(x, y);
  else if (active) d.pad.drag(x, y);
  else d.pad.release();
  Heatmap& h = heatmap("pad");
  if (d.pad_shown != d.pad.version() || h.rows() == 0) {
    h.update(d.pad.canvas().data(), kPadSide, kPadSide, Colormap::Gray, 1.0f, 1);
    d.pad_shown = d.pad.version();
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddImage(h.texture(), pos, ImVec2(pos.x + side, pos.y + side));
  dl->AddRect(pos, ImVec2(pos.x + side, pos.y + side), to_u32(palette::kBorder));
  static const char* const kHints[kDataSets] = {"draw a digit here", "draw a piece of clothing here",
                                                "draw one of your classes here"};
  if (d.in.empty) dl->AddText(ImVec2(pos.x + 10, pos.y + 10), to_u32(palette::kTextDim), kHints[app.data.active]);
}

}  // namespace

void draw_panel(float side) {
  DrawState& d = app.draw;
  draw_pad(side);
  if (ImGui::Button("Clear (C)")) clear_pad();
  mark("button:Clear");
  ImGui::SameLine();
  ImGui::BeginDisabled(!d.pad.can_undo());
  if (ImGui::Button("Undo (Ctrl+Z)")) undo_stroke();
  ImGui::EndDisabled();
  // the brush fills the rest of the pad's width, or a line of its own when little is left
  const float left_x = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x;
  const float pad_right = app.widgets["pad"][0] + side;
  if (pad_right - left_x >= 110) ImGui::SameLine();
  ImGui::SetNextItemWidth(pad_right - ImGui::GetCursorScreenPos().x);
  ImGui::SliderFloat("##brush", &d.pad.brush_px, 4.0f, 24.0f, "brush %.0f px");
  mark("brush");
  if (app.data.active != kMine) return;
  // My classes: the drawing, as the network sees it, becomes an example of the class pressed.
  hint("add this drawing as an example of:");
  const MyExamples& m = app.data.mine;
  for (int c = 0; c < (int)m.names.size(); c++) {
    if (c) ImGui::SameLine();
    if (ImGui::GetCursorPosX() + ImGui::CalcTextSize(m.names[c].c_str()).x + 60 > side) ImGui::NewLine();
    char label[96];
    std::snprintf(label, sizeof label, "%s (%d)##add%d", m.names[c].c_str(), m.count_of(c), c);
    ImGui::BeginDisabled(d.in.empty);
    if (ImGui::Button(label)) add_example(c);
    ImGui::EndDisabled();
    mark("button:add:" + std::to_string(c));
    if (c < 10 && ImGui::IsItemHovered()) ImGui::SetTooltip("Shift+%d", (c + 1) % 10);
  }
}

// The 28×28 image the network receives, with the shift arrows of the equivariance demo.
void input_preview(float cell) {
  DrawState& d = app.draw;
  Heatmap& h = heatmap("input");
  if (d.input_version != d.preview_shown || h.rows() == 0 || h.size().x != kDigitSide * cell) {
    h.update(d.in.input.data(), kDigitSide, kDigitSide, Colormap::Gray, 1.0f, (int)cell, true);
    d.preview_shown = d.input_version;
  }
  ImGui::Image(h.texture(), ImVec2(kDigitSide * cell, kDigitSide * cell));
  mark("input");
  const ImVec2 img_min = ImGui::GetItemRectMin();
  // beside the preview, for people without a mouse (or a steady hand): a digit of the test set
  ImGui::SameLine();
  ImGui::BeginDisabled(!app.test);
  if (ImGui::Button("random test digit")) load_test_digit((int)(ImGui::GetTime() * 7919) % std::max(1, app.test->n));
  mark("button:random-digit");
  ImGui::EndDisabled();
  tip("a digit of the test set onto the pad, to read and look inside");
  // the receptive field of the hovered (or explained) unit: the pixels that can influence it
  const std::vector<uint8_t>& rf = shown_receptive_field();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (int y = 0; y < kDigitSide && !rf.empty(); y++)
    for (int x = 0; x < kDigitSide; x++)
      if (rf[(size_t)y * kDigitSide + x]) {
        const ImVec2 a(img_min.x + x * cell, img_min.y + y * cell);
        draw->AddRectFilled(a, ImVec2(a.x + cell, a.y + cell), to_u32(palette::kAccent, 0.45f));
      }
  hint("what the network sees (28×28)");
  if (ImGui::IsItemHovered() || ImGui::IsItemClicked()) {
    const TrainTestData* data = active_data();
    ImGui::SetTooltip("%s", data && data->preprocess == Preprocess::Fill
                                ? "Your drawing, cropped to its ink and scaled to fill the 28×28 frame, as Fashion-MNIST's pictures are."
                                : "Your drawing, cropped to its ink, scaled into a 20×20 box and centred in 28×28 by its centre of mass, "
                                  "as MNIST's digits were made.");
  }
  ImGui::Text("shift");
  struct Arrow {
    const char* name;
    ImGuiDir dir;
    int dy, dx;
  };
  static const Arrow arrows[] = {{"left", ImGuiDir_Left, 0, -1}, {"up", ImGuiDir_Up, -1, 0},
                                 {"down", ImGuiDir_Down, 1, 0}, {"right", ImGuiDir_Right, 0, 1}};
  for (const Arrow& a : arrows) {
    ImGui::SameLine();
    if (ImGui::ArrowButton(a.name, a.dir)) d.shift_y += a.dy, d.shift_x += a.dx, d.changed = true;
    mark(std::string("shift:") + a.name);
  }
  ImGui::SameLine();
  ImGui::Text("(%+d, %+d)", d.shift_x, d.shift_y);
  if (d.shift_x || d.shift_y) {
    ImGui::SameLine();
    if (ImGui::SmallButton("reset")) d.shift_x = d.shift_y = 0, d.changed = true;
  }
}

void predict_panel() {
  if (!app.net) {
    hint("loading the model…");
    return;
  }
  // A digit in the big font (it has only digits and "?"); a class's name in the normal one. An
  // unsure answer looks unsure: faded, with a "?" (a dot read as "8" at 52% must not look certain).
  const std::string answer = app.digit >= 0 ? class_name(app.digit) : "";
  const bool named = !answer.empty() && !(answer.size() == 1 && answer[0] >= '0' && answer[0] <= '9');
  const bool sure = prediction_is_sure();
  if (!named) ImGui::PushFont(big_font);
  if (app.digit < 0) hint("?");
  else if (sure) ImGui::TextUnformatted(answer.c_str());
  else hint("%s?", answer.c_str());
  if (!named) ImGui::PopFont();
  if (app.digit >= 0 && ImGui::IsItemHovered())
    ImGui::SetTooltip(sure ? "the network's answer: its highest probability, well ahead of the next"
                           : "unsure: the drawing is very small, or the highest probability is below %.0f%% or less than %.0f points ahead of the next",
                      100 * kSureProbability, 100 * kSureMargin);
  ImGui::SameLine();
  ImGui::BeginGroup();
  float label_width = 0;
  for (int k = 0; k < (int)app.probs.size(); k++) label_width = std::max(label_width, ImGui::CalcTextSize(class_name(k).c_str()).x);
  label_width += ImGui::GetStyle().ItemSpacing.x;  // SameLine's x is from the group's left
  for (int k = 0; k < (int)app.probs.size(); k++) {
    const float p = app.draw.in.empty ? 0.0f : app.probs[k];
    ImGui::TextUnformatted(class_name(k).c_str());
    ImGui::SameLine(label_width);
    // the answer in the accent, the other classes muted
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, to_vec4(k == app.digit ? palette::kAccentFillActive : palette::kMutedFill));
    char label[16];
    std::snprintf(label, sizeof label, "%.1f%%", 100.0f * p);
    ImGui::ProgressBar(p, ImVec2(-1, 0), label);
    ImGui::PopStyleColor();
    mark("bar:" + std::to_string(k));
    // a click asks the Saliency tab "why (not) this class?"
    if (ImGui::IsItemClicked()) app.inspect.saliency_choice = k;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("click: which pixels speak for or against %s (Inspect, Saliency)", class_name(k).c_str());
  }
  if (app.draw.in.too_small()) {
    hint("too small to read: draw bigger (a dot is scaled up to a 20-pixel disc)");
  } else if (app.digit >= 0) {
    int second = -1;
    for (int k = 0; k < (int)app.probs.size(); k++)
      if (k != app.digit && (second < 0 || app.probs[k] > app.probs[second])) second = k;
    if (second >= 0)
      hint("%s by %.1f points over %s%s", class_name(app.digit).c_str(),
                         100 * (app.probs[app.digit] - app.probs[second]), class_name(second).c_str(), sure ? "" : " (unsure)");
  } else {
    hint("bars: the probability of each class");
  }
  ImGui::EndGroup();
}

}  // namespace convlab
