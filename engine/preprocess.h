// MNIST-style preprocessing of a drawing, as MNIST itself was made: crop to the ink's bounding
// box, scale the longer side to 20 px keeping the aspect ratio (area averaging), and place it so
// the centre of mass sits at (14, 14) of a 28×28 image.
#pragma once

namespace convlab {

constexpr int kDigitSide = 28, kDigitBox = 20;

// canvas: h×w values in [0,1]; out: 28×28. Returns false (and a blank out) when nothing is drawn.
bool mnist_preprocess(const float* canvas, int h, int w, float* out);

// out = in moved by (dy, dx) whole pixels, zeros brought in: the equivariance demo's shift.
void shift_image(const float* in, int h, int w, int dy, int dx, float* out);

}  // namespace convlab
