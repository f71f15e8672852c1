// The addon's JavaScript surface: one table of entry points, each unpacking typed arrays
// and integers, checking sizes, and handing over to a kernel. No maths here.
#include <napi.h>

#include <string>
#include <vector>

#include "gemm/config.h"
#include "kernels/kernels.h"
#include "kernels/winograd.h"
#include "runtime/thread_pool.h"

namespace convkit {
namespace {

// Typed access to the arguments of one call; every mismatch becomes a JS TypeError.
class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info) : info_(info) {}

  float* floats(size_t i, int64_t at_least) const {
    auto array = float32_array(i);
    if (static_cast<int64_t>(array.ElementLength()) < at_least)
      fail("argument " + std::to_string(i) + " holds " + std::to_string(array.ElementLength()) +
           " floats, the kernel needs " + std::to_string(at_least));
    return array.Data();
  }
  // A Float32Array, or null/undefined for "absent".
  float* optional_floats(size_t i, int64_t at_least) const {
    if (i >= info_.Length() || info_[i].IsNull() || info_[i].IsUndefined()) return nullptr;
    return floats(i, at_least);
  }
  // A Uint8Array of at least `at_least` bytes.
  uint8_t* bytes(size_t i, int64_t at_least) const {
    if (i >= info_.Length() || !info_[i].IsTypedArray() ||
        info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      fail("argument " + std::to_string(i) + " must be a Uint8Array");
    auto array = info_[i].As<Napi::Uint8Array>();
    if (static_cast<int64_t>(array.ElementLength()) < at_least)
      fail("argument " + std::to_string(i) + " holds " + std::to_string(array.ElementLength()) +
           " bytes, the kernel needs " + std::to_string(at_least));
    return array.Data();
  }
  // The element count of the Float32Array at i.
  int64_t length(size_t i) const { return static_cast<int64_t>(float32_array(i).ElementLength()); }
  // The row count of a [rows, channels] Float32Array at i, given channels at j.
  int64_t rows(size_t i, size_t j) const {
    const int64_t channels = integer(j), size = length(i);
    if (channels < 1 || size % channels != 0)
      fail("argument " + std::to_string(i) + " holds " + std::to_string(size) + " floats, not rows of " +
           std::to_string(channels) + " channels");
    return size / channels;
  }
  const int32_t* ints(size_t i, size_t count) const {
    if (i >= info_.Length() || !info_[i].IsTypedArray() ||
        info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        info_[i].As<Napi::Int32Array>().ElementLength() != count)
      fail("argument " + std::to_string(i) + " must be an Int32Array of " + std::to_string(count));
    return info_[i].As<Napi::Int32Array>().Data();
  }
  int64_t integer(size_t i) const {
    if (i >= info_.Length() || !info_[i].IsNumber()) fail("argument " + std::to_string(i) + " must be a number");
    return info_[i].As<Napi::Number>().Int64Value();
  }
  float number(size_t i) const {
    if (i >= info_.Length() || !info_[i].IsNumber()) fail("argument " + std::to_string(i) + " must be a number");
    return info_[i].As<Napi::Number>().FloatValue();
  }
  ConvGeometry geometry(size_t i) const { return ConvGeometry::from(ints(i, ConvGeometry::kFields)); }
  Napi::Env env() const { return info_.Env(); }
  [[noreturn]] void fail(const std::string& message) const {
    throw Napi::TypeError::New(info_.Env(), "convkit native: " + message);
  }

 private:
  Napi::Float32Array float32_array(size_t i) const {
    if (i >= info_.Length() || !info_[i].IsTypedArray() ||
        info_[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      fail("argument " + std::to_string(i) + " must be a Float32Array");
    return info_[i].As<Napi::Float32Array>();
  }
  const Napi::CallbackInfo& info_;
};

int64_t out_size(const ConvGeometry& g) { return g.out_pixels() * g.out_c; }
int64_t filter_size(const ConvGeometry& g) { return g.patch_size() * g.out_c; }

// conv2d(x, filter, bias, y, geometry, activation, pooled?, argmax?): with `pooled` and
// `argmax`, whether it also wrote y's 2x2 max pool and its argmax there (conv2d_and_max_pool);
// y may then be null: the pool and argmax alone, where they can be written (else nothing).
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(4);
  const float *x = a.floats(0, g.in_size()), *filter = a.floats(1, filter_size(g)), *bias = a.optional_floats(2, g.out_c);
  const auto act = static_cast<Activation>(a.integer(5));
  const int64_t pooled_size = g.batch * (g.out_h / 2) * (g.out_w / 2) * g.out_c;
  float* pooled = a.optional_floats(6, pooled_size);
  float* y = pooled ? a.optional_floats(3, out_size(g)) : a.floats(3, out_size(g));
  if (!pooled) {
    conv2d(x, filter, bias, y, g, act);
    return info.Env().Undefined();
  }
  return Napi::Boolean::New(info.Env(), conv2d_and_max_pool(x, filter, bias, y, pooled, a.bytes(7, pooled_size), g, act));
}

Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(3);
  conv2d_backprop_input(a.floats(0, out_size(g)), a.floats(1, filter_size(g)), a.floats(2, g.in_size()), g);
  return info.Env().Undefined();
}

// conv2dBackpropInputRelu(dy, filter, rectified, dx, dbias, geometry): dx through the relu
// whose output `rectified` is (dx's shape), and its channel sums.
Napi::Value Conv2DBackpropInputRelu(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(5);
  conv2d_backprop_input_relu(a.floats(0, out_size(g)), a.floats(1, filter_size(g)), a.floats(2, g.in_size()),
                             a.floats(3, g.in_size()), a.floats(4, g.in_c), g);
  return info.Env().Undefined();
}

Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(3);
  conv2d_backprop_filter(a.floats(0, g.in_size()), a.floats(1, out_size(g)), a.floats(2, filter_size(g)), g);
  return info.Env().Undefined();
}

// conv2dFilterBiasGrad(x, dy, y or null, dfilter, dbias, geometry): dy is the gradient after
// the relu when y (the relu's output) is given.
Napi::Value Conv2DFilterBiasGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(5);
  conv2d_filter_bias_grad(a.floats(0, g.in_size()), a.floats(1, out_size(g)), a.optional_floats(2, out_size(g)),
                          a.floats(3, filter_size(g)), a.floats(4, g.out_c), g);
  return info.Env().Undefined();
}

// winogradTile(geometry): the Winograd output tile side Conv2D and Conv2DBackpropFilter of
// this geometry use (0 = direct, 2, 4), for tests and benchmarks.
Napi::Value WinogradTile(const Napi::CallbackInfo& info) {
  Args a(info);
  return Napi::Number::New(info.Env(), winograd_tile(a.geometry(0)));
}

Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Args a(info);
  const int32_t* v = a.ints(4, 7);
  const MatMulShape s{v[0], v[1], v[2], v[3], v[4], v[5] != 0, v[6] != 0};
  const int64_t batch = s.batch_a > s.batch_b ? s.batch_a : s.batch_b;
  matmul(a.floats(0, s.batch_a * s.m * s.k), a.floats(1, s.batch_b * s.k * s.n), a.optional_floats(2, s.n),
         a.floats(3, batch * s.m * s.n), s, static_cast<Activation>(a.integer(5)));
  return info.Env().Undefined();
}

// maxPool / avgPool(x, y, geometry)
template <void (*Pool)(const float*, float*, const ConvGeometry&)>
Napi::Value PoolForward(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(2);
  Pool(a.floats(0, g.in_size()), a.floats(1, out_size(g)), g);
  return info.Env().Undefined();
}

// maxPoolGradArgmax(dy, pooled, argmax, dx, geometry, floor, channelSums?): 2x2 windows of
// stride 2 over whole windows only (a TypeError otherwise).
Napi::Value MaxPoolGradArgmax(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(4);
  const bool whole_windows = g.filter_h == 2 && g.filter_w == 2 && g.stride_h == 2 && g.stride_w == 2 &&
                             g.pad_top == 0 && g.pad_left == 0 && g.in_h == 2 * g.out_h && g.in_w == 2 * g.out_w;
  if (!whole_windows) a.fail("maxPoolGradArgmax takes 2x2 windows of stride 2 covering the input exactly");
  max_pool_grad_argmax(a.floats(0, out_size(g)), a.floats(1, out_size(g)), a.bytes(2, out_size(g)),
                       a.floats(3, g.in_size()), g, a.number(5), a.optional_floats(6, g.in_c));
  return info.Env().Undefined();
}

Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(3);
  max_pool_grad(a.floats(0, out_size(g)), a.floats(1, g.in_size()), a.floats(2, g.in_size()), g, a.number(4),
                a.optional_floats(5, g.in_c));
  return info.Env().Undefined();
}

Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const ConvGeometry g = a.geometry(2);
  avg_pool_grad(a.floats(0, out_size(g)), a.floats(1, g.in_size()), g);
  return info.Env().Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t size = a.integer(3);
  unary(static_cast<UnaryOp>(a.integer(0)), a.floats(1, size), a.floats(2, size), size, a.number(4));
  return info.Env().Undefined();
}

// binary(op, a, b, y, layout: Int32Array [rank, dims..., aStrides..., bStrides...])
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args a(info);
  constexpr int kMax = BroadcastShape::kMaxRank;
  const int32_t* v = a.ints(4, 1 + 3 * kMax);
  BroadcastShape s{v[0], {}, {}, {}};
  if (s.rank < 1 || s.rank > kMax) throw Napi::RangeError::New(info.Env(), "convkit native: binary takes rank 1 to 6");
  int64_t size = 1, extent_a = 1, extent_b = 1;  // extent: one past the last element each operand reads
  for (int d = 0; d < s.rank; ++d) {
    s.dims[d] = v[1 + d];
    s.a_strides[d] = v[1 + kMax + d];
    s.b_strides[d] = v[1 + 2 * kMax + d];
    size *= s.dims[d];
    extent_a += (s.dims[d] - 1) * s.a_strides[d];
    extent_b += (s.dims[d] - 1) * s.b_strides[d];
  }
  binary(static_cast<BinaryOp>(a.integer(0)), a.floats(1, extent_a), a.floats(2, extent_b), a.floats(3, size), s);
  return info.Env().Undefined();
}

// reduce(op, x, y, outer, reduce, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t outer = a.integer(3), length = a.integer(4), inner = a.integer(5);
  reduce(static_cast<ReduceOp>(a.integer(0)), a.floats(1, outer * length * inner), a.floats(2, outer * inner), outer,
         length, inner);
  return info.Env().Undefined();
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t rows = a.integer(2), cols = a.integer(3);
  softmax(a.floats(0, rows * cols), a.floats(1, rows * cols), rows, cols);
  return info.Env().Undefined();
}

// batchNorm(x, mean, variance, offset|null, scale|null, y, channels, epsilon)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t channels = a.integer(6);
  float* x = a.floats(0, channels);
  const int64_t size = info[0].As<Napi::Float32Array>().ElementLength();
  batch_norm(x, a.floats(1, channels), a.floats(2, channels), a.optional_floats(3, channels),
             a.optional_floats(4, channels), a.floats(5, size), size, channels, a.number(7));
  return info.Env().Undefined();
}

// batchNormTraining(x, gamma|null, beta|null, y, mean, variance, channels, epsilon)
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t rows = a.rows(0, 6), channels = a.integer(6);
  batch_norm_training(a.floats(0, rows * channels), a.optional_floats(1, channels), a.optional_floats(2, channels),
                      a.floats(3, rows * channels), a.floats(4, channels), a.floats(5, channels), rows, channels,
                      a.number(7));
  return info.Env().Undefined();
}

// batchNormTrainingGrad(dy, x, mean, variance, gamma|null, dx, dgamma, dbeta, channels, epsilon)
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t rows = a.rows(0, 8), channels = a.integer(8), size = rows * channels;
  batch_norm_training_grad(a.floats(0, size), a.floats(1, size), a.floats(2, channels), a.floats(3, channels),
                           a.optional_floats(4, channels), a.floats(5, size), a.floats(6, channels),
                           a.floats(7, channels), rows, channels, a.number(9));
  return info.Env().Undefined();
}

// reluGradBias(dy, y, dz, dbias, channels)
Napi::Value ReluGradBias(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t rows = a.rows(0, 4), channels = a.integer(4), size = rows * channels;
  relu_grad_bias(a.floats(0, size), a.floats(1, size), a.floats(2, size), a.floats(3, channels), rows, channels);
  return info.Env().Undefined();
}

// gelu(x, y)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t size = a.length(0);
  gelu(a.floats(0, size), a.floats(1, size), size);
  return info.Env().Undefined();
}

// geluGrad(dy, x, dx)
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t size = a.length(0);
  gelu_grad(a.floats(0, size), a.floats(1, size), a.floats(2, size), size);
  return info.Env().Undefined();
}

// The classes per row of `size` probabilities in `rows` rows (a TypeError unless whole rows).
int64_t classes_per_row(const Args& a, int64_t size, int64_t rows) {
  if (rows == 0 || size % rows)
    a.fail("the probabilities (" + std::to_string(size) + " floats) are not " + std::to_string(rows) + " rows");
  return size / rows;
}

// categoricalCrossentropy(labels, probabilities, loss): rows of loss.length
Napi::Value CategoricalCrossentropy(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t rows = a.length(2), size = a.length(1), classes = classes_per_row(a, size, rows);
  categorical_crossentropy(a.floats(0, size), a.floats(1, size), a.floats(2, rows), rows, classes);
  return info.Env().Undefined();
}

// categoricalCrossentropyGrad(dy, labels, probabilities, dprobabilities): dy one per row
Napi::Value CategoricalCrossentropyGrad(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t rows = a.length(0), size = a.length(2), classes = classes_per_row(a, size, rows);
  categorical_crossentropy_grad(a.floats(0, rows), a.floats(1, size), a.floats(2, size), a.floats(3, size), rows,
                                classes);
  return info.Env().Undefined();
}

// Reads an Int32Array of 1..6 axes (a shape, a permutation, a begin or a size) into `out`.
int read_axes(const Args& a, const Napi::CallbackInfo& info, size_t i, int64_t* out) {
  const size_t rank = info.Length() > i && info[i].IsTypedArray() ? info[i].As<Napi::TypedArray>().ElementLength() : 0;
  if (rank < 1 || rank > 6) throw Napi::RangeError::New(info.Env(), "convkit native: tensors of rank 1 to 6 only");
  const int32_t* values = a.ints(i, rank);
  for (size_t d = 0; d < rank; ++d) out[d] = values[d];
  return static_cast<int>(rank);
}

int64_t element_count(const int64_t* shape, int rank) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) count *= shape[d];
  return count;
}

// transpose(x, y, shape: Int32Array, perm: Int32Array)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Args a(info);
  int64_t shape[6], perm[6];
  const int rank = read_axes(a, info, 2, shape);
  if (read_axes(a, info, 3, perm) != rank) throw Napi::RangeError::New(info.Env(), "convkit native: perm rank differs");
  const int64_t size = element_count(shape, rank);
  transpose(a.floats(0, size), a.floats(1, size), shape, perm, rank);
  return info.Env().Undefined();
}

// gatherRows(x, y, xShape, yShape: Int32Array, maps: Int32Array, firstColumn) with maps the
// per-axis source indices of y's rows, axis after axis (yShape[0] + ... + yShape[rank - 2])
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  Args a(info);
  int64_t x_shape[6], y_shape[6];
  const int rank = read_axes(a, info, 2, x_shape);
  const int64_t first_column = a.integer(5);
  if (read_axes(a, info, 3, y_shape) != rank || first_column < 0 || first_column + y_shape[rank - 1] > x_shape[rank - 1])
    throw Napi::RangeError::New(info.Env(), "convkit native: gatherRows rows outside the tensor");
  int64_t map_length = 0;
  for (int d = 0; d < rank - 1; ++d) map_length += y_shape[d];
  const int32_t* indices = a.ints(4, map_length);
  const int32_t* maps[6];
  int64_t start = 0;
  for (int d = 0; d < rank - 1; start += y_shape[d], ++d) {
    maps[d] = indices + start;
    for (int64_t i = 0; i < y_shape[d]; ++i)
      if (maps[d][i] < 0 || maps[d][i] >= x_shape[d])
        throw Napi::RangeError::New(info.Env(), "convkit native: gatherRows index outside the tensor");
  }
  gather_rows(a.floats(0, element_count(x_shape, rank)), a.floats(1, element_count(y_shape, rank)), x_shape, y_shape,
              maps, first_column, rank);
  return info.Env().Undefined();
}

// dropoutMask(mask, seed, rate)
Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  Args a(info);
  float* mask = a.floats(0, 0);
  const int64_t size = info[0].As<Napi::Float32Array>().ElementLength();
  dropout_mask(mask, size, static_cast<uint32_t>(a.integer(1)), a.number(2));
  return info.Env().Undefined();
}

// dropoutApply(x, y, seed, rate)
Napi::Value DropoutApply(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t size = a.length(0);
  dropout_apply(a.floats(0, size), a.floats(1, size), size, static_cast<uint32_t>(a.integer(2)), a.number(3));
  return info.Env().Undefined();
}

// adamUpdate(arrays: [value, m, v, gradient, value, m, v, gradient, ...], scalars:
// Float32Array(8)): each variable's value and moments updated in place.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Args a(info);
  if (!info[0].IsArray() || info[0].As<Napi::Array>().Length() % 4 != 0)
    a.fail("argument 0 must be an array of Float32Arrays, four per variable");
  const Napi::Array arrays = info[0].As<Napi::Array>();
  const auto floats = [&](uint32_t i, int64_t size) {
    const Napi::Value item = arrays[i];
    if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        static_cast<int64_t>(item.As<Napi::Float32Array>().ElementLength()) != size)
      a.fail("array " + std::to_string(i) + " must be a Float32Array of " + std::to_string(size) + " floats");
    return item.As<Napi::Float32Array>().Data();
  };
  std::vector<AdamVariable> variables;
  for (uint32_t i = 0; i < arrays.Length(); i += 4) {
    const Napi::Value first = arrays[i];
    const int64_t size = first.IsTypedArray() ? first.As<Napi::TypedArray>().ElementLength() : 0;
    variables.push_back({floats(i, size), floats(i + 1, size), floats(i + 2, size), floats(i + 3, size), size});
  }
  const float* k = a.floats(1, 8);
  adam_update(variables.data(), static_cast<int>(variables.size()), {k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]});
  return info.Env().Undefined();
}

// sgdUpdate(value, momentumBuffer, gradient, newValue, newBuffer,
//           scalars: Float32Array [learningRate, weightDecay, momentum], nesterov: 0 | 1)
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t size = a.length(0);
  const float* k = a.floats(5, 3);
  sgd_update({a.floats(0, size), a.floats(1, size), a.floats(2, size)}, {a.floats(3, size), a.floats(4, size)}, size,
             {k[0], k[1], k[2], a.integer(6) != 0});
  return info.Env().Undefined();
}

// gemm(a, b, c, m, n, k): row-major C = A·B, for the GEMM micro-benchmark.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t m = a.integer(3), n = a.integer(4), k = a.integer(5);
  gemm(m, n, k, DenseOperand(a.floats(0, m * k), k, 1), DenseOperand(a.floats(1, k * n), 1, n), a.floats(2, m * n),
       n, false);
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("gemm", gemm_config().name);
  out.Set("threads", threads());
  return out;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a(info);
  const int64_t count = a.integer(0);
  if (count < 1 || count > 256) throw Napi::RangeError::New(info.Env(), "convkit native: threads must be 1..256");
  set_threads(static_cast<int>(count));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const struct {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  } table[] = {
      {"conv2d", Conv2D},
      {"conv2dBackpropInput", Conv2DBackpropInput},
      {"conv2dBackpropInputRelu", Conv2DBackpropInputRelu},
      {"conv2dBackpropFilter", Conv2DBackpropFilter},
      {"conv2dFilterBiasGrad", Conv2DFilterBiasGrad},
      {"winogradTile", WinogradTile},
      {"matmul", MatMul},
      {"maxPool", PoolForward<max_pool>},
      {"maxPoolGrad", MaxPoolGrad},
      {"maxPoolGradArgmax", MaxPoolGradArgmax},
      {"avgPool", PoolForward<avg_pool>},
      {"avgPoolGrad", AvgPoolGrad},
      {"unary", Unary},
      {"binary", Binary},
      {"reduce", Reduce},
      {"softmax", Softmax},
      {"batchNorm", BatchNorm},
      {"batchNormTraining", BatchNormTraining},
      {"batchNormTrainingGrad", BatchNormTrainingGrad},
      {"reluGradBias", ReluGradBias},
      {"gelu", Gelu},
      {"geluGrad", GeluGrad},
      {"categoricalCrossentropy", CategoricalCrossentropy},
      {"categoricalCrossentropyGrad", CategoricalCrossentropyGrad},
      {"transpose", Transpose},
      {"gatherRows", GatherRows},
      {"dropoutMask", DropoutMask},
      {"dropoutApply", DropoutApply},
      {"adamUpdate", AdamUpdate},
      {"sgdUpdate", SgdUpdate},
      {"gemm", Gemm},
      {"info", Info},
      {"setThreads", SetThreads},
  };
  for (const auto& entry : table) exports.Set(entry.name, Napi::Function::New(env, entry.fn, entry.name));
  return exports;
}

}  // namespace
}  // namespace convkit

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return convkit::Init(env, exports); }
NODE_API_MODULE(convkit_native, InitModule)
