#include "dropout_mask.h"

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

void dropout_mask(float* mask, int64_t size, uint32_t seed, float rate) {
  // Computed as the JS fallback computes them (float32 keep, double division).
  const float keep = 1.0f - rate, scale = static_cast<float>(1.0 / static_cast<double>(keep));
  const uint32_t base = mix32(seed);
  // Compare the hash's top 24 bits with keep * 2^24: exact in float, identical in JS.
  const uint32_t threshold = static_cast<uint32_t>(keep * 16777216.0f);
  const auto span = cpu_has_avx2_fma() ? dropout_mask_span_avx2 : dropout_mask_span;
  parallel_range(size, 1 << 16, [&](int64_t begin, int64_t end) { span(mask, begin, end, base, threshold, scale); });
}

}  // namespace convkit
