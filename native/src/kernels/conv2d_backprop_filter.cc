#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "conv_patches.h"
#include "kernels.h"

namespace convkit {

// dfilter[patch x out_c] = patchesᵀ · dy, summed over every output pixel of the batch.
// The pixel range is split between threads (each keeps a partial sum), and each thread
// builds im2col rows one KC-sized chunk at a time so the patch matrix stays in cache.
void conv2d_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g) {
  const int64_t patch = g.patch_size(), pixels = g.out_pixels(), out_c = g.out_c;
  const int64_t chunk = gemm_config().kc;
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads(), pixels / chunk));
  const int64_t share = (pixels + parts - 1) / parts;
  std::vector<float> partials((parts - 1) * patch * out_c);
  const PatchRows patches(x, g);

  parallel_for(parts, [&](int64_t part, int) {
    float* sum = part == 0 ? dfilter : partials.data() + (part - 1) * patch * out_c;
    const int64_t begin = part * share, end = std::min(pixels, begin + share);
    if (begin >= end) std::fill(sum, sum + patch * out_c, 0.0f);
    float* cols = scratch(ScratchSlot::kKernel, chunk * patch);
    for (int64_t p0 = begin; p0 < end; p0 += chunk) {
      const int64_t len = std::min(chunk, end - p0);
      patches.pack(p0, len, 0, patch, 1, cols);  // row-major [len x patch]
      const DenseOperand cols_t(cols, 1, patch);
      const DenseOperand dy_t(dy + p0 * out_c, 1, out_c);
      gemm_serial(patch, out_c, len, cols_t, dy_t, sum, out_c, p0 != begin);
    }
  });
  for (int64_t p = 1; p < parts; ++p) {
    const float* part = partials.data() + (p - 1) * patch * out_c;
    for (int64_t i = 0; i < patch * out_c; ++i) dfilter[i] += part[i];
  }
}

}  // namespace convkit
