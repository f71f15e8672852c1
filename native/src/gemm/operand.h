// A GEMM operand is anything that can pack a block of itself into micro-panels. Dense
// matrices pack from memory; convolutions pack image patches on the fly (implicit im2col),
// so no patch matrix is ever materialised.
#pragma once
#include <cstdint>

namespace convkit {

class Operand {
 public:
  virtual ~Operand() = default;
  // Packs rows [row0, row0+rows) x columns [col0, col0+cols) into ceil(rows/width) panels.
  // Panel q holds rows row0+q*width .. +width, column by column: dst[q*width*cols + p*width + r].
  // Rows past the end are zero-filled so the micro-kernel never branches on edges.
  virtual void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const = 0;
  // Where the micro-kernel can read the rows in place (each row's columns adjacent, rows
  // *row_stride floats apart) instead of packing them; null where it cannot.
  virtual const float* rows_in_place(int64_t* /*row_stride*/) const { return nullptr; }
};

// A dense matrix in memory: element (i, j) at data[i*row_stride + j*col_stride].
// Transposing a matrix is swapping its strides.
class DenseOperand final : public Operand {
 public:
  DenseOperand(const float* data, int64_t row_stride, int64_t col_stride)
      : data_(data), row_stride_(row_stride), col_stride_(col_stride) {}
  DenseOperand transposed() const { return DenseOperand(data_, col_stride_, row_stride_); }
  void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const override;
  const float* rows_in_place(int64_t* row_stride) const override {
    if (col_stride_ != 1) return nullptr;
    *row_stride = row_stride_;
    return data_;
  }

 private:
  const float* data_;
  int64_t row_stride_, col_stride_;
};

}  // namespace convkit
