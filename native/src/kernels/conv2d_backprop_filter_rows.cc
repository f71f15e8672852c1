// The filter gradient of a convolution over few input channels (an image's RGB), where
// packing the patch matrix costs more than multiplying it (PatchPanels copies 9-float runs).
// The input is copied once with its padding, in images of whole strides, so that the window
// of every depth step below starts stride_w * in_c floats after the previous one's, also
// from the end of an output row to the start of the next (the steps in between fall on the
// padding's columns: "junk" pixels whose gradient is taken as zero). Then each patch
// element (a row of dfilter) is one pointer and a fixed step, the strided micro-kernel reads
// the patches straight from the copy, with a run of output rows as depth (one row per call
// left the micro-kernel loading and storing its tile every 32 steps), and only dy is
// copied, into NR-wide panels. That copy is where a fused relu's mask is applied and the
// bias gradient summed, so a conv with relu needs no separate pass over dy.
#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../runtime/cpu_features.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "conv_indirect.h"
#include "gradient_panels.h"
#include "kernels.h"
#include "winograd.h"

namespace convkit {

namespace {

// The fastest build of gradient_panels.h's copy this CPU runs.
GradientPanelsFn gradient_panels() {
  return cpu_has_avx2_fma() ? gradient_panels_avx2 : gradient_panels_with<Vec4>;
}

// Depth steps per micro-kernel call: dy's panels for them (32 KiB per 16 output channels)
// stay in L2, and the tile is loaded and stored once per 512 steps.
constexpr int64_t kChunk = 512;

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// The padded copy's layout: depth step `step` of an image's output row `oh` is pixel
// (oh, step) when step < out_w, else junk; its window starts at
// origin + ((image * rows + oh) * steps + step) * stride_w * in_c.
struct StridedLayout {
  int64_t width, height;  // of each padded image
  int64_t steps, rows;    // depth steps per output row, output rows per image

  static StridedLayout of(const ConvGeometry& g) {
    const int64_t sh = g.stride_h, sw = g.stride_w;
    // Wide enough for every window, and for out_w steps per row; a whole number of strides
    // along rows (so the steps of one output row cover exactly stride_h input rows).
    const int64_t width = round_up(std::max({g.pad_left + g.in_w, (g.out_w - 1) * sw + (g.filter_w - 1) * g.dilation_w + 1,
                                             (g.out_w * sw + sh - 1) / sh}),
                                   sw);
    const int64_t height =
        round_up(std::max(g.pad_top + g.in_h, (g.out_h - 1) * sh + (g.filter_h - 1) * g.dilation_h + 1), sh);
    return {width, height, width * sh / sw, height / sh};
  }
};

}  // namespace

bool filter_gradient_reads_rows(const ConvGeometry& g) { return g.in_c < 8 && g.dilation_w == 1 && !winograd_tile(g); }

void conv2d_backprop_filter_rows(const float* x, const float* dy, const float* y, float* dfilter, float* dbias,
                                 const ConvGeometry& g) {
  if (g.out_pixels() == 0) {  // nothing to sum (and no output row to read along)
    std::fill(dfilter, dfilter + g.patch_size() * g.out_c, 0.0f);
    if (dbias) std::fill(dbias, dbias + g.out_c, 0.0f);
    return;
  }
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = kGradientPanelWidth;
  const GradientPanelsFn copy_panels = gradient_panels();
  const StridedLayout layout = StridedLayout::of(g);
  const float* padded = pad_image(x, g, g.pad_top, g.pad_left, layout.height, layout.width);
  const int64_t patch = g.patch_size(), out_c = g.out_c, pixels = g.out_pixels(), image_pixels = g.out_h * g.out_w;
  const int64_t rows = (patch + MR - 1) / MR * MR, panels = (out_c + NR - 1) / NR, ldc = panels * NR;
  const int64_t a_step = g.stride_w * g.in_c, sum_size = rows * ldc, junk = layout.steps - g.out_w;
  // Where each patch element lies from a window's start; rows past the patch read the
  // first element's (their sums are never read).
  std::vector<int64_t> offsets(rows, 0);
  for (int64_t e = 0; e < patch; ++e) {
    const int64_t kh = e / (g.filter_w * g.in_c), kw = e / g.in_c % g.filter_w, c = e % g.in_c;
    offsets[e] = (kh * g.dilation_h * layout.width + kw * g.dilation_w) * g.in_c + c;
  }
  // The pixels split as a Sum over them does (reduce_row_parts), each share summed in
  // order and the shares added in order: the bias gradient has tf.sum(dz)'s bits, and the
  // filter gradient the same bits with the relu fused or not.
  const int parts = reduce_row_parts(1, pixels, out_c);
  const int64_t share = (pixels + parts - 1) / parts;
  float* sums = scratch(ScratchSlot::kKernel, parts * sum_size);
  std::vector<double> bias_sums(dbias ? parts * out_c : 0, 0.0);
  parallel_for(parts, [&](int64_t part, int) {
    float* sum = sums + part * sum_size;
    std::fill(sum, sum + sum_size, 0.0f);
    double* bias = dbias ? bias_sums.data() + part * out_c : nullptr;
    float* panel = scratch(ScratchSlot::kPackB, panels * kChunk * NR);
    std::vector<const float*> a(rows);
    for (int64_t p = part * share, end = std::min(pixels, (part + 1) * share); p < end;) {
      // One call's depth: from pixel p on, output rows of one image (with the junk steps
      // between them), up to kChunk steps.
      const int64_t image = p / image_pixels, oh = p / g.out_w % g.out_h, ow = p % g.out_w;
      const float* window = padded + ((image * layout.rows + oh) * layout.steps + ow) * a_step;
      const int64_t last = std::min(end, (image + 1) * image_pixels);
      int64_t depth = 0;
      for (int64_t col = ow;;) {
        const int64_t len = std::min({g.out_w - col, last - p, kChunk - depth});
        copy_panels(dy + p * out_c, y ? y + p * out_c : nullptr, len, out_c, panel + depth * NR, kChunk, bias);
        depth += len, p += len, col += len;
        if (col < g.out_w || p == last || depth + junk >= kChunk) break;
        for (int64_t q = 0; q < panels; ++q)
          std::fill(panel + (q * kChunk + depth) * NR, panel + (q * kChunk + depth + junk) * NR, 0.0f);
        depth += junk, col = 0;
      }
      for (int64_t e = 0; e < rows; ++e) a[e] = window + offsets[e];
      for (int64_t r0 = 0; r0 < rows; r0 += MR)
        for (int64_t q = 0; q < panels; q += 2) {  // two panels at a time while two remain
          const float* b = panel + q * kChunk * NR;
          float* tile = sum + r0 * ldc + q * NR;
          if (q + 1 < panels) cfg.wide_strided(depth, a.data() + r0, a_step, b, kChunk * NR, tile, ldc, true);
          else cfg.strided(depth, a.data() + r0, a_step, b, tile, ldc, true);
        }
    }
  });
  for (int64_t e = 0; e < patch; ++e)
    for (int64_t c = 0; c < out_c; ++c) {
      float total = sums[e * ldc + c];
      for (int64_t part = 1; part < parts; ++part) total += sums[part * sum_size + e * ldc + c];
      dfilter[e * out_c + c] = total;
    }
  if (dbias)
    for (int64_t c = 0; c < out_c; ++c) {
      double total = bias_sums[c];
      for (int64_t part = 1; part < parts; ++part) total += bias_sums[part * out_c + c];
      dbias[c] = static_cast<float>(total);
    }
}

}  // namespace convkit
