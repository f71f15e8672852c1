// Implicit im2col for filter gradients: NR-wide panels of the patch matrix transposed
// (rows are patch elements (kh, kw, ci), columns output pixels), packed as the GEMM
// micro-kernel's B straight from the NHWC input, so the patch matrix (9x the input for a
// 3x3 filter) is never built.
#pragma once
#include <cstdint>
#include <vector>

#include "conv_geometry.h"

namespace convkit {

class PatchPanels {
 public:
  // `width`: the panel width (the micro-kernel's NR). `row_runs`: each pixel's filter rows
  // are contiguous in the input (rows_are_contiguous), so a run may span a whole row.
  PatchPanels(const ConvGeometry& g, int width, bool row_runs);
  int64_t count() const { return static_cast<int64_t>(first_run_.size()) - 1; }
  // Packs panels [q0, q1) for `pixels` pixels with these window origins, one after the
  // other: dst[((q-q0)*pixels + p)*width + r] holds patch element q*width + r of pixel p
  // (zero in the padding and past the patch). Reads each pixel's window once, in order.
  void pack(int64_t q0, int64_t q1, const PixelOrigin* origins, int64_t pixels, float* dst) const;

 private:
  // Panel rows [row, row+length) read `length` consecutive input floats, from `offset`
  // floats past the input pixel (ih0 + dh, iw0 + dw), when that pixel is inside the image.
  struct Run {
    int64_t dh, dw, offset, length, row, panel;
  };
  ConvGeometry g_;
  int width_;
  std::vector<Run> runs_;
  std::vector<int64_t> first_run_;  // panel q's runs are runs_[first_run_[q] .. first_run_[q+1])
};

}  // namespace convkit
