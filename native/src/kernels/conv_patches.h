// Implicit im2col: a GEMM operand whose elements are image patches, packed straight from
// the NHWC input so the patch matrix (9x the input for a 3x3 filter) is never built.
#pragma once
#include "../gemm/operand.h"
#include "conv_geometry.h"

namespace convkit {

// From pixel `first_pixel` on: rows are patch elements (kh, kw, ci), columns are output
// pixels (im2col transposed). Packing reads each panel's elements as runs of contiguous
// input channels, so with in_c a multiple of the panel width a column is one 64-byte copy.
class PatchColumns final : public Operand {
 public:
  PatchColumns(const float* input, const ConvGeometry& g, int64_t first_pixel)
      : input_(input), g_(g), first_pixel_(first_pixel) {}
  void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const override;

 private:
  const float* input_;
  ConvGeometry g_;
  int64_t first_pixel_;
};

}  // namespace convkit
