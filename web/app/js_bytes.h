// Bytes that the page's JavaScript hands to C++: JS puts them in Module.convlabBytes and calls an
// entry point with their size; the entry point copies them into the heap with the glue's own view
// of it (which, unlike a view kept in JS, follows memory that another thread grew).
#pragma once
#include <cstdint>
#include <vector>

std::vector<uint8_t> take_js_bytes(int size);
