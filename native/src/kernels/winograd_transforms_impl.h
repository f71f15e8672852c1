// The Winograd transforms, written once and compiled twice: for any 64-bit CPU by
// winograd_transforms.cc and with AVX2 + FMA by winograd_transforms_avx2.cc. Eight channels
// go through each map together as a GCC vector (one ymm register with AVX2, two xmm
// registers without), the last channels one at a time as plain floats.
//
// Everything has internal linkage so that each file keeps its own build (see gelu.h).
#pragma once
#include <algorithm>
#include <cstring>

// The vector helpers below are always inlined, so no vector crosses a call boundary and the
// warning that vector arguments change the ABI without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

#include "winograd_transforms.h"

namespace convkit {
namespace {

using Vec8 = float __attribute__((vector_size(32)));

template <typename V>
[[gnu::always_inline]] inline V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename V>
[[gnu::always_inline]] inline void store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

[[gnu::always_inline]] inline float relu(float v) { return v > 0.0f ? v : 0.0f; }
[[gnu::always_inline]] inline Vec8 relu(Vec8 v) { return v > Vec8{} ? v : Vec8{}; }

// The one-dimensional maps; each 2-D transform applies one along columns, then along rows.
struct InputLine {  // Bᵀ: 4 -> 4
  template <typename V>
  void operator()(const V (&d)[4], V (&v)[4]) const {
    v[0] = d[0] - d[2], v[1] = d[1] + d[2], v[2] = d[2] - d[1], v[3] = d[1] - d[3];
  }
};
struct OutputLine {  // Aᵀ: 4 -> 2
  template <typename V>
  void operator()(const V (&m)[4], V (&y)[2]) const {
    y[0] = m[0] + m[1] + m[2], y[1] = m[1] - m[2] - m[3];
  }
};
struct FilterLine {  // G: 3 -> 4
  template <typename V>
  void operator()(const V (&g)[3], V (&u)[4]) const {
    const V outer = (g[0] + g[2]) * 0.5f, middle = g[1] * 0.5f;
    u[0] = g[0], u[1] = outer + middle, u[2] = outer - middle, u[3] = g[2];
  }
};
struct GradientLine {  // A: 2 -> 4
  template <typename V>
  void operator()(const V (&dy)[2], V (&w)[4]) const {
    w[0] = dy[0], w[1] = dy[0] + dy[1], w[2] = dy[0] - dy[1], w[3] = -dy[1];
  }
};
struct FilterGradientLine {  // Gᵀ: 4 -> 3
  template <typename V>
  void operator()(const V (&m)[4], V (&dg)[3]) const {
    const V sum = (m[1] + m[2]) * 0.5f;
    dg[0] = m[0] + sum, dg[1] = (m[1] - m[2]) * 0.5f, dg[2] = sum + m[3];
  }
};

// out = L in Lᵀ for the In x In tile `in`, where `line` applies L (Out x In) to a vector.
template <int In, int Out, typename V, typename Line>
inline void separable(const V (&in)[In][In], V (&out)[Out][Out], Line line) {
  V half[Out][In];
  for (int j = 0; j < In; ++j) {
    V column[In], mapped[Out];
    for (int i = 0; i < In; ++i) column[i] = in[i][j];
    line(column, mapped);
    for (int i = 0; i < Out; ++i) half[i][j] = mapped[i];
  }
  for (int i = 0; i < Out; ++i) line(half[i], out[i]);
}

// Maps channels [c, c + lanes of V) of the In x In tile at `src` and hands each of the
// Out x Out results to put(element, c, value).
template <typename V, int In, int Out, typename Line, typename Put>
[[gnu::always_inline]] inline void transform_lanes(const float* const (&src)[In * In], int64_t c, Line line,
                                                   Put& put) {
  V in[In][In], out[Out][Out];
  for (int i = 0; i < In; ++i)
    for (int j = 0; j < In; ++j) in[i][j] = load<V>(src[i * In + j] + c);
  separable(in, out, line);
  for (int i = 0; i < Out; ++i)
    for (int j = 0; j < Out; ++j) put(i * Out + j, c, out[i][j]);
}

// The pointers are copied into locals first: stored results (memcpy may write anything)
// then cannot change them, so they are not loaded again after every store.
template <int In, int Out, typename Line, typename Put>
inline void transform(const float* const* src_pointers, int64_t channels, Line line, Put put) {
  const float* src[In * In];
  std::copy(src_pointers, src_pointers + In * In, src);
  int64_t c = 0;
  for (; c + 8 <= channels; c += 8) transform_lanes<Vec8, In, Out>(src, c, line, put);
  for (; c < channels; ++c) transform_lanes<float, In, Out>(src, c, line, put);
}

// put() for `N` results stored as they are.
template <int N>
struct Store {
  float* dst[N];
  explicit Store(float* const* pointers) { std::copy(pointers, pointers + N, dst); }
  template <typename V>
  void operator()(int element, int64_t c, V value) const {
    store(dst[element] + c, value);
  }
};

void input_transform(const float* const* d, float* const* v, int64_t channels) {
  transform<4, 4>(d, channels, InputLine{}, Store<16>(v));
}

void output_transform(const float* const* m, float* const* y_pointers, int64_t channels, const Epilogue& ep) {
  const bool relu_after = ep.activation == Activation::kRelu;
  const float* bias = ep.bias;
  float* y[4];
  std::copy(y_pointers, y_pointers + 4, y);
  auto put = [&](int element, int64_t c, auto value) {
    using V = decltype(value);
    if (!y[element]) return;
    if (bias) value += load<V>(bias + c);
    if (relu_after) value = relu(value);
    store(y[element] + c, value);
  };
  transform<4, 2>(m, channels, OutputLine{}, put);
}

void filter_transform(const float* const* g, float* const* u, int64_t channels) {
  transform<3, 4>(g, channels, FilterLine{}, Store<16>(u));
}

void gradient_transform(const float* const* dy, float* const* w, int64_t channels) {
  transform<2, 4>(dy, channels, GradientLine{}, Store<16>(w));
}

void filter_gradient_transform(const float* const* m, float* const* dg, int64_t channels) {
  transform<4, 3>(m, channels, FilterGradientLine{}, Store<9>(dg));
}

const WinogradTransforms kTransforms{input_transform, output_transform, filter_transform, gradient_transform,
                                     filter_gradient_transform};

}  // namespace
}  // namespace convkit
