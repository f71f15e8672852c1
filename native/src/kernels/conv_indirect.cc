#include "conv_indirect.h"

#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../gemm/operand.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace convkit {

bool rows_are_contiguous(const ConvGeometry& g) {
  return g.dilation_w == 1 && g.pad_left == 0 && (g.out_w - 1) * g.stride_w + g.filter_w <= g.in_w;
}

bool worth_padding_horizontally(const ConvGeometry& g) {
  return !rows_are_contiguous(g) && g.dilation_w == 1 && g.filter_w * g.in_c <= 64;
}

// Into scratch memory, by all threads: a fresh vector cost page faults and a zero-fill of
// the whole image, on one thread, at every call (~1.7 MB for a batch of 128 RGB images).
const float* pad_image(const float* x, const ConvGeometry& g, int64_t top, int64_t left, int64_t height,
                       int64_t width) {
  const int64_t C = g.in_c, row_in = g.in_w * C, row_out = width * C;
  const int64_t columns = std::min(g.in_w, width - left);  // the input columns that fit
  float* padded = scratch(ScratchSlot::kPadded, g.batch * height * row_out);
  parallel_range(g.batch * height, 64, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      float* out = padded + row * row_out;
      const int64_t n = row / height, ih = row % height - top;
      if (ih < 0 || ih >= g.in_h) {
        std::fill(out, out + row_out, 0.0f);
        continue;
      }
      const float* in = x + (n * g.in_h + ih) * row_in;
      std::fill(out, out + left * C, 0.0f);
      std::copy(in, in + columns * C, out + left * C);
      std::fill(out + (left + columns) * C, out + row_out, 0.0f);
    }
  });
  return padded;
}

const float* pad_horizontally(const float* x, ConvGeometry& g) {
  const int64_t right = std::max<int64_t>(0, (g.out_w - 1) * g.stride_w + g.filter_w - g.in_w - g.pad_left);
  const int64_t width = g.in_w + g.pad_left + right;
  const float* padded = pad_image(x, g, 0, g.pad_left, g.in_h, width);
  g.in_w = width;
  g.pad_left = 0;
  return padded;
}

namespace {

constexpr int64_t kGroupsPerTask = 8;  // 48 pixels: their input rows stay in L2 across panels

// The output pixel a group of MR starts at, advanced by counting from one group to the
// next: three 64-bit divisions per group cost as much as the pointers they place.
struct PixelCursor {
  int64_t ow, oh;
  const float* image;
  static PixelCursor at(const float* x, const ConvGeometry& g, int64_t pixel) {
    return {pixel % g.out_w, pixel / g.out_w % g.out_h, x + pixel / (g.out_w * g.out_h) * g.in_h * g.in_w * g.in_c};
  }
  void next(const ConvGeometry& g) {
    if (++ow < g.out_w) return;
    ow = 0;
    if (++oh == g.out_h) oh = 0, image += g.in_h * g.in_w * g.in_c;
  }
};

// Fills ptrs[t*mr + r] with the address tap t of pixel `first + r` reads, for r < mr, and
// moves `at` (pixel `first`) past them; with contiguous rows there is one tap per filter
// row. Taps in the padding, and pixels past the end (a ragged last group, whose rows are
// discarded), read zeros.
void build_indirection(PixelCursor& at, const float* zeros, const ConvGeometry& g, bool row_taps, int64_t first,
                       int mr, const float** ptrs) {
  const int64_t taps_w = row_taps ? 1 : g.filter_w, taps = g.filter_h * taps_w, pixels = g.out_pixels();
  for (int r = 0; r < mr; ++r, at.next(g)) {
    if (first + r >= pixels) {
      for (int64_t t = 0; t < taps; ++t) ptrs[t * mr + r] = zeros;
      continue;
    }
    const int64_t ih0 = at.oh * g.stride_h - g.pad_top, iw0 = at.ow * g.stride_w - g.pad_left;
    if (row_taps) {  // a row tap lies wholly inside its input row: only the row can be in the padding
      const float* column = at.image + iw0 * g.in_c;
      const int64_t row_size = g.in_w * g.in_c;
      for (int64_t kh = 0; kh < g.filter_h; ++kh) {
        const int64_t ih = ih0 + kh * g.dilation_h;
        ptrs[kh * mr + r] = ih >= 0 && ih < g.in_h ? column + ih * row_size : zeros;
      }
    } else {
      for (int64_t kh = 0; kh < g.filter_h; ++kh) {
        const int64_t ih = ih0 + kh * g.dilation_h;
        for (int64_t kw = 0; kw < taps_w; ++kw) {
          const int64_t iw = iw0 + kw * g.dilation_w;
          const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
          ptrs[(kh * taps_w + kw) * mr + r] = inside ? at.image + (ih * g.in_w + iw) * g.in_c : zeros;
        }
      }
    }
  }
}

}  // namespace

void indirect_conv(const float* x, const float* filter, float* y, const ConvGeometry& geometry, const Epilogue& ep) {
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = cfg.nr;
  ConvGeometry g = geometry;
  if (worth_padding_horizontally(g)) x = pad_horizontally(x, g);
  const bool row_taps = rows_are_contiguous(g);
  const int64_t taps = row_taps ? g.filter_h : g.filter_h * g.filter_w;
  const int64_t channels = row_taps ? g.filter_w * g.in_c : g.in_c;
  const int64_t patch = g.patch_size(), out_c = g.out_c;
  const int64_t panels = (out_c + NR - 1) / NR;
  // The filter as NR-column panels, zero-padded past out_c: exactly GEMM's packed B.
  std::vector<float> packed_storage(panels * patch * NR + 16);
  float* packed = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(packed_storage.data()) + 63) & ~uintptr_t{63});
  DenseOperand(filter, out_c, 1).transposed().pack(0, out_c, 0, patch, NR, packed);
  const std::vector<float> zeros(channels, 0.0f);

  const int64_t groups = (g.out_pixels() + MR - 1) / MR;
  parallel_range((groups + kGroupsPerTask - 1) / kGroupsPerTask, 1, [&](int64_t task0, int64_t task1) {
    const float** ptrs = reinterpret_cast<const float**>(
        scratch(ScratchSlot::kKernel, 2 * kGroupsPerTask * taps * MR));
    alignas(64) float edge[6 * 16];
    for (int64_t task = task0; task < task1; ++task) {
      const int64_t g0 = task * kGroupsPerTask, g1 = std::min(groups, g0 + kGroupsPerTask);
      PixelCursor at = PixelCursor::at(x, g, g0 * MR);
      for (int64_t grp = g0; grp < g1; ++grp)
        build_indirection(at, zeros.data(), g, row_taps, grp * MR, MR, ptrs + (grp - g0) * taps * MR);
      // One panel's tile of a group: bias and activation in the micro-kernel's registers
      // for a whole tile, after it for a ragged one (the last group, or the last panel).
      auto narrow_tile = [&](int64_t panel, int64_t grp) {
        const int64_t col0 = panel * NR, cols = std::min<int64_t>(NR, out_c - col0);
        const int64_t row0 = grp * MR, rows = std::min<int64_t>(MR, g.out_pixels() - row0);
        const float* b = packed + panel * patch * NR;
        const float* const* a = ptrs + (grp - g0) * taps * MR;
        float* tile = y + row0 * out_c + col0;
        if (rows == MR && cols == NR) return cfg.igemm(taps, channels, a, b, tile, out_c, false, ep.shifted(col0));
        cfg.igemm(taps, channels, a, b, edge, NR, false, {});
        for (int64_t i = 0; i < rows; ++i) std::copy(edge + i * NR, edge + i * NR + cols, tile + i * out_c);
        apply_epilogue(tile, out_c, rows, cols, col0, ep);
      };
      for (int64_t panel = 0; panel < panels;) {
        const int64_t col0 = panel * NR;
        const bool wide = col0 + 2 * NR <= out_c;  // two whole panels: one wide tile per group
        for (int64_t grp = g0; grp < g1; ++grp) {
          const int64_t row0 = grp * MR;
          if (wide && row0 + MR <= g.out_pixels()) {
            cfg.wide_igemm(taps, channels, ptrs + (grp - g0) * taps * MR, packed + panel * patch * NR, patch * NR,
                           y + row0 * out_c + col0, out_c, false, ep.shifted(col0));
            continue;
          }
          narrow_tile(panel, grp);
          if (wide) narrow_tile(panel + 1, grp);
        }
        panel += wide ? 2 : 1;
      }
    }
  });
}

}  // namespace convkit
