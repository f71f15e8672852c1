// Output gradients copied into the micro-kernel's 16-wide panels for a filter gradient,
// through a relu's gradient when the conv's output y is given, with the bias gradient summed
// on the way: one pass over dy (and y) per pixel, in registers; and the same relu gradient
// and bias sum written out row by row (ReluGradBias). Compiled twice, like gelu.h: 4 lanes
// of SSE by conv2d_backprop_filter_rows.cc and relu_grad_bias.cc, 8 lanes of AVX2 by
// gradient_panels_avx2.cc (measured: the three separate passes of the scalar loops took
// nearly twice the micro-kernel's time on a first layer's 32 channels).
//
// The results are those of the scalar rule: relu_grad (kernels.h) element by element, and
// each channel's bias sum added in double in pixel order (the order of a Sum).
//
// Internal linkage (the unnamed namespace), so that each file keeps its own build.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "float_vectors.h"
#include "kernels.h"

namespace convkit {

constexpr int kGradientPanelWidth = 16;  // the micro-kernel's NR

// Copies `len` pixels' gradients (out_c floats each) into panels `panel_len` pixels long,
// panel q holding channels [16q, 16q + 16) pixel by pixel (zeros past out_c):
// dz = relu_grad(dy, y) when y is given, else dy. Adds each pixel's values to bias (out_c
// doubles) when given.
using GradientPanelsFn = void (*)(const float* dy, const float* y, int64_t len, int64_t out_c, float* panel,
                                  int64_t panel_len, double* bias);

// dz = relu_grad(dy, y) over `rows` rows of `channels`, each row's values added to bias
// (channels doubles) in row order: ReluGradBias's loop, vectorised as the panel copy is (the
// scalar loop spent more time converting and adding doubles than reading memory).
using ReluGradRowsFn = void (*)(const float* dy, const float* y, float* dz, int64_t rows, int64_t channels,
                                double* bias);

// The AVX2 builds (gradient_panels_avx2.cc); call them only when cpu_has_avx2_fma().
void relu_grad_rows_avx2(const float* dy, const float* y, float* dz, int64_t rows, int64_t channels, double* bias);
void gradient_panels_avx2(const float* dy, const float* y, int64_t len, int64_t out_c, float* panel, int64_t panel_len,
                          double* bias);

namespace {

using Vec4d = double __attribute__((vector_size(32)));

// bias[c, c + 4) += the four floats at values, in double.
[[gnu::always_inline]] inline void add_to_bias(double* bias, const float* values) {
  Vec4d sums;
  std::memcpy(&sums, bias, sizeof sums);
  sums += __builtin_convertvector(load<Vec4>(values), Vec4d);
  std::memcpy(bias, &sums, sizeof sums);
}

template <typename V, bool kRelu>
void gradient_panels_lanes(const float* __restrict dy, const float* __restrict y, int64_t len, int64_t out_c,
                           float* __restrict panel, int64_t panel_len, double* __restrict bias) {
  constexpr int kLanes = sizeof(V) / sizeof(float), kWidth = kGradientPanelWidth;
  const int64_t full_panels = out_c / kWidth, panels = (out_c + kWidth - 1) / kWidth;
  // Panel by panel, so that its 16 channels' bias sums stay in registers across the pixels
  // (each pixel's sums through memory made a chain of store-to-load forwarding).
  for (int64_t q = 0; q < full_panels; ++q) {
    Vec4d sums[kWidth / 4] = {};
    if (bias)
      for (int j = 0; j < kWidth / 4; ++j) std::memcpy(&sums[j], bias + q * kWidth + 4 * j, sizeof sums[j]);
    for (int64_t k = 0; k < len; ++k) {
      const float* dy_k = dy + k * out_c + q * kWidth;
      float* dst = panel + (q * panel_len + k) * kWidth;
      for (int h = 0; h < kWidth; h += kLanes) {
        V value = load<V>(dy_k + h);
        if (kRelu) value = relu_grad_lanes(value, load<V>(y + k * out_c + q * kWidth + h));
        store(dst + h, value);
      }
      if (bias)
        for (int j = 0; j < kWidth / 4; ++j) sums[j] += __builtin_convertvector(load<Vec4>(dst + 4 * j), Vec4d);
    }
    if (bias)
      for (int j = 0; j < kWidth / 4; ++j) std::memcpy(bias + q * kWidth + 4 * j, &sums[j], sizeof sums[j]);
  }
  if (panels == full_panels) return;
  for (int64_t k = 0; k < len; ++k) {
    float* dst = panel + (full_panels * panel_len + k) * kWidth;
    for (int r = 0; r < kWidth; ++r) {
      const int64_t c = full_panels * kWidth + r;
      if (c >= out_c) {
        dst[r] = 0.0f;
        continue;
      }
      dst[r] = kRelu ? relu_grad(dy[k * out_c + c], y[k * out_c + c]) : dy[k * out_c + c];
      if (bias) bias[c] += static_cast<double>(dst[r]);
    }
  }
}

template <typename V>
void relu_grad_rows_with(const float* __restrict dy, const float* __restrict y, float* __restrict dz, int64_t rows,
                         int64_t channels, double* __restrict bias) {
  constexpr int kLanes = sizeof(V) / sizeof(float);
  for (int64_t r = 0; r < rows; ++r) {
    const float *dy_r = dy + r * channels, *y_r = y + r * channels;
    float* dz_r = dz + r * channels;
    int64_t c = 0;
    for (; c + kLanes <= channels; c += kLanes) {
      store(dz_r + c, relu_grad_lanes(load<V>(dy_r + c), load<V>(y_r + c)));
      for (int j = 0; j < kLanes; j += 4) add_to_bias(bias + c + j, dz_r + c + j);
    }
    for (; c < channels; ++c) {
      dz_r[c] = relu_grad(dy_r[c], y_r[c]);
      bias[c] += static_cast<double>(dz_r[c]);
    }
  }
}

template <typename V>
void gradient_panels_with(const float* dy, const float* y, int64_t len, int64_t out_c, float* panel, int64_t panel_len,
                          double* bias) {
  if (y) return gradient_panels_lanes<V, true>(dy, y, len, out_c, panel, panel_len, bias);
  gradient_panels_lanes<V, false>(dy, y, len, out_c, panel, panel_len, bias);
}

}  // namespace
}  // namespace convkit
