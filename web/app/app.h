// ConvLab's page: the state of each panel in one small struct (Dear ImGui demo style), the actions
// panels share, and one function per panel. The pure logic (pad, trainer, data assets) lives in
// pad.h, trainer.h and datasets.h, without ImGui or Emscripten.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "datasets.h"
#include "explain.h"
#include "heatmap.h"
#include "imgui.h"
#include "network.h"
#include "pad.h"
#include "plot.h"
#include "theme.h"
#include "trainer.h"

namespace convlab {

struct DrawState {
  Pad pad;
  int shift_y = 0, shift_x = 0;  // equivariance demo: whole-pixel shift of the 28×28 input
  PadInput in;                   // the input the network received
  uint64_t pad_shown = 0;        // pad version in the pad's texture
  uint64_t pad_read = ~0ull;     // pad version the input was made from
  uint64_t preview_shown = ~0ull;  // input version in the preview's texture
  bool changed = true;           // shift or model changed: predict the drawing again
  uint64_t input_version = 0;    // grows with every prediction of the drawing (new activations)
};

struct BuildState {
  int preset = 0;
  bool custom = false;           // the spec is no longer the preset's (edited, or from a link)
  NetworkSpec spec;              // the spec being edited
  std::vector<LayerInfo> info;
  std::string error;             // why the edited spec is impossible, or empty
  std::vector<std::string> formulas;  // each row's output-size formula, as the table last showed it
  int add_kind = 0;              // index into layer_kinds()
};

// The Pooling tab: one map pooled four ways (max, average, weighted average, L2).
struct PoolingState {
  int size = 2, stride = 2, padding = 0;
  std::array<int, 5> made_for{-1, 0, 0, 0, 0};  // layer, channel, size, stride, padding
  uint64_t version = ~0ull;
  bool remake = true;
  std::vector<float> map, results[4], weights;
  Shape out;
};

// The Backprop tab: one backward pass for the drawing with a chosen label, seen at a chosen layer.
struct BackpropState {
  int label = -1, layer = 0;  // label −1: the predicted class
  std::array<int, 2> made_for{-1, -1};
  uint64_t version = ~0ull;
  bool ok = false, remake = true;
  BackwardViews views;
};

// Inspect views are computed when what they show changes, not every frame: each keeps the
// version it was made from.
struct InspectState {
  int hover_layer = -1, hover_unit_c = 0, hover_unit_y = -1, hover_unit_x = -1;
  // the unit explained (Explain tab), chosen with a click in Feature maps; -1: none
  int selected_layer = -1, selected_channel = 0, selected_y = 0, selected_x = 0;
  bool open_explain = false, explain_flipped = false, explanation_ok = false;
  bool explain_visible = false;  // the Explain tab was drawn this frame (its keys apply)
  uint64_t explain_version = ~0ull;
  std::array<int, 4> explained_unit{-1, 0, 0, 0};
  UnitExplanation explanation;
  std::array<int, 4> rf_unit{-1, 0, 0, 0};  // the unit whose receptive field rf_mask is
  uint64_t rf_model = ~0ull;
  std::vector<uint8_t> rf_mask;
  int confusion_true = -1, confusion_pred = -1;
  uint64_t maps_version = ~0ull, filters_version = ~0ull, histograms_version = ~0ull, im2col_version = ~0ull;
  uint64_t saliency_version = ~0ull, cell_version = ~0ull, wrong_version = ~0ull;
  PoolingState pooling;
  BackpropState backprop;
  std::map<size_t, int> filter_sets;  // per tiled/local layer: the kernel set the Filters tab shows
  int saliency_class = -1;       // the class the map was made for
  int saliency_choice = -1;      // the class asked about (a click on its bar); -1: the predicted one
  bool saliency_smooth = false, saliency_smooth_made = false;
  uint64_t shifts_version = ~0ull;
  std::vector<float> shift_rows[2];  // shift_probabilities across (0) and down (1), ±kMaxShift
  std::vector<std::array<float, 30>> histogram_bins;
  std::vector<std::string> histogram_labels;
  std::vector<float> saliency;
  std::vector<float> im2col_col, im2col_y;  // the column matrix and W·col + b of the first conv2d
  float im2col_max_diff = 0.0f;             // |W·col + b − the layer's feature maps|, largest
};

// The page's end of the trainer, which runs in a Web Worker (trainer.h: TrainerHost).
struct TrainerLink {
  uint64_t generation = 0;      // of the model in use: reports of older ones are dropped
  uint64_t last_command = 0;    // id of the last command sent
  bool intended_running = false;  // what Start/Pause asked for, shown until the trainer confirms it
  uint64_t store_after = 0;     // keep the model once this command (a Pause) is done
  uint64_t snapshots = 0;       // weight snapshots received
  bool threaded = false;        // the threaded build (the host is cross-origin isolated)
  int threads = 1;              // training threads
  bool pending() const;         // commands the trainer has not finished yet
};

// The Data panel: which data set the page trains on and shows, and the user's own examples.
// Data sets: 0 MNIST (loaded at start), 1 Fashion-MNIST (downloaded when picked), 2 my classes.
constexpr int kDataSets = 3, kMnist = 0, kFashion = 1, kMine = 2;
extern const char* const kDataIds[kDataSets];    // "mnist", "fashion", "mine": host.js's names
extern const char* const kDataNames[kDataSets];  // as the page writes them
struct DataState {
  int active = kMnist;                  // the data set in use
  int wanted = kMnist;                  // picked; becomes active once loaded
  std::unique_ptr<TrainTestData> sets[kDataSets];
  std::string status[kDataSets] = {"loading…", "not downloaded", ""};
  float progress = -1.0f;               // of the download under way (0..1), −1 when none
  MyExamples mine;
  bool mine_restored = false;           // the stored examples have been read (or there were none)
  int selected = -1;                    // an example chosen in a gallery
  int rename_class = -1;                // the class whose name field is open
  char name_edit[48] = "";
  int confirm_remove_class = -1;        // asks first when a class with examples is removed
  char new_class[48] = "";
  bool mix_mnist = false;               // digit classes: MNIST's examples of them train too
  std::string storage_error;            // the browser would not keep something
  // Each data set keeps its own Train settings (a few drawings need another recipe than MNIST).
  TrainSettings settings[kDataSets] = {TrainSettings{}, TrainSettings{}, few_examples_settings()};
};

// Keep: models kept by name in this browser (IndexedDB, listed by host.js).
struct KeptModel {
  std::string name, dataset, date;
  double accuracy = -1;  // on its data set's test images when kept; −1: not measured
};
struct KeepState {
  std::vector<KeptModel> models;
  bool listed = false;     // host.js has answered
  char name[48] = "";
  int renaming = -1;
  char new_name[48] = "";
};

constexpr int kDrawPanel = 5;      // the drawing's own tab, on a narrow screen

// The page's one keymap (keymap.cpp): where a shortcut applies.
enum class KeyScope { Page, Explain, MyClasses };
struct Shortcut {
  ImGuiKey key;
  bool ctrl, shift;
  KeyScope scope;
  const char* keys;  // as the help overlay writes it
  const char* what;
  void (*act)();
};

struct App {
  std::unique_ptr<Network> net;
  std::string model_source;        // "default", "browser storage", a file name, "new (untrained)"
  std::string model_arch;          // the live model's preset name, or "custom network"
  uint64_t model_version = 0;      // grows whenever the weights change
  DataState data;
  KeepState keep;
  const Dataset* train = nullptr;  // of the active data set (null until it is loaded)
  const Dataset* test = nullptr;
  TrainSettings settings;          // the Train panel's fields
  TrainerStatus trainer;           // what the trainer last reported
  TrainerLink link;
  std::vector<float> probs;
  int digit = -1;
  std::string error, message;      // red and plain status lines
  DrawState draw;
  BuildState build;
  InspectState inspect;
  std::map<std::string, Heatmap> heatmaps;
  bool ready_reported = false;
  bool help_open = false;          // the keys overlay (?)
  int panel = 0;                   // the panel tab open: Build, Data, Train, Inspect, Keep, or kDrawPanel
  bool touch_screen = false;       // a coarse pointer: controls sized for a finger
  bool show_intro = false;         // a first visit: the three steps above the panels
  bool intro_digit_done = false;   // a first visit put a test digit on the pad (once)
  float ui_scale = 1.0f;           // pictures' size on a large screen (1 up to 1600 px wide, at most 2)
  int panel_request = -1;          // a panel to open on the next frame (a key), or −1
  bool arrows_explain = false;     // the arrow keys move the explained unit, not the keyboard focus
  std::string focused;             // the named widget with the keyboard focus (when it is shown)
  std::string setup_link;          // the fragment of the last "Copy link"
  std::vector<float> loss_average; // the Train plot's moving average of the loss, as far as computed
  PlotHover plot_hover;            // the read-out of the plot last hovered
  struct Announced {               // what the live region last said, of each kind
    uint64_t pad_version = 0;
    int shift_y = 0, shift_x = 0;
    uint64_t eval_version = 0;
    std::string error, message;
  } announced;
  int frames = 0;
  // Rectangles (x, y, w, h in CSS pixels) of named widgets drawn this frame, for the test hook:
  // tests find a button the way a user sees it, then click it.
  std::map<std::string, std::array<float, 4>> widgets;
  std::map<std::string, std::array<float, 2>> legends;  // the values at a legend bar's two ends, by name
  struct {
    int lists, commands, vertices, triangles;
    int64_t redrawn_pixels;  // the canvas's pixels drawn again: only where something changed
  } drawn{};  // what the last frame gave the GPU (a software GPU's cost grows with it)
  int64_t redrawn_pixels_total = 0;  // over all frames
};
extern App app;

// ---- shared by the panels (actions.cpp) ----
extern ImFont* big_font;
extern const ImVec4 kRed, kDim;
void mark(const std::string& name);  // remembers the last item's rectangle for the test hook
// A colour scale's legend bar (theme.h), its place and end values kept for the test hook as
// "legend:<name>".
void legend(const std::string& name, const Heatmap& h, const char* unit, float width = 0);
// Number fields refuse what a number is not made of as it is typed (Dear ImGui 1.90's InputInt and
// InputFloat take any character and quietly keep the old value when the text does not parse).
constexpr ImGuiInputTextFlags kIntegerChars = ImGuiInputTextFlags_CharsDecimal;
constexpr ImGuiInputTextFlags kNumberChars = ImGuiInputTextFlags_CharsScientific;
// SameLine when an item `width` pixels wide still fits on this line, else nothing (a new line):
// rows that wrap on a narrow screen. labeled(w, label): a field of width w with its label.
void same_line_if_fits(float width);
float labeled(float field_width, const char* label);
float button_width(const char* label);
float field_width(float width);  // wider on a touch screen, where a number field's −/+ are 44 px each
void hint(const char* fmt, ...) IM_FMTARGS(1);  // a dim line of explanation, wrapped at the window's edge
void tip(const char* text);  // the last item's tooltip
Heatmap& heatmap(const std::string& key);
// Builds a network; on failure (any exception, out of memory) shows why and returns null.
std::unique_ptr<Network> build_network(const NetworkSpec& spec, uint64_t seed);
void use_network(std::unique_ptr<Network> net, const std::string& source, std::vector<uint8_t> file = {});
// ---- data sets and my examples (panels/data.cpp) ----
const TrainTestData* active_data();            // null until it is loaded
std::string data_status();                     // of the active data set, for a line of text
std::string class_name(int k);                 // the live model's name of class k
bool model_fits_data();                        // the model's classes are the active data set's
void pick_dataset(int which);                  // downloads it first if needed
void dataset_arrived(int which, TrainTestData data);
void add_example(int cls);                     // the drawing, as the network sees it, to my class
void my_examples_changed();                    // keep them, and give the trainer the new split
void new_network_for_classes(bool fine_tune);  // the Build spec (or the current model) for my classes
void model_changed();
void store_model();                    // keeps the current model in the browser (host.js)
void update_input();                   // preprocesses and predicts the drawing when it changed
// The answer is sure when its probability is at least kSureProbability and ahead of the next by at
// least kSureMargin; else the page shows it faded, with a "?".
constexpr float kSureProbability = 0.7f, kSureMargin = 0.3f;
bool prediction_is_sure();
// Training (the Train panel's buttons and the test hook): each sends a command to the trainer.
bool training_shown();                 // Start/Pause as the user last asked, or as the trainer says
std::string why_cannot_train();        // empty when the current model can train on the data
void start_training();
void pause_training();
void step_training();
void evaluate_model();
void reset_weights();
void use_built_network();             // the Build panel's network, with new random weights
// e.g. "your LeNet-like · 5 epochs · 97.8%": what the live model is, for the header and questions.
std::string live_model_name();
// Runs `act` at once, or after a question when it would throw away training done in this page.
void unless_training_is_lost(const std::string& what, std::function<void()> act);
void pick_preset(int i);               // the Build panel's preset (the editor only)
bool build_is_draft();                 // the Build panel's network is not the live model's
int preset_of(const NetworkSpec& spec, int first = -1);  // its index in kPresets (`first` if it matches), or −1
void set_build_spec(NetworkSpec spec); // into the Build panel's editor, checked
// A link to the Build network and the Train settings (setup_link.h): into the address bar and the
// clipboard; a link's setup, opened into those panels (or a message, the page as it was).
void copy_setup_link();
void open_setup(const std::string& fragment);
// A report from the trainer (JSON, trainer.h) and the weight snapshot it carries, if any.
void apply_trainer_report(const std::string& json, std::vector<uint8_t> snapshot);
void trainer_restarted(const std::string& why);  // the worker failed and was replaced
// A question before a click that would lose work: the modal opens at the page's level (ImGui scopes
// a popup's name by the ID stack, and the buttons asking sit in table rows); yes() runs on "Yes".
void ask(std::string text, std::function<void()> yes);
void confirm_popup();  // once a frame
void clear_pad();
void load_test_digit(int index);  // a test image onto the pad (the Test set gallery, "random test digit")
void undo_stroke();
const Shortcut* shortcuts(size_t* count);
void handle_shortcuts();  // once a frame
void help_overlay();
void announce_changes();  // once a frame: the prediction after a stroke, each evaluation, messages

// ---- panels, one function each (panels/, inspect/) ----
void draw_panel(float side);
void input_preview(float cell);
void predict_panel();
void build_panel();
void train_panel();
void inspect_panel();
void keep_panel();
void data_panel();
void feature_maps_tab();
void filters_tab();
void histograms_tab();
void saliency_tab();
void test_set_tab();
void im2col_tab();
void explain_tab();
void shifts_tab();
void pooling_tab();
void backprop_tab();
// The notes' im2col example (docs/math.md §5) through the engine's im2col: a 4×4 input, a 2×2 kernel,
// stride 2.
struct Im2colExample {
  std::array<float, 16> input, col, patches;  // col: the engine's (taps × patches); patches = colᵀ
  std::array<float, 4> kernel, product, direct;  // vec(K), I′·vec(K), the definition's output
};
Im2colExample im2col_example();
void select_unit(int layer, int channel, int y, int x);  // and open the Explain tab
const UnitExplanation* selected_explanation();           // null when none is selected
// The receptive field of the hovered unit, else of the selected one, as a 28×28 mask (empty if none).
const std::vector<uint8_t>& shown_receptive_field();

}  // namespace convlab

// The page's JavaScript (web/host.js), called from C++ (defined with EM_JS in hook.cpp).
extern "C" {
void js_download(const uint8_t* bytes, int size, const char* name);
void js_pick_model_file();
void js_store_model(const char* data_id, const uint8_t* bytes, int size);
void js_forget_model(const char* data_id);
void js_load_kept_model(const char* data_id);
void js_fetch_dataset(const char* data_id);
void js_use_trainer_data(const char* data_id, const uint8_t* bytes, int size);  // size 0: the bytes host.js has
void js_store_examples(const char* names_json, const uint8_t* images, int images_size, const uint8_t* labels,
                       int labels_size);
void js_pick_example_files();
void js_export_model(const char* format, const char* json, const float* params, int count);
void js_keep_named_model(const char* name, const char* dataset, double accuracy, const uint8_t* bytes, int size);
void js_named_model(const char* action, const char* name, const char* new_name);  // load, rename, delete, list
void js_set_ready();
void js_announce(const char* text);  // to screen readers: host.js's live region
void js_intro_seen();                // "Got it": the three steps are not shown again
int js_intro_wanted();               // a first visit: nothing in this browser says they were seen
void js_share_setup(const char* fragment);  // the link into the address bar and the clipboard
void js_trainer_command(const char* json, const uint8_t* bytes, int size);
}
