// AVX-512 strided micro-kernel: the 6x16 zmm tile, with A's six rows read in place, a_step
// floats apart from one step of depth to the next.
#include "tile_avx512.h"
#include "ukernel.h"

namespace convkit {

void ukernel_strided_6x16_avx512(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                                 int64_t ldc, bool accumulate) {
  CONVKIT_TILE512_6X16;
  const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
  int64_t p = 0, k = 0;
  for (; p + 1 < kc; p += 2, k += 2 * a_step, b += 32) {
    const __m512 b_even = _mm512_loadu_ps(b), b_odd = _mm512_loadu_ps(b + 16);
    const int64_t k1 = k + a_step;
    CONVKIT_TILE512_UPDATE(e, a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, b_even);
    CONVKIT_TILE512_UPDATE(o, a0 + k1, a1 + k1, a2 + k1, a3 + k1, a4 + k1, a5 + k1, b_odd);
  }
  if (p < kc) {
    const __m512 b_last = _mm512_loadu_ps(b);
    CONVKIT_TILE512_UPDATE(e, a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, b_last);
  }
  CONVKIT_TILE512_STORE(c, ldc, accumulate);
}

}  // namespace convkit
