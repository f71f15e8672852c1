#include "gelu.h"

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

void gelu(const float* x, float* y, int64_t size) {
  const bool avx2 = cpu_has_avx2_fma();
  parallel_range(size, 1 << 14, [&](int64_t begin, int64_t end) {
    (avx2 ? gelu_span_avx2 : gelu_span)(x + begin, y + begin, end - begin);
  });
}

}  // namespace convkit
