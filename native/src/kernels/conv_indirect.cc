#include "conv_indirect.h"

#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../gemm/operand.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace convkit {

namespace {

constexpr int64_t kGroupsPerTask = 8;  // 48 pixels: their input rows stay in L2 across panels

// Fills ptrs[t*mr + r] with the address tap t of pixel `first + r` reads, for r < mr.
// Pixels past the end (a ragged last group) read zeros; their rows are discarded.
void build_indirection(const float* x, const float* zeros, const ConvGeometry& g, int64_t first, int mr,
                       const float** ptrs) {
  const int64_t taps = g.filter_h * g.filter_w, pixels = g.out_pixels();
  for (int r = 0; r < mr; ++r) {
    const int64_t pixel = first + r;
    if (pixel >= pixels) {
      for (int64_t t = 0; t < taps; ++t) ptrs[t * mr + r] = zeros;
      continue;
    }
    const int64_t ow = pixel % g.out_w, oh = (pixel / g.out_w) % g.out_h, n = pixel / (g.out_w * g.out_h);
    const float* image = x + n * g.in_h * g.in_w * g.in_c;
    for (int64_t kh = 0; kh < g.filter_h; ++kh) {
      const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
      for (int64_t kw = 0; kw < g.filter_w; ++kw) {
        const int64_t iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
        const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
        ptrs[(kh * g.filter_w + kw) * mr + r] = inside ? image + (ih * g.in_w + iw) * g.in_c : zeros;
      }
    }
  }
}

}  // namespace

void indirect_conv(const float* x, const float* filter, float* y, const ConvGeometry& g, const Epilogue& ep) {
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = cfg.nr;
  const int64_t taps = g.filter_h * g.filter_w, patch = g.patch_size(), out_c = g.out_c;
  const int64_t panels = (out_c + NR - 1) / NR;
  // The filter as NR-column panels, zero-padded past out_c: exactly GEMM's packed B.
  std::vector<float> packed_storage(panels * patch * NR + 16);
  float* packed = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(packed_storage.data()) + 63) & ~uintptr_t{63});
  DenseOperand(filter, out_c, 1).transposed().pack(0, out_c, 0, patch, NR, packed);
  const std::vector<float> zeros(g.in_c, 0.0f);

  const int64_t groups = (g.out_pixels() + MR - 1) / MR;
  parallel_range((groups + kGroupsPerTask - 1) / kGroupsPerTask, 1, [&](int64_t task0, int64_t task1) {
    const float** ptrs = reinterpret_cast<const float**>(
        scratch(ScratchSlot::kKernel, 2 * kGroupsPerTask * taps * MR));
    alignas(64) float edge[6 * 16];
    for (int64_t task = task0; task < task1; ++task) {
      const int64_t g0 = task * kGroupsPerTask, g1 = std::min(groups, g0 + kGroupsPerTask);
      for (int64_t grp = g0; grp < g1; ++grp)
        build_indirection(x, zeros.data(), g, grp * MR, MR, ptrs + (grp - g0) * taps * MR);
      for (int64_t panel = 0; panel < panels; ++panel) {
        const int64_t col0 = panel * NR, cols = std::min<int64_t>(NR, out_c - col0);
        const float* b = packed + panel * patch * NR;
        for (int64_t grp = g0; grp < g1; ++grp) {
          const int64_t row0 = grp * MR, rows = std::min<int64_t>(MR, g.out_pixels() - row0);
          float* tile = y + row0 * out_c + col0;
          const float* const* a = ptrs + (grp - g0) * taps * MR;
          if (rows == MR && cols == NR) {
            cfg.igemm(taps, g.in_c, a, b, tile, out_c, false);
          } else {
            cfg.igemm(taps, g.in_c, a, b, edge, NR, false);
            for (int64_t i = 0; i < rows; ++i) std::copy(edge + i * NR, edge + i * NR + cols, tile + i * out_c);
          }
          apply_epilogue(tile, out_c, rows, cols, col0, ep);
        }
      }
    }
  });
}

}  // namespace convkit
