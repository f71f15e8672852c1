#include "kernels.h"

namespace convkit {

// y[b] = op(a[b]) · op(b[b]) for each batch entry; a batch of 1 broadcasts.
void matmul(const float* a, const float* b, const float* bias, float* y, const MatMulShape& s, Activation act) {
  const int64_t batch = s.batch_a > s.batch_b ? s.batch_a : s.batch_b;
  const Epilogue epilogue{bias, act};
  for (int64_t i = 0; i < batch; ++i) {
    const float* a_i = a + (s.batch_a == 1 ? 0 : i) * s.m * s.k;
    const float* b_i = b + (s.batch_b == 1 ? 0 : i) * s.k * s.n;
    // A is m x k; stored k x m when transposed.
    const DenseOperand lhs = s.transpose_a ? DenseOperand(a_i, 1, s.m) : DenseOperand(a_i, s.k, 1);
    // The GEMM wants Bᵀ (n x k); B is stored k x n, or n x k when transposed.
    const DenseOperand rhs_t = s.transpose_b ? DenseOperand(b_i, s.k, 1) : DenseOperand(b_i, 1, s.n);
    gemm(s.m, s.n, s.k, lhs, rhs_t, y + i * s.m * s.n, s.n, false, epilogue);
  }
}

}  // namespace convkit
