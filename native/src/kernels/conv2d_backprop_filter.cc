#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../runtime/thread_pool.h"
#include "conv_patches.h"
#include "kernels.h"

namespace convkit {

// dfilter[patch x out_c] = Σ over output pixels of patchᵀ · dy. Computed transposed,
// dfilterᵀ[out_c x patch] = dyᵀ · patches, so the large operand (the patches) is the one
// packed straight from the image, once, in wide panels; dyᵀ packs with plain copies.
// Threads split the pixels and each keeps a partial sum.
void conv2d_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g) {
  const int64_t patch = g.patch_size(), pixels = g.out_pixels(), out_c = g.out_c, size = patch * out_c;
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads(), pixels / gemm_config().kc));
  const int64_t share = (pixels + parts - 1) / parts;
  std::vector<float> partials(parts * size);  // each [out_c x patch]

  parallel_for(parts, [&](int64_t part, int) {
    float* sum = partials.data() + part * size;
    const int64_t begin = part * share, len = std::max<int64_t>(0, std::min(pixels, begin + share) - begin);
    const DenseOperand dy_t(dy + begin * out_c, 1, out_c);  // dyᵀ: rows are channels, columns pixels
    gemm_serial(out_c, patch, len, dy_t, PatchColumns(x, g, begin), sum, patch, false);
  });
  for (int64_t p = 1; p < parts; ++p) {
    const float* part = partials.data() + p * size;
    for (int64_t i = 0; i < size; ++i) partials[i] += part[i];
  }
  for (int64_t c = 0; c < out_c; ++c)
    for (int64_t e = 0; e < patch; ++e) dfilter[e * out_c + c] = partials[c * patch + e];
}

}  // namespace convkit
