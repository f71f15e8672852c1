#include <vector>

#include "../runtime/thread_pool.h"
#include "channel_sums.h"
#include "kernels.h"

namespace convkit {

void batch_norm_training_grad(const float* dy, const float* x, const float* mean, const float* variance,
                              const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t rows,
                              int64_t channels, float epsilon) {
  // Pass 1: sum(dy) and sum(dy * (x - mean)) per channel.
  std::vector<double> sum_dy(channels), sum_dy_centered(channels);
  sum_by_channel(rows, channels, sum_dy.data(), sum_dy_centered.data(),
                 [&](int64_t r, float* __restrict s, float* __restrict sc) {
                   const float *__restrict g = dy + r * channels, *__restrict in = x + r * channels;
                   const float* __restrict m = mean;
                   for (int64_t c = 0; c < channels; ++c) {
                     s[c] += g[c];
                     sc[c] += g[c] * (in[c] - m[c]);
                   }
                 });
  // dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) with xhat = (x - mean) * rstd,
  // folded into dx = dy * k_dy + k_0 - (x - mean) * k_x per channel.
  std::vector<float> k_dy(channels), k_0(channels), k_x(channels);
  const double count = static_cast<double>(rows);
  for (int64_t c = 0; c < channels; ++c) {
    const double rstd = inverse_std(variance[c], epsilon);
    const double scale = (gamma ? gamma[c] : 1.0) * rstd;
    const double sum_dy_xhat = sum_dy_centered[c] * rstd;
    dbeta[c] = static_cast<float>(sum_dy[c]);
    dgamma[c] = static_cast<float>(sum_dy_xhat);
    k_dy[c] = static_cast<float>(scale);
    k_0[c] = static_cast<float>(-scale * sum_dy[c] / count);
    k_x[c] = static_cast<float>(scale * rstd * sum_dy_xhat / count);
  }
  // Pass 2: dx.
  parallel_range(rows, 256, [&](int64_t begin, int64_t end) {
    const float *__restrict a = k_dy.data(), *__restrict b = k_0.data(), *__restrict k = k_x.data();
    const float* __restrict m = mean;
    for (int64_t r = begin; r < end; ++r) {
      const float *__restrict g = dy + r * channels, *__restrict in = x + r * channels;
      float* __restrict out = dx + r * channels;
      for (int64_t c = 0; c < channels; ++c) out[c] = (g[c] * a[c] + b[c]) - (in[c] - m[c]) * k[c];
    }
  });
}

}  // namespace convkit
