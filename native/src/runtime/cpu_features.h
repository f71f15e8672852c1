#pragma once

namespace convkit {

// True when the CPU and OS support AVX2 and FMA (checked once, at run time).
bool cpu_has_avx2_fma();

// True when they also support AVX-512 (foundation instructions and the zmm state).
bool cpu_has_avx512();

}  // namespace convkit
