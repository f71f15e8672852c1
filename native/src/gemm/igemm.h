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

}  // namespace convkit
