#include <algorithm>
#include <vector>

#include "../runtime/thread_pool.h"
#include "channel_sums.h"
#include "kernels.h"

namespace convkit {

void batch_norm_training(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                         float* variance, int64_t rows, int64_t channels, float epsilon) {
  // One pass for both moments: sums of d and d^2 with d = x - shift. Shifting by a sample
  // (the first row) keeps E[d^2] - E[d]^2 from cancelling when the mean is large.
  std::vector<float> shift(channels, 0.0f);
  if (rows > 0) std::copy(x, x + channels, shift.begin());
  std::vector<double> sum(channels), sum_of_squares(channels);
  sum_by_channel(rows, channels, sum.data(), sum_of_squares.data(),
                 [&](int64_t r, float* __restrict s, float* __restrict s2) {
                   const float* __restrict row = x + r * channels;
                   const float* __restrict k = shift.data();
                   for (int64_t c = 0; c < channels; ++c) {
                     const float d = row[c] - k[c];
                     s[c] += d;
                     s2[c] += d * d;
                   }
                 });
  std::vector<float> scale(channels), offset(channels);
  const double count = static_cast<double>(rows);
  for (int64_t c = 0; c < channels; ++c) {
    const double mean_shift = sum[c] / count;
    mean[c] = static_cast<float>(shift[c] + mean_shift);
    variance[c] = static_cast<float>(std::max(0.0, sum_of_squares[c] / count - mean_shift * mean_shift));
    scale[c] = static_cast<float>((gamma ? gamma[c] : 1.0) * inverse_std(variance[c], epsilon));
    offset[c] = beta ? beta[c] : 0.0f;
  }
  parallel_range(rows, 256, [&](int64_t begin, int64_t end) {
    const float *__restrict m = mean, *__restrict k = scale.data(), *__restrict b = offset.data();
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict in = x + r * channels;
      float* __restrict out = y + r * channels;
      for (int64_t c = 0; c < channels; ++c) out[c] = (in[c] - m[c]) * k[c] + b[c];
    }
  });
}

}  // namespace convkit
