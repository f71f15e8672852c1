// Every native kernel convkit's tfjs backend calls. Tensors are flat float arrays in tfjs's
// row-major (NHWC) layout; the binding checks sizes before calling these.
#pragma once
#include <cstdint>

#include "../gemm/gemm.h"
#include "conv_geometry.h"

namespace convkit {

// Convolutions (conv2d.cc, conv2d_backprop_input.cc, conv2d_backprop_filter.cc).
void conv2d(const float* x, const float* filter, const float* bias, float* y, const ConvGeometry& g, Activation act);
// conv2d, and the 2x2 max pool of stride 2 of y, into `pooled` ([batch, out_h / 2, out_w / 2,
// out_c]), taken from each tile of y while it is in cache (max_pool's bits), with each
// window's first maximum into `argmax` (as many bytes: 0-3 row-major, 4 for none above -inf),
// where the Winograd tiles cover y exactly and hold whole pool windows (F(2x2), F(4x4)) or
// whole images do (F(3x3), F(5x5): out_h and out_w even, images of at most 36 tiles).
// Elsewhere both are left alone; returns whether they were written. With y null, only the
// pool and its argmax are written (nothing where they cannot be).
bool conv2d_and_max_pool(const float* x, const float* filter, const float* bias, float* y, float* pooled,
                         uint8_t* argmax, const ConvGeometry& g, Activation act);
void conv2d_backprop_input(const float* dy, const float* filter, float* dx, const ConvGeometry& g);
// The input gradient of a conv whose input is the output of a relu (`rectified`, dx's
// shape), taken on through that relu: relu_grad(conv2d_backprop_input(dy), rectified) and
// its sums over the pixels (the bias gradient of the conv below, dbias: in_c floats). Where
// the input gradient is a Winograd convolution the mask and sums come with its output
// transform; elsewhere from a second pass.
void conv2d_backprop_input_relu(const float* dy, const float* filter, const float* rectified, float* dx, float* dbias,
                                const ConvGeometry& g);
void conv2d_backprop_filter(const float* x, const float* dy, float* dfilter, const ConvGeometry& g);
// The filter gradient, and the bias gradient when dbias is given, of a conv whose output y
// went through a relu (y given: dy is the gradient after the relu) or not (y null), in one
// pass over dy: the bits of conv2d_backprop_filter(x, relu_grad(dy, y)) and of the Sum of
// relu_grad(dy, y) over the pixels (conv2d_filter_bias_grad.cc).
void conv2d_filter_bias_grad(const float* x, const float* dy, const float* y, float* dfilter, float* dbias,
                             const ConvGeometry& g);
// Whether conv2d_backprop_filter reads this geometry's patches in place, row by row (few
// input channels and no Winograd; conv2d_backprop_filter_rows.cc), a pass over dy the
// filter and bias gradients can share.
bool filter_gradient_reads_rows(const ConvGeometry& g);
void conv2d_backprop_filter_rows(const float* x, const float* dy, const float* y, float* dfilter, float* dbias,
                                 const ConvGeometry& g);

// Matrix products, batched, with optional transposes and fused bias + activation (matmul.cc).
struct MatMulShape {
  int64_t batch_a, batch_b, m, n, k;
  bool transpose_a, transpose_b;
};
void matmul(const float* a, const float* b, const float* bias, float* y, const MatMulShape& s, Activation act);

// Pooling (max_pool.cc, max_pool_grad.cc, avg_pool.cc, avg_pool_grad.cc); in_c == out_c.
void max_pool(const float* x, float* y, const ConvGeometry& g);
// floor: routes gradient only from windows whose maximum exceeds it (-inf: all but empty
// windows; 0 for a relu's output, applying the relu's gradient too). channel_sums (in_c
// floats, or null) gets the sum of dx over the pixels.
void max_pool_grad(const float* dy, const float* x, float* dx, const ConvGeometry& g, float floor,
                   float* channel_sums);
// max_pool_grad of a 2x2 pool of stride 2 over a whole number of windows, from its output
// `pooled` and the argmax conv2d_and_max_pool recorded, instead of the pool's input: the
// same dx and channel sums, bit for bit (max_pool_grad_argmax.cc).
void max_pool_grad_argmax(const float* dy, const float* pooled, const uint8_t* argmax, float* dx,
                          const ConvGeometry& g, float floor, float* channel_sums);
void avg_pool(const float* x, float* y, const ConvGeometry& g);
void avg_pool_grad(const float* dy, float* dx, const ConvGeometry& g);

// Elementwise (unary.cc, binary.cc).
enum class UnaryOp : int { kRelu, kStep, kExp, kLog, kSqrt, kRsqrt, kSquare, kNeg, kAbs, kSigmoid, kTanh, kReciprocal };
void unary(UnaryOp op, const float* x, float* y, int64_t size, float alpha);

// kReluGrad(dy, x) = dy where x > 0, else dy * 0 (NaN stays NaN, as tfjs's dy * step(x)).
enum class BinaryOp : int { kAdd, kSub, kMul, kDiv, kMax, kMin, kSquaredDifference, kReluGrad };

// ReluGrad's rule for one element, shared by binary() and relu_grad_bias(): dy where x > 0,
// dy * 0 elsewhere (so -0, NaN and inf behave as tfjs's dy * step(x)), NaN where x is NaN.
inline float relu_grad(float dy, float x) { return x > 0.0f ? dy : (x != x ? x : dy * 0.0f); }
// The output's shape (at most 6 axes, adjacent axes merged where possible) and each
// operand's stride along every output axis: 0 where the operand is broadcast. The last
// axis's strides are 0 or 1.
struct BroadcastShape {
  static constexpr int kMaxRank = 6;
  int rank;
  int64_t dims[kMaxRank], a_strides[kMaxRank], b_strides[kMaxRank];
};
void binary(BinaryOp op, const float* a, const float* b, float* y, const BroadcastShape& shape);

// Dropout's scaled keep-mask: 1/(1-rate) where a hash of (seed, index) falls below 1-rate,
// else 0. Counter-based, so the mask depends on the seed alone, not on thread timing
// (dropout_mask.cc).
void dropout_mask(float* mask, int64_t size, uint32_t seed, float rate);
// y = x * dropout_mask(seed, rate), the same bits, without the mask written out (dropout_mask.cc).
void dropout_apply(const float* x, float* y, int64_t size, uint32_t seed, float rate);

// One Adam step for a model's variables, in place (adam_update.cc). The scalars arrive
// already rounded to float32 the way tfjs rounds them, so results match tfjs's
// AdamOptimizer bit for bit.
struct AdamVariable {
  float *value, *first_moment, *second_moment;
  const float* gradient;
  int64_t size;
};
struct AdamScalars {
  float beta1, beta2, one_minus_beta1, one_minus_beta2, one_minus_acc_beta1, one_minus_acc_beta2, epsilon,
      negative_learning_rate;
};
void adam_update(const AdamVariable* variables, int count, const AdamScalars& scalars);

// One SGD step for one variable (sgd_update.cc): d = g + weight_decay * p;
// buf = momentum * buf + d; d = nesterov ? d + momentum * buf : buf; p = p - learning_rate * d.
// Float operations in exactly this order, so results match the JS kernel bit for bit.
struct SgdInputs {
  const float *value, *momentum_buffer, *gradient;
};
struct SgdOutputs {
  float *value, *momentum_buffer;
};
struct SgdScalars {
  float learning_rate, weight_decay, momentum;
  bool nesterov;
};
void sgd_update(const SgdInputs& in, const SgdOutputs& out, int64_t size, const SgdScalars& scalars);

// Reductions over the middle axis of [outer, reduce, inner] (reduce.cc).
enum class ReduceOp : int { kSum, kMean, kMax, kMin };
void reduce(ReduceOp op, const float* x, float* y, int64_t outer, int64_t reduce, int64_t inner);
// How many threads reduce() splits the rows of one [reduce x inner] slab between (1: no
// split), in equal contiguous shares whose partial results it adds in order. relu_grad_bias
// splits the same way, so its bias gradient has the bits of a Sum.
int reduce_row_parts(int64_t outer, int64_t reduce, int64_t inner);

// Softmax over the last axis of [rows, cols] (softmax.cc).
void softmax(const float* logits, float* y, int64_t rows, int64_t cols);

// Batch normalisation in inference form: y = (x - mean) * rsqrt(var + eps) * scale + offset,
// with per-channel parameters broadcast over the last axis (batch_norm.cc).
void batch_norm(const float* x, const float* mean, const float* variance, const float* offset, const float* scale,
                float* y, int64_t size, int64_t channels, float epsilon);

// Batch normalisation in training mode over the rows of [rows, channels]: the batch mean
// and biased variance per channel, and y = (x - mean) / sqrt(variance + epsilon) * gamma + beta
// (batch_norm_training.cc). gamma and beta may be null (1 and 0).
void batch_norm_training(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                         float* variance, int64_t rows, int64_t channels, float epsilon);
// Its gradient, given the forward's mean and variance (batch_norm_training_grad.cc):
// dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)), dgamma = sum(dy * xhat),
// dbeta = sum(dy), with rstd = 1 / sqrt(variance + epsilon) and xhat = (x - mean) * rstd.
void batch_norm_training_grad(const float* dy, const float* x, const float* mean, const float* variance,
                              const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t rows,
                              int64_t channels, float epsilon);

// The gradient of a layer ending in bias + relu, from the relu's output y: dz = dy where
// y > 0 (ReluGrad's rule) and the bias gradient dbias = sum of dz over all rows, one pass,
// bit-identical to ReluGrad then Sum (relu_grad_bias.cc).
void relu_grad_bias(const float* dy, const float* y, float* dz, float* dbias, int64_t rows, int64_t channels);

// GELU, exact form x * Φ(x) with Φ the standard normal cdf (gelu.cc), and its gradient
// dx = dy * (Φ(x) + x φ(x)) (gelu_grad.cc).
void gelu(const float* x, float* y, int64_t size);
void gelu_grad(const float* dy, const float* x, float* dx, int64_t size);

// Keras's categorical cross-entropy of probabilities over rows of `classes`: each row
// rescaled to sum 1 and clipped to [1e-7, 1 - 1e-7], loss = -Σ labels · log; and its
// gradient by the probabilities from dy (one value per row) (categorical_crossentropy.cc).
void categorical_crossentropy(const float* labels, const float* probabilities, float* loss, int64_t rows,
                              int64_t classes);
void categorical_crossentropy_grad(const float* dy, const float* labels, const float* probabilities,
                                   float* dprobabilities, int64_t rows, int64_t classes);

// Rows of x (runs along the last axis) picked per other axis by index maps, one map of
// y_shape[d] source indices per axis d, each row read from column first_column on: the
// data movement of Slice, Reverse and MirrorPad (gather_rows.cc).
void gather_rows(const float* x, float* y, const int64_t* x_shape, const int64_t* y_shape, const int32_t* const* maps,
                 int64_t first_column, int rank);

// Transpose of a tensor of rank <= 6 (transpose.cc).
void transpose(const float* x, float* y, const int64_t* shape, const int64_t* perm, int rank);

}  // namespace convkit
