// libFuzzer driver: see targets.h and bench/fuzz.sh.
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::model_file(data, size);
  return 0;
}
