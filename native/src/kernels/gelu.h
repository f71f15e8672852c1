// GELU and its gradient over a span of floats, compiled twice: for any x86-64 CPU by
// gelu.cc and gelu_grad.cc (4 lanes of SSE), and with AVX2 + FMA by gelu_avx2.cc (8 lanes and
// fused multiply-adds, about 3x faster). Both loops are compute-bound, so every operation
// counts: they are spelled out as GCC vectors, branch-free. (Left to the auto-vectoriser, the
// clamps' branches made GCC evaluate whole paths twice, two divisions per element among them.)
//
// Φ and φ share one exponential and one division: φ(x) = e^(-x²/2) / sqrt(2 pi) and, for
// a = |x|, the upper tail 1 - Φ(a) = φ(a) t P(t) with t = 1 / (1 + p a) (Abramowitz and
// Stegun 26.2.17, within 7.5e-8). Φ and Φ + x φ come within 3e-7 of exact; NaN gives NaN.
// custom_kernels.ts computes the same in double for tfjs's cpu backend.
//
// Everything here has internal linkage (the unnamed namespace) so that each file keeps its
// own copy, compiled for its own instruction set: the linker must not pick the AVX2 copy of
// an inline function for the portable code.
#pragma once
#include <cstdint>
#include <cstring>

#include "float_vectors.h"

namespace convkit {

// The AVX2 + FMA builds of gelu_span and gelu_grad_span (gelu_avx2.cc); call them only when
// cpu_has_avx2_fma().
void gelu_span_avx2(const float* x, float* y, int64_t size);
void gelu_grad_span_avx2(const float* dy, const float* x, float* dx, int64_t size);

namespace {

// The integer vector (or integer) whose lanes hold the bits of V's float lanes.
template <typename V>
struct BitsOf;
template <>
struct BitsOf<float> { using type = uint32_t; };
template <>
struct BitsOf<Vec4> { using type = uint32_t __attribute__((vector_size(16))); };
template <>
struct BitsOf<Vec8> { using type = uint32_t __attribute__((vector_size(32))); };

template <typename To, typename From>
[[gnu::always_inline]] inline To bit_cast(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}

// e^x for -87 <= x <= 0 within 2 ulp (anything else gives garbage: callers mask it out).
// x = n ln2 + r with |r| <= ln2/2 and ln2 in two parts (the first has few bits, so n times it
// is exact even without fused multiply-adds), e^r from its Taylor series to r^6, and 2^n
// written into the exponent bits.
template <typename V>
[[gnu::always_inline]] inline V exp_nonpositive(V x) {
  // Adding 1.5 * 2^23 rounds x * log2(e) to the integer n, which lands in the low mantissa bits.
  constexpr float kRoundingShift = 12582912.0f;
  const V shifted = x * 1.44269504088896341f + kRoundingShift;
  const V n = shifted - kRoundingShift;
  const V r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  V p = V{} + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * (r * r) + r + 1.0f;
  // (bits(shifted) + 127) << 23 == (n + 127) << 23: the shift's own bits fall off the top.
  const auto two_to_n = bit_cast<V>((bit_cast<typename BitsOf<V>::type>(shifted) + 127) << 23);
  return p * two_to_n;
}

template <typename V>
struct NormalAt {
  V cdf;    // Φ(x)
  V x_pdf;  // x φ(x)
};

template <typename V>
[[gnu::always_inline]] inline NormalAt<V> normal_at(V x) {
  const V a = bit_cast<V>(bit_cast<typename BitsOf<V>::type>(x) & 0x7fffffffu), zero = V{};
  const V pdf = exp_nonpositive(-0.5f * a * a) * 0.398942280401432678f;
  const V t = 1.0f / (a * 0.2316419f + 1.0f);
  V poly = V{} + 1.330274429f;
  poly = poly * t - 1.821255978f;
  poly = poly * t + 1.781477937f;
  poly = poly * t - 0.356563782f;
  poly = poly * t + 0.319381530f;
  // Below x = -5.54, where Φ < 2^-26, Φ is 0: as in the float formula 0.5 (1 + erf(x/√2)) this
  // kernel replaces (tfjs-layers' gelu), whose 1 + erf rounds to 0 there. (Above 5.54, 1 - tail
  // rounds to 1 by itself.) Beyond |x| = 12.5, x φ(x) is below 1e-32 and set to 0: e^(-x²/2)
  // leaves exp_nonpositive's range at 13.2, and infinite x must not meet inf * 0. NaN is never
  // beyond either limit: it flows through to NaN.
  const V upper_tail = a >= V{} + 5.54f ? zero : pdf * t * poly;
  return {x < zero ? upper_tail : 1.0f - upper_tail, a >= V{} + 12.5f ? zero : x * pdf};
}

#ifdef __AVX2__
using Lanes = Vec8;
#else
using Lanes = Vec4;
#endif
constexpr int64_t kLanes = sizeof(Lanes) / sizeof(float);

// y = x Φ(x).
inline void gelu_span(const float* x, float* y, int64_t size) {
  int64_t i = 0;
  for (; i + kLanes <= size; i += kLanes) {
    const Lanes v = load<Lanes>(x + i);
    store(y + i, v * normal_at(v).cdf);
  }
  for (; i < size; ++i) y[i] = x[i] * normal_at(x[i]).cdf;
}

// dx = dy (Φ(x) + x φ(x)), the derivative of x Φ(x).
inline void gelu_grad_span(const float* dy, const float* x, float* dx, int64_t size) {
  int64_t i = 0;
  for (; i + kLanes <= size; i += kLanes) {
    const NormalAt<Lanes> n = normal_at(load<Lanes>(x + i));
    store(dx + i, load<Lanes>(dy + i) * (n.cdf + n.x_pdf));
  }
  for (; i < size; ++i) {
    const NormalAt<float> n = normal_at(x[i]);
    dx[i] = dy[i] * (n.cdf + n.x_pdf);
  }
}

}  // namespace
}  // namespace convkit
