// The Winograd transforms built with AVX-512 (this file is compiled with -mavx512f, see
// binding.gyp): sixteen channels per zmm register.
#include "winograd_transforms_impl.h"

namespace convkit {

const WinogradVariant& winograd_variant_avx512(int tile) { return variant_of(tile); }

}  // namespace convkit
