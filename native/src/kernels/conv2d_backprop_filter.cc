#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../gemm/operand.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "conv_indirect.h"
#include "conv_patches.h"
#include "kernels.h"
#include "winograd.h"

namespace convkit {

namespace {

// sum[rows x ldc] (+)= dyᵀ · patches, for panels [q0, q1) of the patches and pixels
// [begin, end): the BLIS loops with the pixels as depth. Per KC pixels, dyᵀ is packed once
// (every out_c row: it stays in L2), then up to NC columns of patches (L3), whose panels
// every row group reuses from L1. sum is padded to whole tiles: no edge tiles.
void accumulate(const float* x, const float* dy, const ConvGeometry& g, const PatchPanels& panels, int64_t q0,
                int64_t q1, int64_t begin, int64_t end, float* sum, int64_t ldc) {
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = cfg.nr;
  const int64_t out_c = g.out_c, groups = (out_c + MR - 1) / MR, chunk = cfg.kc;
  const int64_t block = std::min(q1 - q0, std::max<int64_t>(1, cfg.nc / NR));
  float* packed_dy = scratch(ScratchSlot::kPackA, groups * MR * chunk);
  float* packed_patches = scratch(ScratchSlot::kPackB, block * chunk * NR);
  std::vector<PixelOrigin> origins(chunk);
  for (int64_t p0 = begin; p0 < end; p0 += chunk) {
    const int64_t len = std::min(chunk, end - p0);
    DenseOperand(dy + p0 * out_c, 1, out_c).pack(0, out_c, 0, len, MR, packed_dy);
    for (int64_t p = 0; p < len; ++p) origins[p] = PixelOrigin::of(x, g, p0 + p);
    for (int64_t b0 = q0; b0 < q1; b0 += block) {
      const int64_t b1 = std::min(q1, b0 + block);
      panels.pack(b0, b1, origins.data(), len, packed_patches);
      for (int64_t q = b0; q < b1; q += 2) {  // two panels at a time while two remain
        const float* b = packed_patches + (q - b0) * len * NR;
        for (int64_t group = 0; group < groups; ++group) {
          const float* a = packed_dy + group * MR * len;
          float* tile = sum + group * MR * ldc + q * NR;
          if (q + 1 < b1) cfg.wide_ukernel(len, a, b, len * NR, tile, ldc, p0 > begin);
          else cfg.ukernel(len, a, b, tile, ldc, p0 > begin);
        }
      }
    }
  }
}

}  // namespace

// dfilter[patch x out_c] = Σ over output pixels of patchᵀ · dy. Computed transposed,
// dfilterᵀ[out_c x patch] = dyᵀ · patches, so that the large operand, the patches, packs
// in NR-wide panels of consecutive input channels (a 64-byte copy per pixel when
// in_c % 16 == 0), then transposed back.
void conv2d_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& geometry) {
  if (const int tile = winograd_tile(geometry))
    return winograd_backprop_filter(x, dy, dfilter, geometry, tile);
  if (filter_gradient_reads_rows(geometry)) return conv2d_backprop_filter_rows(x, dy, nullptr, dfilter, nullptr, geometry);
  const GemmConfig& cfg = gemm_config();
  ConvGeometry g = geometry;
  // Few channels: runs of whole filter rows (3 instead of 9 per pixel for an RGB input)
  // are worth a padded copy of the input, as for the forward convolution.
  if (worth_padding_horizontally(g)) x = pad_horizontally(x, g);
  const int64_t patch = g.patch_size(), pixels = g.out_pixels(), out_c = g.out_c;
  if (pixels == 0) return std::fill(dfilter, dfilter + patch * out_c, 0.0f);
  const PatchPanels panels(g, cfg.nr, rows_are_contiguous(g));
  const int64_t count = panels.count(), ldc = count * cfg.nr;
  const int64_t size = (out_c + cfg.mr - 1) / cfg.mr * cfg.mr * ldc;
  // Threads split the pixels, each into its own partial sum, or the panels (columns of
  // dfilterᵀ), each owning its columns. The first costs adding the partial sums (∝ patch),
  // the second packing all of dyᵀ in every thread (∝ pixels); mixed when a split alone
  // leaves threads idle.
  const int64_t most_parts = std::max<int64_t>(1, pixels / cfg.kc);
  int64_t parts, slabs;
  const bool by_pixels = pixels >= 4 * patch;  // the measured crossover on 2 threads
  if (by_pixels) {
    parts = std::min<int64_t>(threads(), most_parts);
    slabs = std::min<int64_t>(count, std::max<int64_t>(1, threads() / parts));
  } else {
    slabs = std::min<int64_t>(count, threads());
    parts = std::min<int64_t>(most_parts, std::max<int64_t>(1, threads() / slabs));
  }
  const int64_t share = (pixels + parts - 1) / parts;
  float* sums = scratch(ScratchSlot::kKernel, parts * size);  // each [out_c rounded up to MR x ldc]
  parallel_for(slabs * parts, [&](int64_t task, int) {
    const int64_t slab = task % slabs, part = task / slabs;
    const int64_t begin = part * share, end = std::min(pixels, begin + share);
    const int64_t q0 = slab * count / slabs, q1 = (slab + 1) * count / slabs;
    float* sum = sums + part * size;
    if (begin < end) return accumulate(x, dy, g, panels, q0, q1, begin, end, sum, ldc);
    for (int64_t r = 0; r < size / ldc; ++r) std::fill(sum + r * ldc + q0 * cfg.nr, sum + r * ldc + q1 * cfg.nr, 0.0f);
  });
  // dfilter[e][c] = Σ over parts of sums[part][c][e], 16 patch elements at a time so that
  // both sides stay in cache.
  parallel_range((patch + 15) / 16, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t e0 = b0 * 16; e0 < std::min(patch, b1 * 16); e0 += 16) {
      const int64_t e1 = std::min(patch, e0 + 16);
      for (int64_t c = 0; c < out_c; ++c)
        for (int64_t e = e0; e < e1; ++e) {
          float total = sums[c * ldc + e];
          for (int64_t part = 1; part < parts; ++part) total += sums[part * size + c * ldc + e];
          dfilter[e * out_c + c] = total;
        }
    }
  });
}

}  // namespace convkit
