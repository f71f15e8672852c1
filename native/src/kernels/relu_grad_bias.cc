#include <algorithm>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "gradient_panels.h"
#include "kernels.h"

namespace convkit {

void relu_grad_bias(const float* dy, const float* y, float* dz, float* dbias, int64_t rows, int64_t channels) {
  // The rows split as reduce() splits a Sum's, each share summed in double in row order and
  // the shares added in order: the bias gradient has the bits tf.sum(dz) would give, so a
  // layer that fuses its relu trains bit-identically to one that does not.
  const int parts = reduce_row_parts(1, rows, channels);
  const int64_t share = (rows + parts - 1) / parts;
  std::vector<double> partial(static_cast<size_t>(parts * channels), 0.0);
  const ReluGradRowsFn relu_grad_rows = cpu_has_avx2_fma() ? relu_grad_rows_avx2 : relu_grad_rows_with<Vec4>;
  parallel_for(parts, [&](int64_t part, int) {
    const int64_t begin = part * share, end = std::min(rows, (part + 1) * share);
    if (begin < end)
      relu_grad_rows(dy + begin * channels, y + begin * channels, dz + begin * channels, end - begin, channels,
                     partial.data() + part * channels);
  });
  for (int64_t part = 1; part < parts; ++part)
    for (int64_t c = 0; c < channels; ++c) partial[c] += partial[part * channels + c];
  for (int64_t c = 0; c < channels; ++c) dbias[c] = static_cast<float>(partial[c]);
}

}  // namespace convkit
