#include <cmath>

#include "../runtime/thread_pool.h"
#include "kernels.h"

namespace convkit {

namespace {

constexpr int64_t kGrain = 1 << 15;  // below this, one thread is faster than two

template <typename F>
void map(const float* x, float* y, int64_t size, F f) {
  parallel_range(size, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = f(x[i]);
  });
}

}  // namespace

void unary(UnaryOp op, const float* x, float* y, int64_t size, float alpha) {
  switch (op) {
    case UnaryOp::kRelu: return map(x, y, size, [](float v) { return v > 0.0f ? v : (v == v ? 0.0f : v); });
    case UnaryOp::kStep: return map(x, y, size, [alpha](float v) { return v > 0.0f ? 1.0f : (v == v ? alpha : v); });
    case UnaryOp::kExp: return map(x, y, size, [](float v) { return std::exp(v); });
    case UnaryOp::kLog: return map(x, y, size, [](float v) { return std::log(v); });
    case UnaryOp::kSqrt: return map(x, y, size, [](float v) { return std::sqrt(v); });
    case UnaryOp::kRsqrt: return map(x, y, size, [](float v) { return 1.0f / std::sqrt(v); });
    case UnaryOp::kSquare: return map(x, y, size, [](float v) { return v * v; });
    case UnaryOp::kNeg: return map(x, y, size, [](float v) { return -v; });
    case UnaryOp::kAbs: return map(x, y, size, [](float v) { return std::fabs(v); });
    case UnaryOp::kSigmoid: return map(x, y, size, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    case UnaryOp::kTanh: return map(x, y, size, [](float v) { return std::tanh(v); });
    case UnaryOp::kReciprocal: return map(x, y, size, [](float v) { return 1.0f / v; });
  }
}

}  // namespace convkit
