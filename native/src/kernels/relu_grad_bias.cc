#include <algorithm>
#include <vector>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

void relu_grad_bias(const float* dy, const float* y, float* dz, float* dbias, int64_t rows, int64_t channels) {
  // The rows split as reduce() splits a Sum's, each share summed in double in row order and
  // the shares added in order: the bias gradient has the bits tf.sum(dz) would give, so a
  // layer that fuses its relu trains bit-identically to one that does not.
  const int parts = reduce_row_parts(1, rows, channels);
  const int64_t share = (rows + parts - 1) / parts;
  std::vector<double> partial(static_cast<size_t>(parts * channels), 0.0);
  parallel_for(parts, [&](int64_t part, int) {
    double* __restrict acc = partial.data() + part * channels;
    for (int64_t r = part * share, end = std::min(rows, (part + 1) * share); r < end; ++r) {
      const float *__restrict g = dy + r * channels, *__restrict out = y + r * channels;
      float* __restrict d = dz + r * channels;
      for (int64_t c = 0; c < channels; ++c) {
        d[c] = relu_grad(g[c], out[c]);
        acc[c] += static_cast<double>(d[c]);
      }
    }
  });
  for (int64_t part = 1; part < parts; ++part)
    for (int64_t c = 0; c < channels; ++c) partial[c] += partial[part * channels + c];
  for (int64_t c = 0; c < channels; ++c) dbias[c] = static_cast<float>(partial[c]);
}

}  // namespace convkit
