// Geometry of a 2-D convolution or pooling window over NHWC tensors, as tfjs's
// backend_util.computeConv2DInfo reports it (passed from JS as 15 integers).
#pragma once
#include <cstdint>

namespace convkit {

struct ConvGeometry {
  int64_t batch, in_h, in_w, in_c;
  int64_t out_h, out_w, out_c;
  int64_t filter_h, filter_w;
  int64_t stride_h, stride_w;
  int64_t dilation_h, dilation_w;
  int64_t pad_top, pad_left;

  static constexpr int kFields = 15;
  static ConvGeometry from(const int32_t* v) {
    return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  }
  int64_t patch_size() const { return filter_h * filter_w * in_c; }  // one row of the im2col matrix
  int64_t out_pixels() const { return batch * out_h * out_w; }
  int64_t in_size() const { return batch * in_h * in_w * in_c; }
  bool is_pointwise() const {
    return filter_h == 1 && filter_w == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 && pad_left == 0;
  }
};

// Where output pixel `pixel` (counting n, oh, ow row-major) reads from: its image and the
// top-left input coordinate of its window, which may lie in the padding.
struct PixelOrigin {
  const float* image;
  int64_t ih0, iw0;

  static PixelOrigin of(const float* input, const ConvGeometry& g, int64_t pixel) {
    const int64_t ow = pixel % g.out_w, oh = (pixel / g.out_w) % g.out_h, n = pixel / (g.out_w * g.out_h);
    return {input + n * g.in_h * g.in_w * g.in_c, oh * g.stride_h - g.pad_top, ow * g.stride_w - g.pad_left};
  }
};

}  // namespace convkit
