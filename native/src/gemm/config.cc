#include "config.h"

#include "../runtime/cpu_features.h"

namespace convkit {

namespace {
const GemmConfig kAvx512{"avx512-6x32", 6, 16, 256, 72, 3072, ukernel_6x16_avx512, igemm_6x16_avx512,
                         ukernel_strided_6x16_avx512, ukernel_6x32_avx512, igemm_6x32_avx512,
                         ukernel_strided_6x32_avx512};
const GemmConfig kAvx2{"avx2-fma-6x16", 6, 16, 256, 72, 3072, ukernel_6x16_avx2, igemm_6x16_avx2,
                       ukernel_strided_6x16_avx2, ukernel_twice<ukernel_6x16_avx2, 16>,
                       igemm_twice<igemm_6x16_avx2, 16>, strided_twice<ukernel_strided_6x16_avx2, 16>};
const GemmConfig kPortable{"portable-6x16", 6, 16, 256, 72, 3072, ukernel_6x16_ref, igemm_6x16_ref,
                           ukernel_strided_6x16_ref, ukernel_twice<ukernel_6x16_ref, 16>,
                           igemm_twice<igemm_6x16_ref, 16>, strided_twice<ukernel_strided_6x16_ref, 16>};
}  // namespace

const GemmConfig& gemm_config() {
  if (cpu_has_avx512()) return kAvx512;
  return cpu_has_avx2_fma() ? kAvx2 : kPortable;
}

}  // namespace convkit
