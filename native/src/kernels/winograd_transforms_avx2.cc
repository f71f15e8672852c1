// The Winograd transforms built with AVX2 + FMA (this file is compiled with -mavx2 -mfma,
// see binding.gyp): eight channels per ymm register.
#include "winograd_transforms_impl.h"

namespace convkit {

const WinogradVariant& winograd_variant_avx2(int tile) { return variant_of(tile); }

}  // namespace convkit
