// Saliency: ∂(score of the predicted class)/∂(input pixel), beside the input.
#include "app.h"
#include "preprocess.h"

namespace convlab {

void saliency_tab() {
  if (app.digit < 0) {
    ImGui::Text("Draw a digit to see which pixels its prediction depends on.");
    return;
  }
  InspectState& in = app.inspect;
  const DrawState& d = app.draw;
  const bool remake = in.saliency_version != d.input_version || in.saliency_class != app.digit;
  if (remake) {
    in.saliency.assign(d.in.input.size(), 0.0f);
    try {
      app.net->input_gradient(d.in.input.data(), app.digit, in.saliency.data());
      app.net->predict(d.in.input.data(), 1, app.probs.data());  // the drawing's activations again
    } catch (const std::exception& e) {
      app.error = std::string("Saliency failed: ") + e.what();
    }
    in.saliency_version = d.input_version, in.saliency_class = app.digit;
  }
  ImGui::TextWrapped("Saliency: ∂(score of %d)/∂(pixel). Red pixels raise the score when brighter, blue ones lower it.",
                     app.digit);
  Heatmap& h = heatmap("saliency");
  Heatmap& input = heatmap("saliency_input");
  if (remake || h.rows() == 0) {
    h.update(in.saliency.data(), kDigitSide, kDigitSide, Colormap::Diverging, max_abs(in.saliency.data(), in.saliency.size()),
             8, true);
    input.update(d.in.input.data(), kDigitSide, kDigitSide, Colormap::Gray, 1.0f, 8, true);
  }
  ImGui::Image(h.texture(), h.size());
  mark("saliency");
  ImGui::SameLine();
  ImGui::Image(input.texture(), input.size());
}

}  // namespace convlab
