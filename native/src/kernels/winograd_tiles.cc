// Where Winograd is used, and the tiling both Winograd kernels share.
#include <cstdlib>
#include <cstring>

#include "winograd.h"

namespace convkit {

bool use_winograd(const ConvGeometry& g) {
  const char* setting = std::getenv("CONVKIT_WINOGRAD");
  if (setting && std::strcmp(setting, "0") == 0) return false;
  const bool applies = g.filter_h == 3 && g.filter_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
                       g.dilation_h == 1 && g.dilation_w == 1;
  // Below 16 channels on either side the transforms cost more than the saved multiplies.
  return applies && g.in_c >= 16 && g.out_c >= 16;
}

void WinogradTiles::input_window(const float* x, const float* zeros, int64_t tile, const float** window) const {
  const ConvGeometry& g = g_;
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / (cols_ * rows_);
  const float* image = x + n * g.in_h * g.in_w * g.in_c;
  const int64_t ih0 = 2 * row - g.pad_top, iw0 = 2 * col - g.pad_left;
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      const int64_t ih = ih0 + i, iw = iw0 + j;
      const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
      window[i * 4 + j] = inside ? image + (ih * g.in_w + iw) * g.in_c : zeros;
    }
}

void WinogradTiles::output_pixels(int64_t tile, int64_t* pixels) const {
  const ConvGeometry& g = g_;
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / (cols_ * rows_);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j) {
      const int64_t oh = 2 * row + i, ow = 2 * col + j;
      pixels[i * 2 + j] = oh < g.out_h && ow < g.out_w ? (n * g.out_h + oh) * g.out_w + ow : -1;
    }
}

}  // namespace convkit
