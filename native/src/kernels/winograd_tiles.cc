// Where Winograd is used, and the tiling both Winograd kernels share.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "winograd.h"

namespace convkit {

bool use_winograd(const ConvGeometry& g) {
  const char* setting = std::getenv("CONVKIT_WINOGRAD");
  if (setting && std::strcmp(setting, "0") == 0) return false;
  const bool applies = g.filter_h == 3 && g.filter_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
                       g.dilation_h == 1 && g.dilation_w == 1 && g.out_h > 0 && g.out_w > 0;
  if (setting && std::strcmp(setting, "all") == 0) return applies;  // for tests
  // Multiplies saved: 9 per output pixel directly, 16 per 2x2 tile, with an odd size's last
  // row and column of tiles half used (2.25 for even sizes, 1.27 for a 3x3 output).
  const double tiles = static_cast<double>((g.out_h + 1) / 2 * ((g.out_w + 1) / 2));
  const double saving = 9.0 * g.out_h * g.out_w / (16.0 * tiles);
  // What the saving must be to pay for the transforms, whose share grows as channels fall
  // (measured on AVX2 against the direct kernels at batch 128; with 3 input channels
  // Winograd lost even at 2.25).
  const int64_t channels = std::min(g.in_c, g.out_c);
  if (!applies || channels < 8) return false;
  const double needed = channels < 32 ? 1.9 : channels < 128 ? 1.5 : 1.25;
  return saving >= needed;
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
