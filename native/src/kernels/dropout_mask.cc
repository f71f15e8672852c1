#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

namespace {

// A 32-bit integer hash with good avalanche (the "lowbias32" constants); convkit's JS
// fallback computes the same function with Math.imul, so both give identical masks.
inline uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x7feb352dU;
  h ^= h >> 15;
  h *= 0x846ca68bU;
  h ^= h >> 16;
  return h;
}

}  // namespace

void dropout_mask(float* mask, int64_t size, uint32_t seed, float rate) {
  // Computed as the JS fallback computes them (float32 keep, double division).
  const float keep = 1.0f - rate, scale = static_cast<float>(1.0 / static_cast<double>(keep));
  const uint32_t base = mix32(seed);
  // Compare the hash's top 24 bits with keep * 2^24: exact in float, identical in JS.
  const uint32_t threshold = static_cast<uint32_t>(keep * 16777216.0f);
  parallel_range(size, 1 << 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      mask[i] = (mix32(base + static_cast<uint32_t>(i)) >> 8) < threshold ? scale : 0.0f;
  });
}

}  // namespace convkit
