// AVX-512 wide micro-kernel: two packed B panels (b, and b + b_step) against one packed A
// panel, the 6x32 tile of tile_avx512.h.
#include "tile_avx512.h"
#include "ukernel.h"

namespace convkit {

void ukernel_6x32_avx512(int64_t kc, const float* a, const float* b, int64_t b_step, float* c, int64_t ldc,
                         bool accumulate) {
  CONVKIT_TILE512_6X32;
  const float* b_right = b + b_step;
  for (int64_t p = 0; p < kc; ++p, a += 6, b += 16, b_right += 16)
    CONVKIT_TILE512_WIDE_UPDATE(a, a + 1, a + 2, a + 3, a + 4, a + 5, _mm512_loadu_ps(b), _mm512_loadu_ps(b_right));
  CONVKIT_TILE512_WIDE_STORE_WITH(c, ldc, accumulate, nullptr, false);
}

}  // namespace convkit
