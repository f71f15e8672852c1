#include <algorithm>
#include <limits>
#include <vector>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

namespace {

// Folds rows [r0, r1) of one [reduce x inner] slab into acc (inner values). Sums use
// double accumulators: tfjs sums in JS doubles, and long float sums drift.
template <typename Acc, typename F>
void fold_rows(const float* slab, int64_t inner, int64_t r0, int64_t r1, Acc* acc, F f) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* row = slab + r * inner;
    for (int64_t i = 0; i < inner; ++i) acc[i] = f(acc[i], static_cast<Acc>(row[i]));
  }
}

template <typename Acc, typename F>
void reduce_with(const float* x, float* y, int64_t outer, int64_t reduce, int64_t inner, Acc init, F f,
                 double scale) {
  const int parts = reduce_row_parts(outer, reduce, inner);
  auto finish = [&](const Acc* acc, float* out) {
    for (int64_t i = 0; i < inner; ++i) out[i] = static_cast<float>(acc[i] * scale);
  };
  if (parts == 1) {
    parallel_range(outer, 1, [&](int64_t begin, int64_t end) {
      std::vector<Acc> acc(inner);
      for (int64_t o = begin; o < end; ++o) {
        std::fill(acc.begin(), acc.end(), init);
        if (inner == 1) {
          Acc a = init;
          const float* slab = x + o * reduce;
          for (int64_t r = 0; r < reduce; ++r) a = f(a, static_cast<Acc>(slab[r]));
          acc[0] = a;
        } else {
          fold_rows(x + o * reduce * inner, inner, 0, reduce, acc.data(), f);
        }
        finish(acc.data(), y + o * inner);
      }
    });
    return;
  }
  std::vector<Acc> partial(static_cast<size_t>(parts) * inner);
  for (int64_t o = 0; o < outer; ++o) {
    const float* slab = x + o * reduce * inner;
    const int64_t share = (reduce + parts - 1) / parts;
    parallel_for(parts, [&](int64_t p, int) {
      Acc* acc = partial.data() + p * inner;
      std::fill(acc, acc + inner, init);
      fold_rows(slab, inner, p * share, std::min(reduce, (p + 1) * share), acc, f);
    });
    for (int p = 1; p < parts; ++p)
      for (int64_t i = 0; i < inner; ++i) partial[i] = f(partial[i], partial[p * inner + i]);
    finish(partial.data(), y + o * inner);
  }
}

}  // namespace

int reduce_row_parts(int64_t outer, int64_t reduce, int64_t inner) {
  // Many slabs: one thread per slab. Few but long ones (a bias gradient over N*H*W rows): split the rows.
  return outer >= threads() || reduce * inner < (1 << 15) ? 1 : threads();
}

void reduce(ReduceOp op, const float* x, float* y, int64_t outer, int64_t reduce, int64_t inner) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  switch (op) {
    case ReduceOp::kSum:
      return reduce_with<double>(x, y, outer, reduce, inner, 0.0, [](double a, double v) { return a + v; }, 1.0);
    case ReduceOp::kMean:
      return reduce_with<double>(x, y, outer, reduce, inner, 0.0, [](double a, double v) { return a + v; },
                                 1.0 / static_cast<double>(reduce));
    case ReduceOp::kMax:
      return reduce_with<float>(x, y, outer, reduce, inner, -inf,
                                [](float a, float v) { return (v > a || v != v) ? v : a; }, 1.0);
    case ReduceOp::kMin:
      return reduce_with<float>(x, y, outer, reduce, inner, inf,
                                [](float a, float v) { return (v < a || v != v) ? v : a; }, 1.0);
  }
}

}  // namespace convkit
