// The test set: accuracy, the confusion matrix (click a cell for its digits), misclassified digits.
#include <algorithm>
#include <cmath>

#include "app.h"

namespace convlab {

namespace {

constexpr int kGalleryMax = 60, kGalleryColumns = 12, kGalleryCell = 2;

// A grid of test images (indices) as one atlas, made when `version` changes; hover names one.
void digit_gallery(const char* key, const std::vector<int>& indices, uint64_t version, uint64_t& shown) {
  if (indices.empty()) return;
  const Dataset& test = *app.test;
  const Evaluation& e = app.trainer.last_eval;
  const int count = std::min<int>((int)indices.size(), kGalleryMax), side_h = test.h, side_w = test.w;
  Heatmap& h = heatmap(key);
  if (version != shown || h.rows() == 0) {
    const size_t pixels = (size_t)side_h * side_w;
    std::vector<float> planes((size_t)count * pixels);
    for (int k = 0; k < count; k++)
      test.images(indices[k], 1, planes.data() + (size_t)k * pixels);
    int rows, cols;
    auto atlas = make_atlas(planes.data(), count, side_h, side_w, kGalleryColumns, &rows, &cols);
    h.update(atlas.data(), rows, cols, Colormap::Gray, 1.0f, kGalleryCell);
    shown = version;
  }
  ImGui::Image(h.texture(), h.size());
  mark(std::string("gallery:") + key);
  if (ImGui::IsItemHovered()) {
    ImVec2 m = ImGui::GetIO().MousePos, o = ImGui::GetItemRectMin();
    const int k = (int)((m.y - o.y) / kGalleryCell / (side_h + 1)) * kGalleryColumns +
                  (int)((m.x - o.x) / kGalleryCell / (side_w + 1));
    if (k >= 0 && k < count) {
      ImGui::SetTooltip("test image #%d: true %s, predicted %s\nclick: put it on the pad", indices[k],
                        class_name(test.labels[indices[k]]).c_str(), class_name(e.predicted[indices[k]]).c_str());
      if (ImGui::IsItemClicked()) load_test_digit(indices[k]);
    }
  }
  if ((int)indices.size() > count) hint("showing the first %d of %zu", count, indices.size());
}

}  // namespace

void test_set_tab() {
  const TrainerStatus& tr = app.trainer;
  if (!app.test) {
    hint("%s", data_status().c_str());
    return;
  }
  if (!tr.have_eval || tr.last_eval.examples != app.test->n) {
    hint(tr.evaluating ? "evaluating on the test set…" : "no evaluation yet");
    if (!tr.evaluating && ImGui::Button("Evaluate")) evaluate_model();
    return;
  }
  const Dataset& test = *app.test;
  const Evaluation& e = tr.last_eval;
  ImGui::Text("Test accuracy %.2f%% (%d of %d), mean loss %.4f", 100 * e.accuracy(), e.correct, e.examples, e.mean_loss());
  ImGui::SameLine();
  if (!tr.evaluating && ImGui::SmallButton("re-evaluate")) evaluate_model();
  hint("Confusion matrix: rows true class, columns prediction. Click a cell to see its images.");
  // the mistakes on the sequential scale (the diagonal would leave them all one dark colour), the
  // right answers in the accent; each count in black or white, whichever reads better on its cell
  // (ink_on)
  int most_wrong = 1;
  for (int t = 0; t < e.classes; t++)
    for (int p = 0; p < e.classes; p++)
      if (t != p) most_wrong = std::max(most_wrong, e.count(t, p));
  colour_legend("confusion", Colormap::Sequential, (float)most_wrong, "wrong answers in a cell");
  InspectState& in = app.inspect;
  const int C = e.classes;
  if (ImGui::BeginTable("confusion", C + 1, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("");
    for (int p = 0; p < C; p++) ImGui::TableSetupColumn(class_name(p).c_str());
    ImGui::TableHeadersRow();
    for (int t = 0; t < C; t++) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(class_name(t).c_str());
      for (int p = 0; p < C; p++) {
        ImGui::TableSetColumnIndex(p + 1);
        const int count = e.count(t, p);
        Rgb cell = palette::kWindow;
        if (t == p) cell = palette::kAccentFill;
        else if (count) cell = colormap_rgb(Colormap::Sequential, (float)count, (float)most_wrong);
        if (t == p || count) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, to_u32(cell));
        const bool selected = in.confusion_true == t && in.confusion_pred == p;  // drawn in the accent fill
        const Rgb ink = selected || t == p ? palette::kText : count == 0 ? palette::kTextDim : ink_on(cell);
        ImGui::PushStyleColor(ImGuiCol_Text, to_vec4(ink));
        char label[32];
        std::snprintf(label, sizeof label, "%d##c%d_%d", count, t, p);
        if (ImGui::Selectable(label, selected, 0, ImVec2(30, 0)))
          in.confusion_true = t, in.confusion_pred = p, in.cell_version = ~0ull;
        ImGui::PopStyleColor();
      }
    }
    ImGui::EndTable();
  }
  if (in.confusion_true >= C) in.confusion_true = in.confusion_pred = -1;
  if (in.confusion_true >= 0) {
    std::vector<int> cell;
    for (int k = 0; k < e.examples; k++)
      if (test.labels[k] == in.confusion_true && e.predicted[k] == in.confusion_pred) cell.push_back(k);
    ImGui::Text("true %s, predicted %s: %zu images", class_name(in.confusion_true).c_str(),
                class_name(in.confusion_pred).c_str(), cell.size());
    digit_gallery("cell", cell, tr.eval_version, in.cell_version);
  }
  std::vector<int> wrong;
  for (int k = 0; k < e.examples; k++)
    if (e.predicted[k] != test.labels[k]) wrong.push_back(k);
  ImGui::Text("Misclassified test images (%zu; hover for true/predicted):", wrong.size());
  digit_gallery("wrong", wrong, tr.eval_version, in.wrong_version);
}

}  // namespace convlab
