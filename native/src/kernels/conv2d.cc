#include "conv_patches.h"
#include "kernels.h"

namespace convkit {

// y[pixels x out_c] = patches[pixels x patch] · filter[patch x out_c], bias and activation fused.
void conv2d(const float* x, const float* filter, const float* bias, float* y, const ConvGeometry& g, Activation act) {
  const DenseOperand filter_t = DenseOperand(filter, g.out_c, 1).transposed();
  const Epilogue epilogue{bias, act};
  if (g.is_pointwise()) {
    gemm(g.out_pixels(), g.out_c, g.in_c, DenseOperand(x, g.in_c, 1), filter_t, y, g.out_c, false, epilogue);
  } else {
    gemm(g.out_pixels(), g.out_c, g.patch_size(), PatchRows(x, g), filter_t, y, g.out_c, false, epilogue);
  }
}

}  // namespace convkit
