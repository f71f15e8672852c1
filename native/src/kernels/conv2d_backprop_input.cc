#include <algorithm>
#include <vector>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "kernels.h"
#include "winograd.h"

namespace convkit {

namespace {

// Adds each patch row of `cols` back onto the image positions it was read from.
void col2im(const float* cols, float* image, const ConvGeometry& g) {
  std::fill(image, image + g.in_h * g.in_w * g.in_c, 0.0f);
  const int64_t patch = g.patch_size();
  for (int64_t oh = 0; oh < g.out_h; ++oh) {
    for (int64_t ow = 0; ow < g.out_w; ++ow, cols += patch) {
      for (int64_t kh = 0; kh < g.filter_h; ++kh) {
        const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
        if (ih < 0 || ih >= g.in_h) continue;
        for (int64_t kw = 0; kw < g.filter_w; ++kw) {
          const int64_t iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
          if (iw < 0 || iw >= g.in_w) continue;
          float* dst = image + (ih * g.in_w + iw) * g.in_c;
          const float* src = cols + (kh * g.filter_w + kw) * g.in_c;
          for (int64_t c = 0; c < g.in_c; ++c) dst[c] += src[c];
        }
      }
    }
  }
}

// The filter turned 180 degrees with its channel axes swapped: turned[kh][kw][co][ci] =
// filter[filter_h - 1 - kh][filter_w - 1 - kw][ci][co]. The threads take blocks of 16 input
// channels of one tap, each read row by row and written 16 floats (a cache line) at a time
// (done by one thread, element by element, it took 0.5 ms of a 3 ms input gradient with
// 128 x 128 channels).
void turn_filter(const float* filter, const ConvGeometry& g, float* turned) {
  constexpr int64_t kBlock = 16;
  const int64_t taps = g.filter_h * g.filter_w, blocks = (g.in_c + kBlock - 1) / kBlock;
  parallel_range(taps * blocks, 4, [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t tap = item / blocks, c0 = item % blocks * kBlock, c1 = std::min(c0 + kBlock, g.in_c);
      const float* src = filter + (taps - 1 - tap) * g.in_c * g.out_c;
      float* dst = turned + tap * g.out_c * g.in_c;
      for (int64_t co = 0; co < g.out_c; ++co)
        for (int64_t ci = c0; ci < c1; ++ci) dst[co * g.in_c + ci] = src[ci * g.out_c + co];
    }
  });
}

// With stride 1, dx is a plain convolution of dy with the turned filter: this geometry.
ConvGeometry as_convolution(const ConvGeometry& g) {
  ConvGeometry t = g;
  t.in_h = g.out_h, t.in_w = g.out_w, t.in_c = g.out_c;
  t.out_h = g.in_h, t.out_w = g.in_w, t.out_c = g.in_c;
  t.pad_top = (g.filter_h - 1) * g.dilation_h - g.pad_top;
  t.pad_left = (g.filter_w - 1) * g.dilation_w - g.pad_left;
  return t;
}

// The filter turned (below), in scratch.
const float* turned_filter(const float* filter, const ConvGeometry& g) {
  float* turned = scratch(ScratchSlot::kFilter, g.patch_size() * g.out_c);
  turn_filter(filter, g, turned);
  return turned;
}

// The forward convolution (Winograd or indirect), no scatter.
void backprop_input_as_convolution(const float* dy, const float* filter, float* dx, const ConvGeometry& g) {
  conv2d(dy, turned_filter(filter, g), nullptr, dx, as_convolution(g), Activation::kLinear);
}

}  // namespace

// Per image: cols[pixels x patch] = dy[pixels x out_c] · filterᵀ, then col2im into dx.
void conv2d_backprop_input(const float* dy, const float* filter, float* dx, const ConvGeometry& g) {
  if (g.stride_h == 1 && g.stride_w == 1) return backprop_input_as_convolution(dy, filter, dx, g);
  const int64_t pixels = g.out_h * g.out_w, patch = g.patch_size();
  const int64_t image_size = g.in_h * g.in_w * g.in_c;
  const DenseOperand filter_rows(filter, g.out_c, 1);  // filter is [patch x out_c]: Bᵀ for B = filterᵀ
  auto one_image = [&](int64_t n, bool parallel_gemm) {
    float* cols = scratch(ScratchSlot::kKernel, pixels * patch);
    const DenseOperand dy_image(dy + n * pixels * g.out_c, g.out_c, 1);
    if (parallel_gemm) {
      gemm(pixels, patch, g.out_c, dy_image, filter_rows, cols, patch, false);
    } else {
      gemm_serial(pixels, patch, g.out_c, dy_image, filter_rows, cols, patch, false);
    }
    col2im(cols, dx + n * image_size, g);
  };
  if (g.batch >= threads()) {
    parallel_for(g.batch, [&](int64_t n, int) { one_image(n, false); });
  } else {
    for (int64_t n = 0; n < g.batch; ++n) one_image(n, true);
  }
}

void conv2d_backprop_input_relu(const float* dy, const float* filter, const float* rectified, float* dx, float* dbias,
                                const ConvGeometry& g) {
  const ConvGeometry t = as_convolution(g);
  const int tile = g.stride_h == 1 && g.stride_w == 1 ? winograd_tile(t) : 0;
  if (tile) {
    const ReluGradient relu_gradient{rectified, dbias};
    return winograd_conv(dy, turned_filter(filter, g), dx, t, Epilogue{}, tile, nullptr, nullptr, &relu_gradient);
  }
  std::vector<float> linear(static_cast<size_t>(g.in_size()));
  conv2d_backprop_input(dy, filter, linear.data(), g);
  relu_grad_bias(linear.data(), rectified, dx, dbias, g.batch * g.in_h * g.in_w, g.in_c);
}

}  // namespace convkit
