// The Winograd forward convolution, either variant. Tasks are chunks of tiles; per chunk,
// every tile's input window is transformed into V (per tile, its elements of in_c floats),
// then for each element M = V · U runs on the indirect micro-kernel (V's
// rows read in place, U packed once per call and shared by all threads), and the output
// transform writes y while M is in cache.
#include <algorithm>
#include <vector>

#include "../gemm/config.h"
#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "channel_sums.h"
#include "winograd.h"
#include "winograd_transforms.h"

namespace convkit {

namespace {

// Row groups (of the micro-kernel's MR tiles) per task. Small chunks measured fastest
// (F(2x2): 12 to 96 tiles within 5%): V and M stay in L2, and U's panels come from L2/L3
// fast enough. F(5x5) has 49 blocks instead of 16, so fewer tiles keep V and M in L2. With
// the 6x32 tile F(4x4) gained from 4 groups over 2: each of U's panels, loaded into L1, then
// serves 4 row groups (batch 128, AVX-512, same process alternating: 32x32x32->32 'same'
// forward and input gradient 3.7-3.9 -> 3.4 ms, 30x30x32->32 'valid' forward 3.15 -> 2.9;
// 64 and 128 channels, and F(5x5), level).
int64_t groups_per_chunk(const WinogradVariant& variant) { return variant.tile == 2 || variant.tile == 4 ? 4 : 2; }

// U = G g Gᵀ for every pair of channels, packed per element as the micro-kernel's B: block
// e holds panel p's row ci at (p * in_c + ci) * nr, out channel p * nr + r at + r (zero
// past out_c).
void transform_filter(const float* filter, const ConvGeometry& g, const WinogradVariant& variant, int nr,
                      int64_t stride, float* u) {
  const int64_t in_c = g.in_c, out_c = g.out_c, panels = (out_c + nr - 1) / nr;
  const int element_count = variant.elements();
  std::fill(u, u + element_count * stride, 0.0f);
  parallel_range(in_c, 8, [&](int64_t c0, int64_t c1) {
    const float* taps[9];
    float* elements[kMaxWinogradElements];
    for (int64_t ci = c0; ci < c1; ++ci)
      for (int64_t p = 0; p < panels; ++p) {
        for (int k = 0; k < 9; ++k) taps[k] = filter + (k * in_c + ci) * out_c + p * nr;
        for (int e = 0; e < element_count; ++e) elements[e] = u + e * stride + (p * in_c + ci) * nr;
        variant.filter(taps, elements, std::min<int64_t>(nr, out_c - p * nr));
      }
  });
}

}  // namespace

void winograd_conv(const float* x, const float* filter, float* y, const ConvGeometry& g, const Epilogue& ep,
                   int tile, float* pooled, uint8_t* argmax, const ReluGradient* relu_gradient) {
  const GemmConfig& cfg = gemm_config();
  const WinogradVariant& variant = winograd_variant(tile);
  const int element_count = variant.elements();
  const int MR = cfg.mr, NR = cfg.nr;
  const int64_t in_c = g.in_c, out_c = g.out_c, panels = (out_c + NR - 1) / NR, ldm = panels * NR;
  const int64_t u_stride = element_stride(panels * in_c * NR);
  float* u = scratch(ScratchSlot::kKernel, element_count * u_stride);
  transform_filter(filter, g, variant, NR, u_stride, u);

  const WinogradTiles tiles(g, tile);
  const int64_t count = tiles.count(), tiles_per_task = groups_per_chunk(variant) * MR;
  const int64_t chunk = pooled ? tiles.pooling_chunk(tiles_per_task) : tiles_per_task;
  // V and M are kept tile by tile (a tile's elements, in_c or ldm floats each, one after
  // another): the transforms then write and read one run of memory per tile instead of 36
  // blocks far apart (measured 0-5% faster on 32 channels, the same on 64-256), and the
  // micro-kernel reads its rows of V and writes its rows of M a record apart.
  const int64_t v_record = element_count * in_c, m_record = element_count * ldm;
  const std::vector<float> zeros(in_c, 0.0f);
  // Without y, the outputs only pass through `held` on their way to the pool: a tile (even
  // tiles) or the chunk's images (odd ones), never written to memory far away.
  const bool unwritten = pooled && !y;
  const int64_t image_size = g.out_h * g.out_w * out_c;
  const int64_t held_size = tile % 2 == 0 ? tile * tile * out_c : chunk / tiles.per_image() * image_size;
  const int64_t tasks = (count + chunk - 1) / chunk;
  // Each task's channel sums of a relu gradient, added up in task order at the end.
  std::vector<float> task_sums(relu_gradient ? tasks * out_c : 0, 0.0f);
  parallel_for(tasks, [&](int64_t task, int) {
    const int64_t first = task * chunk, live = std::min(chunk, count - first);
    const int64_t rows = (live + MR - 1) / MR * MR;  // whole row groups: the kernel sees no edge
    // Room for whole row groups: a chunk grown to whole images need not be a multiple of MR.
    const int64_t capacity = (chunk + MR - 1) / MR * MR;
    float* v = scratch(ScratchSlot::kPackA, capacity * v_record);
    float* m = scratch(ScratchSlot::kPackB, capacity * m_record);
    const float* window[kMaxWinogradElements];
    for (int64_t t = 0; t < live; ++t) {
      if (first + t + kTilesAhead < count) tiles.prefetch_input_window(x, first + t + kTilesAhead);
      const TileIn d = tiles.input_window(x, zeros.data(), first + t, window);
      variant.input(d, TileOut::blocks(v + t * v_record, in_c, variant.window()), in_c);
    }
    std::fill(v + live * v_record, v + rows * v_record, 0.0f);

    for (int e = 0; e < element_count; ++e) {
      for (int64_t p = 0; p < panels; p += 2) {  // two panels at a time while two remain
        const bool wide = p + 1 < panels;
        const float* u_panel = u + e * u_stride + p * in_c * NR;  // stays in L1 across the row groups
        for (int64_t r0 = 0; r0 < rows; r0 += MR) {
          const float* a[8];  // MR <= 8
          for (int r = 0; r < MR; ++r) a[r] = v + (r0 + r) * v_record + e * in_c;
          float* products = m + r0 * m_record + e * ldm + p * NR;
          if (wide) cfg.wide_igemm(1, in_c, a, u_panel, in_c * NR, products, m_record, false, {});
          else cfg.igemm(1, in_c, a, u_panel, products, m_record, false, {});
        }
      }
    }

    float* outputs[kMaxWinogradElements];
    float* held = unwritten ? scratch(ScratchSlot::kHeld, held_size) : nullptr;
    const int64_t first_image = unwritten && tile % 2 ? first / tiles.per_image() : 0;
    const bool held_tile = unwritten && tile % 2 == 0;  // the pool covers the output exactly: whole tiles
    float* destination = unwritten ? held : y;
    for (int64_t t = 0; t < live; ++t) {
      const TileOut out = held_tile ? TileOut::grid(held, tile * out_c, out_c)
                                    : tiles.output_tile<float>(destination, nullptr, first + t, outputs, first_image);
      const TileIn products = TileIn::blocks(m + t * m_record, ldm, variant.window());
      if (relu_gradient) {
        // The next tile's mask, read in tile order, reaches the cache too late unless asked for.
        if (first + t + 1 < count) tiles.prefetch_output_tile(relu_gradient->rectified, first + t + 1);
        variant.output_relu_gradient(products, out, out_c, y, relu_gradient->rectified,
                                     task_sums.data() + task * out_c);
      } else {
        variant.output(products, out, out_c, ep);
      }
      if (held_tile) tiles.max_pool_tile(held, tile * out_c, pooled, argmax, first + t);
      else if (pooled && tile % 2 == 0) tiles.max_pool_tiles(y, pooled, argmax, first + t, 1);  // still in L1
    }
    if (pooled && tile % 2) tiles.max_pool_tiles(destination, pooled, argmax, first, live, first_image);
  });
  if (relu_gradient) sum_parts_in_order(task_sums.data(), tasks, out_c, relu_gradient->channel_sums);
}

}  // namespace convkit
