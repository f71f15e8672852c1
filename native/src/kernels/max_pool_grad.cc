#include <algorithm>
#include <limits>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "kernels.h"
#include "pool_window.h"

namespace convkit {

// Each output's gradient goes to the first maximum of its window (the one tfjs picks).
void max_pool_grad(const float* dy, const float* x, float* dx, const ConvGeometry& g) {
  const int64_t C = g.in_c, image_size = g.in_h * g.in_w * C;
  parallel_for(g.batch, [&](int64_t n, int) {
    const float* image = x + n * image_size;
    float* grad = dx + n * image_size;
    std::fill(grad, grad + image_size, 0.0f);
    float* best = scratch(ScratchSlot::kKernel, 2 * C);
    int64_t* where = reinterpret_cast<int64_t*>(scratch(ScratchSlot::kPackA, 2 * C));
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        std::fill(best, best + C, -std::numeric_limits<float>::infinity());
        std::fill(where, where + C, int64_t{-1});
        const PoolWindow w = PoolWindow::at(g, oh, ow);
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            const int64_t base = (ih * g.in_w + iw) * C;
            for (int64_t c = 0; c < C; ++c)
              if (image[base + c] > best[c]) {
                best[c] = image[base + c];
                where[c] = base + c;
              }
          }
        const float* d = dy + ((n * g.out_h + oh) * g.out_w + ow) * C;
        for (int64_t c = 0; c < C; ++c)
          if (where[c] >= 0) grad[where[c]] += d[c];
      }
  });
}

}  // namespace convkit
