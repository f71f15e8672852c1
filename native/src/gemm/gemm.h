// The one GEMM every convolution and matrix product in convkit goes through.
#pragma once
#include <cstdint>

#include "epilogue.h"
#include "operand.h"

namespace convkit {

// C[m x n] (row stride ldc) = A[m x k] · B[k x n] (+ C when accumulate), then the epilogue.
// `b_t` is B seen transposed (its rows are B's columns), so both operands pack rows.
// gemm() spreads the work over the thread pool; gemm_serial() stays on the calling thread.
void gemm(int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b_t, float* c, int64_t ldc,
          bool accumulate, const Epilogue& epilogue = {});
void gemm_serial(int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b_t, float* c, int64_t ldc,
                 bool accumulate, const Epilogue& epilogue = {});

}  // namespace convkit
