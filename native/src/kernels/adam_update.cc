#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

// The same float32 operations, in the same order, as tfjs's AdamOptimizer, in one pass.
void adam_update(const AdamInputs& in, const AdamOutputs& out, int64_t size, const AdamScalars& s) {
  parallel_range(size, 1 << 15, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float g = in.gradient[i];
      const float m = in.first_moment[i] * s.beta1 + g * s.one_minus_beta1;
      const float v = in.second_moment[i] * s.beta2 + (g * g) * s.one_minus_beta2;
      const float m_hat = m / s.one_minus_acc_beta1, v_hat = v / s.one_minus_acc_beta2;
      out.value[i] = (m_hat / (__builtin_sqrtf(v_hat) + s.epsilon)) * s.negative_learning_rate + in.value[i];
      out.first_moment[i] = m;
      out.second_moment[i] = v;
    }
  });
}

}  // namespace convkit
