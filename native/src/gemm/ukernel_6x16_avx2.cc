// AVX2+FMA micro-kernel: a 6x16 tile of C lives in 12 ymm registers for the whole k loop;
// each step loads one row of B (2 registers) and broadcasts 6 values of A.
#include "tile_avx2.h"
#include "ukernel.h"

namespace convkit {

void ukernel_6x16_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  CONVKIT_TILE_6X16;
  for (int64_t p = 0; p < kc; ++p, a += 6, b += 16) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    CONVKIT_TILE_UPDATE(a, a + 1, a + 2, a + 3, a + 4, a + 5, b0, b1);
  }
  CONVKIT_TILE_STORE(c, ldc, accumulate);
}

}  // namespace convkit
