// The one GEMM every convolution and matrix product in convkit goes through.
#pragma once
#include <cstdint>

#include "operand.h"

namespace convkit {

enum class Activation : int { kLinear = 0, kRelu = 1 };

// Applied to each finished block of C while it is still in cache.
struct Epilogue {
  const float* bias = nullptr;  // one value per column of C, or null
  Activation activation = Activation::kLinear;
};

// C[m x n] (row stride ldc) = A[m x k] · B[k x n] (+ C when accumulate), then the epilogue.
// `b_t` is B seen transposed (its rows are B's columns), so both operands pack rows.
// gemm() spreads the work over the thread pool; gemm_serial() stays on the calling thread.
void gemm(int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b_t, float* c, int64_t ldc,
          bool accumulate, const Epilogue& epilogue = {});
void gemm_serial(int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b_t, float* c, int64_t ldc,
                 bool accumulate, const Epilogue& epilogue = {});

// The epilogue alone, on rows x cols of C starting at column col0 (for bias indexing).
void apply_epilogue(float* c, int64_t ldc, int64_t rows, int64_t cols, int64_t col0, const Epilogue& epilogue);

}  // namespace convkit
