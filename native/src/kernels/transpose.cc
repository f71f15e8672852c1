#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

// Output-major walk: each output element reads its input through the permuted strides.
void transpose(const float* x, float* y, const int64_t* shape, const int64_t* perm, int rank) {
  int64_t in_strides[6], out_shape[6], size = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_strides[d] = size;
    size *= shape[d];
  }
  int64_t strides[6];  // input stride of each output axis
  for (int d = 0; d < rank; ++d) {
    out_shape[d] = shape[perm[d]];
    strides[d] = in_strides[perm[d]];
  }
  const int64_t last = out_shape[rank - 1], rows = size / last;
  parallel_range(rows, 64, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t offset = 0, rest = row;
      for (int d = rank - 2; d >= 0; --d) {
        offset += (rest % out_shape[d]) * strides[d];
        rest /= out_shape[d];
      }
      float* out = y + row * last;
      const int64_t step = strides[rank - 1];
      for (int64_t j = 0; j < last; ++j) out[j] = x[offset + j * step];
    }
  });
}

}  // namespace convkit
