// The GEMM micro-kernel contract (as in BLIS): multiply one packed MR x kc panel of A by one
// packed kc x NR panel of B and write (or add to) an MR x NR tile of C with row stride ldc.
//   a: kc groups of MR floats (column p of the panel is a[p*MR .. p*MR+MR))
//   b: kc groups of NR floats (row p of the panel is b[p*NR .. p*NR+NR)), 32-byte aligned
// Edge tiles are the caller's business: it passes a full-size scratch tile instead.
#pragma once
#include <cstdint>

namespace convkit {

using Ukernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);

void ukernel_6x16_ref(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
void ukernel_6x16_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
void ukernel_6x16_avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);

// The strided variant: A is not packed but read in place through MR row pointers, each
// advancing a_step floats per step of depth (a convolution's patch elements, read along an
// output row of the image: see conv2d_backprop_filter_rows.cc). B as above.
using StridedUkernel = void (*)(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                                int64_t ldc, bool accumulate);

void ukernel_strided_6x16_ref(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                              int64_t ldc, bool accumulate);
void ukernel_strided_6x16_avx2(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                               int64_t ldc, bool accumulate);
void ukernel_strided_6x16_avx512(int64_t kc, const float* const* a, int64_t a_step, const float* b, float* c,
                                 int64_t ldc, bool accumulate);

// The wide variants: two B panels side by side, the second b_step floats after the first,
// into an MR x 2NR tile of C (the AVX-512 6x32 tile, tile_avx512.h; elsewhere the MR x NR
// kernel twice, below). Callers use them while two whole panels remain.
using WideUkernel = void (*)(int64_t kc, const float* a, const float* b, int64_t b_step, float* c, int64_t ldc,
                             bool accumulate);
using WideStridedUkernel = void (*)(int64_t kc, const float* const* a, int64_t a_step, const float* b,
                                    int64_t b_step, float* c, int64_t ldc, bool accumulate);

void ukernel_6x32_avx512(int64_t kc, const float* a, const float* b, int64_t b_step, float* c, int64_t ldc,
                         bool accumulate);
void ukernel_strided_6x32_avx512(int64_t kc, const float* const* a, int64_t a_step, const float* b, int64_t b_step,
                                 float* c, int64_t ldc, bool accumulate);

template <Ukernel kNarrow, int kNR>
void ukernel_twice(int64_t kc, const float* a, const float* b, int64_t b_step, float* c, int64_t ldc, bool accumulate) {
  kNarrow(kc, a, b, c, ldc, accumulate);
  kNarrow(kc, a, b + b_step, c + kNR, ldc, accumulate);
}

template <StridedUkernel kNarrow, int kNR>
void strided_twice(int64_t kc, const float* const* a, int64_t a_step, const float* b, int64_t b_step, float* c,
                   int64_t ldc, bool accumulate) {
  kNarrow(kc, a, a_step, b, c, ldc, accumulate);
  kNarrow(kc, a, a_step, b + b_step, c + kNR, ldc, accumulate);
}

}  // namespace convkit
