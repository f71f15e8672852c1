#include <algorithm>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

// Each row of y (a run along the last axis) is copied from the row of x whose index along
// every other axis d is maps[d][y's index along d], starting at x's column first_column.
void gather_rows(const float* x, float* y, const int64_t* x_shape, const int64_t* y_shape, const int32_t* const* maps,
                 int64_t first_column, int rank) {
  int64_t x_strides[6], rows = 1;
  x_strides[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) x_strides[d] = x_strides[d + 1] * x_shape[d + 1];
  for (int d = 0; d < rank - 1; ++d) rows *= y_shape[d];
  const int64_t run = y_shape[rank - 1];
  parallel_range(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(run, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      int64_t offset = first_column, rest = row;
      for (int d = rank - 2; d >= 0; --d) {
        offset += maps[d][rest % y_shape[d]] * x_strides[d];
        rest /= y_shape[d];
      }
      std::copy(x + offset, x + offset + run, y + row * run);
    }
  });
}

}  // namespace convkit
