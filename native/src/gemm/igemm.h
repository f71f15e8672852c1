// The indirect GEMM micro-kernel (the idea behind XNNPACK's convolutions): A is never
// packed. Row r of tap t is read straight from the input through pointer a[t*MR + r],
// `channels` floats long, so a convolution needs no im2col copy at all.
//   b: taps*channels groups of NR floats (a packed panel of the filter), 32-byte aligned
//   c: an MR x NR tile with row stride ldc
//   epilogue: applied to the tile as it is stored, its bias pointing at the tile's first
//     column (a convolution's bias and relu: no second pass over the tile)
#pragma once
#include <cstdint>

#include "epilogue.h"

namespace convkit {

using IgemmUkernel = void (*)(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c,
                              int64_t ldc, bool accumulate, const Epilogue& epilogue);

void igemm_6x16_ref(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c, int64_t ldc,
                    bool accumulate, const Epilogue& epilogue);
void igemm_6x16_avx2(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c, int64_t ldc,
                     bool accumulate, const Epilogue& epilogue);
void igemm_6x16_avx512(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c,
                       int64_t ldc, bool accumulate, const Epilogue& epilogue);

// The wide variant (see ukernel.h): two filter panels, the second b_step floats after the
// first, into an MR x 2NR tile; the epilogue's bias covers all 2NR columns.
using WideIgemmUkernel = void (*)(int64_t taps, int64_t channels, const float* const* a, const float* b,
                                  int64_t b_step, float* c, int64_t ldc, bool accumulate, const Epilogue& epilogue);

void igemm_6x32_avx512(int64_t taps, int64_t channels, const float* const* a, const float* b, int64_t b_step,
                       float* c, int64_t ldc, bool accumulate, const Epilogue& epilogue);

template <IgemmUkernel kNarrow, int kNR>
void igemm_twice(int64_t taps, int64_t channels, const float* const* a, const float* b, int64_t b_step, float* c,
                 int64_t ldc, bool accumulate, const Epilogue& epilogue) {
  kNarrow(taps, channels, a, b, c, ldc, accumulate, epilogue);
  kNarrow(taps, channels, a, b + b_step, c + kNR, ldc, accumulate, epilogue.shifted(kNR));
}

}  // namespace convkit
