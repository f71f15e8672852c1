#include "cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace convkit {

bool cpu_has_avx2_fma() {
  // CONVKIT_ISA=portable forces the portable path, so it can be tested on any machine.
  const char* forced = std::getenv("CONVKIT_ISA");
  if (forced && std::strcmp(forced, "portable") == 0) return false;
#if defined(__x86_64__) || defined(__i386__)
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return supported;
#else
  return false;
#endif
}

}  // namespace convkit
