#include <cmath>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

// Subtracts the row maximum before exponentiating, so large logits do not overflow.
void softmax(const float* logits, float* y, int64_t rows, int64_t cols) {
  parallel_range(rows, 64, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* in = logits + r * cols;
      float* out = y + r * cols;
      float peak = in[0];
      for (int64_t c = 1; c < cols; ++c) peak = in[c] > peak ? in[c] : peak;
      double total = 0.0;
      for (int64_t c = 0; c < cols; ++c) total += out[c] = std::exp(in[c] - peak);
      const float inv = static_cast<float>(1.0 / total);
      for (int64_t c = 0; c < cols; ++c) out[c] *= inv;
    }
  });
}

}  // namespace convkit
