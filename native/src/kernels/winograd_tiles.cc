// Where Winograd is used and with which tile, and the tiling both Winograd kernels share.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "winograd.h"

namespace convkit {

namespace {

// A larger tile's transforms cost more per output: it must save this many times the
// multiplies of every smaller tile to be chosen (measured: F(4x4) won at 10x10 outputs, 1.23
// times F(2x2)'s saving, and lost at 5x5 and 6x6, where both save the same; F(5x5) won by
// 13-27% at 15x15 (1.30 times F(4x4)'s saving), 10x10 and 30x30, and tied at 20x20 (1.15);
// F(3x3) won by 20-40% at 3x3 (1.44 times F(4x4)'s saving), 6x6 and 9x9, and lost to F(4x4)
// at 7x7 (0.64 times its saving) by 30%).
constexpr double kLargerTileMinAdvantage = 1.2;

// Multiplies saved by F(tile x tile, 3x3): 9 per output pixel directly, (tile+2)² per tile,
// with the last row and column of tiles partly used where the output is not a multiple of
// the tile (F(2x2): 2.25 for even sizes, 1.27 for a 3x3 output; F(4x4): 4 for multiples
// of 4, 3.06 for 7x7, 3.52 for 15x15; F(3x3): 3.24 for multiples of 3, 1.96 for 7x7;
// F(5x5): 4.59 for multiples of 5).
double multiplies_saved(const ConvGeometry& g, int tile) {
  const double tiles = static_cast<double>((g.out_h + tile - 1) / tile * ((g.out_w + tile - 1) / tile));
  return 9.0 * g.out_h * g.out_w / ((tile + 2) * (tile + 2) * tiles);
}

// The measured choice (AVX2, batch 128, CPU time, against the direct kernels and each
// other; forward, input and filter gradients of 8 to 256 channels and 3x3 to 32x32 outputs).
int measured_tile(const ConvGeometry& g) {
  const int64_t channels = std::min(g.in_c, g.out_c);
  // With 3 input channels Winograd lost even at 2.25: the transforms' share grows as
  // channels fall.
  if (channels < 8) return 0;
  // What the saving must be to pay for the transforms.
  const double needed = channels < 32 ? 1.9 : channels < 128 ? 1.5 : 1.25;
  int chosen = 0;
  double smaller_saved = 0.0;  // the most any smaller tile saves
  for (const int tile : {2, 3, 4, 5}) {
    const double saved = multiplies_saved(g, tile);
    if (saved >= needed && saved >= kLargerTileMinAdvantage * smaller_saved) chosen = tile;
    smaller_saved = std::max(smaller_saved, saved);
  }
  return chosen;
}

// Asks the cache for `rows` runs of `floats` floats, the first at `first`, each row_stride
// floats after the one before: a cache line at a time.
void prefetch_rows(const float* first, int64_t rows, int64_t row_stride, int64_t floats) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t k = 0; k < floats; k += 16) __builtin_prefetch(first + i * row_stride + k);
}

}  // namespace

int winograd_tile(const ConvGeometry& g) {
  const char* setting = std::getenv("CONVKIT_WINOGRAD");
  if (setting && std::strcmp(setting, "0") == 0) return 0;
  const bool applies = g.filter_h == 3 && g.filter_w == 3 && g.stride_h == 1 && g.stride_w == 1 &&
                       g.dilation_h == 1 && g.dilation_w == 1 && g.out_h > 0 && g.out_w > 0;
  if (!applies) return 0;
  if (setting && std::strcmp(setting, "f2") == 0) return 2;  // for tests and benchmarks
  if (setting && std::strcmp(setting, "f3") == 0) return 3;
  if (setting && std::strcmp(setting, "f4") == 0) return 4;
  if (setting && std::strcmp(setting, "f5") == 0) return 5;
  const int tile = measured_tile(g);
  if (setting && std::strcmp(setting, "all") == 0) return tile ? tile : 2;
  return tile;
}

TileIn WinogradTiles::input_window(const float* x, const float* zeros, int64_t tile, const float** pointers) const {
  const ConvGeometry& g = g_;
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / (cols_ * rows_);
  const float* image = x + n * g.in_h * g.in_w * g.in_c;
  const int side = tile_ + 2;
  const int64_t ih0 = tile_ * row - g.pad_top, iw0 = tile_ * col - g.pad_left;
  if (ih0 >= 0 && iw0 >= 0 && ih0 + side <= g.in_h && iw0 + side <= g.in_w)
    return TileIn::grid(image + (ih0 * g.in_w + iw0) * g.in_c, g.in_w * g.in_c, g.in_c);
  for (int64_t i = 0; i < side; ++i)
    for (int64_t j = 0; j < side; ++j) {
      const int64_t ih = ih0 + i, iw = iw0 + j;
      const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
      pointers[i * side + j] = inside ? image + (ih * g.in_w + iw) * g.in_c : zeros;
    }
  return TileIn::listed(pointers);
}

template <typename T>
TilePlaces<T> WinogradTiles::output_tile(T* data, T* outside, int64_t tile, T** pointers, int64_t first_image) const {
  const ConvGeometry& g = g_;
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / (cols_ * rows_);
  const int64_t oh0 = tile_ * row, ow0 = tile_ * col;
  T* image = data + (n - first_image) * g.out_h * g.out_w * g.out_c;
  if (oh0 + tile_ <= g.out_h && ow0 + tile_ <= g.out_w)
    return TilePlaces<T>::grid(image + (oh0 * g.out_w + ow0) * g.out_c, g.out_w * g.out_c, g.out_c);
  for (int64_t i = 0; i < tile_; ++i)
    for (int64_t j = 0; j < tile_; ++j) {
      const int64_t oh = oh0 + i, ow = ow0 + j;
      pointers[i * tile_ + j] = oh < g.out_h && ow < g.out_w ? image + (oh * g.out_w + ow) * g.out_c : outside;
    }
  return TilePlaces<T>::listed(pointers);
}

void WinogradTiles::prefetch_output_tile(const float* data, int64_t tile) const {
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / per_image();
  const int64_t rows = std::min<int64_t>(tile_, g_.out_h - tile_ * row);
  const int64_t cols = std::min<int64_t>(tile_, g_.out_w - tile_ * col);
  const float* corner = data + ((n * g_.out_h + tile_ * row) * g_.out_w + tile_ * col) * g_.out_c;
  prefetch_rows(corner, rows, g_.out_w * g_.out_c, cols * g_.out_c);
}

void WinogradTiles::prefetch_input_window(const float* x, int64_t tile) const {
  const ConvGeometry& g = g_;
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / per_image();
  const int64_t side = tile_ + 2, top = tile_ * row - g.pad_top, left = tile_ * col - g.pad_left;
  const int64_t ih0 = std::max<int64_t>(0, top), ih1 = std::min(g.in_h, top + side);
  const int64_t iw0 = std::max<int64_t>(0, left), iw1 = std::min(g.in_w, left + side);
  if (ih0 >= ih1 || iw0 >= iw1) return;
  const float* corner = x + ((n * g.in_h + ih0) * g.in_w + iw0) * g.in_c;
  prefetch_rows(corner, ih1 - ih0, g.in_w * g.in_c, (iw1 - iw0) * g.in_c);
}

bool WinogradTiles::can_pool() const {
  const int64_t side = tile_ % 2 == 0 ? tile_ : 2 * tile_;  // whole tiles and whole windows
  return g_.out_h % side == 0 && g_.out_w % side == 0 && (tile_ % 2 == 0 || per_image() <= kMaxPooledImageTiles);
}

void WinogradTiles::max_pool_tiles(const float* y, float* pooled, uint8_t* argmax, int64_t first, int64_t count,
                                   int64_t first_image) const {
  const int64_t row_stride = g_.out_w * g_.out_c, image_size = g_.out_h * row_stride;
  if (tile_ % 2) {  // the images wholly inside the tiles
    for (int64_t n = (first + per_image() - 1) / per_image(); n < (first + count) / per_image(); ++n)
      max_pool_block(y + (n - first_image) * image_size, row_stride, pooled, argmax, n, 0, g_.out_h, 0, g_.out_w);
    return;
  }
  for (int64_t tile = first; tile < first + count; ++tile) {
    const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / per_image();
    max_pool_tile(y + (n - first_image) * image_size + (tile_ * row * g_.out_w + tile_ * col) * g_.out_c, row_stride,
                  pooled, argmax, tile);
  }
}

void WinogradTiles::max_pool_tile(const float* outputs, int64_t row_stride, float* pooled, uint8_t* argmax,
                                  int64_t tile) const {
  const int64_t col = tile % cols_, row = (tile / cols_) % rows_, n = tile / per_image();
  max_pool_block(outputs, row_stride, pooled, argmax, n, tile_ * row, tile_, tile_ * col, tile_);
}

void WinogradTiles::max_pool_block(const float* block, int64_t row_stride, float* pooled, uint8_t* argmax, int64_t n,
                                   int64_t row0, int64_t rows, int64_t col0, int64_t cols) const {
  const ConvGeometry& g = g_;
  const int64_t C = g.out_c, pooled_w = g.out_w / 2;
  const int64_t pooled_image = n * (g.out_h / 2) * pooled_w * C;  // its offset in pooled and argmax
  for (int64_t i = 0; i < rows; i += 2)
    for (int64_t j = 0; j < cols; j += 2) {
      const float* __restrict top = block + i * row_stride + j * C;
      const float* __restrict bottom = top + row_stride;
      const int64_t at = pooled_image + (((row0 + i) / 2) * pooled_w + (col0 + j) / 2) * C;
      float* __restrict out = pooled + at;
      uint8_t* __restrict first = argmax + at;
      for (int64_t c = 0; c < C; ++c) {
        // Each element replaces the maximum only when greater: NaN is passed over, and the
        // first of equal maxima stays (4: none above -inf).
        float best = -std::numeric_limits<float>::infinity();
        uint8_t index = 4;
        if (top[c] > best) best = top[c], index = 0;
        if (top[C + c] > best) best = top[C + c], index = 1;
        if (bottom[c] > best) best = bottom[c], index = 2;
        if (bottom[C + c] > best) best = bottom[C + c], index = 3;
        out[c] = best;
        first[c] = index;
      }
    }
}

template TileOut WinogradTiles::output_tile(float*, float*, int64_t, float**, int64_t) const;
template TileIn WinogradTiles::output_tile(const float*, const float*, int64_t, const float**, int64_t) const;

}  // namespace convkit
