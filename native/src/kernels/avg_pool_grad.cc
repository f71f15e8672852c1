#include <algorithm>

#include "../runtime/thread_pool.h"
#include "kernels.h"
#include "pool_window.h"

namespace convkit {

// Spreads each output's gradient over its window, divided by the full window size:
// tfjs's AvgPoolGrad uses filter_h * filter_w even where the window overlaps padding.
void avg_pool_grad(const float* dy, float* dx, const ConvGeometry& g) {
  const int64_t C = g.in_c, image_size = g.in_h * g.in_w * C;
  const float scale = 1.0f / static_cast<float>(g.filter_h * g.filter_w);
  parallel_for(g.batch, [&](int64_t n, int) {
    float* grad = dx + n * image_size;
    std::fill(grad, grad + image_size, 0.0f);
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const float* d = dy + ((n * g.out_h + oh) * g.out_w + ow) * C;
        const PoolWindow w = PoolWindow::at(g, oh, ow);
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            float* out = grad + (ih * g.in_w + iw) * C;
            for (int64_t c = 0; c < C; ++c) out[c] += d[c] * scale;
          }
      }
  });
}

}  // namespace convkit
