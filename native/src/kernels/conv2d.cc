#include "conv_indirect.h"
#include "kernels.h"
#include "winograd.h"

namespace convkit {

// Bias and activation are fused into the epilogue.
void conv2d(const float* x, const float* filter, const float* bias, float* y, const ConvGeometry& g, Activation act) {
  if (const int tile = winograd_tile(g))
    return winograd_conv(x, filter, y, g, Epilogue{bias, act}, tile);
  indirect_conv(x, filter, y, g, Epilogue{bias, act});
}

}  // namespace convkit
