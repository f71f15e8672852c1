// Tile and block sizes, one row per instruction set (the BLIS way):
//   MR x NR  register tile of the micro-kernel
//   KC       depth of a packed panel: an MR x KC sliver of A stays in L1 with one of B
//   MC       rows of A packed per block: MC x KC floats stay in L2 (72 * 256 * 4 = 72 KiB)
//   NC       columns of B packed per block: KC x NC floats stay in L3
#pragma once
#include <cstdint>

#include "igemm.h"
#include "ukernel.h"

namespace convkit {

struct GemmConfig {
  const char* name;
  int mr, nr;
  int64_t kc, mc, nc;
  Ukernel ukernel;
  IgemmUkernel igemm;
  StridedUkernel strided;
  // Two panels at a time (ukernel.h): one 6x32 tile with AVX-512, else the above twice.
  WideUkernel wide_ukernel;
  WideIgemmUkernel wide_igemm;
  WideStridedUkernel wide_strided;
};

// The fastest configuration this CPU supports.
const GemmConfig& gemm_config();

}  // namespace convkit
