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

bool conv2d_and_max_pool(const float* x, const float* filter, const float* bias, float* y, float* pooled,
                         uint8_t* argmax, const ConvGeometry& g, Activation act) {
  const int tile = winograd_tile(g);
  if (!tile || !WinogradTiles(g, tile).can_pool()) {
    if (y) conv2d(x, filter, bias, y, g, act);
    return false;
  }
  winograd_conv(x, filter, y, g, Epilogue{bias, act}, tile, pooled, argmax);
  return true;
}

}  // namespace convkit
