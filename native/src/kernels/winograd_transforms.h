// The small linear maps of Winograd's F(m x m, 3x3) convolutions, applied to every channel
// of a tile at once (channels are contiguous in NHWC, so they are the vector lanes). With d
// an (m+2)x(m+2) input tile, g a 3x3 filter, the m x m output tile of the correlation is
// Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A: (m+2)² products instead of 9m². Summed over input
// channels, each product is a GEMM.
//
// F(2x2, 3x3), interpolation points 0, 1, -1 and ∞: 16 products per 4 outputs.
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 -1 -1].
// F(3x3, 3x3), points 0, 1, -1, 2 and ∞: 25 products per 9 outputs (a 3x3 output in one tile,
// where F(4x4) needs 36 products), fp32 errors ~0.4x F(4x4)'s.
//   Bᵀ = [2 -1 -2 1 0; 0 -2 -1 1 0; 0 2 -3 1 0; 0 -1 0 1 0; 0 2 -1 -2 1],
//   G  = [½ 0 0; -½ -½ -½; -⅙ ⅙ -⅙; ⅙ ⅓ ⅔; 0 0 1],
//   Aᵀ = [1 1 1 1 0; 0 1 -1 2 0; 0 1 1 4 1].
// F(4x4, 3x3), points 0, 1, -1, 2, -2 and ∞ (Lavin & Gray): 36 products per 16 outputs.
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
//   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1],
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
// F(5x5, 3x3), points 0, 1, -1, 2, -2, -½ and ∞: 49 products per 25 outputs (a 15x15
// output in 9 tiles where F(4x4) needs 16: 23% fewer products), with fp32 errors ~1.5x
// F(4x4)'s (random tiles summed over 64 channels).
//   Bᵀ = [2 4 -5/2 -5 ½ 1 0; 0 -2 -6 -7/2 3/2 1 0; 0 2 2 -9/2 -½ 1 0; 0 -1 -5/2 0 5/2 1 0;
//         0 1 3/2 -2 -3/2 1 0; 0 4 0 -5 0 1 0; 0 2 4 -5/2 -5 ½ 1],
//   G  = [½ 0 0; -1/9 -1/9 -1/9; ⅓ -⅓ ⅓; 1/60 1/30 1/15; -1/36 1/18 -1/9;
//         -32/45 16/45 -8/45; 0 0 1],
//   Aᵀ = [1 1 1 1 1 1 0; 0 1 -1 2 -2 -½ 0; 0 1 1 4 4 ¼ 0; 0 1 -1 8 -8 -⅛ 0; 0 1 1 16 16 1/16 1].
// (All checked exactly, in rational arithmetic, against the direct correlation.)
//
// The filter gradient is the transpose of that map in g: for one tile and its output
// gradient dY, dg = Gᵀ [(A dY Aᵀ) ⊙ (Bᵀ d B)] G, so summed over tiles it is (m+2)² GEMMs of
// the transformed inputs by the transformed gradients, then one (m+2)² -> 3x3 map.
//
// Every function reads a tile's elements (each `channels` floats) at TilePlaces and writes
// them likewise.
#pragma once
#include <cstdint>

#include "../gemm/gemm.h"

namespace convkit {

// The largest transformed tile (F(5x5, 3x3)'s 7x7), to size arrays of element pointers.
constexpr int kMaxWinogradElements = 49;

// Where a tile's elements lie: on a grid, element (i, j) at base + i * row_step + j *
// col_step (a window inside the image, a tile's blocks of transformed elements), so the
// transforms compute addresses instead of loading them from a table (measured: the forward
// F(4x4) layer of 32 channels ~4% faster); or, where
// the grid breaks (a window cut by the padding, outputs past the edge), one pointer each,
// row-major.
template <typename T>
struct TilePlaces {
  T* base = nullptr;
  int64_t row_step = 0, col_step = 0;
  T* const* pointers = nullptr;  // when set, instead of the grid

  static TilePlaces grid(T* base, int64_t row_step, int64_t col_step) { return {base, row_step, col_step, nullptr}; }
  // Element e of a side x side tile at base + e * stride.
  static TilePlaces blocks(T* base, int64_t stride, int side) { return {base, side * stride, stride, nullptr}; }
  static TilePlaces listed(T* const* pointers) { return {nullptr, 0, 0, pointers}; }
  // Every element `floats` further on (a panel of channels): a grid moves its base, a list
  // is copied into `storage` (room for every element), each pointer moved.
  TilePlaces shifted(int64_t floats, int elements, T** storage) const {
    if (!pointers) return grid(base + floats, row_step, col_step);
    for (int k = 0; k < elements; ++k) storage[k] = pointers[k] + floats;
    return listed(storage);
  }
};
using TileIn = TilePlaces<const float>;
using TileOut = TilePlaces<float>;

// One Winograd variant F(tile x tile, 3x3) and its transforms in one build.
struct WinogradVariant {
  int tile;  // output tile side m: 2, 3, 4 or 5
  int window() const { return tile + 2; }  // input tile side
  int elements() const { return window() * window(); }  // products per tile
  int outputs() const { return tile * tile; }

  // window² -> elements: V = Bᵀ d B, the input tile, into blocks (a grid).
  void (*input)(const TileIn& d, const TileOut& v, int64_t channels);
  // elements -> tile²: Y = Aᵀ M A, then the epilogue (bias indexed by channel). Listed
  // outputs that are null (past the image's edge) are skipped.
  void (*output)(const TileIn& m, const TileOut& y, int64_t channels, const Epilogue& epilogue);
  // elements -> tile², as output(), for an input gradient through the relu below: each
  // output kept where that relu's output (`rectified`, laid out as y from `y_base`) is
  // positive, else 0 (NaN stays NaN: relu_grad), and added into sums[channel].
  void (*output_relu_gradient)(const TileIn& m, const TileOut& y, int64_t channels, const float* y_base,
                               const float* rectified, float* sums);
  // 9 -> elements: U = G g Gᵀ, the filter.
  void (*filter)(const float* const* g, float* const* u, int64_t channels);
  // tile² -> elements: A dY Aᵀ, the output gradient's tile, into blocks (a grid).
  void (*gradient)(const TileIn& dy, const TileOut& w, int64_t channels);
  // elements -> 9: dg = Gᵀ M G, the filter gradient.
  void (*filter_gradient)(const float* const* m, float* const* dg, int64_t channels);
};

// F(tile x tile, 3x3), tile 2, 3, 4 or 5, in the fastest build this CPU runs: AVX-512
// (winograd_transforms_avx512.cc), AVX2 (winograd_transforms_avx2.cc) or portable.
const WinogradVariant& winograd_variant(int tile);

// The AVX2 + FMA build; only call it when cpu_has_avx2_fma().
const WinogradVariant& winograd_variant_avx2(int tile);

// The AVX-512 build; only call it when cpu_has_avx512().
const WinogradVariant& winograd_variant_avx512(int tile);

}  // namespace convkit
