// A drawing made into a 28×28 input the way its data set's images were made. Both ways crop to the
// ink's bounding box and scale it keeping the aspect ratio (area averaging):
//   Digit  (MNIST)          the longer side to 20 px, the centre of mass at (14, 14)
//   Fill   (Fashion-MNIST)  the longer side to 28 px, the box centred — products fill the frame
#pragma once

namespace convlab {

constexpr int kDigitSide = 28, kDigitBox = 20;
enum class Preprocess { Digit, Fill };

// canvas: h×w values in [0,1]; out: 28×28. Returns false (and a blank out) when nothing is drawn.
bool preprocess_drawing(const float* canvas, int h, int w, Preprocess how, float* out);

// out = in moved by (dy, dx) whole pixels, zeros brought in: the equivariance demo's shift.
void shift_image(const float* in, int h, int w, int dy, int dx, float* out);

}  // namespace convlab
