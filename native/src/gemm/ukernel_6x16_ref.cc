// Portable micro-kernel: plain loops the compiler can vectorise for any 64-bit CPU.
#include "ukernel.h"

namespace convkit {

void ukernel_6x16_ref(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  constexpr int MR = 6, NR = 16;
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

}  // namespace convkit
