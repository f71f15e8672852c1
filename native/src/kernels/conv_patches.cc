#include "conv_patches.h"

#include <algorithm>
#include <cstring>

namespace convkit {

PatchPanels::PatchPanels(const ConvGeometry& g, int width, bool row_runs) : g_(g), width_(width) {
  // A run never crosses a tap (or, with row_runs, a filter row): past it the input jumps.
  const int64_t span = row_runs ? g.filter_w * g.in_c : g.in_c, patch = g.patch_size();
  for (int64_t e0 = 0; e0 < patch; e0 += width) {
    first_run_.push_back(static_cast<int64_t>(runs_.size()));
    for (int64_t e = e0; e < std::min(patch, e0 + width);) {
      const int64_t tap = e / span, within = e % span, length = std::min({span - within, patch - e, e0 + width - e});
      const int64_t kh = row_runs ? tap : tap / g.filter_w, kw = row_runs ? 0 : tap % g.filter_w;
      runs_.push_back({kh * g.dilation_h, kw * g.dilation_w, within, length, e - e0, e0 / width});
      e += length;
    }
  }
  first_run_.push_back(static_cast<int64_t>(runs_.size()));
}

void PatchPanels::pack(int64_t q0, int64_t q1, const PixelOrigin* origins, int64_t pixels, float* dst) const {
  const ConvGeometry& g = g_;
  const int64_t width = width_, panel_size = pixels * width;
  const Run* first = runs_.data() + first_run_[q0];
  const Run* last = runs_.data() + first_run_[q1];
  const int64_t used = last[-1].row + last[-1].length;
  for (int64_t p = 0; p < pixels; ++p) {
    const PixelOrigin& o = origins[p];
    float* out = dst + p * width - q0 * panel_size;
    for (const Run* run = first; run != last; ++run) {
      const int64_t ih = o.ih0 + run->dh, iw = o.iw0 + run->dw;
      float* run_out = out + run->panel * panel_size + run->row;
      if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) {
        std::fill(run_out, run_out + run->length, 0.0f);
      } else if (run->length == 16) {  // the common case (in_c % 16 == 0): a fixed-size copy inlines
        std::memcpy(run_out, o.image + (ih * g.in_w + iw) * g.in_c + run->offset, 16 * sizeof(float));
      } else {
        const float* src = o.image + (ih * g.in_w + iw) * g.in_c + run->offset;
        for (int64_t i = 0; i < run->length; ++i) run_out[i] = src[i];
      }
    }
    float* tail = out + (q1 - 1) * panel_size;
    std::fill(tail + used, tail + width, 0.0f);
  }
}

}  // namespace convkit
