#include "conv_indirect.h"
#include "kernels.h"

namespace convkit {

// Bias and activation are fused into the tile epilogue.
void conv2d(const float* x, const float* filter, const float* bias, float* y, const ConvGeometry& g, Activation act) {
  indirect_conv(x, filter, y, g, Epilogue{bias, act});
}

}  // namespace convkit
