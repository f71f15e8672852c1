// Keras's categorical cross-entropy of probabilities (tfjs-layers' categoricalCrossentropy)
// and its gradient by the probabilities, each one pass over the rows instead of tfjs's chain
// of nine kernels forward and about twenty-five back. The same steps in the same precision:
// each row's sum s (in double, as a Sum), q = p / s, clipped to [1e-7, 1 - 1e-7], then
// -Σ labels · log (in double); backwards the clip passes the gradient only where q lies
// within its bounds, and the rescaling's gradient is dq / s - Σ(dq · p) / s².
#include <cmath>

#include "kernels.h"

namespace convkit {

namespace {

constexpr float kLow = 1e-7f, kHigh = 1.0f - 1e-7f;

float row_sum(const float* p, int64_t classes) {
  double sum = 0.0;
  for (int64_t j = 0; j < classes; ++j) sum += p[j];
  return static_cast<float>(sum);
}

// tfjs's clipByValue: NaN stays NaN.
float clipped(float q) { return q > kHigh ? kHigh : (q < kLow ? kLow : q); }

}  // namespace

void categorical_crossentropy(const float* labels, const float* probabilities, float* loss, int64_t rows,
                              int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *t = labels + r * classes, *p = probabilities + r * classes;
    const float s = row_sum(p, classes);
    double sum = 0.0;
    for (int64_t j = 0; j < classes; ++j) sum += t[j] * std::log(clipped(p[j] / s));
    loss[r] = -static_cast<float>(sum);
  }
}

void categorical_crossentropy_grad(const float* dy, const float* labels, const float* probabilities,
                                   float* dprobabilities, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *t = labels + r * classes, *p = probabilities + r * classes;
    float* dp = dprobabilities + r * classes;
    const float s = row_sum(p, classes);
    double weighted = 0.0;  // Σ dq · p
    for (int64_t j = 0; j < classes; ++j) {
      const float q = p[j] / s;
      const float dq = q >= kLow && q <= kHigh ? -dy[r] * t[j] / clipped(q) : 0.0f;
      dp[j] = dq;
      weighted += dq * p[j];
    }
    const float ds = -(static_cast<float>(weighted) / (s * s));
    for (int64_t j = 0; j < classes; ++j) dp[j] = dp[j] / s + ds;
  }
}

}  // namespace convkit
