// gelu.h's loops built with AVX2 + FMA (this file is compiled with -mavx2 -mfma, see
// binding.gyp). Fused multiply-adds round differently from the portable build, by an ulp or so.

#include "gelu.h"

namespace convkit {

void gelu_span_avx2(const float* x, float* y, int64_t size) { gelu_span(x, y, size); }

void gelu_grad_span_avx2(const float* dy, const float* x, float* dx, int64_t size) {
  gelu_grad_span(dy, x, dx, size);
}

}  // namespace convkit
