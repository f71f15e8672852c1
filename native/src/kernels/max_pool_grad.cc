#include <algorithm>
#include <limits>
#include <vector>

#include "../runtime/thread_pool.h"
#include "float_vectors.h"
#include "kernels.h"
#include "channel_sums.h"
#include "pool_window.h"

// Each output's gradient goes to the first maximum of its window: the first element in
// row-major window order that is greater than everything before it, the one tfjs picks.
// Nothing is routed from a window whose maximum is not above `floor`: -inf (all its
// elements -inf or NaN) for max pooling's own gradient; 0 when x is a relu's output, which
// also applies that relu's gradient (an element at 0 gets none), so dx needs no mask after.
// Optionally the channel sums of dx come with it (a conv's bias gradient below the pool): the
// sums of the routed gradients, added per window row (or image) and those partial sums in
// order, so the result does not depend on how the threads split the rows.

namespace convkit {
namespace {

enum class Placement { kWrite, kAdd };

// A window's input elements in window order, as offsets (in floats) from its image's start;
// returns how many there are (at most filter_h * filter_w).
int64_t window_elements(const PoolWindow& w, const ConvGeometry& g, int64_t* offsets) {
  int64_t count = 0;
  for (int64_t ih = w.h0; ih < w.h1; ++ih)
    for (int64_t iw = w.w0; iw < w.w1; ++iw) offsets[count++] = (ih * g.in_w + iw) * g.in_c;
  return count;
}

// Routes the output gradient d[c, c + lanes of V) to the window's elements in grad: per
// channel, all of it to the first element equal to the maximum, 0 to the others. kWrite
// stores into every element of the window, kAdd adds (overlapping windows). Branch-free, the
// channels in the lanes of V, V = float for the last few. kCount > 0 fixes the element count
// at compile time: fully unrolled loops, twice as fast for the usual 2x2 and 3x3 windows.
template <Placement placement, int64_t kCount, typename V>
[[gnu::always_inline]] inline void route_channels(const float* __restrict image, const int64_t* __restrict offsets,
                                                  int64_t count, const float* __restrict d, float* __restrict grad,
                                                  int64_t c, float floor, float* __restrict routed_sum) {
  if constexpr (kCount > 0) count = kCount;
  const V zero = V{};
  V best = V{} - std::numeric_limits<float>::infinity();
  for (int64_t e = 0; e < count; ++e) {
    const V in = load<V>(image + offsets[e] + c);
    best = in > best ? in : best;
  }
  V pending = best > V{} + floor ? load<V>(d + c) : zero;
  if (routed_sum) store(routed_sum + c, load<V>(routed_sum + c) + pending);
  // The first element equal to the maximum takes the pending gradient, which then drops to 0.
  for (int64_t e = 0; e < count; ++e) {
    const int64_t at = offsets[e] + c;
    const auto first_maximum = load<V>(image + at) == best;
    const V routed = first_maximum ? pending : zero;
    pending = first_maximum ? zero : pending;
    if constexpr (placement == Placement::kWrite) store(grad + at, routed);
    else store(grad + at, load<V>(grad + at) + routed);
  }
}

template <Placement placement, int64_t kCount>
void route_all_channels(const float* image, const int64_t* offsets, int64_t count, const float* d, float* grad,
                        int64_t channels, float floor, float* routed_sum) {
  int64_t c = 0;
  for (; c + 4 <= channels; c += 4)
    route_channels<placement, kCount, Vec4>(image, offsets, count, d, grad, c, floor, routed_sum);
  for (; c < channels; ++c) route_channels<placement, kCount, float>(image, offsets, count, d, grad, c, floor, routed_sum);
}

// Routes one window's in_c output gradients `d`, adding what it routes to routed_sum (in_c
// floats, or null); `offsets` has room for a whole window.
template <Placement placement>
void route_window_gradient(const float* image, const float* d, float* grad, const PoolWindow& w, const ConvGeometry& g,
                           int64_t* offsets, float floor, float* routed_sum) {
  const int64_t count = window_elements(w, g, offsets);
  if (count == 4) route_all_channels<placement, 4>(image, offsets, count, d, grad, g.in_c, floor, routed_sum);
  else if (count == 9) route_all_channels<placement, 9>(image, offsets, count, d, grad, g.in_c, floor, routed_sum);
  else route_all_channels<placement, 0>(image, offsets, count, d, grad, g.in_c, floor, routed_sum);
}

// Windows that cannot overlap (stride >= window on both axes: 2x2 pools of stride 2, a global
// pool) give each input element to at most one window, so dx is written exactly once, without
// zero-filling it first: window elements get their routed gradient, the rows and columns no
// window covers get 0. Output rows are independent then: a thread takes whole rows, each
// owning the input rows from its window's top to the next window's top (the first also those
// above, the last those below).
void max_pool_grad_disjoint(const float* dy, const float* x, float* dx, const ConvGeometry& g, float floor,
                            float* band_sums) {
  const int64_t C = g.in_c, row_size = g.in_w * C, image_size = g.in_h * row_size;
  auto window_top = [&](int64_t oh) { return std::clamp<int64_t>(oh * g.stride_h - g.pad_top, 0, g.in_h); };
  parallel_range(g.batch * g.out_h, 4, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> offsets(g.filter_h * g.filter_w);
    for (int64_t band = begin; band < end; ++band) {
      const int64_t n = band / g.out_h, oh = band % g.out_h;
      const float* image = x + n * image_size;
      float* grad = dx + n * image_size;
      const int64_t first_row = oh == 0 ? 0 : window_top(oh), last_row = oh + 1 == g.out_h ? g.in_h : window_top(oh + 1);
      // The window rows, clamped into the band in case a window lies wholly in the padding.
      const PoolWindow rows = PoolWindow::at(g, oh, 0);
      const int64_t h0 = std::clamp(rows.h0, first_row, last_row), h1 = std::clamp(rows.h1, h0, last_row);
      std::fill(grad + first_row * row_size, grad + h0 * row_size, 0.0f);
      std::fill(grad + h1 * row_size, grad + last_row * row_size, 0.0f);
      auto zero_columns = [&](int64_t from, int64_t to) {
        for (int64_t ih = h0; ih < h1; ++ih) std::fill(grad + ih * row_size + from * C, grad + ih * row_size + to * C, 0.0f);
      };
      int64_t done_columns = 0;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        PoolWindow w = PoolWindow::at(g, oh, ow);
        w.h0 = h0, w.h1 = h1;
        w.w0 = std::clamp(w.w0, done_columns, g.in_w), w.w1 = std::clamp(w.w1, w.w0, g.in_w);
        zero_columns(done_columns, w.w0);
        route_window_gradient<Placement::kWrite>(image, dy + (band * g.out_w + ow) * C, grad, w, g, offsets.data(), floor,
                                                 band_sums ? band_sums + band * C : nullptr);
        done_columns = w.w1;
      }
      zero_columns(done_columns, g.in_w);
    }
  });
}

// Overlapping windows: an input element may collect gradient from several windows, so each
// image's dx is zeroed and the windows add into it, one thread per image.
void max_pool_grad_overlapping(const float* dy, const float* x, float* dx, const ConvGeometry& g, float floor,
                               float* image_sums) {
  const int64_t C = g.in_c, image_size = g.in_h * g.in_w * C;
  parallel_for(g.batch, [&](int64_t n, int) {
    std::vector<int64_t> offsets(g.filter_h * g.filter_w);
    float* grad = dx + n * image_size;
    std::fill(grad, grad + image_size, 0.0f);
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        route_window_gradient<Placement::kAdd>(x + n * image_size, dy + ((n * g.out_h + oh) * g.out_w + ow) * C, grad,
                                               PoolWindow::at(g, oh, ow), g, offsets.data(), floor,
                                               image_sums ? image_sums + n * C : nullptr);
  });
}

}  // namespace

void max_pool_grad(const float* dy, const float* x, float* dx, const ConvGeometry& g, float floor,
                   float* channel_sums) {
  const bool disjoint = g.stride_h >= g.filter_h && g.stride_w >= g.filter_w;
  const int64_t parts = channel_sums ? (disjoint ? g.batch * g.out_h : g.batch) : 0;
  std::vector<float> partial_sums(parts * g.in_c, 0.0f);
  float* partials = channel_sums ? partial_sums.data() : nullptr;
  if (disjoint) max_pool_grad_disjoint(dy, x, dx, g, floor, partials);
  else max_pool_grad_overlapping(dy, x, dx, g, floor, partials);
  if (channel_sums) sum_parts_in_order(partials, parts, g.in_c, channel_sums);
}

}  // namespace convkit
