// AVX-512 micro-kernel: the 6x16 tile in zmm registers, steps of depth taken in pairs (one
// per accumulator set); each step loads one row of B and broadcasts 6 values of A.
#include "tile_avx512.h"
#include "ukernel.h"

namespace convkit {

void ukernel_6x16_avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  CONVKIT_TILE512_6X16;
  int64_t p = 0;
  for (; p + 1 < kc; p += 2, a += 12, b += 32) {
    const __m512 b_even = _mm512_loadu_ps(b), b_odd = _mm512_loadu_ps(b + 16);
    CONVKIT_TILE512_UPDATE(e, a, a + 1, a + 2, a + 3, a + 4, a + 5, b_even);
    CONVKIT_TILE512_UPDATE(o, a + 6, a + 7, a + 8, a + 9, a + 10, a + 11, b_odd);
  }
  if (p < kc) {
    const __m512 b_last = _mm512_loadu_ps(b);
    CONVKIT_TILE512_UPDATE(e, a, a + 1, a + 2, a + 3, a + 4, a + 5, b_last);
  }
  CONVKIT_TILE512_STORE(c, ldc, accumulate);
}

}  // namespace convkit
