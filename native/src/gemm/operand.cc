#include "operand.h"

#include <algorithm>
#include <cstring>

namespace convkit {

namespace {

// `cols` columns of W adjacent floats, `stride` apart, into a panel. A compile-time width
// inlines the copies; a memcpy call per column (24 bytes when W = 6) cost more than the copy.
template <int W>
void copy_columns(const float* src, int64_t stride, int64_t cols, float* dst) {
  for (int64_t p = 0; p < cols; ++p, src += stride, dst += W)
    for (int r = 0; r < W; ++r) dst[r] = src[r];
}

}  // namespace

void DenseOperand::pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const {
  for (int64_t q = 0; q < rows; q += width, dst += width * cols) {
    const int64_t live = std::min<int64_t>(width, rows - q);
    const float* src = data_ + (row0 + q) * row_stride_ + col0 * col_stride_;
    if (row_stride_ == 1 && live == width) {
      // Panel rows are adjacent in memory: copy `width` floats per column.
      if (width == 6) {
        copy_columns<6>(src, col_stride_, cols, dst);
      } else if (width == 16) {
        copy_columns<16>(src, col_stride_, cols, dst);
      } else {
        for (int64_t p = 0; p < cols; ++p) std::memcpy(dst + p * width, src + p * col_stride_, width * sizeof(float));
      }
      continue;
    }
    if (live < width) std::fill(dst, dst + width * cols, 0.0f);
    for (int64_t r = 0; r < live; ++r) {
      const float* row = src + r * row_stride_;
      float* out = dst + r;
      if (col_stride_ == 1) {
        for (int64_t p = 0; p < cols; ++p) out[p * width] = row[p];
      } else {
        for (int64_t p = 0; p < cols; ++p) out[p * width] = row[p * col_stride_];
      }
    }
  }
}

}  // namespace convkit
