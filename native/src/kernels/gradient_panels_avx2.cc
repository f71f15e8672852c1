// gradient_panels.h's loops built with AVX2 (this file is compiled with -mavx2 -mfma, see
// binding.gyp): 8 lanes. It multiplies only by 0 and adds nothing to a product, so no fused
// multiply-add changes a bit.
#include "gradient_panels.h"

namespace convkit {

void gradient_panels_avx2(const float* dy, const float* y, int64_t len, int64_t out_c, float* panel, int64_t panel_len,
                          double* bias) {
  gradient_panels_with<Vec8>(dy, y, len, out_c, panel, panel_len, bias);
}

void relu_grad_rows_avx2(const float* dy, const float* y, float* dz, int64_t rows, int64_t channels, double* bias) {
  relu_grad_rows_with<Vec8>(dy, y, dz, rows, channels, bias);
}

}  // namespace convkit
