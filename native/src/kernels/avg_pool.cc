#include "kernels.h"
#include "pool_window.h"

namespace convkit {

// Averages over the part of the window inside the image, as tfjs does with 'same' padding.
void avg_pool(const float* x, float* y, const ConvGeometry& g) {
  const int64_t C = g.in_c;
  for_each_window(x, y, g, [&](const float* image, float* out, const PoolWindow& w) {
    std::fill(out, out + C, 0.0f);
    for (int64_t ih = w.h0; ih < w.h1; ++ih)
      for (int64_t iw = w.w0; iw < w.w1; ++iw) {
        const float* in = image + (ih * g.in_w + iw) * C;
        for (int64_t c = 0; c < C; ++c) out[c] += in[c];
      }
    const float scale = 1.0f / static_cast<float>(std::max<int64_t>(w.count(), 1));
    for (int64_t c = 0; c < C; ++c) out[c] *= scale;
  });
}

}  // namespace convkit
