#include "operand.h"

#include <algorithm>
#include <cstring>

#include "../kernels/float_vectors.h"

namespace convkit {

namespace {

// `cols` columns of W adjacent floats, `stride` apart, into a panel. A compile-time width
// inlines the copies; a memcpy call per column (24 bytes when W = 6) cost more than the copy.
template <int W>
void copy_columns(const float* src, int64_t stride, int64_t cols, float* dst) {
  for (int64_t p = 0; p < cols; ++p, src += stride, dst += W)
    for (int r = 0; r < W; ++r) dst[r] = src[r];
}

// `rows` rows of a row-major block (`stride` floats apart, `cols` floats each) into a panel
// of width W: float p of row r goes to dst[p * W + r], a transpose. Four rows at a time
// through 4x4 blocks of Vec4 shuffles, then a pair, then one row: element by element, the
// panel's scattered stores made transposed operands (a dense layer's input gradient, y·Wᵀ)
// pack at a fraction of the speed of the others.
void transpose_rows(const float* src, int64_t stride, int64_t rows, int64_t cols, int W, float* dst) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float *r0 = src + r * stride, *r1 = r0 + stride, *r2 = r1 + stride, *r3 = r2 + stride;
    int64_t p = 0;
    for (; p + 4 <= cols; p += 4) {
      const Vec4 a = load<Vec4>(r0 + p), b = load<Vec4>(r1 + p), c = load<Vec4>(r2 + p), d = load<Vec4>(r3 + p);
      const Vec4 ab_low = __builtin_shufflevector(a, b, 0, 4, 1, 5), ab_high = __builtin_shufflevector(a, b, 2, 6, 3, 7);
      const Vec4 cd_low = __builtin_shufflevector(c, d, 0, 4, 1, 5), cd_high = __builtin_shufflevector(c, d, 2, 6, 3, 7);
      float* out = dst + p * W + r;
      store(out, __builtin_shufflevector(ab_low, cd_low, 0, 1, 4, 5));
      store(out + W, __builtin_shufflevector(ab_low, cd_low, 2, 3, 6, 7));
      store(out + 2 * W, __builtin_shufflevector(ab_high, cd_high, 0, 1, 4, 5));
      store(out + 3 * W, __builtin_shufflevector(ab_high, cd_high, 2, 3, 6, 7));
    }
    for (; p < cols; ++p) {
      float* out = dst + p * W + r;
      out[0] = r0[p], out[1] = r1[p], out[2] = r2[p], out[3] = r3[p];
    }
  }
  for (; r + 2 <= rows; r += 2) {
    const float *r0 = src + r * stride, *r1 = r0 + stride;
    int64_t p = 0;
    for (; p + 4 <= cols; p += 4) {
      const Vec4 a = load<Vec4>(r0 + p), b = load<Vec4>(r1 + p);
      const Vec4 low = __builtin_shufflevector(a, b, 0, 4, 1, 5), high = __builtin_shufflevector(a, b, 2, 6, 3, 7);
      float* out = dst + p * W + r;
      std::memcpy(out, &low, 2 * sizeof(float));
      std::memcpy(out + W, reinterpret_cast<const float*>(&low) + 2, 2 * sizeof(float));
      std::memcpy(out + 2 * W, &high, 2 * sizeof(float));
      std::memcpy(out + 3 * W, reinterpret_cast<const float*>(&high) + 2, 2 * sizeof(float));
    }
    for (; p < cols; ++p) dst[p * W + r] = r0[p], dst[p * W + r + 1] = r1[p];
  }
  for (; r < rows; ++r)
    for (int64_t p = 0; p < cols; ++p) dst[p * W + r] = src[r * stride + p];
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
    if (col_stride_ == 1) {
      transpose_rows(src, row_stride_, live, cols, width, dst);
      continue;
    }
    for (int64_t r = 0; r < live; ++r) {
      const float* row = src + r * row_stride_;
      for (int64_t p = 0; p < cols; ++p) dst[p * width + r] = row[p * col_stride_];
    }
  }
}

}  // namespace convkit
