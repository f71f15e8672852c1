#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

namespace {

// The same float32 operations, in the same order, as tfjs's AdamOptimizer, in one pass over
// elements [begin, end). The arrays are distinct (the outputs are fresh tensors): saying so
// lets GCC vectorise the loop, divisions and square root included, each lane rounding as
// the scalar code would (it had left it scalar: ~4x slower).
void adam_span(const float* __restrict value, const float* __restrict first_moment,
               const float* __restrict second_moment, const float* __restrict gradient, float* __restrict new_value,
               float* __restrict new_first_moment, float* __restrict new_second_moment, int64_t begin, int64_t end,
               const AdamScalars s) {
  for (int64_t i = begin; i < end; ++i) {
    const float g = gradient[i];
    const float m = first_moment[i] * s.beta1 + g * s.one_minus_beta1;
    const float v = second_moment[i] * s.beta2 + (g * g) * s.one_minus_beta2;
    const float m_hat = m / s.one_minus_acc_beta1, v_hat = v / s.one_minus_acc_beta2;
    new_value[i] = (m_hat / (__builtin_sqrtf(v_hat) + s.epsilon)) * s.negative_learning_rate + value[i];
    new_first_moment[i] = m;
    new_second_moment[i] = v;
  }
}

}  // namespace

void adam_update(const AdamInputs& in, const AdamOutputs& out, int64_t size, const AdamScalars& s) {
  parallel_range(size, 1 << 15, [&](int64_t begin, int64_t end) {
    adam_span(in.value, in.first_moment, in.second_moment, in.gradient, out.value, out.first_moment,
              out.second_moment, begin, end, s);
  });
}

}  // namespace convkit
