// What happens to a block of C on its way out of a GEMM or a micro-kernel: + bias on each
// column, then an activation, while the block is still in cache (or in registers).
#pragma once
#include <cstdint>

namespace convkit {

enum class Activation : int { kLinear = 0, kRelu = 1 };

struct Epilogue {
  const float* bias = nullptr;  // one value per column of C, or null
  Activation activation = Activation::kLinear;
  // The same for the columns from col0 on.
  Epilogue shifted(int64_t col0) const { return {bias ? bias + col0 : nullptr, activation}; }
};

// The epilogue alone, on rows x cols of C starting at column col0 (for bias indexing).
// relu keeps NaN, as tfjs's does.
void apply_epilogue(float* c, int64_t ldc, int64_t rows, int64_t cols, int64_t col0, const Epilogue& epilogue);

}  // namespace convkit
