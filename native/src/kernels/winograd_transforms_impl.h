// The Winograd transforms of every variant, written once and compiled three times: for any
// 64-bit CPU by winograd_transforms.cc, with AVX2 + FMA by winograd_transforms_avx2.cc and
// with AVX-512 by winograd_transforms_avx512.cc. Sixteen channels go through each map
// together as one zmm register in the AVX-512 build, then eight as a GCC vector (one ymm
// register with AVX2, two xmm registers without), the last channels one at a time as
// plain floats.
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
template <typename V>
[[gnu::always_inline]] inline V relu(V v) { return v <= V{} ? V{} : v; }

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

// F(3x3, 3x3), points 0, 1, -1, 2 and ∞: 25 products per 9 outputs (a 3x3 output in one
// tile where F(4x4) needs 36 products). Bᵀ's rows for ±1 are x·S ± S for S = x² - 2x, and
// those of 0 and ∞ are (x² - 1)(x - 2) and x times it.
struct F3x3Lines {
  static constexpr int kTile = 3;
  struct Input {  // Bᵀ: 5 -> 5
    template <typename V>
    void operator()(const V (&d)[5], V (&v)[5]) const {
      const V s0 = d[2] - 2.0f * d[1], s1 = d[3] - 2.0f * d[2];  // S at offsets 0 and 1
      v[0] = 2.0f * (d[0] - d[2]) + d[3] - d[1];
      v[1] = s1 + s0, v[2] = s1 - s0;
      v[3] = d[3] - d[1];
      v[4] = 2.0f * (d[1] - d[3]) + d[4] - d[2];
    }
  };
  struct Output {  // Aᵀ: 5 -> 3, row i = p^i per point
    template <typename V>
    void operator()(const V (&m)[5], V (&y)[3]) const {
      const V even = m[1] + m[2];
      y[0] = m[0] + even + m[3];
      y[1] = m[1] - m[2] + 2.0f * m[3];
      y[2] = even + 4.0f * m[3] + m[4];
    }
  };
  struct Filter {  // G: 3 -> 5, row p = p^k / Π(p - other points), matching Bᵀ
    template <typename V>
    void operator()(const V (&g)[3], V (&u)[5]) const {
      const V outer = g[0] + g[2];
      u[0] = g[0] * 0.5f;
      u[1] = (outer + g[1]) * -0.5f, u[2] = (outer - g[1]) * (-1.0f / 6);
      u[3] = (g[0] + 2.0f * g[1] + 4.0f * g[2]) * (1.0f / 6);
      u[4] = g[2];
    }
  };
  struct Gradient {  // A: 3 -> 5
    template <typename V>
    void operator()(const V (&dy)[3], V (&w)[5]) const {
      const V even = dy[0] + dy[2];
      w[0] = dy[0];
      w[1] = even + dy[1], w[2] = even - dy[1];
      w[3] = dy[0] + 2.0f * dy[1] + 4.0f * dy[2];
      w[4] = dy[2];
    }
  };
  struct FilterGradient {  // Gᵀ: 5 -> 3
    template <typename V>
    void operator()(const V (&m)[5], V (&dg)[3]) const {
      const V half1 = m[1] * 0.5f, sixth2 = m[2] * (1.0f / 6), sixth3 = m[3] * (1.0f / 6);
      dg[0] = m[0] * 0.5f - half1 - sixth2 + sixth3;
      dg[1] = sixth2 + 2.0f * sixth3 - half1;
      dg[2] = 4.0f * sixth3 - half1 - sixth2 + m[4];
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

// F(5x5, 3x3), points 0, 1, -1, 2, -2, -½ and ∞. Bᵀ's row for a point p holds the
// coefficients of P(x) / (x - p), P the product of x - p over the finite points, so the rows
// of ±1 are x·Q ± Q for Q = (x + ½)(x³ - 4x), those of ±2 are x·R ± 2R for R = (x + ½)(x³ - x),
// and those of 0 and ∞ are (x + ½)(x⁴ - 5x² + 4) and x times it: each built from a few sums.
struct F5x5Lines {
  static constexpr int kTile = 5;
  struct Input {  // Bᵀ: 7 -> 7
    template <typename V>
    void operator()(const V (&d)[7], V (&v)[7]) const {
      // x⁴ - 5x² + 4, x³ - 4x and x³ - x applied at offsets 0, 1, 2 of the line.
      const V quartic0 = 4.0f * d[0] - 5.0f * d[2] + d[4], quartic1 = 4.0f * d[1] - 5.0f * d[3] + d[5];
      const V quartic2 = 4.0f * d[2] - 5.0f * d[4] + d[6];
      const V cubic4_0 = d[3] - 4.0f * d[1], cubic4_1 = d[4] - 4.0f * d[2], cubic4_2 = d[5] - 4.0f * d[3];
      const V cubic1_0 = d[3] - d[1], cubic1_1 = d[4] - d[2], cubic1_2 = d[5] - d[3];
      // Times (x + ½): Q and R at offsets 0 and 1.
      const V q0 = cubic4_1 + 0.5f * cubic4_0, q1 = cubic4_2 + 0.5f * cubic4_1;
      const V r0 = cubic1_1 + 0.5f * cubic1_0, r1 = cubic1_2 + 0.5f * cubic1_1;
      v[0] = quartic1 + 0.5f * quartic0;
      v[1] = q1 + q0, v[2] = q1 - q0;
      v[3] = r1 + 2.0f * r0, v[4] = r1 - 2.0f * r0;
      v[5] = quartic1;
      v[6] = quartic2 + 0.5f * quartic1;
    }
  };
  struct Output {  // Aᵀ: 7 -> 5, row i = p^i per point
    template <typename V>
    void operator()(const V (&m)[7], V (&y)[5]) const {
      const V even1 = m[1] + m[2], odd1 = m[1] - m[2], even2 = m[3] + m[4], odd2 = m[3] - m[4];
      y[0] = m[0] + even1 + even2 + m[5];
      y[1] = odd1 + 2.0f * odd2 - 0.5f * m[5];
      y[2] = even1 + 4.0f * even2 + 0.25f * m[5];
      y[3] = odd1 + 8.0f * odd2 - 0.125f * m[5];
      y[4] = even1 + 16.0f * even2 + 0.0625f * m[5] + m[6];
    }
  };
  struct Filter {  // G: 3 -> 7, row p = p^k / Π(p - other points), matching Bᵀ
    template <typename V>
    void operator()(const V (&g)[3], V (&u)[7]) const {
      const V outer = g[0] + g[2];
      u[0] = g[0] * 0.5f;
      u[1] = (outer + g[1]) * (-1.0f / 9), u[2] = (outer - g[1]) * (1.0f / 3);
      u[3] = g[0] * (1.0f / 60) + g[1] * (1.0f / 30) + g[2] * (1.0f / 15);
      u[4] = g[0] * (-1.0f / 36) + g[1] * (1.0f / 18) + g[2] * (-1.0f / 9);
      u[5] = g[0] * (-32.0f / 45) + g[1] * (16.0f / 45) + g[2] * (-8.0f / 45);
      u[6] = g[2];
    }
  };
  struct Gradient {  // A: 5 -> 7
    template <typename V>
    void operator()(const V (&dy)[5], V (&w)[7]) const {
      const V even1 = dy[0] + dy[2] + dy[4], odd1 = dy[1] + dy[3];
      const V even2 = dy[0] + 4.0f * dy[2] + 16.0f * dy[4], odd2 = 2.0f * dy[1] + 8.0f * dy[3];
      w[0] = dy[0];
      w[1] = even1 + odd1, w[2] = even1 - odd1;
      w[3] = even2 + odd2, w[4] = even2 - odd2;
      w[5] = dy[0] - 0.5f * dy[1] + 0.25f * dy[2] - 0.125f * dy[3] + 0.0625f * dy[4];
      w[6] = dy[4];
    }
  };
  struct FilterGradient {  // Gᵀ: 7 -> 3
    template <typename V>
    void operator()(const V (&m)[7], V (&dg)[3]) const {
      dg[0] = m[0] * 0.5f - m[1] * (1.0f / 9) + m[2] * (1.0f / 3) + m[3] * (1.0f / 60) - m[4] * (1.0f / 36) -
              m[5] * (32.0f / 45);
      dg[1] = -m[1] * (1.0f / 9) - m[2] * (1.0f / 3) + m[3] * (1.0f / 30) + m[4] * (1.0f / 18) + m[5] * (16.0f / 45);
      dg[2] = -m[1] * (1.0f / 9) + m[2] * (1.0f / 3) + m[3] * (1.0f / 15) - m[4] * (1.0f / 9) - m[5] * (8.0f / 45) +
              m[6];
    }
  };
};

// A tile's element addresses, resolved to one form of TilePlaces at compile time: at(k) is
// element k (row-major) of a Side x Side tile.
template <typename T, int Side>
struct GridAt {
  T* base;
  int64_t row_step, col_step;
  explicit GridAt(const TilePlaces<T>& places)
      : base(places.base), row_step(places.row_step), col_step(places.col_step) {}
  [[gnu::always_inline]] T* operator()(int k) const { return base + (k / Side) * row_step + (k % Side) * col_step; }
};

// The pointers are copied into locals: stored results (memcpy may write anything) then
// cannot change them, so they are not loaded again after every store.
template <typename T, int Side>
struct ListAt {
  T* pointers[Side * Side];
  explicit ListAt(T* const* listed) { std::copy(listed, listed + Side * Side, pointers); }
  explicit ListAt(const TilePlaces<T>& places) : ListAt(places.pointers) {}
  [[gnu::always_inline]] T* operator()(int k) const { return pointers[k]; }
};

// Maps channels [c, c + lanes of V) of the In x In tile at `src` to L in Lᵀ, where `line`
// applies L (Out x In) to a vector, and hands each of the Out x Out results to
// put(element, c, value). Column by column, then row by row, each stored as it comes: a
// few vectors live at a time, not the whole tile (which spilled three tiles' worth).
template <typename V, int In, int Out, typename Src, typename Line, typename Put>
[[gnu::always_inline]] inline void transform_lanes(const Src& src, int64_t c, Line line, const Put& put) {
  // Unrolled whole, so that every element's place is a constant offset (GCC left the column
  // loop rolled, computing k / Side and k % Side at run time).
  V half[Out][In];
#pragma GCC unroll 8
  for (int j = 0; j < In; ++j) {
    V column[In], mapped[Out];
#pragma GCC unroll 8
    for (int i = 0; i < In; ++i) column[i] = load<V>(src(i * In + j) + c);
    line(column, mapped);
#pragma GCC unroll 8
    for (int i = 0; i < Out; ++i) half[i][j] = mapped[i];
  }
#pragma GCC unroll 8
  for (int i = 0; i < Out; ++i) {
    V row[Out];
    line(half[i], row);
#pragma GCC unroll 8
    for (int j = 0; j < Out; ++j) put(i * Out + j, c, row[j]);
  }
}

template <int In, int Out, typename Src, typename Line, typename Put>
inline void transform(const Src& src, int64_t channels, Line line, const Put& put) {
  int64_t c = 0;
#ifdef __AVX512F__
  for (; c + 16 <= channels; c += 16) transform_lanes<Vec16, In, Out>(src, c, line, put);
#endif
  for (; c + 8 <= channels; c += 8) transform_lanes<Vec8, In, Out>(src, c, line, put);
  for (; c < channels; ++c) transform_lanes<float, In, Out>(src, c, line, put);
}

// The same, reading from either form of TilePlaces.
template <int In, int Out, typename Line, typename Put>
inline void transform_from(const TileIn& src, int64_t channels, Line line, const Put& put) {
  if (src.pointers) return transform<In, Out>(ListAt<const float, In>(src), channels, line, put);
  transform<In, Out>(GridAt<const float, In>(src), channels, line, put);
}

// put() for results stored as they are.
template <typename At>
struct Store {
  At at;
  template <typename V>
  [[gnu::always_inline]] void operator()(int element, int64_t c, V value) const {
    store(at(element) + c, value);
  }
};

// put() for a convolution's outputs: + bias, relu, stored unless the place is null.
template <typename At>
struct StoreWithEpilogue {
  At at;
  const float* bias;
  bool relu_after;
  template <typename V>
  [[gnu::always_inline]] void operator()(int element, int64_t c, V value) const {
    float* place = at(element);
    if (!place) return;
    if (bias) value += load<V>(bias + c);
    if (relu_after) value = relu(value);
    store(place + c, value);
  }
};

// put() for an input gradient through a relu (output_relu_gradient): masked by the relu's
// output at the same place, stored unless the place is null, and summed per channel into
// `sums`, once per lane group: its Outputs elements are added up in a register first (added
// into memory one by one, each sum waited on the store before it).
template <typename At, int Outputs>
struct StoreReluGradient {
  At at;
  const float* y_base;
  const float* rectified;
  float* sums;
  mutable Vec16 sum16{};
  mutable Vec8 sum8{};
  mutable float sum1 = 0.0f;

  template <typename V>
  [[gnu::always_inline]] V& running() const {
    if constexpr (sizeof(V) == sizeof(Vec16)) return sum16;
    else if constexpr (sizeof(V) == sizeof(Vec8)) return sum8;
    else return sum1;
  }
  template <typename V>
  [[gnu::always_inline]] void operator()(int element, int64_t c, V value) const {
    V& sum = running<V>();
    if (float* place = at(element)) {
      value = relu_grad_lanes(value, load<V>(rectified + (place - y_base) + c));
      store(place + c, value);
      sum += value;
    }
    if (element == Outputs - 1) {
      store(sums + c, load<V>(sums + c) + sum);
      sum = V{};
    }
  }
};

// The five transforms of one variant, from its lines.
template <typename Lines>
struct Transforms {
  static constexpr int kTile = Lines::kTile, kWindow = kTile + 2;
  using Blocks = GridAt<float, kWindow>;

  static void input(const TileIn& d, const TileOut& v, int64_t channels) {
    transform_from<kWindow, kWindow>(d, channels, typename Lines::Input{}, Store<Blocks>{Blocks(v)});
  }

  static void output(const TileIn& m, const TileOut& y, int64_t channels, const Epilogue& ep) {
    const bool relu_after = ep.activation == Activation::kRelu;
    const GridAt<const float, kWindow> products(m);
    auto store_at = [&](auto outputs) {
      transform<kWindow, kTile>(products, channels, typename Lines::Output{},
                                StoreWithEpilogue<decltype(outputs)>{outputs, ep.bias, relu_after});
    };
    if (y.pointers) store_at(ListAt<float, kTile>(y));
    else store_at(GridAt<float, kTile>(y));
  }

  static void output_relu_gradient(const TileIn& m, const TileOut& y, int64_t channels, const float* y_base,
                                   const float* rectified, float* sums) {
    const GridAt<const float, kWindow> products(m);
    auto store_at = [&](auto outputs) {
      transform<kWindow, kTile>(products, channels, typename Lines::Output{},
                                StoreReluGradient<decltype(outputs), kTile * kTile>{outputs, y_base, rectified, sums});
    };
    if (y.pointers) store_at(ListAt<float, kTile>(y));
    else store_at(GridAt<float, kTile>(y));
  }

  static void filter(const float* const* g, float* const* u, int64_t channels) {
    using Elements = ListAt<float, kWindow>;
    transform<3, kWindow>(ListAt<const float, 3>(g), channels, typename Lines::Filter{}, Store<Elements>{Elements(u)});
  }

  static void gradient(const TileIn& dy, const TileOut& w, int64_t channels) {
    transform_from<kTile, kWindow>(dy, channels, typename Lines::Gradient{}, Store<Blocks>{Blocks(w)});
  }

  static void filter_gradient(const float* const* m, float* const* dg, int64_t channels) {
    using Taps = ListAt<float, 3>;
    transform<kWindow, 3>(ListAt<const float, kWindow>(m), channels, typename Lines::FilterGradient{},
                          Store<Taps>{Taps(dg)});
  }

  static constexpr WinogradVariant variant() {
    return WinogradVariant{kTile, input, output, output_relu_gradient, filter, gradient, filter_gradient};
  }
};

const WinogradVariant kF2x2 = Transforms<F2x2Lines>::variant();
const WinogradVariant kF3x3 = Transforms<F3x3Lines>::variant();
const WinogradVariant kF4x4 = Transforms<F4x4Lines>::variant();
const WinogradVariant kF5x5 = Transforms<F5x5Lines>::variant();

// This build's variant for an output tile side of 2, 3, 4 or 5.
const WinogradVariant& variant_of(int tile) {
  switch (tile) {
    case 5: return kF5x5;
    case 4: return kF4x4;
    case 3: return kF3x3;
    default: return kF2x2;
  }
}

}  // namespace
}  // namespace convkit
