// libFuzzer driver: see targets.h and bench/fuzz.sh.
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::idx(data, size);
  return 0;
}
