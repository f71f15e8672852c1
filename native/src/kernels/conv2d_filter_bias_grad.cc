// The filter and bias gradients of a convolution from its output gradient, with the relu
// that followed it (its output y given) or without: what a training step needs of a layer
// whose input gradient nobody asks for (a model's first layer). Where the filter gradient
// reads the patches row by row, one pass over dy serves both; elsewhere the gradient before
// the relu is materialised, exactly as ReluGradBias (or Sum) then Conv2DBackpropFilter would.
#include <vector>

#include "kernels.h"

namespace convkit {

void conv2d_filter_bias_grad(const float* x, const float* dy, const float* y, float* dfilter, float* dbias,
                             const ConvGeometry& g) {
  if (filter_gradient_reads_rows(g)) return conv2d_backprop_filter_rows(x, dy, y, dfilter, dbias, g);
  const int64_t rows = g.out_pixels();
  std::vector<float> dz(y ? rows * g.out_c : 0);
  if (y) {
    relu_grad_bias(dy, y, dz.data(), dbias, rows, g.out_c);
  } else {
    reduce(ReduceOp::kSum, dy, dbias, 1, rows, g.out_c);
  }
  conv2d_backprop_filter(x, y ? dz.data() : dy, dfilter, g);
}

}  // namespace convkit
