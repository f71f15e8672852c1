// MaxPoolGrad for 2x2 windows of stride 2 whose maxima were recorded when the pool was taken
// (conv2d_and_max_pool): the gradient goes where the record says, without reading the pooled
// input again. Same routing, same zeros and the same channel sums (per window row, then the
// rows' sums in double in order) as max_pool_grad, so the same bits.
#include <cstring>
#include <vector>

#include "../runtime/thread_pool.h"
#include "float_vectors.h"
#include "kernels.h"
#include "channel_sums.h"
#include "pool_window.h"

namespace convkit {

namespace {

using Int4 = int32_t __attribute__((vector_size(16)));
using Bytes4 = uint8_t __attribute__((vector_size(4)));

// One window's output gradients d[c, c + 4) to its four elements (top row, then bottom),
// each lane to the element `first` names, if its maximum `best` is above floor.
[[gnu::always_inline]] inline Vec4 route_lanes(const float* d, const float* best, const uint8_t* first, float floor,
                                               float* top, float* bottom, int64_t C) {
  Bytes4 bytes;
  std::memcpy(&bytes, first, sizeof bytes);
  const Int4 index = __builtin_convertvector(bytes, Int4);
  const Vec4 zero{};
  const Vec4 routed = (index < 4) & (load<Vec4>(best) > floor) ? load<Vec4>(d) : zero;
  store(top, index == 0 ? routed : zero);
  store(top + C, index == 1 ? routed : zero);
  store(bottom, index == 2 ? routed : zero);
  store(bottom + C, index == 3 ? routed : zero);
  return routed;
}

[[gnu::always_inline]] inline float route_lane(float d, float best, uint8_t first, float floor, float* top,
                                               float* bottom, int64_t C) {
  const float routed = first < 4 && best > floor ? d : 0.0f;
  top[0] = first == 0 ? routed : 0.0f, top[C] = first == 1 ? routed : 0.0f;
  bottom[0] = first == 2 ? routed : 0.0f, bottom[C] = first == 3 ? routed : 0.0f;
  return routed;
}

}  // namespace

void max_pool_grad_argmax(const float* dy, const float* pooled, const uint8_t* argmax, float* dx,
                          const ConvGeometry& g, float floor, float* channel_sums) {
  const int64_t C = g.in_c, bands = g.batch * g.out_h;
  std::vector<float> band_sums(channel_sums ? bands * C : 0, 0.0f);
  parallel_range(bands, 4, [&](int64_t begin, int64_t end) {
    for (int64_t band = begin; band < end; ++band) {
      const int64_t n = band / g.out_h, oh = band % g.out_h;
      float* sums = channel_sums ? band_sums.data() + band * C : nullptr;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const int64_t at = (band * g.out_w + ow) * C;
        float* top = dx + ((n * g.in_h + 2 * oh) * g.in_w + 2 * ow) * C;
        float* bottom = top + g.in_w * C;
        int64_t c = 0;
        for (; c + 4 <= C; c += 4) {
          const Vec4 routed = route_lanes(dy + at + c, pooled + at + c, argmax + at + c, floor, top + c, bottom + c, C);
          if (sums) store(sums + c, load<Vec4>(sums + c) + routed);
        }
        for (; c < C; ++c) {
          const float routed = route_lane(dy[at + c], pooled[at + c], argmax[at + c], floor, top + c, bottom + c, C);
          if (sums) sums[c] += routed;
        }
      }
    }
  });
  if (channel_sums) sum_parts_in_order(band_sums.data(), bands, C, channel_sums);
}

}  // namespace convkit
