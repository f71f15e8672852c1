// The Winograd transforms of both variants, written once and compiled twice: for any
// 64-bit CPU by winograd_transforms.cc and with AVX2 + FMA by winograd_transforms_avx2.cc.
// Eight channels go through each map together as a GCC vector (one ymm register with
// AVX2, two xmm registers without), the last channels one at a time as plain floats.
//
// Everything has internal linkage so that each file keeps its own build (see gelu.h).
#pragma once
#include <algorithm>

#include "float_vectors.h"
#include "winograd_transforms.h"

namespace convkit {
namespace {

// NaN stays NaN, as in tfjs's relu (a NaN loss must show, not vanish into zeros).
[[gnu::always_inline]] inline float relu(float v) { return v <= 0.0f ? 0.0f : v; }
[[gnu::always_inline]] inline Vec8 relu(Vec8 v) { return v <= Vec8{} ? Vec8{} : v; }

// The one-dimensional maps of each variant; each 2-D transform applies one along columns,
// then along rows. Products by ±1 are left out, and sums shared between rows are formed once.
struct F2x2Lines {
  static constexpr int kTile = 2;
  struct Input {  // Bᵀ: 4 -> 4
    template <typename V>
    void operator()(const V (&d)[4], V (&v)[4]) const {
      v[0] = d[0] - d[2], v[1] = d[1] + d[2], v[2] = d[2] - d[1], v[3] = d[1] - d[3];
    }
  };
  struct Output {  // Aᵀ: 4 -> 2
    template <typename V>
    void operator()(const V (&m)[4], V (&y)[2]) const {
      y[0] = m[0] + m[1] + m[2], y[1] = m[1] - m[2] - m[3];
    }
  };
  struct Filter {  // G: 3 -> 4
    template <typename V>
    void operator()(const V (&g)[3], V (&u)[4]) const {
      const V outer = (g[0] + g[2]) * 0.5f, middle = g[1] * 0.5f;
      u[0] = g[0], u[1] = outer + middle, u[2] = outer - middle, u[3] = g[2];
    }
  };
  struct Gradient {  // A: 2 -> 4
    template <typename V>
    void operator()(const V (&dy)[2], V (&w)[4]) const {
      w[0] = dy[0], w[1] = dy[0] + dy[1], w[2] = dy[0] - dy[1], w[3] = -dy[1];
    }
  };
  struct FilterGradient {  // Gᵀ: 4 -> 3
    template <typename V>
    void operator()(const V (&m)[4], V (&dg)[3]) const {
      const V sum = (m[1] + m[2]) * 0.5f;
      dg[0] = m[0] + sum, dg[1] = (m[1] - m[2]) * 0.5f, dg[2] = sum + m[3];
    }
  };
};

// F(4x4, 3x3): rows 1-2 and 3-4 of every map pair up as even ± odd parts (points ±1, ±2).
struct F4x4Lines {
  static constexpr int kTile = 4;
  struct Input {  // Bᵀ: 6 -> 6
    template <typename V>
    void operator()(const V (&d)[6], V (&v)[6]) const {
      const V even1 = d[4] - 4.0f * d[2], odd1 = 4.0f * d[1] - d[3];
      const V even2 = d[4] - d[2], odd2 = 2.0f * (d[3] - d[1]);
      v[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
      v[1] = even1 - odd1, v[2] = even1 + odd1;
      v[3] = even2 + odd2, v[4] = even2 - odd2;
      v[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
    }
  };
  struct Output {  // Aᵀ: 6 -> 4
    template <typename V>
    void operator()(const V (&m)[6], V (&y)[4]) const {
      const V even1 = m[1] + m[2], odd1 = m[1] - m[2], even2 = m[3] + m[4], odd2 = m[3] - m[4];
      y[0] = m[0] + even1 + even2;
      y[1] = odd1 + 2.0f * odd2;
      y[2] = even1 + 4.0f * even2;
      y[3] = odd1 + 8.0f * odd2 + m[5];
    }
  };
  struct Filter {  // G: 3 -> 6
    template <typename V>
    void operator()(const V (&g)[3], V (&u)[6]) const {
      const V outer = g[0] + g[2];
      const V even2 = g[0] * (1.0f / 24) + g[2] * (1.0f / 6), odd2 = g[1] * (1.0f / 12);
      u[0] = g[0] * 0.25f;
      u[1] = (outer + g[1]) * (-1.0f / 6), u[2] = (outer - g[1]) * (-1.0f / 6);
      u[3] = even2 + odd2, u[4] = even2 - odd2;
      u[5] = g[2];
    }
  };
  struct Gradient {  // A: 4 -> 6
    template <typename V>
    void operator()(const V (&dy)[4], V (&w)[6]) const {
      const V even1 = dy[0] + dy[2], odd1 = dy[1] + dy[3];
      const V even2 = dy[0] + 4.0f * dy[2], odd2 = 2.0f * dy[1] + 8.0f * dy[3];
      w[0] = dy[0];
      w[1] = even1 + odd1, w[2] = even1 - odd1;
      w[3] = even2 + odd2, w[4] = even2 - odd2;
      w[5] = dy[3];
    }
  };
  struct FilterGradient {  // Gᵀ: 6 -> 3
    template <typename V>
    void operator()(const V (&m)[6], V (&dg)[3]) const {
      const V even1 = m[1] + m[2], odd1 = m[1] - m[2], even2 = m[3] + m[4], odd2 = m[3] - m[4];
      dg[0] = m[0] * 0.25f - even1 * (1.0f / 6) + even2 * (1.0f / 24);
      dg[1] = odd2 * (1.0f / 12) - odd1 * (1.0f / 6);
      dg[2] = (even2 - even1) * (1.0f / 6) + m[5];
    }
  };
};

// Maps channels [c, c + lanes of V) of the In x In tile at `src` to L in Lᵀ, where `line`
// applies L (Out x In) to a vector, and hands each of the Out x Out results to
// put(element, c, value). Column by column, then row by row, each stored as it comes: a
// few vectors live at a time, not the whole tile (which spilled three tiles' worth).
template <typename V, int In, int Out, typename Line, typename Put>
[[gnu::always_inline]] inline void transform_lanes(const float* const (&src)[In * In], int64_t c, Line line,
                                                   Put& put) {
  V half[Out][In];
  for (int j = 0; j < In; ++j) {
    V column[In], mapped[Out];
    for (int i = 0; i < In; ++i) column[i] = load<V>(src[i * In + j] + c);
    line(column, mapped);
    for (int i = 0; i < Out; ++i) half[i][j] = mapped[i];
  }
  for (int i = 0; i < Out; ++i) {
    V row[Out];
    line(half[i], row);
    for (int j = 0; j < Out; ++j) put(i * Out + j, c, row[j]);
  }
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

// The five transforms of one variant, from its lines.
template <typename Lines>
struct Transforms {
  static constexpr int kTile = Lines::kTile, kWindow = kTile + 2;

  static void input(const float* const* d, float* const* v, int64_t channels) {
    transform<kWindow, kWindow>(d, channels, typename Lines::Input{}, Store<kWindow * kWindow>(v));
  }

  static void output(const float* const* m, float* const* y_pointers, int64_t channels, const Epilogue& ep) {
    const bool relu_after = ep.activation == Activation::kRelu;
    const float* bias = ep.bias;
    float* y[kTile * kTile];
    std::copy(y_pointers, y_pointers + kTile * kTile, y);
    auto put = [&](int element, int64_t c, auto value) {
      using V = decltype(value);
      if (!y[element]) return;
      if (bias) value += load<V>(bias + c);
      if (relu_after) value = relu(value);
      store(y[element] + c, value);
    };
    transform<kWindow, kTile>(m, channels, typename Lines::Output{}, put);
  }

  static void filter(const float* const* g, float* const* u, int64_t channels) {
    transform<3, kWindow>(g, channels, typename Lines::Filter{}, Store<kWindow * kWindow>(u));
  }

  static void gradient(const float* const* dy, float* const* w, int64_t channels) {
    transform<kTile, kWindow>(dy, channels, typename Lines::Gradient{}, Store<kWindow * kWindow>(w));
  }

  static void filter_gradient(const float* const* m, float* const* dg, int64_t channels) {
    transform<kWindow, 3>(m, channels, typename Lines::FilterGradient{}, Store<9>(dg));
  }

  static constexpr WinogradVariant variant() {
    return WinogradVariant{kTile, input, output, filter, gradient, filter_gradient};
  }
};

const WinogradVariant kF2x2 = Transforms<F2x2Lines>::variant();
const WinogradVariant kF4x4 = Transforms<F4x4Lines>::variant();

// This build's variant for an output tile side of 2 or 4.
const WinogradVariant& variant_of(int tile) { return tile == 4 ? kF4x4 : kF2x2; }

}  // namespace
}  // namespace convkit
