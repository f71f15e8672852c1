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
