// The Winograd filter gradient, either variant: dg = Gᵀ [Σ over tiles (A dY Aᵀ) ⊙ (Bᵀ d B)] G
// (see winograd_transforms.h). The tiles split into parts; each part transforms a chunk of them
// at a time, input windows into V (one block of tiles x in_c per element, as the forward
// does) and output gradients into W (blocks packed as the micro-kernel's B), then adds the
// products Vᵀ · W (depth: the chunk's tiles) into its own sum M (blocks of in_c x out_c).
// The sums are added up at the end and mapped to the 3x3 filter gradient.
#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../gemm/operand.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "winograd.h"
#include "winograd_transforms.h"

namespace convkit {

namespace {

// Tiles per chunk: the depth of the products. W's panels (chunk x NR) stay in L1, and a
// chunk's V and W (36 blocks each with F(4x4)) should stay in the 1 MiB L2, or the products
// read them back from L3; but each chunk also adds into the sums M (in_c x out_c per
// element), which deeper chunks pass over less often. Up to 64 x 64 channels 32 tiles
// measured fastest (6x32 micro-kernel, batch 128, median of 30, the two settings run
// alternately: 32x32x32 'same' 4.2-4.4 -> 3.9-4.0 ms, 16x16x32->64 2.2 -> 2.0, 16x16x64
// 3.7 -> 3.4, 30x30x32 'valid' 3.7 -> 3.5; 16 no better), beyond it 64 (8x8x64->128 and
// 8x8x128: 32 and 128 3-15% slower). With the 6x16 kernel 64 beat 128 by 0-32%.
int64_t chunk_tiles(int64_t in_c, int64_t ldm) { return in_c * ldm <= 64 * 64 ? 32 : 64; }

// The tiles split into a fixed number of parts, each summed on its own and the sums added in
// order, so the bits do not depend on which thread takes which part. Up to four parts per
// thread, taken as threads come free: with one part each, the threads of a training step
// (basic model) sat idle for 14-24% of this kernel's time waiting for the slower one, with
// four 8-11%. A part covers at least 384 tiles, so adding up the parts' sums (in_c x out_c
// per element each) stays a few percent of the products.
constexpr int64_t kMaxPartsPerThread = 4, kMinTilesPerPart = 384;

struct Layout {
  const WinogradVariant& variant;
  int64_t in_c, out_c, panels, ldm, rows;  // rows: in_c rounded up to the micro-kernel's MR
  int64_t chunk;
  int64_t sum_stride() const { return element_stride(rows * ldm); }
  int64_t v_stride() const { return element_stride(chunk * in_c); }
  int64_t w_stride() const { return element_stride(chunk * ldm); }
  // Whether the micro-kernel reads Vᵀ in place (in_c floats apart, rows past in_c repeating
  // the last channel, whose sums are never read): while a block of V fits in the 32 KiB L1.
  // Else it is packed: each row group would stream the whole block from L2 for 6 of its
  // channels (7x7x256 measured 16% slower in place).
  bool v_in_place() const { return in_c * chunk * static_cast<int64_t>(sizeof(float)) <= 32 * 1024; }
};

// One thread's share: tiles [begin, end) added into `sum`.
void accumulate(const float* x, const float* dy, const WinogradTiles& tiles, const Layout& l, int64_t begin,
                int64_t end, float* sum) {
  const GemmConfig& cfg = gemm_config();
  const WinogradVariant& variant = l.variant;
  const int element_count = variant.elements(), outputs_per_tile = variant.outputs();
  const int MR = cfg.mr, NR = cfg.nr;
  const std::vector<float> zeros(std::max(l.in_c, l.ldm), 0.0f);  // a window or gradient past the edges
  const int64_t v_stride = l.v_stride(), w_stride = l.w_stride(), sum_stride = l.sum_stride();
  float* v = scratch(ScratchSlot::kPackB, element_count * (v_stride + w_stride));
  float* w = v + element_count * v_stride;
  float* packed_v = scratch(ScratchSlot::kPackA, l.rows * l.chunk);
  const int side = variant.window();
  const bool in_place = l.v_in_place();
  const float* window[kMaxWinogradElements];
  const float* gradients[kMaxWinogradElements];
  const float* panel_gradients[kMaxWinogradElements];
  for (int64_t first = begin; first < end; first += l.chunk) {
    const int64_t live = std::min(l.chunk, end - first);
    // Block e of w holds panel p's row t at (p * live + t) * NR, out channel p * NR + r at + r.
    if (l.out_c % NR)
      for (int e = 0; e < element_count; ++e) {
        float* last_panel = w + e * w_stride + (l.panels - 1) * live * NR;
        std::fill(last_panel, last_panel + live * NR, 0.0f);
      }
    for (int64_t t = 0; t < live; ++t) {
      if (first + t + kTilesAhead < end) {
        tiles.prefetch_input_window(x, first + t + kTilesAhead);
        tiles.prefetch_output_tile(dy, first + t + kTilesAhead);
      }
      const TileIn d = tiles.input_window(x, zeros.data(), first + t, window);
      variant.input(d, TileOut::blocks(v + t * l.in_c, v_stride, side), l.in_c);
      const TileIn tile_dy = tiles.output_tile<const float>(dy, zeros.data(), first + t, gradients);
      for (int64_t p = 0; p < l.panels; ++p) {
        const TileIn panel = tile_dy.shifted(p * NR, outputs_per_tile, panel_gradients);
        variant.gradient(panel, TileOut::blocks(w + (p * live + t) * NR, w_stride, side),
                         std::min<int64_t>(NR, l.out_c - p * NR));
      }
    }
    for (int e = 0; e < element_count; ++e) {
      // Vᵀ is the micro-kernel's A: MR input channels per row group, the tiles as depth.
      const float* v_block = v + e * v_stride;
      if (!in_place) DenseOperand(v_block, 1, l.in_c).pack(0, l.in_c, 0, live, MR, packed_v);
      for (int64_t p = 0; p < l.panels; p += 2) {  // two panels at a time while two remain
        const bool wide = p + 1 < l.panels, add = first > begin;
        const float* w_panel = w + e * w_stride + p * live * NR;  // stays in L1 across the row groups
        float* sum_panel = sum + e * sum_stride + p * NR;
        for (int64_t r0 = 0; r0 < l.rows; r0 += MR) {
          float* tile = sum_panel + r0 * l.ldm;
          if (!in_place) {
            const float* a = packed_v + r0 * live;
            if (wide) cfg.wide_ukernel(live, a, w_panel, live * NR, tile, l.ldm, add);
            else cfg.ukernel(live, a, w_panel, tile, l.ldm, add);
            continue;
          }
          const float* a[8];  // MR <= 8
          for (int r = 0; r < MR; ++r) a[r] = v_block + std::min<int64_t>(r0 + r, l.in_c - 1);
          if (wide) cfg.wide_strided(live, a, l.in_c, w_panel, live * NR, tile, l.ldm, add);
          else cfg.strided(live, a, l.in_c, w_panel, tile, l.ldm, add);
        }
      }
    }
  }
}

}  // namespace

void winograd_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g, int tile) {
  const GemmConfig& cfg = gemm_config();
  const WinogradVariant& variant = winograd_variant(tile);
  const int element_count = variant.elements();
  const int64_t panels = (g.out_c + cfg.nr - 1) / cfg.nr;
  const Layout l{variant, g.in_c, g.out_c, panels, panels * cfg.nr, (g.in_c + cfg.mr - 1) / cfg.mr * cfg.mr,
                 chunk_tiles(g.in_c, panels * cfg.nr)};
  const WinogradTiles tiles(g, tile);
  const int64_t count = tiles.count(), sum_size = element_count * l.sum_stride();
  const int64_t per_thread = std::clamp<int64_t>(count / (kMinTilesPerPart * threads()), 1, kMaxPartsPerThread);
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads() * per_thread, count / l.chunk));
  const int64_t share = (count + parts - 1) / parts;
  float* sums = scratch(ScratchSlot::kKernel, parts * sum_size);
  parallel_for(parts, [&](int64_t part, int) {
    const int64_t begin = part * share, end = std::min(count, begin + share);
    float* sum = sums + part * sum_size;
    if (begin < end) return accumulate(x, dy, tiles, l, begin, end, sum);
    std::fill(sum, sum + sum_size, 0.0f);
  });

  parallel_range(g.in_c, 8, [&](int64_t c0, int64_t c1) {
    const float* products[kMaxWinogradElements];
    float* taps[9];
    for (int64_t ci = c0; ci < c1; ++ci) {
      for (int e = 0; e < element_count; ++e) {
        float* total = sums + e * l.sum_stride() + ci * l.ldm;
        for (int64_t part = 1; part < parts; ++part) {
          const float* partial = total + part * sum_size;
          for (int64_t co = 0; co < g.out_c; ++co) total[co] += partial[co];
        }
        products[e] = total;
      }
      for (int k = 0; k < 9; ++k) taps[k] = dfilter + (k * g.in_c + ci) * g.out_c;
      variant.filter_gradient(products, taps, g.out_c);
    }
  });
}

}  // namespace convkit
