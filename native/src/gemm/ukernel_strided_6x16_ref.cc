// Portable strided micro-kernel.
#include "ukernel.h"

namespace convkit {

void ukernel_strided_6x16_ref(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                              int64_t ldc, bool accumulate) {
  constexpr int MR = 6, NR = 16;
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i][p * a_step] * b[j];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

}  // namespace convkit
