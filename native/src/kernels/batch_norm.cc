#include <cmath>
#include <vector>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

void batch_norm(const float* x, const float* mean, const float* variance, const float* offset, const float* scale,
                float* y, int64_t size, int64_t channels, float epsilon) {
  // Fold the four parameter vectors into one multiply-add per element.
  std::vector<float> mul(channels), add(channels);
  for (int64_t c = 0; c < channels; ++c) {
    mul[c] = (scale ? scale[c] : 1.0f) / std::sqrt(variance[c] + epsilon);
    add[c] = (offset ? offset[c] : 0.0f) - mean[c] * mul[c];
  }
  parallel_range(size / channels, 256, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* in = x + r * channels;
      float* out = y + r * channels;
      for (int64_t c = 0; c < channels; ++c) out[c] = in[c] * mul[c] + add[c];
    }
  });
}

}  // namespace convkit
