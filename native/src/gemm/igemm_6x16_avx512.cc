// AVX-512 indirect micro-kernel: the 6x16 zmm tile of ukernel_6x16_avx512.cc, with A read
// through pointers that change at every tap.
#include "igemm.h"
#include "tile_avx512.h"

namespace convkit {

void igemm_6x16_avx512(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c,
                       int64_t ldc, bool accumulate, const Epilogue& epilogue) {
  CONVKIT_TILE512_6X16;
  for (int64_t t = 0; t < taps; ++t, a += 6) {
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
    int64_t k = 0;
    for (; k + 1 < channels; k += 2, b += 32) {
      const __m512 b_even = _mm512_loadu_ps(b), b_odd = _mm512_loadu_ps(b + 16);
      CONVKIT_TILE512_UPDATE(e, a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, b_even);
      CONVKIT_TILE512_UPDATE(o, a0 + k + 1, a1 + k + 1, a2 + k + 1, a3 + k + 1, a4 + k + 1, a5 + k + 1, b_odd);
    }
    if (k < channels) {
      const __m512 b_last = _mm512_loadu_ps(b);
      CONVKIT_TILE512_UPDATE(e, a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, b_last);
      b += 16;
    }
  }
  CONVKIT_TILE512_STORE_WITH(c, ldc, accumulate, epilogue.bias, epilogue.activation == Activation::kRelu);
}

}  // namespace convkit
