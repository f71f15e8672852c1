// The filter gradient of a convolution over few input channels (an image's RGB), where
// packing the patch matrix costs more than multiplying it (PatchPanels copies 9-float runs).
// Once the input is padded horizontally, each pixel's patch is filter_h runs of
// filter_w * in_c consecutive floats, and the runs of the next pixel along an output row
// start stride_w * in_c floats further. So the strided micro-kernel reads the patch
// elements (the rows of dfilter) straight from the input, with the pixels of one output row
// as depth, and only dy is copied, into NR-wide panels (a few KiB per output row). That
// copy is where a fused relu's mask is applied and the bias gradient summed, so a conv
// with relu needs no separate pass over dy.
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

}  // namespace

bool filter_gradient_reads_rows(const ConvGeometry& g) { return g.in_c < 8 && g.dilation_w == 1 && !winograd_tile(g); }

void conv2d_backprop_filter_rows(const float* x, const float* dy, const float* y, float* dfilter, float* dbias,
                                 const ConvGeometry& geometry) {
  if (geometry.out_pixels() == 0) {  // nothing to sum (and no output row to read along)
    std::fill(dfilter, dfilter + geometry.patch_size() * geometry.out_c, 0.0f);
    if (dbias) std::fill(dbias, dbias + geometry.out_c, 0.0f);
    return;
  }
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = kGradientPanelWidth;
  const GradientPanelsFn copy_panels = gradient_panels();
  ConvGeometry g = geometry;
  if (!rows_are_contiguous(g)) x = pad_horizontally(x, g);
  const int64_t run = g.filter_w * g.in_c, patch = g.patch_size(), out_c = g.out_c, pixels = g.out_pixels();
  const int64_t rows = (patch + MR - 1) / MR * MR, panels = (out_c + NR - 1) / NR, ldc = panels * NR;
  const int64_t a_step = g.stride_w * g.in_c, sum_size = rows * ldc;
  // The pixels split as a Sum over them does (reduce_row_parts), each share summed in
  // order and the shares added in order: the bias gradient has tf.sum(dz)'s bits, and the
  // filter gradient the same bits with the relu fused or not.
  const int parts = reduce_row_parts(1, pixels, out_c);
  const int64_t share = (pixels + parts - 1) / parts;
  // What rows past the patch and filter rows in the vertical padding read: one row's depth.
  const std::vector<float> zeros((g.out_w - 1) * a_step + 1, 0.0f);
  float* sums = scratch(ScratchSlot::kKernel, parts * sum_size);
  std::vector<double> bias_sums(dbias ? parts * out_c : 0, 0.0);
  parallel_for(parts, [&](int64_t part, int) {
    float* sum = sums + part * sum_size;
    std::fill(sum, sum + sum_size, 0.0f);
    double* bias = dbias ? bias_sums.data() + part * out_c : nullptr;
    float* panel = scratch(ScratchSlot::kPackB, panels * g.out_w * NR);
    std::vector<const float*> a(rows);
    for (int64_t p0 = part * share, end = std::min(pixels, (part + 1) * share); p0 < end;) {
      const int64_t len = std::min(end - p0, g.out_w - p0 % g.out_w);  // the rest of this output row
      copy_panels(dy + p0 * out_c, y ? y + p0 * out_c : nullptr, len, out_c, panel, bias);
      const PixelOrigin o = PixelOrigin::of(x, g, p0);
      for (int64_t e = 0; e < rows; ++e) {
        const int64_t ih = o.ih0 + e / run * g.dilation_h;
        const bool inside = e < patch && ih >= 0 && ih < g.in_h;
        a[e] = inside ? o.image + (ih * g.in_w + o.iw0) * g.in_c + e % run : zeros.data();
      }
      for (int64_t r0 = 0; r0 < rows; r0 += MR)
        for (int64_t q = 0; q < panels; ++q)
          cfg.strided(len, a.data() + r0, a_step, panel + q * len * NR, sum + r0 * ldc + q * NR, ldc, true);
      p0 += len;
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
