// Portable indirect micro-kernel.
#include "igemm.h"

namespace convkit {

void igemm_6x16_ref(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c, int64_t ldc,
                    bool accumulate, const Epilogue& epilogue) {
  constexpr int MR = 6, NR = 16;
  float acc[MR][NR] = {};
  for (int64_t t = 0; t < taps; ++t, a += MR)
    for (int64_t k = 0; k < channels; ++k, b += NR)
      for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j) acc[i][j] += a[i][k] * b[j];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
  apply_epilogue(c, ldc, MR, NR, 0, epilogue);
}

}  // namespace convkit
