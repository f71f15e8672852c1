// The 6x16 register tile shared by the AVX2 micro-kernels: twelve ymm accumulators,
// updated by rank-1 steps and written back once. These are macros, not a struct, on
// purpose: an array of __m256 in a struct was measured to spill to memory (GEMM fell
// from ~90 to ~28 GFLOP/s per core), twelve named locals stay in registers.
#pragma once
#include <immintrin.h>

#include <cstdint>

// Declares the twelve accumulators c00..c51 (row i, column half j), zeroed.
#define CONVKIT_TILE_6X16                                                                     \
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps();     \
  __m256 c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();     \
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps();     \
  __m256 c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps()

// Row i += *ai * (b0, b1), for the six A values at addresses a0..a5.
#define CONVKIT_TILE_UPDATE(a0, a1, a2, a3, a4, a5, b0, b1)                                    \
  do {                                                                                        \
    __m256 ai = _mm256_broadcast_ss(a0);                                                      \
    c00 = _mm256_fmadd_ps(ai, b0, c00), c01 = _mm256_fmadd_ps(ai, b1, c01);                   \
    ai = _mm256_broadcast_ss(a1);                                                             \
    c10 = _mm256_fmadd_ps(ai, b0, c10), c11 = _mm256_fmadd_ps(ai, b1, c11);                   \
    ai = _mm256_broadcast_ss(a2);                                                             \
    c20 = _mm256_fmadd_ps(ai, b0, c20), c21 = _mm256_fmadd_ps(ai, b1, c21);                   \
    ai = _mm256_broadcast_ss(a3);                                                             \
    c30 = _mm256_fmadd_ps(ai, b0, c30), c31 = _mm256_fmadd_ps(ai, b1, c31);                   \
    ai = _mm256_broadcast_ss(a4);                                                             \
    c40 = _mm256_fmadd_ps(ai, b0, c40), c41 = _mm256_fmadd_ps(ai, b1, c41);                   \
    ai = _mm256_broadcast_ss(a5);                                                             \
    c50 = _mm256_fmadd_ps(ai, b0, c50), c51 = _mm256_fmadd_ps(ai, b1, c51);                   \
  } while (0)

// C gets the tile, or C plus the tile when accumulating.
#define CONVKIT_TILE_STORE(c, ldc, accumulate) CONVKIT_TILE_STORE_WITH(c, ldc, accumulate, nullptr, false)

// The same, then + bias[j] on column j (16 floats, or null) and relu (NaN stays NaN, as in
// tfjs), in registers: no second pass over the tile.
#define CONVKIT_TILE_STORE_WITH(c, ldc, accumulate, bias, relu)                                \
  do {                                                                                        \
    const __m256 rows[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}}; \
    const float* tile_bias = (bias);                                                          \
    const __m256 bias_lo = tile_bias ? _mm256_loadu_ps(tile_bias) : _mm256_setzero_ps();      \
    const __m256 bias_hi = tile_bias ? _mm256_loadu_ps(tile_bias + 8) : _mm256_setzero_ps();  \
    const __m256 zero = _mm256_setzero_ps();                                                  \
    float* out = (c);                                                                         \
    for (int i = 0; i < 6; ++i, out += (ldc)) {                                               \
      __m256 lo = rows[i][0], hi = rows[i][1];                                                \
      if (accumulate) {                                                                       \
        lo = _mm256_add_ps(lo, _mm256_loadu_ps(out));                                         \
        hi = _mm256_add_ps(hi, _mm256_loadu_ps(out + 8));                                     \
      }                                                                                       \
      if (tile_bias) lo = _mm256_add_ps(lo, bias_lo), hi = _mm256_add_ps(hi, bias_hi);        \
      if (relu) {                                                                             \
        lo = _mm256_blendv_ps(lo, zero, _mm256_cmp_ps(lo, zero, _CMP_LE_OQ));                 \
        hi = _mm256_blendv_ps(hi, zero, _mm256_cmp_ps(hi, zero, _CMP_LE_OQ));                 \
      }                                                                                       \
      _mm256_storeu_ps(out, lo);                                                              \
      _mm256_storeu_ps(out + 8, hi);                                                          \
    }                                                                                         \
  } while (0)
