#include "gelu.h"

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

void gelu_grad(const float* dy, const float* x, float* dx, int64_t size) {
  const bool avx2 = cpu_has_avx2_fma();
  parallel_range(size, 1 << 14, [&](int64_t begin, int64_t end) {
    (avx2 ? gelu_grad_span_avx2 : gelu_grad_span)(dy + begin, x + begin, dx + begin, end - begin);
  });
}

}  // namespace convkit
