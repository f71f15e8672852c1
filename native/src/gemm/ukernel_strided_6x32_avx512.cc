// AVX-512 wide strided micro-kernel: A's six rows read in place (a_step floats per step of
// depth), two B panels (b, and b + b_step), the 6x32 tile of tile_avx512.h.
#include "tile_avx512.h"
#include "ukernel.h"

namespace convkit {

void ukernel_strided_6x32_avx512(int64_t kc, const float* const* a, int64_t a_step, const float* b, int64_t b_step,
                                 float* c, int64_t ldc, bool accumulate) {
  CONVKIT_TILE512_6X32;
  const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
  const float* b_right = b + b_step;
  for (int64_t p = 0, k = 0; p < kc; ++p, k += a_step, b += 16, b_right += 16)
    CONVKIT_TILE512_WIDE_UPDATE(a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, _mm512_loadu_ps(b),
                                _mm512_loadu_ps(b_right));
  CONVKIT_TILE512_WIDE_STORE_WITH(c, ldc, accumulate, nullptr, false);
}

}  // namespace convkit
