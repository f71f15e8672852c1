#include "dropout_mask.h"

#include <algorithm>

#include "../runtime/cpu_features.h"
#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

namespace {

// The mask's constants for a seed and rate, computed as the JS fallback computes them
// (float32 keep, double division); the hash's top 24 bits are compared with keep * 2^24,
// exact in float, identical in JS.
struct MaskParameters {
  float scale;
  uint32_t base, threshold;
  MaskParameters(uint32_t seed, float rate) {
    const float keep = 1.0f - rate;
    scale = static_cast<float>(1.0 / static_cast<double>(keep));
    base = mix32(seed);
    threshold = static_cast<uint32_t>(keep * 16777216.0f);
  }
};

using MaskSpan = void (*)(float*, int64_t, int64_t, uint32_t, uint32_t, float);
MaskSpan mask_span() { return cpu_has_avx2_fma() ? dropout_mask_span_avx2 : dropout_mask_span; }

}  // namespace

void dropout_mask(float* mask, int64_t size, uint32_t seed, float rate) {
  const MaskParameters m(seed, rate);
  const MaskSpan span = mask_span();
  parallel_range(size, 1 << 16, [&](int64_t begin, int64_t end) { span(mask + begin, begin, end, m.base, m.threshold, m.scale); });
}

void dropout_apply(const float* x, float* y, int64_t size, uint32_t seed, float rate) {
  const MaskParameters m(seed, rate);
  const MaskSpan span = mask_span();
  parallel_range(size, 1 << 16, [&](int64_t begin, int64_t end) {
    // The mask a block at a time, in L1, never written out whole.
    constexpr int64_t kBlock = 1024;
    float mask[kBlock];
    for (int64_t b = begin; b < end; b += kBlock) {
      const int64_t n = std::min(kBlock, end - b);
      span(mask, b, b + n, m.base, m.threshold, m.scale);
      for (int64_t i = 0; i < n; ++i) y[b + i] = x[b + i] * mask[i];
    }
  });
}

}  // namespace convkit
