// AVX-512 wide indirect micro-kernel: igemm_6x16_avx512.cc's pointers to A, two filter
// panels (b, and b + b_step), the 6x32 tile of tile_avx512.h.
#include "igemm.h"
#include "tile_avx512.h"

namespace convkit {

void igemm_6x32_avx512(int64_t taps, int64_t channels, const float* const* a, const float* b, int64_t b_step,
                       float* c, int64_t ldc, bool accumulate, const Epilogue& epilogue) {
  CONVKIT_TILE512_6X32;
  const float* b_right = b + b_step;
  for (int64_t t = 0; t < taps; ++t, a += 6) {
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
    for (int64_t k = 0; k < channels; ++k, b += 16, b_right += 16)
      CONVKIT_TILE512_WIDE_UPDATE(a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, _mm512_loadu_ps(b),
                                  _mm512_loadu_ps(b_right));
  }
  CONVKIT_TILE512_WIDE_STORE_WITH(c, ldc, accumulate, epilogue.bias, epilogue.activation == Activation::kRelu);
}

}  // namespace convkit
