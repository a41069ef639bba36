// Saliency: ∂(score of a class)/∂(input pixel) for the drawing: the predicted class, or any class
// whose bar was clicked ("why not 9?"); plain or SmoothGrad (the mean over noisy copies), beside the
// input and over it.
#include "app.h"
#include "explain.h"
#include "preprocess.h"

namespace convlab {

namespace {
constexpr int kSmoothSamples = 25;
constexpr float kSmoothSigma = 0.15f;  // of the [0, 1] pixel range, as in the SmoothGrad paper's 10–20%
}  // namespace

void saliency_tab() {
  if (app.digit < 0) {
    ImGui::Text("Draw a digit to see which pixels its prediction depends on.");
    return;
  }
  InspectState& in = app.inspect;
  const DrawState& d = app.draw;
  const int cls = in.saliency_choice >= 0 && in.saliency_choice < app.net->classes() ? in.saliency_choice : app.digit;
  if (ImGui::Checkbox("SmoothGrad: the mean over 25 noisy copies (σ = 0.15), less speckled", &in.saliency_smooth))
    in.saliency_version = ~0ull;
  mark("saliency:smooth");
  const bool remake = in.saliency_version != d.input_version || in.saliency_class != cls ||
                      in.saliency_smooth_made != in.saliency_smooth;
  if (remake) {
    in.saliency.assign(d.in.input.size(), 0.0f);
    try {
      if (in.saliency_smooth)
        in.saliency = smooth_gradient(*app.net, d.in.input.data(), cls, kSmoothSamples, kSmoothSigma, 1);
      else
        app.net->input_gradient(d.in.input.data(), cls, in.saliency.data());
      app.net->predict(d.in.input.data(), 1, app.probs.data());  // the drawing's activations again
    } catch (const std::exception& e) {
      app.error = std::string("Saliency failed: ") + e.what();
    }
    in.saliency_version = d.input_version, in.saliency_class = cls, in.saliency_smooth_made = in.saliency_smooth;
  }
  if (cls == app.digit)
    ImGui::TextWrapped("Why %d? ∂(score of %d)/∂(pixel): red pixels raise the score when brighter, blue ones lower it. "
                       "Click another class's bar to ask why not that one.", cls, cls);
  else
    ImGui::TextWrapped("Why not %d (it reads %d)? ∂(score of %d)/∂(pixel): red pixels would raise %d's score when "
                       "brighter, blue ones lower it.", cls, app.digit, cls, cls);
  if (in.saliency_choice >= 0) {
    ImGui::SameLine();
    if (ImGui::SmallButton("back to the predicted class")) in.saliency_choice = -1;
  }
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
  ImGui::SameLine();
  // over the drawing: the input, then the map at 60% opacity
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(input.texture(), input.size());
  ImGui::GetWindowDrawList()->AddImage(h.texture(), at, ImVec2(at.x + h.size().x, at.y + h.size().y), ImVec2(0, 0),
                                       ImVec2(1, 1), IM_COL32(255, 255, 255, 150));
  legend("saliency", h, "∂score/∂pixel");
  hint("left: the map; middle: the input; right: the map over the input");
}

}  // namespace convlab
