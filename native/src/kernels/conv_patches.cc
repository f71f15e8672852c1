#include "conv_patches.h"

#include <algorithm>
#include <cstring>

namespace convkit {

namespace {

// Where output pixel `pixel` reads from: its image and the top-left input coordinate.
struct PixelOrigin {
  const float* image;
  int64_t ih0, iw0;
};

PixelOrigin origin_of(const float* input, const ConvGeometry& g, int64_t pixel) {
  const int64_t ow = pixel % g.out_w, oh = (pixel / g.out_w) % g.out_h, n = pixel / (g.out_w * g.out_h);
  return {input + n * g.in_h * g.in_w * g.in_c, oh * g.stride_h - g.pad_top, ow * g.stride_w - g.pad_left};
}

// Offset of patch element `element` from its pixel's origin, or -1 when it falls in the padding.
int64_t element_offset(const ConvGeometry& g, const PixelOrigin& o, int64_t element) {
  const int64_t ci = element % g.in_c, kw = (element / g.in_c) % g.filter_w, kh = element / (g.in_c * g.filter_w);
  const int64_t ih = o.ih0 + kh * g.dilation_h, iw = o.iw0 + kw * g.dilation_w;
  if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) return -1;
  return (ih * g.in_w + iw) * g.in_c + ci;
}

}  // namespace

void PatchRows::pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const {
  const ConvGeometry& g = g_;
  for (int64_t q = 0; q < rows; q += width, dst += width * cols) {
    const int64_t live = std::min<int64_t>(width, rows - q);
    if (live < width) std::fill(dst, dst + width * cols, 0.0f);
    for (int64_t r = 0; r < live; ++r) {
      const PixelOrigin o = origin_of(input_, g, row0 + q + r);
      float* out = dst + r;
      // Walk the patch in runs of contiguous input channels.
      int64_t p = col0;
      while (p < col0 + cols) {
        const int64_t run = std::min(g.in_c - p % g.in_c, col0 + cols - p);
        const int64_t offset = element_offset(g, o, p);
        float* o_run = out + (p - col0) * width;
        if (offset < 0) {
          for (int64_t t = 0; t < run; ++t) o_run[t * width] = 0.0f;
        } else {
          const float* src = o.image + offset;
          for (int64_t t = 0; t < run; ++t) o_run[t * width] = src[t];
        }
        p += run;
      }
    }
  }
}

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
      const PixelOrigin o = origin_of(input_, g, first_pixel_ + col0 + p);
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
