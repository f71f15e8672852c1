// GELU and its gradient over a span of floats, compiled twice: for any x86-64 CPU by
// gelu.cc and gelu_grad.cc, and with AVX2 + FMA by gelu_avx2.cc (8 lanes and fused
// multiply-adds make these loops about 3x faster; they are compute-bound).
//
// The standard normal cdf Φ and density φ are branch-free float arithmetic that the compiler
// vectorises (glibc's erff and expf are scalar calls). NaN inputs give NaN outputs.
//
// Everything here has internal linkage (the unnamed namespace) so that each file keeps its
// own copy, compiled for its own instruction set: the linker must not pick the AVX2 copy of
// an inline function for the portable code.
#pragma once
#include <cstdint>
#include <cstring>

namespace convkit {

// The AVX2 + FMA builds of gelu_span and gelu_grad_span (gelu_avx2.cc); call them only when
// cpu_has_avx2_fma().
void gelu_span_avx2(const float* x, float* y, int64_t size);
void gelu_grad_span_avx2(const float* dy, const float* x, float* dx, int64_t size);

namespace {

// erf(x) within 4.5e-7 absolute: Eigen's rational approximation on [-4, 4], x * P(x^2) / Q(x^2),
// held to [-1, 1] (it overshoots by up to 4e-7 near |x| = 3.8, which would make Φ negative).
inline float erf_approx(float x) {
  x = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  const float value = x * p / q;
  return value < -1.0f ? -1.0f : (value > 1.0f ? 1.0f : value);
}

// e^x for x <= 0 within 1.4 ulp (Cephes's expf): x = n ln2 + r with a two-part ln2, a degree-6
// polynomial for e^r, and 2^n written into the exponent bits. Below -87 it returns e^-87.
inline float exp_nonpositive(float x) {
  x = x < -87.0f ? -87.0f : x;
  // Adding 1.5 * 2^23 rounds x * log2(e) to the integer n, which lands in the low mantissa bits.
  constexpr float kRoundingShift = 12582912.0f;
  const float shifted = x * 1.44269504088896341f + kRoundingShift;
  const float n = shifted - kRoundingShift;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // (bits(shifted) + 127) << 23 == (n + 127) << 23: the shift's own bits fall off the top.
  uint32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  bits = (bits + 127u) << 23;
  float two_to_n;
  std::memcpy(&two_to_n, &bits, sizeof two_to_n);
  return p * two_to_n;
}

// Φ(x) = (1 + erf(x / sqrt 2)) / 2.
inline float normal_cdf(float x) { return 0.5f + 0.5f * erf_approx(x * 0.707106781186547524f); }

// x * φ(x) = x * e^(-x^2/2) / sqrt(2 pi). Clamping x to +-14 (where the product is below
// 1e-36, the floor exp_nonpositive puts on it) keeps infinite x from giving inf * 0.
inline float x_times_normal_pdf(float x) {
  x = x < -14.0f ? -14.0f : (x > 14.0f ? 14.0f : x);
  return x * exp_nonpositive(-0.5f * x * x) * 0.398942280401432678f;
}

// y = x Φ(x).
inline void gelu_span(const float* __restrict x, float* __restrict y, int64_t size) {
  for (int64_t i = 0; i < size; ++i) y[i] = x[i] * normal_cdf(x[i]);
}

// dx = dy (Φ(x) + x φ(x)), the derivative of x Φ(x).
inline void gelu_grad_span(const float* __restrict dy, const float* __restrict x, float* __restrict dx, int64_t size) {
  for (int64_t i = 0; i < size; ++i) dx[i] = dy[i] * (normal_cdf(x[i]) + x_times_normal_pdf(x[i]));
}

}  // namespace
}  // namespace convkit
