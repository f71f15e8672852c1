// The dropout mask over a span of indices, compiled twice: for any x86-64 CPU by
// dropout_mask.cc and with AVX2 by dropout_mask_avx2.cc. The hash's 32-bit multiplies have no
// SSE2 instruction (pmulld is SSE4.1), so the portable build runs one element at a time;
// AVX2 does eight (about 6x faster). Both give the same bits.
//
// Internal linkage (the unnamed namespace), as in gelu.h: each file keeps its own copy.
#pragma once
#include <cstdint>

namespace convkit {

// The AVX2 build of dropout_mask_span (dropout_mask_avx2.cc); call it only when cpu_has_avx2_fma().
void dropout_mask_span_avx2(float* out, int64_t begin, int64_t end, uint32_t base, uint32_t threshold, float scale);

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

// Mask elements [begin, end) into out[0, end - begin): scale where the top 24 bits of
// mix32(base + i) fall below threshold, else 0.
inline void dropout_mask_span(float* out, int64_t begin, int64_t end, uint32_t base, uint32_t threshold, float scale) {
  for (int64_t i = begin; i < end; ++i)
    out[i - begin] = (mix32(base + static_cast<uint32_t>(i)) >> 8) < threshold ? scale : 0.0f;
}

}  // namespace
}  // namespace convkit
