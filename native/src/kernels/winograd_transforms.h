// The five small linear maps of Winograd's F(2x2, 3x3) convolution, applied to every
// channel of a tile at once (channels are contiguous in NHWC, so they are the vector lanes).
// With d a 4x4 input tile, g a 3x3 filter and
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 -1 -1],
// the 2x2 output tile of the correlation is Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A: 16 products
// instead of 36. Summed over input channels, each of the 16 products is a GEMM.
//
// The filter gradient is the transpose of that map in g: for one tile and its output
// gradient dY, dg = Gᵀ [(A dY Aᵀ) ⊙ (Bᵀ d B)] G, so summed over tiles it is 16 GEMMs of
// the transformed inputs by the transformed gradients, then one 4x4 -> 3x3 map.
//
// Every function reads its tiles' elements through pointers, row-major over the tile, each
// `channels` floats long, and writes through pointers likewise.
#pragma once
#include <cstdint>

#include "../gemm/gemm.h"

namespace convkit {

struct WinogradTransforms {
  // 16 -> 16: V = Bᵀ d B, the input tile.
  void (*input)(const float* const* d, float* const* v, int64_t channels);
  // 16 -> 4: Y = Aᵀ M A, then the epilogue (bias indexed by channel). Null outputs (past
  // the image's edge) are skipped.
  void (*output)(const float* const* m, float* const* y, int64_t channels, const Epilogue& epilogue);
  // 9 -> 16: U = G g Gᵀ, the filter.
  void (*filter)(const float* const* g, float* const* u, int64_t channels);
  // 4 -> 16: A dY Aᵀ, the output gradient's tile.
  void (*gradient)(const float* const* dy, float* const* w, int64_t channels);
  // 16 -> 9: dg = Gᵀ M G, the filter gradient.
  void (*filter_gradient)(const float* const* m, float* const* dg, int64_t channels);
};

// The fastest build this CPU runs: AVX2 (winograd_transforms_avx2.cc) or portable.
const WinogradTransforms& winograd_transforms();

// The AVX2 + FMA build; only call it when cpu_has_avx2_fma().
const WinogradTransforms& winograd_transforms_avx2();

}  // namespace convkit
