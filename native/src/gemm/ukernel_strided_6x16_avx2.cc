// AVX2+FMA strided micro-kernel: the GEMM micro-kernel's register tile, with A's six rows
// read in place, a_step floats apart from one step of depth to the next.
#include "tile_avx2.h"
#include "ukernel.h"

namespace convkit {

void ukernel_strided_6x16_avx2(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                               int64_t ldc, bool accumulate) {
  CONVKIT_TILE_6X16;
  const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
  for (int64_t p = 0, k = 0; p < kc; ++p, k += a_step, b += 16) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    CONVKIT_TILE_UPDATE(a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, b0, b1);
  }
  CONVKIT_TILE_STORE(c, ldc, accumulate);
}

}  // namespace convkit
