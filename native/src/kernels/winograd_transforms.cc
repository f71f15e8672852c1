// The portable build of the Winograd transforms, and the choice between the two builds.
#include "winograd_transforms_impl.h"

#include "../runtime/cpu_features.h"

namespace convkit {

const WinogradTransforms& winograd_transforms() {
  return cpu_has_avx2_fma() ? winograd_transforms_avx2() : kTransforms;
}

}  // namespace convkit
