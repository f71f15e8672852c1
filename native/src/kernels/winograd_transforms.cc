// The portable build of the Winograd transforms, and the choice between the three builds.
#include "winograd_transforms_impl.h"

#include "../runtime/cpu_features.h"

namespace convkit {

const WinogradVariant& winograd_variant(int tile) {
  if (cpu_has_avx512()) return winograd_variant_avx512(tile);
  return cpu_has_avx2_fma() ? winograd_variant_avx2(tile) : variant_of(tile);
}

}  // namespace convkit
