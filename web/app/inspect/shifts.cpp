// Shifts: invariance measured, not claimed. The drawing moved −6…+6 pixels across and down, and the
// probability of the class read at no shift for each; pooling keeps a reading only for small
// shifts, and the feature maps move exactly with the input only by multiples of a layer's jump.
#include <algorithm>
#include <string>

#include "app.h"
#include "explain.h"

namespace convlab {

namespace {
constexpr int kMaxShift = 6;
}

void shifts_tab() {
  InspectState& in = app.inspect;
  const DrawState& d = app.draw;
  if (app.digit < 0) {
    ImGui::Text("Draw a digit to see how its reading changes when it moves.");
    return;
  }
  if (in.shifts_version != d.input_version) {
    try {
      // from the centred drawing, whatever the shift buttons say
      for (int axis = 0; axis < 2; axis++)
        in.shift_rows[axis] = shift_probabilities(*app.net, d.in.centred.data(), kMaxShift, axis == 1);
      app.net->predict(d.in.input.data(), 1, app.probs.data());  // the drawing's activations again
    } catch (const std::exception& e) {
      app.error = std::string("Shifts failed: ") + e.what();
      for (auto& rows : in.shift_rows) rows.clear();
    }
    in.shifts_version = d.input_version;
  }
  const int C = app.net->classes(), n = 2 * kMaxShift + 1;
  if ((int)in.shift_rows[0].size() != n * C) return;
  const float* centre = in.shift_rows[0].data() + (size_t)kMaxShift * C;
  const int cls = (int)(std::max_element(centre, centre + C) - centre);
  ImGui::TextWrapped("The drawing (centred, before the shift buttons) moved by −%d…+%d pixels; the probability of %d, "
                     "the class read without a shift, and what the network reads at each shift.", kMaxShift, kMaxShift, cls);
  static const char* const kAxes[] = {"moved across (x)", "moved down (y)"};
  for (int axis = 0; axis < 2; axis++) {
    const std::vector<float>& rows = in.shift_rows[axis];
    std::vector<float> p(n);
    std::string reads;
    int kept = 0;
    for (int s = 0; s < n; s++) {
      const float* row = rows.data() + (size_t)s * C;
      p[s] = row[cls];
      const int top = (int)(std::max_element(row, row + C) - row);
      kept += top == cls;
      reads += (s ? "  " : "") + std::to_string(s - kMaxShift) + ":" + std::to_string(top);
    }
    char label[96];
    std::snprintf(label, sizeof label, "p(%d), %s", cls, kAxes[axis]);
    ImGui::PlotHistogram(("##shift" + std::to_string(axis)).c_str(), p.data(), n, 0, label, 0.0f, 1.0f, ImVec2(-1, 70));
    mark(std::string("shifts:") + (axis ? "down" : "across"));
    hint("reads  %s   (%d of %d shifts read %d)", reads.c_str(), kept, n, cls);
  }
  ImGui::TextWrapped("Pooling gives only approximate invariance, to small shifts: a max over a 2×2 window forgets where "
                     "in the window the feature was, not where the window was.");
  std::string jumps;
  const auto& info = app.net->info();
  for (size_t i = 0; i < info.size(); i++)
    if (i == 0 || info[i].jump.h != info[i - 1].jump.h)
      jumps += (jumps.empty() ? "" : ", ") + std::string("layer ") + std::to_string(i + 1) + " J = " +
               std::to_string(info[i].jump.h);
  ImGui::TextWrapped("Equivariance is exact only in steps of a layer's jump J (input pixels between its neighbouring units): "
                     "%s. A shift by a multiple of J moves that layer's maps by whole units (padding and the image edge "
                     "aside); any other shift changes them.", jumps.c_str());
}

}  // namespace convlab
