#include <limits>

#include "../runtime/thread_pool.h"
#include "kernels.h"
#include "pool_window.h"

namespace convkit {

void max_pool(const float* x, float* y, const ConvGeometry& g) {
  const int64_t C = g.in_c;
  parallel_range(g.batch * g.out_h, 8, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / g.out_h, oh = row % g.out_h;
      const float* image = x + n * g.in_h * g.in_w * C;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        float* out = y + (row * g.out_w + ow) * C;
        std::fill(out, out + C, -std::numeric_limits<float>::infinity());
        const PoolWindow w = PoolWindow::at(g, oh, ow);
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) {
            const float* in = image + (ih * g.in_w + iw) * C;
            for (int64_t c = 0; c < C; ++c) out[c] = in[c] > out[c] ? in[c] : out[c];
          }
      }
    }
  });
}

}  // namespace convkit
