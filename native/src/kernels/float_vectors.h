// GCC vector types of floats, with unaligned loads and stores, for kernels that spell out their
// SIMD code. Vec4 is one SSE register, native on every x86-64 CPU; Vec8 is one AVX register, or
// two SSE registers in portable builds (where GCC splits +, -, * well but lowers comparisons
// and selects to scalar code); Vec16 is one AVX-512 register, used only by AVX-512 builds.
//
// Internal linkage, as in gelu.h: each file keeps its own build for its own instruction set.
#pragma once
#include <cstring>

// The helpers are always inlined, so no vector crosses a call boundary and the warning that
// vector arguments change the ABI without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace convkit {
namespace {

using Vec4 = float __attribute__((vector_size(16)));
using Vec8 = float __attribute__((vector_size(32)));
using Vec16 = float __attribute__((vector_size(64)));

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

// relu_grad (kernels.h) lane by lane: dy where y > 0, y where y is NaN, else dy * 0.
template <typename V>
[[gnu::always_inline]] inline V relu_grad_lanes(V dy, V y) {
  const V zero = V{};
  return y > zero ? dy : (y != y ? y : dy * 0.0f);
}

}  // namespace
}  // namespace convkit
