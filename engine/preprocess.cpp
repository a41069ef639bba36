#include "preprocess.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace convlab {

bool preprocess_drawing(const float* canvas, int h, int w, Preprocess how, float* out) {
  std::fill_n(out, kDigitSide * kDigitSide, 0.0f);
  const float ink = 0.05f;
  int y0 = h, y1 = -1, x0 = w, x1 = -1;
  for (int i = 0; i < h; i++)
    for (int j = 0; j < w; j++)
      if (canvas[i * w + j] > ink) y0 = std::min(y0, i), y1 = std::max(y1, i), x0 = std::min(x0, j), x1 = std::max(x1, j);
  if (y1 < 0) return false;
  const int bh = y1 - y0 + 1, bw = x1 - x0 + 1;
  const int box = how == Preprocess::Digit ? kDigitBox : kDigitSide;
  const float scale = (float)box / (float)std::max(bh, bw);  // target px per source px
  const int th = std::max(1, (int)std::lround(bh * scale)), tw = std::max(1, (int)std::lround(bw * scale));
  // Area averaging: target pixel (ty,tx) covers source rows [ty/scale, (ty+1)/scale).
  std::vector<float> small((size_t)th * tw, 0.0f);
  for (int ty = 0; ty < th; ty++)
    for (int tx = 0; tx < tw; tx++) {
      float sy0 = ty / scale, sy1 = std::min((float)bh, (ty + 1) / scale);
      float sx0 = tx / scale, sx1 = std::min((float)bw, (tx + 1) / scale);
      double sum = 0.0, area = 0.0;
      for (int sy = (int)sy0; sy < (int)std::ceil(sy1); sy++)
        for (int sx = (int)sx0; sx < (int)std::ceil(sx1); sx++) {
          float wy = std::min(sy1, sy + 1.0f) - std::max(sy0, (float)sy);
          float wx = std::min(sx1, sx + 1.0f) - std::max(sx0, (float)sx);
          if (wy <= 0 || wx <= 0) continue;
          sum += (double)wy * wx * canvas[(y0 + sy) * w + x0 + sx];
          area += (double)wy * wx;
        }
      small[(size_t)ty * tw + tx] = area > 0 ? (float)(sum / area) : 0.0f;
    }
  double mass = 0.0, my = 0.0, mx = 0.0;
  for (int ty = 0; ty < th; ty++)
    for (int tx = 0; tx < tw; tx++) {
      double v = small[(size_t)ty * tw + tx];
      mass += v, my += v * (ty + 0.5), mx += v * (tx + 0.5);
    }
  if (how == Preprocess::Fill) my = mass * th / 2.0, mx = mass * tw / 2.0;  // the box's centre instead
  // Integer offset that puts the centre nearest to the middle of the 28×28 image.
  const int oy = (int)std::lround(kDigitSide / 2.0 - my / mass), ox = (int)std::lround(kDigitSide / 2.0 - mx / mass);
  for (int ty = 0; ty < th; ty++)
    for (int tx = 0; tx < tw; tx++) {
      int y = ty + oy, x = tx + ox;
      if (y >= 0 && y < kDigitSide && x >= 0 && x < kDigitSide)
        out[y * kDigitSide + x] = std::min(1.0f, small[(size_t)ty * tw + tx]);
    }
  return true;
}

void shift_image(const float* in, int h, int w, int dy, int dx, float* out) {
  for (int i = 0; i < h; i++)
    for (int j = 0; j < w; j++) {
      int si = i - dy, sj = j - dx;
      out[i * w + j] = (si >= 0 && si < h && sj >= 0 && sj < w) ? in[si * w + sj] : 0.0f;
    }
}

}  // namespace convlab
