// The 6x16 register tile of the AVX-512 micro-kernels: the same tile and packing as the
// AVX2 ones (a row of 16 floats is one zmm register), kept twice: one set of six
// accumulators for even steps of depth and one for odd steps, summed when stored. Six
// chains of fused multiply-adds cannot fill two 512-bit FMA pipes of 4-cycle latency
// (eight in flight needed); twelve can. Macros for the reason given in tile_avx2.h.
#pragma once
#include <immintrin.h>

#include <cstdint>

// Declares the accumulators e0..e5 (even steps) and o0..o5 (odd steps), zeroed.
#define CONVKIT_TILE512_6X16                                                                  \
  __m512 e0 = _mm512_setzero_ps(), e1 = _mm512_setzero_ps(), e2 = _mm512_setzero_ps();        \
  __m512 e3 = _mm512_setzero_ps(), e4 = _mm512_setzero_ps(), e5 = _mm512_setzero_ps();        \
  __m512 o0 = _mm512_setzero_ps(), o1 = _mm512_setzero_ps(), o2 = _mm512_setzero_ps();        \
  __m512 o3 = _mm512_setzero_ps(), o4 = _mm512_setzero_ps(), o5 = _mm512_setzero_ps()

// Accumulator set `s` (e or o): row i += *ai * b, for the six A values at addresses a0..a5.
#define CONVKIT_TILE512_UPDATE(s, a0, a1, a2, a3, a4, a5, b)                                  \
  do {                                                                                        \
    s##0 = _mm512_fmadd_ps(_mm512_set1_ps(*(a0)), b, s##0);                                   \
    s##1 = _mm512_fmadd_ps(_mm512_set1_ps(*(a1)), b, s##1);                                   \
    s##2 = _mm512_fmadd_ps(_mm512_set1_ps(*(a2)), b, s##2);                                   \
    s##3 = _mm512_fmadd_ps(_mm512_set1_ps(*(a3)), b, s##3);                                   \
    s##4 = _mm512_fmadd_ps(_mm512_set1_ps(*(a4)), b, s##4);                                   \
    s##5 = _mm512_fmadd_ps(_mm512_set1_ps(*(a5)), b, s##5);                                   \
  } while (0)

// C gets the tile (even + odd sets), or C plus the tile when accumulating, then + bias[j]
// on column j (16 floats, or null) and relu (NaN stays NaN, as in tfjs), in registers.
#define CONVKIT_TILE512_STORE_WITH(c, ldc, accumulate, bias, relu)                            \
  do {                                                                                        \
    const __m512 rows[6] = {_mm512_add_ps(e0, o0), _mm512_add_ps(e1, o1), _mm512_add_ps(e2, o2), \
                            _mm512_add_ps(e3, o3), _mm512_add_ps(e4, o4), _mm512_add_ps(e5, o5)}; \
    const float* tile_bias = (bias);                                                          \
    const __m512 bias_row = tile_bias ? _mm512_loadu_ps(tile_bias) : _mm512_setzero_ps();     \
    const __m512 zero = _mm512_setzero_ps();                                                  \
    float* out = (c);                                                                         \
    for (int i = 0; i < 6; ++i, out += (ldc)) {                                               \
      __m512 row = rows[i];                                                                   \
      if (accumulate) row = _mm512_add_ps(row, _mm512_loadu_ps(out));                         \
      if (tile_bias) row = _mm512_add_ps(row, bias_row);                                      \
      if (relu) row = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(row, zero, _CMP_LE_OQ), row, zero); \
      _mm512_storeu_ps(out, row);                                                             \
    }                                                                                         \
  } while (0)

#define CONVKIT_TILE512_STORE(c, ldc, accumulate) CONVKIT_TILE512_STORE_WITH(c, ldc, accumulate, nullptr, false)

// The 6x32 tile of the wide micro-kernels: two B panels side by side (columns 0-15 from one,
// 16-31 from the next), rows l0..l5 on the left and r0..r5 on the right. Each broadcast of A
// now feeds two FMAs: the 6x16 tile spent 7 loads on 6 FMAs and measured 144-152 GFLOP/s
// on one core in L1 (load-bound), the 6x32 tile 190-203. Twelve accumulators fill both
// FMA pipes without an even/odd split.
#define CONVKIT_TILE512_6X32                                                                  \
  __m512 l0 = _mm512_setzero_ps(), l1 = _mm512_setzero_ps(), l2 = _mm512_setzero_ps();        \
  __m512 l3 = _mm512_setzero_ps(), l4 = _mm512_setzero_ps(), l5 = _mm512_setzero_ps();        \
  __m512 r0 = _mm512_setzero_ps(), r1 = _mm512_setzero_ps(), r2 = _mm512_setzero_ps();        \
  __m512 r3 = _mm512_setzero_ps(), r4 = _mm512_setzero_ps(), r5 = _mm512_setzero_ps()

// Row i (left and right) += *ai * (b_left, b_right).
#define CONVKIT_TILE512_WIDE_UPDATE(a0, a1, a2, a3, a4, a5, b_left, b_right)                  \
  do {                                                                                        \
    __m512 lane;                                                                              \
    lane = _mm512_set1_ps(*(a0)), l0 = _mm512_fmadd_ps(lane, b_left, l0), r0 = _mm512_fmadd_ps(lane, b_right, r0); \
    lane = _mm512_set1_ps(*(a1)), l1 = _mm512_fmadd_ps(lane, b_left, l1), r1 = _mm512_fmadd_ps(lane, b_right, r1); \
    lane = _mm512_set1_ps(*(a2)), l2 = _mm512_fmadd_ps(lane, b_left, l2), r2 = _mm512_fmadd_ps(lane, b_right, r2); \
    lane = _mm512_set1_ps(*(a3)), l3 = _mm512_fmadd_ps(lane, b_left, l3), r3 = _mm512_fmadd_ps(lane, b_right, r3); \
    lane = _mm512_set1_ps(*(a4)), l4 = _mm512_fmadd_ps(lane, b_left, l4), r4 = _mm512_fmadd_ps(lane, b_right, r4); \
    lane = _mm512_set1_ps(*(a5)), l5 = _mm512_fmadd_ps(lane, b_left, l5), r5 = _mm512_fmadd_ps(lane, b_right, r5); \
  } while (0)

// C (6 x 32, row stride ldc) gets the tile, or C plus it, then + bias[j] (32 floats, or
// null) and relu, as CONVKIT_TILE512_STORE_WITH.
#define CONVKIT_TILE512_WIDE_STORE_WITH(c, ldc, accumulate, bias, relu)                       \
  do {                                                                                        \
    const __m512 halves[12] = {l0, r0, l1, r1, l2, r2, l3, r3, l4, r4, l5, r5};               \
    const float* tile_bias = (bias);                                                          \
    const __m512 zero = _mm512_setzero_ps();                                                  \
    float* out = (c);                                                                         \
    for (int i = 0; i < 12; ++i) {                                                            \
      float* place = out + (i / 2) * (ldc) + (i % 2) * 16;                                    \
      __m512 half = halves[i];                                                                \
      if (accumulate) half = _mm512_add_ps(half, _mm512_loadu_ps(place));                     \
      if (tile_bias) half = _mm512_add_ps(half, _mm512_loadu_ps(tile_bias + (i % 2) * 16));   \
      if (relu) half = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(half, zero, _CMP_LE_OQ), half, zero); \
      _mm512_storeu_ps(place, half);                                                          \
    }                                                                                         \
  } while (0)
