// Writing back the 6x16 accumulator tile, shared by the AVX2 micro-kernels.
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace convkit {

// acc[2*i] and acc[2*i+1] hold row i; C gets them, or C plus them when accumulating.
inline void store_tile_6x16(const __m256 (&acc)[12], float* c, int64_t ldc, bool accumulate) {
  for (int i = 0; i < 6; ++i, c += ldc) {
    __m256 lo = acc[2 * i], hi = acc[2 * i + 1];
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
    }
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
  }
}

}  // namespace convkit
