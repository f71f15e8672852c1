#include "conv_patches.h"

#include <algorithm>
#include <cstring>

namespace convkit {

namespace {

// A run of panel rows that read consecutive channels of one filter tap.
struct TapRun {
  int64_t kh, kw, channel, length, panel_row;
};

}  // namespace

void PatchColumns::pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const {
  const ConvGeometry& g = g_;
  TapRun runs[64];
  for (int64_t q = 0; q < rows; q += width, dst += width * cols) {
    const int64_t live = std::min<int64_t>(width, rows - q);
    int count = 0;
    for (int64_t r = 0; r < live;) {
      const int64_t element = row0 + q + r, channel = element % g.in_c;
      const int64_t length = std::min(g.in_c - channel, live - r);
      runs[count++] = {element / (g.in_c * g.filter_w), (element / g.in_c) % g.filter_w, channel, length, r};
      r += length;
    }
    for (int64_t p = 0; p < cols; ++p) {
      const PixelOrigin o = PixelOrigin::of(input_, g, first_pixel_ + col0 + p);
      float* out = dst + p * width;
      for (int i = 0; i < count; ++i) {
        const TapRun& run = runs[i];
        const int64_t ih = o.ih0 + run.kh * g.dilation_h, iw = o.iw0 + run.kw * g.dilation_w;
        float* run_out = out + run.panel_row;
        if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) {
          std::fill(run_out, run_out + run.length, 0.0f);
        } else {
          const float* src = o.image + (ih * g.in_w + iw) * g.in_c + run.channel;
          std::copy(src, src + run.length, run_out);
        }
      }
      std::fill(out + live, out + width, 0.0f);
    }
  }
}

}  // namespace convkit
