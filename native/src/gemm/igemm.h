// The indirect GEMM micro-kernel (the idea behind XNNPACK's convolutions): A is never
// packed. Row r of tap t is read straight from the input through pointer a[t*MR + r],
// `channels` floats long, so a convolution needs no im2col copy at all.
//   b: taps*channels groups of NR floats (a packed panel of the filter), 32-byte aligned
//   c: an MR x NR tile with row stride ldc
#pragma once
#include <cstdint>

namespace convkit {

//   epilogue: applied to the tile in registers as it is stored (a convolution's bias and relu)

// What a micro-kernel does to its tile on the way out: + bias[j] on column j (NR floats, or
// null), then relu if set (NaN stays NaN).
struct TileEpilogue {
  const float* bias = nullptr;
  bool relu = false;
};

using IgemmUkernel = void (*)(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c,
                              int64_t ldc, bool accumulate, TileEpilogue epilogue);

void igemm_6x16_ref(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c, int64_t ldc,
                    bool accumulate, TileEpilogue epilogue);
void igemm_6x16_avx2(int64_t taps, int64_t channels, const float* const* a, const float* b, float* c, int64_t ldc,
                     bool accumulate, TileEpilogue epilogue);

}  // namespace convkit
