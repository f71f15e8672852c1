// Winograd F(2x2, 3x3) convolutions (the maps are in winograd_transforms.h): the output is
// cut into 2x2 tiles, each read from a 4x4 input window, and the 3x3 filter's 9 taps
// become 16 elementwise products per tile, each summed over channels by a GEMM on the
// shared 6x16 micro-kernel: 2.25x fewer multiplies than the direct convolution, for the
// price of the transforms.
#pragma once
#include <cstdint>

#include "../gemm/gemm.h"
#include "conv_geometry.h"

namespace convkit {

// Whether to convolve with Winograd: 3x3 filters at stride 1, dilation 1, where the
// multiplies saved (fewer for small odd outputs) pay for the transforms at this many
// channels (measured; see winograd_tiles.cc). CONVKIT_WINOGRAD=0 turns it off, to compare
// with the direct kernels in one build; CONVKIT_WINOGRAD=all uses it wherever it applies.
bool use_winograd(const ConvGeometry& g);

// y = conv(x, filter) + the epilogue, as indirect_conv (any padding, any size).
void winograd_conv(const float* x, const float* filter, float* y, const ConvGeometry& g, const Epilogue& epilogue);

// dfilter = Σ over output pixels of patchᵀ · dy, as conv2d_backprop_filter.
void winograd_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g);

// Transformed tiles are stored as 16 blocks, one per element of the 4x4 transform. The
// distance between blocks: `floats` rounded up to an odd number of cache lines, so that the
// 16 vectors a transform reads or writes at once fall in 16 different L1 sets (blocks a
// multiple of 4 KiB apart share one set and evict each other).
inline int64_t element_stride(int64_t floats) { return ((floats + 15) / 16 | 1) * 16; }

// The 2x2 output tiles of a convolution, counted n, then tile row, then tile column.
class WinogradTiles {
 public:
  explicit WinogradTiles(const ConvGeometry& g)
      : g_(g), rows_((g.out_h + 1) / 2), cols_((g.out_w + 1) / 2) {}
  int64_t count() const { return g_.batch * rows_ * cols_; }
  // The 16 channel vectors of the tile's 4x4 input window, row-major; `zeros` (in_c
  // zeros) where the window lies in the padding.
  void input_window(const float* x, const float* zeros, int64_t tile, const float** window) const;
  // The output pixels (counting n, oh, ow) of the tile's 2x2 positions, row-major; -1 past
  // the output's bottom or right edge (odd sizes).
  void output_pixels(int64_t tile, int64_t* pixels) const;

 private:
  ConvGeometry g_;
  int64_t rows_, cols_;
};

}  // namespace convkit
