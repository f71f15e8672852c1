#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

// PyTorch's SGD step (dampening 0) with the weight decay folded into the gradient, each
// operation rounded to float in this order; src/backend/custom_kernels.ts repeats it in JS
// with Math.fround. (The addon is built without FMA, so no product is fused into a sum.)
void sgd_update(const SgdInputs& in, const SgdOutputs& out, int64_t size, const SgdScalars& s) {
  parallel_range(size, 1 << 15, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float value = in.value[i];
      const float decayed = s.weight_decay * value;
      const float direction = in.gradient[i] + decayed;
      const float carried = s.momentum * in.momentum_buffer[i];
      const float buffer = carried + direction;
      float step = buffer;
      if (s.nesterov) {
        const float look_ahead = s.momentum * buffer;
        step = direction + look_ahead;
      }
      const float change = s.learning_rate * step;
      out.value[i] = value - change;
      out.momentum_buffer[i] = buffer;
    }
  });
}

}  // namespace convkit
