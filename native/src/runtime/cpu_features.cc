#include "cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace convkit {

namespace {

// CONVKIT_ISA caps the instruction set, so every path can be tested and timed on one
// machine: portable (plain C++), avx2 (AVX2 + FMA), anything else or unset = the best the
// CPU has.
bool capped_at(const char* isa) {
  const char* cap = std::getenv("CONVKIT_ISA");
  return cap && std::strcmp(cap, isa) == 0;
}

}  // namespace

bool cpu_has_avx2_fma() {
  if (capped_at("portable")) return false;
#if defined(__x86_64__) || defined(__i386__)
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return supported;
#else
  return false;
#endif
}

bool cpu_has_avx512() {
  if (capped_at("avx2") || !cpu_has_avx2_fma()) return false;
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's check also asks the OS (XGETBV) whether it saves the zmm and mask registers.
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported;
#else
  return false;
#endif
}

}  // namespace convkit
