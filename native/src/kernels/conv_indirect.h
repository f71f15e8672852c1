// Convolution through the indirect micro-kernel: for each group of MR output pixels,
// a table of pointers to the input vectors each filter tap reads (or to zeros in the
// padding), and the filter packed once into NR-wide panels.
#pragma once
#include "../gemm/gemm.h"
#include "conv_geometry.h"

namespace convkit {

// y[pixels x out_c] = conv(x, filter) for geometry g, where filter is row-major
// [filter_h * filter_w * in_c, out_c] (tfjs's HWIO), then the epilogue.
void indirect_conv(const float* x, const float* filter, float* y, const ConvGeometry& g, const Epilogue& epilogue);

}  // namespace convkit
