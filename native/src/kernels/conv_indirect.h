// Convolution through the indirect micro-kernel: for each group of MR output pixels,
// a table of pointers to the input vectors each filter tap reads (or to zeros in the
// padding), and the filter packed once into NR-wide panels.
#pragma once
#include "../gemm/gemm.h"
#include "conv_geometry.h"

namespace convkit {

// y[pixels x out_c] = conv(x, filter) for geometry g, where filter is row-major
// [filter_h * filter_w * in_c, out_c] (tfjs's HWIO), then the epilogue.
void indirect_conv(const float* x, const float* filter, float* y, const ConvGeometry& g, const Epilogue& epilogue);

// Whether each output pixel's filter window lies inside the image horizontally, so the
// filter_w taps of one filter row read filter_w * in_c consecutive floats: then a row of
// taps becomes one tap with that many channels (9 instead of 3 for an RGB input).
bool rows_are_contiguous(const ConvGeometry& g);

// Small-channel inputs with horizontal padding are copied once into a zero-padded image
// (returned, in the calling thread's kPadded scratch, valid until its next call there; g is
// updated to describe it), which makes their filter rows contiguous; the copy is cheap next
// to the convolution.
const float* pad_horizontally(const float* x, ConvGeometry& g);

// x zero-padded into the calling thread's kPadded scratch (valid until its next call there):
// images of `height` rows of `width` pixels, input pixel (ih, iw) at (top + ih, left + iw);
// input rows or columns that fall outside are left out.
const float* pad_image(const float* x, const ConvGeometry& g, int64_t top, int64_t left, int64_t height,
                       int64_t width);

// Whether the forward and filter-gradient kernels pad this input first: rows not contiguous,
// and a filter row short enough (filter_w * in_c <= 64 floats) that reading it as one run
// pays for the copy.
bool worth_padding_horizontally(const ConvGeometry& g);

}  // namespace convkit
