#include <algorithm>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

// Copies the box [begin, begin + size) out of x, one contiguous run of the last axis at a time.
void slice(const float* x, float* y, const int64_t* shape, const int64_t* begin, const int64_t* size, int rank) {
  int64_t strides[6], rows = 1;
  strides[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) strides[d] = strides[d + 1] * shape[d + 1];
  for (int d = 0; d < rank - 1; ++d) rows *= size[d];
  const int64_t run = size[rank - 1];
  parallel_range(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(run, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      int64_t offset = begin[rank - 1], rest = row;
      for (int d = rank - 2; d >= 0; --d) {
        offset += (begin[d] + rest % size[d]) * strides[d];
        rest /= size[d];
      }
      std::copy(x + offset, x + offset + run, y + row * run);
    }
  });
}

}  // namespace convkit
