// dropout_mask.h's loop built with AVX2 (this file is compiled with -mavx2, see binding.gyp).

#include "dropout_mask.h"

namespace convkit {

void dropout_mask_span_avx2(float* out, int64_t begin, int64_t end, uint32_t base, uint32_t threshold, float scale) {
  dropout_mask_span(out, begin, end, base, threshold, scale);
}

}  // namespace convkit
