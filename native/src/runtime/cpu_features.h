#pragma once

namespace convkit {

// True when the CPU and OS support AVX2 and FMA (checked once, at run time).
bool cpu_has_avx2_fma();

}  // namespace convkit
