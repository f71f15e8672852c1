#include <algorithm>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

namespace {

constexpr int64_t kGrain = 1 << 15;  // elements below which one thread beats two

// One row of the output: the inner stride of each operand is 1 (walks) or 0 (repeats).
template <typename F>
void zip_row(const float* a, int64_t sa, const float* b, int64_t sb, float* y, int64_t n, F f) {
  if (sa && sb) {
    for (int64_t j = 0; j < n; ++j) y[j] = f(a[j], b[j]);
  } else if (sa) {
    const float vb = *b;
    for (int64_t j = 0; j < n; ++j) y[j] = f(a[j], vb);
  } else if (sb) {
    const float va = *a;
    for (int64_t j = 0; j < n; ++j) y[j] = f(va, b[j]);
  } else {
    std::fill(y, y + n, f(*a, *b));
  }
}

template <typename F>
void zip(const float* a, const float* b, float* y, const BroadcastShape& s, F f) {
  const int last = s.rank - 1;
  const int64_t cols = s.dims[last];
  int64_t rows = 1;
  for (int d = 0; d < last; ++d) rows *= s.dims[d];
  // Offsets of a row's first element in each operand, from its index over the outer axes.
  auto row_offsets = [&](int64_t row, int64_t& oa, int64_t& ob) {
    oa = ob = 0;
    for (int d = last - 1; d >= 0; --d) {
      const int64_t i = row % s.dims[d];
      row /= s.dims[d];
      oa += i * s.a_strides[d];
      ob += i * s.b_strides[d];
    }
  };
  if (rows == 1) {  // one long row: split its columns
    parallel_range(cols, kGrain, [&](int64_t begin, int64_t end) {
      zip_row(a + begin * s.a_strides[last], s.a_strides[last], b + begin * s.b_strides[last], s.b_strides[last],
              y + begin, end - begin, f);
    });
    return;
  }
  parallel_range(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t oa, ob;
      row_offsets(row, oa, ob);
      zip_row(a + oa, s.a_strides[last], b + ob, s.b_strides[last], y + row * cols, cols, f);
    }
  });
}

}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* y, const BroadcastShape& s) {
  switch (op) {
    case BinaryOp::kAdd: return zip(a, b, y, s, [](float u, float v) { return u + v; });
    case BinaryOp::kSub: return zip(a, b, y, s, [](float u, float v) { return u - v; });
    case BinaryOp::kMul: return zip(a, b, y, s, [](float u, float v) { return u * v; });
    case BinaryOp::kDiv: return zip(a, b, y, s, [](float u, float v) { return u / v; });
    case BinaryOp::kMax:
      return zip(a, b, y, s, [](float u, float v) { return (u != u || v != v) ? u + v : (u > v ? u : v); });
    case BinaryOp::kMin:
      return zip(a, b, y, s, [](float u, float v) { return (u != u || v != v) ? u + v : (u < v ? u : v); });
    case BinaryOp::kSquaredDifference:
      return zip(a, b, y, s, [](float u, float v) { return (u - v) * (u - v); });
    case BinaryOp::kReluGrad:
      return zip(a, b, y, s, [](float dy, float x) { return relu_grad(dy, x); });
  }
}

}  // namespace convkit
