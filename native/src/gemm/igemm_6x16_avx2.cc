// AVX2+FMA indirect micro-kernel: the same 6x16 register tile as the GEMM micro-kernel,
// with A read through pointers instead of from a packed panel.
#include "igemm.h"
#include "tile_avx2.h"

namespace convkit {

// Rows of A through six pointers that change at every tap.
void igemm_6x16_avx2(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c, int64_t ldc,
                     bool accumulate, const Epilogue& epilogue) {
  CONVKIT_TILE_6X16;
  for (int64_t t = 0; t < taps; ++t, a += 6) {
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
    for (int64_t k = 0; k < channels; ++k, b += 16) {
      const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
      CONVKIT_TILE_UPDATE(a0 + k, a1 + k, a2 + k, a3 + k, a4 + k, a5 + k, b0, b1);
    }
  }
  CONVKIT_TILE_STORE_WITH(c, ldc, accumulate, epilogue.bias, epilogue.activation == Activation::kRelu);
}

}  // namespace convkit
