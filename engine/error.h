// The one error type the engine reports to a user: a readable message, never an abort. The lowest
// layer of the engine: kernels include this, not the spec or JSON layer.
#pragma once
#include <stdexcept>

namespace convlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace convlab
