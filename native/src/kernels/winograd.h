// Winograd F(m x m, 3x3) convolutions, m = 2, 3, 4 or 5 (the maps are in
// winograd_transforms.h): the output is cut into m x m tiles, each read from an (m+2)x(m+2)
// input window, and the 3x3 filter's 9 taps become (m+2)² elementwise products per tile, each
// summed over channels by a GEMM on the shared 6x16 micro-kernel: 2.25x (m = 2), 3.24x
// (m = 3), 4x (m = 4) or 4.59x (m = 5) fewer multiplies than the direct convolution, for the
// price of the transforms.
#pragma once
#include <cstdint>

#include "../gemm/gemm.h"
#include "conv_geometry.h"
#include "winograd_transforms.h"

namespace convkit {

// Which Winograd variant convolves this geometry (forward, and so the stride-1 input
// gradient, and filter gradient alike: they measured alike): the output tile side, 2 for
// F(2x2, 3x3), 3 for F(3x3, 3x3), 4 for F(4x4, 3x3), 5 for F(5x5, 3x3), or 0 for the direct kernels. Only 3x3 filters at stride
// 1, dilation 1, and only where the multiplies saved (fewer where the output is not a
// multiple of the tile, whose last row and column of tiles are partly used) pay for the
// transforms at this many channels (measured; see winograd_tiles.cc).
// CONVKIT_WINOGRAD overrides it, to compare in one build and for tests: 0 = direct,
// f2 / f3 / f4 / f5 = that variant wherever Winograd applies, all = Winograd wherever it applies
// (the variant chosen as without the setting where that picks one, else F(2x2)).
int winograd_tile(const ConvGeometry& g);

// y = conv(x, filter) + the epilogue, as indirect_conv (any padding, any size), with
// F(tile x tile, 3x3). Given `pooled`, also y's 2x2 max pool of stride 2 and its argmax
// (only where WinogradTiles::can_pool()): an even tile's windows pooled right after the tile
// is written, an odd tile's once its chunk, whole images, is written.
// Given `relu_gradient` instead (no pool, no epilogue), y is an input gradient through the
// relu below, masked and summed on its way out (conv2d_backprop_input_relu).
struct ReluGradient {
  const float* rectified;  // the relu's output, laid out as y
  float* channel_sums;     // out_c floats: y's sums over batch, height and width
};
void winograd_conv(const float* x, const float* filter, float* y, const ConvGeometry& g, const Epilogue& epilogue,
                   int tile, float* pooled = nullptr, uint8_t* argmax = nullptr,
                   const ReluGradient* relu_gradient = nullptr);

// dfilter = Σ over output pixels of patchᵀ · dy, as conv2d_backprop_filter, with
// F(tile x tile, 3x3).
void winograd_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g, int tile);

// Transformed tiles are stored as blocks, one per element of the transform. The distance
// between blocks: `floats` rounded up to an odd number of cache lines, so that the vectors a
// transform reads or writes at once fall in different L1 sets (blocks a
// multiple of 4 KiB apart share one set and evict each other).
inline int64_t element_stride(int64_t floats) { return ((floats + 15) / 16 | 1) * 16; }

// How many tiles ahead the Winograd kernels ask the cache for a tile's input window (and the
// filter gradient for its output gradients too), read from memory tile by tile: a tile's
// window spans tile + 2 rows of an activation far larger than the caches, whose first lines
// in each row (and each 4 KiB page) the hardware prefetcher did not see coming. Measured
// (batch 128, median of 50, without and with): the filter gradient of
// 30x30x32 'valid' 3.6-3.9 -> 2.6 ms with its inputs out of cache, of 16x16x64 'same'
// 3.6-3.7 -> 3.0; a training step of the basic model 26.5-28.3 -> 24.5-25.5 ms (median),
// of the improved 51.9-54.1 -> 50.4-51.0 (runs with and without alternating); 1 and 4 tiles
// ahead no better than 2.
constexpr int64_t kTilesAhead = 2;

// The tile x tile output tiles of a convolution, counted n, then tile row, then tile column.
class WinogradTiles {
 public:
  WinogradTiles(const ConvGeometry& g, int tile)
      : g_(g), tile_(tile), rows_((g.out_h + tile - 1) / tile), cols_((g.out_w + tile - 1) / tile) {}
  int64_t count() const { return g_.batch * rows_ * cols_; }
  // The tile's (tile+2)² input window of x: on the image's grid when it lies inside the
  // image, else listed in `pointers`, with `zeros` (in_c zeros) in the padding.
  TileIn input_window(const float* x, const float* zeros, int64_t tile, const float** pointers) const;
  // The tile's tile² output pixels in `data` (out_c floats each; it may hold the output from
  // image first_image on): on its grid when the tile lies inside the output, else listed in
  // `pointers`, with `outside` past the output's bottom or right edge (sizes not a multiple
  // of the tile).
  template <typename T>
  TilePlaces<T> output_tile(T* data, T* outside, int64_t tile, T** pointers, int64_t first_image = 0) const;
  // Asks the cache for the places of tile `tile` in `data`, laid out as y.
  void prefetch_output_tile(const float* data, int64_t tile) const;
  // Asks the cache for the part of tile `tile`'s input window inside x (see kTilesAhead).
  void prefetch_input_window(const float* x, int64_t tile) const;
  int64_t per_image() const { return rows_ * cols_; }
  // Whether a chunk of tiles can pool its outputs (2x2 windows, stride 2) as soon as it has
  // written them: the tiles cover the output exactly, and an even tile holds whole windows;
  // an odd one (F(3x3), F(5x5)) cuts windows, so its chunks must hold whole images, of at
  // most kMaxPooledImageTiles tiles (a chunk's V and M then stay in L2).
  bool can_pool() const;
  static constexpr int64_t kMaxPooledImageTiles = 36;
  // A chunk of `tiles` tiles grown, for odd tiles, to whole images, which max_pool_tiles needs.
  int64_t pooling_chunk(int64_t tiles) const {
    return tile_ % 2 == 0 ? tiles : (tiles + per_image() - 1) / per_image() * per_image();
  }
  // Writes the 2x2 max pool (stride 2) of tiles [first, first + count) of y into `pooled`,
  // whose images are out_h / 2 x out_w / 2: each window the maximum in max_pool's order
  // (row-major, NaN passed over), and into `argmax` (as many bytes) which element of the
  // window is that maximum's first, 0-3 row-major, or 4 if none is above -inf. Even tiles
  // pool one by one; odd ones only the images wholly among them. y may hold the output from
  // image first_image on.
  void max_pool_tiles(const float* y, float* pooled, uint8_t* argmax, int64_t first, int64_t count,
                      int64_t first_image = 0) const;
  // The same for one even tile whose outputs are at `outputs`, rows row_stride floats apart.
  void max_pool_tile(const float* outputs, int64_t row_stride, float* pooled, uint8_t* argmax, int64_t tile) const;

 private:
  // The windows over `rows` x `cols` outputs of image n from (row0, col0), which are at `block`,
  // rows row_stride floats apart.
  void max_pool_block(const float* block, int64_t row_stride, float* pooled, uint8_t* argmax, int64_t n, int64_t row0,
                      int64_t rows, int64_t col0, int64_t cols) const;

  ConvGeometry g_;
  int tile_;
  int64_t rows_, cols_;
};

}  // namespace convkit
