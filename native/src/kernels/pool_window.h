// The part of a pooling window that lies inside the image, shared by the pooling kernels.
#pragma once
#include <algorithm>

#include "../runtime/thread_pool.h"
#include "conv_geometry.h"

namespace convkit {

struct PoolWindow {
  int64_t h0, h1, w0, w1;  // input rows [h0, h1) and columns [w0, w1), clipped to the image

  static PoolWindow at(const ConvGeometry& g, int64_t oh, int64_t ow) {
    const int64_t top = oh * g.stride_h - g.pad_top, left = ow * g.stride_w - g.pad_left;
    return {std::max<int64_t>(top, 0), std::min(top + g.filter_h, g.in_h), std::max<int64_t>(left, 0),
            std::min(left + g.filter_w, g.in_w)};
  }
  int64_t count() const { return std::max<int64_t>(h1 - h0, 0) * std::max<int64_t>(w1 - w0, 0); }
};

// Calls visit(image, out, window) for every output pixel, in parallel over output rows:
// `image` is the pixel's input image, `out` its in_c output values.
template <typename Visit>
void for_each_window(const float* x, float* y, const ConvGeometry& g, Visit visit) {
  parallel_range(g.batch * g.out_h, 8, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / g.out_h, oh = row % g.out_h;
      const float* image = x + n * g.in_h * g.in_w * g.in_c;
      for (int64_t ow = 0; ow < g.out_w; ++ow) visit(image, y + (row * g.out_w + ow) * g.in_c, PoolWindow::at(g, oh, ow));
    }
  });
}

}  // namespace convkit
