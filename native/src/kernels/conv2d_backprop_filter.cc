#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "conv_patches.h"
#include "kernels.h"

namespace convkit {

namespace {

// dfilterᵀ[out_c x patch] += dyᵀ · patches over pixels [begin, end), reading each panel of
// NR patch elements straight from the image (in_c % NR == 0 keeps a panel inside one tap).
void accumulate_direct(const float* x, const float* dy, const ConvGeometry& g, int64_t begin, int64_t end,
                       float* sum) {
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = cfg.nr;
  const int64_t patch = g.patch_size(), out_c = g.out_c, chunk = cfg.kc;
  const int64_t row_groups = (out_c + MR - 1) / MR;
  float* packed_dy = scratch(ScratchSlot::kPackA, row_groups * MR * chunk);
  const float** rows = reinterpret_cast<const float**>(scratch(ScratchSlot::kKernel, 2 * chunk));
  const std::vector<float> zeros(NR, 0.0f);
  std::vector<PixelOrigin> origins(chunk);
  alignas(64) float edge[6 * 16];

  for (int64_t p0 = begin; p0 < end; p0 += chunk) {
    const int64_t len = std::min(chunk, end - p0);
    DenseOperand(dy + p0 * out_c, 1, out_c).pack(0, out_c, 0, len, MR, packed_dy);
    for (int64_t p = 0; p < len; ++p) origins[p] = PixelOrigin::of(x, g, p0 + p);
    for (int64_t e0 = 0; e0 < patch; e0 += NR) {
      const int64_t channel = e0 % g.in_c, tap = e0 / g.in_c;
      const int64_t dh = (tap / g.filter_w) * g.dilation_h, dw = (tap % g.filter_w) * g.dilation_w;
      for (int64_t p = 0; p < len; ++p) {
        const int64_t ih = origins[p].ih0 + dh, iw = origins[p].iw0 + dw;
        const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
        rows[p] = inside ? origins[p].image + (ih * g.in_w + iw) * g.in_c + channel : zeros.data();
      }
      for (int64_t group = 0; group < row_groups; ++group) {
        const int64_t co = group * MR, live = std::min<int64_t>(MR, out_c - co);
        float* tile = sum + co * patch + e0;
        const float* a = packed_dy + group * MR * len;
        if (live == MR) {
          cfg.gemm_indirect_b(len, a, rows, tile, patch, true);
          continue;
        }
        cfg.gemm_indirect_b(len, a, rows, edge, NR, false);
        for (int64_t i = 0; i < live; ++i)
          for (int64_t j = 0; j < NR; ++j) tile[i * patch + j] += edge[i * NR + j];
      }
    }
  }
}

}  // namespace

// dfilter[patch x out_c] = Σ over output pixels of patchᵀ · dy. Computed transposed,
// dfilterᵀ[out_c x patch] = dyᵀ · patches, so the large operand (the patches) is read
// from the image: directly when a panel of patch elements is contiguous there, else
// packed once through PatchColumns. Threads split the pixels, each with a partial sum.
void conv2d_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g) {
  const int64_t patch = g.patch_size(), pixels = g.out_pixels(), out_c = g.out_c, size = patch * out_c;
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads(), pixels / gemm_config().kc));
  const int64_t share = (pixels + parts - 1) / parts;
  const bool direct = g.in_c % gemm_config().nr == 0;
  std::vector<float> partials(parts * size, 0.0f);  // each [out_c x patch]

  parallel_for(parts, [&](int64_t part, int) {
    float* sum = partials.data() + part * size;
    const int64_t begin = part * share, end = std::min(pixels, begin + share);
    if (begin >= end) return;
    if (direct) return accumulate_direct(x, dy, g, begin, end, sum);
    const DenseOperand dy_t(dy + begin * out_c, 1, out_c);  // dyᵀ: rows are channels, columns pixels
    gemm_serial(out_c, patch, end - begin, dy_t, PatchColumns(x, g, begin), sum, patch, false);
  });
  for (int64_t p = 1; p < parts; ++p) {
    const float* part = partials.data() + p * size;
    for (int64_t i = 0; i < size; ++i) partials[i] += part[i];
  }
  for (int64_t c = 0; c < out_c; ++c)
    for (int64_t e = 0; e < patch; ++e) dfilter[e * out_c + c] = partials[c * patch + e];
}

}  // namespace convkit
