#include <limits>

#include "kernels.h"
#include "pool_window.h"

namespace convkit {

void max_pool(const float* x, float* y, const ConvGeometry& g) {
  const int64_t C = g.in_c;
  for_each_window(x, y, g, [&](const float* image, float* out, const PoolWindow& w) {
    std::fill(out, out + C, -std::numeric_limits<float>::infinity());
    for (int64_t ih = w.h0; ih < w.h1; ++ih)
      for (int64_t iw = w.w0; iw < w.w1; ++iw) {
        const float* in = image + (ih * g.in_w + iw) * C;
        for (int64_t c = 0; c < C; ++c) out[c] = in[c] > out[c] ? in[c] : out[c];
      }
  });
}

}  // namespace convkit
