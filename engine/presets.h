// The architectures offered by the page's Build panel; the first is the default network that the
// CLI trains at build time and the page ships.
#pragma once

namespace convlab {

struct Preset {
  const char* name;
  const char* spec;
};

inline constexpr Preset kPresets[] = {
    {"LeNet-like",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"maxpool","size":2},{"type":"conv2d","filters":16,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"maxpool","size":2},{"type":"dropout","rate":0.3},{"type":"dense","units":64},{"type":"relu"},)"
     R"({"type":"dense","units":10}]})"},
    {"Tiny",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":4,"kernel":3,"stride":2},{"type":"relu"},)"
     R"({"type":"maxpool","size":2},{"type":"dense","units":10}]})"},
    {"Strided conv instead of pooling",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"stride":2,"padding":2},)"
     R"({"type":"relu"},{"type":"conv2d","filters":16,"kernel":5,"stride":2,"padding":2},{"type":"relu"},)"
     R"({"type":"dense","units":10}]})"},
    {"Dilated",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":3,"padding":1},{"type":"relu"},)"
     R"({"type":"conv2d","filters":8,"kernel":3,"padding":2,"dilation":2},{"type":"relu"},)"
     R"({"type":"conv2d","filters":16,"kernel":3,"padding":4,"dilation":4},{"type":"relu"},)"
     R"({"type":"maxpool","size":4},{"type":"dense","units":10}]})"},
    {"Average pool",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"avgpool","size":2},{"type":"conv2d","filters":16,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"avgpool","size":2},{"type":"dense","units":10}]})"},
    {"L2 pool",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"l2pool","size":2},{"type":"conv2d","filters":16,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"l2pool","size":2},{"type":"dense","units":10}]})"},
    {"Locally connected",
     R"({"input":[1,28,28],"layers":[{"type":"conv2d","filters":8,"kernel":5,"padding":2},{"type":"relu"},)"
     R"({"type":"maxpool","size":2},{"type":"local2d","filters":8,"kernel":3,"stride":2},{"type":"relu"},)"
     R"({"type":"dense","units":10}]})"},
};

}  // namespace convlab
