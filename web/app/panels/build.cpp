// Build: presets, the layer editor (its fields come from the layer table, engine/layers.h) and the
// table of shapes, parameters and receptive fields; every change is validated at once by analyze().
#include <algorithm>

#include "app.h"
#include "presets.h"
#include "setup_link.h"

namespace convlab {

namespace {

// Every setting of one layer, editable, on the line of its name; returns true on a change.
bool edit_layer(LayerSpec& l, const std::string& mark_prefix) {
  bool changed = false;
  for (const SettingDef& s : layer_kind(l.type).settings) {
    const float field = s.kind == SettingDef::Float ? 110.0f : s.kind == SettingDef::IntPair ? 70.0f : s.hi >= 1000 ? 60.0f : 40.0f;
    same_line_if_fits(labeled(field, s.key));
    const int lo = (int)s.lo, hi = (int)s.hi;
    switch (s.kind) {
      case SettingDef::Int: {
        int& v = setting_int(l, s.setting);
        ImGui::SetNextItemWidth(field);
        if (ImGui::InputInt(s.key, &v, 0, 100, kIntegerChars)) v = std::clamp(v, lo, hi), changed = true;
        break;
      }
      case SettingDef::IntPair: {
        Pair& p = setting_pair(l, s.setting);
        ImGui::SetNextItemWidth(field);
        if (ImGui::InputInt2(s.key, &p.h, kIntegerChars)) p.h = std::clamp(p.h, lo, hi), p.w = std::clamp(p.w, lo, hi), changed = true;
        break;
      }
      case SettingDef::Float: {
        ImGui::SetNextItemWidth(field);
        changed |= ImGui::SliderFloat(s.key, &setting_float(l, s.setting), (float)s.lo, (float)s.hi);
        break;
      }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%g..%g)", s.help, s.lo, s.hi);
    mark(mark_prefix + s.key);
  }
  return changed;
}

void validate_build() {
  BuildState& b = app.build;
  // the preset it is (the one picked, if two were alike), else "custom"
  const int preset = preset_of(b.spec, b.preset);
  b.custom = preset < 0;
  if (preset >= 0) b.preset = preset;
  try {
    b.info = analyze(b.spec);
    b.error.clear();
  } catch (const std::exception& e) {
    b.error = e.what();
    b.info.clear();
  }
}

}  // namespace

void pick_preset(int i) {
  if (i < 0 || i >= (int)std::size(kPresets)) return;
  app.build.preset = i;
  set_build_spec(parse_spec(kPresets[i].spec));
}

void set_build_spec(NetworkSpec spec) {
  app.build.spec = std::move(spec);
  validate_build();
}

bool build_is_draft() { return app.net && spec_to_json(app.build.spec) != spec_to_json(app.net->spec()); }

void open_setup(const std::string& fragment) {
  try {
    Setup s = parse_setup_fragment(fragment);
    set_build_spec(std::move(s.spec));
    app.settings = s.settings;
    app.message = "Opened the setup of the link: " + std::to_string(app.build.spec.layers.size()) +
                  " layers in Build (press \"Use this network\" to train it) and its Train settings.";
    app.error.clear();
  } catch (const std::exception& e) {
    app.error = std::string("The link's setup could not be opened: ") + e.what() + ". The page opened as usual.";
  }
}

void copy_setup_link() {
  app.setup_link = setup_fragment(app.build.spec, app.settings);
  js_share_setup(app.setup_link.c_str());
}

namespace {

void layer_table(const NetworkSpec& spec, const std::vector<LayerInfo>& info) {
  // a narrow screen keeps five columns; the FLOPs and the formula are then the output's tooltip
  const bool narrow = ImGui::GetContentRegionAvail().x < 700;
  const int columns = narrow ? 5 : 7;
  if (!ImGui::BeginTable("layers", columns, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit))
    return;
  const char* const headers[] = {"#", "layer", "output C×H×W", "params", "receptive field", "FLOPs", "output size (docs/math.md §2)"};
  const char* const header_tips[] = {
      "the layer's place in the network",
      "what the layer computes (hover a layer in the editor below for a summary)",
      "channels × height × width of one example's output",
      "learned numbers: weights and biases",
      "the input pixels one output unit can see",
      "floating-point operations per example (2 per multiply-add)",
      "the output-size formula with this layer's numbers"};
  for (int c = 0; c < columns; c++) ImGui::TableSetupColumn(headers[c]);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < columns; c++) {
    ImGui::TableSetColumnIndex(c);
    ImGui::TableHeader(headers[c]);
    tip(header_tips[c]);
  }
  uint64_t params = 0, flops = 0;
  app.build.formulas.clear();
  for (size_t i = 0; i < info.size(); i++) {
    const LayerInfo& f = info[i];
    const Shape in = i == 0 ? spec.input : info[i - 1].out;
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::Text("%zu", i + 1);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(layer_type_name(spec.layers[i].type));
    app.build.formulas.push_back(output_size_text(spec.layers[i], in));  // the notes' formula, these numbers
    ImGui::TableSetColumnIndex(2);
    ImGui::Text("%d×%d×%d", f.out.c, f.out.h, f.out.w);
    if (narrow && ImGui::IsItemHovered())
      ImGui::SetTooltip("%s\n%llu FLOPs per example", app.build.formulas.back().c_str(), (unsigned long long)f.flops);
    ImGui::TableSetColumnIndex(3);
    ImGui::Text("%llu", (unsigned long long)f.params());
    ImGui::TableSetColumnIndex(4);
    const std::string rf = receptive_field_text(spec.layers[i], in, i ? &info[i - 1] : nullptr, f, spec.input);
    // a field wider than the image (padding counts in it) is the whole image: say that
    if (rf.find("whole image") != std::string::npos) ImGui::TextUnformatted("whole image");
    else ImGui::Text("%d×%d", f.receptive_field.h, f.receptive_field.w);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nR_k = R_{k−1} + (K_eff − 1)·J_{k−1},  J_k = J_{k−1}·S", rf.c_str());
    if (!narrow) {
      ImGui::TableSetColumnIndex(5);
      ImGui::Text("%llu", (unsigned long long)f.flops);
      ImGui::TableSetColumnIndex(6);
      ImGui::TextUnformatted(app.build.formulas.back().c_str());
    }
    params += f.params(), flops += f.flops;
  }
  ImGui::EndTable();
  ImGui::Text("total: %llu parameters, %.2f MFLOPs per example", (unsigned long long)params, flops / 1e6);
}

}  // namespace

void build_panel() {
  BuildState& b = app.build;
  hint("Design a network: pick a preset or edit its layers; every shape is checked as you type.");
  ImGui::SetNextItemWidth(std::min(260.0f, ImGui::GetContentRegionAvail().x - labeled(0, "preset")));
  const bool open = ImGui::BeginCombo("preset", b.custom ? "custom" : kPresets[b.preset].name);
  mark("preset");
  if (open) {
    for (int i = 0; i < (int)std::size(kPresets); i++) {
      const bool picked = ImGui::Selectable(kPresets[i].name, i == b.preset);
      mark(std::string("preset:") + kPresets[i].name);
      if (picked) pick_preset(i);
    }
    ImGui::EndCombo();
  }
  same_line_if_fits(button_width("Copy link"));
  ImGui::BeginDisabled(!b.error.empty());
  if (ImGui::Button("Copy link")) copy_setup_link();
  mark("button:copy-link");
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("a link that opens this page with this network and the Train settings (no weights: models go through files)");
  if (build_is_draft())
    hint("Draft: not in use yet. The predictions come from the live model (%s); \"Use this network\" below makes this one live.",
                       live_model_name().c_str());
  if (!b.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kRed);
    ImGui::TextWrapped("Impossible network: %s", b.error.c_str());
    ImGui::PopStyleColor();
  } else {
    layer_table(b.spec, b.info);
  }
  ImGui::BeginDisabled(!b.error.empty());
  const bool use = ImGui::Button("Use this network (new random weights)");
  mark("button:Use this network");
  if (use) unless_training_is_lost("Use this network, with new random weights?", use_built_network);
  ImGui::EndDisabled();
  hint("H' = ⌊(H + 2p − (k−1)·d − 1)/s⌋ + 1    R_k = 1 + Σ (K_j − 1)·Π S_i, a dilated kernel spans (K−1)·d + 1");
  ImGui::SeparatorText("layers");
  bool changed = false;
  int remove = -1, move_up = -1;
  for (int i = 0; i < (int)b.spec.layers.size(); i++) {
    LayerSpec& l = b.spec.layers[i];
    ImGui::PushID(i);
    ImGui::Text("%d. %s", i + 1, layer_type_name(l.type));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", layer_kind(l.type).summary);
    ImGui::SameLine(130);
    if (ImGui::SmallButton("up") && i > 0) move_up = i;
    ImGui::SameLine();
    if (ImGui::SmallButton("down") && i + 1 < (int)b.spec.layers.size()) move_up = i + 1;
    ImGui::SameLine();
    if (ImGui::SmallButton("remove")) remove = i;
    changed |= edit_layer(l, "layer" + std::to_string(i + 1) + ":");
    if (l.type == LayerType::WAvgPool && (l.kernel.h == 2 || l.kernel.w == 2))
      hint("   a side of 2: both cells are equally far from the centre, so that axis is a plain average");
    ImGui::PopID();
  }
  if (remove >= 0) b.spec.layers.erase(b.spec.layers.begin() + remove), changed = true;
  if (move_up > 0) std::swap(b.spec.layers[move_up], b.spec.layers[move_up - 1]), changed = true;
  ImGui::Separator();
  const auto& kinds = layer_kinds();
  ImGui::SetNextItemWidth(150);
  const bool add_open = ImGui::BeginCombo("##add", kinds[b.add_kind].name);
  mark("add-kind");
  if (add_open) {
    for (int i = 0; i < (int)kinds.size(); i++) {
      if (ImGui::Selectable(kinds[i].name, i == b.add_kind)) b.add_kind = i;
      mark(std::string("add-kind:") + kinds[i].name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kinds[i].summary);
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  const bool add = ImGui::Button("Add layer before the last");
  mark("button:Add layer");
  if (add && (int)b.spec.layers.size() < Limits::max_layers) {
    b.spec.layers.insert(b.spec.layers.end() - (b.spec.layers.empty() ? 0 : 1), kinds[b.add_kind].editor_default);
    changed = true;
  }
  if (changed) validate_build();
}

}  // namespace convlab
