// Per-channel sums over the rows of a channels-last tensor, shared by batch normalisation's
// forward (batch statistics) and backward (the two sums of its gradient) kernels.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../runtime/thread_pool.h"

namespace convkit {

// Adds two per-channel quantities over all rows of a [rows, channels] tensor into `first`
// and `second` (channels values each). add_row(r, first_run, second_run) adds row r's terms
// into float accumulators, a loop over channels that vectorises. Rows are split between
// threads; each thread sums runs of kRunRows rows in float and adds every run into double
// totals, so rounding stays that of a 64-term float sum however many rows there are.
template <typename AddRow>
void sum_by_channel(int64_t rows, int64_t channels, double* first, double* second, AddRow add_row) {
  constexpr int64_t kRunRows = 64;
  constexpr int64_t kMinElementsPerPart = 1 << 15;  // below this a second thread costs more than it saves
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads(), rows * channels / kMinElementsPerPart));
  std::vector<double> totals(static_cast<size_t>(2 * parts * channels), 0.0);
  parallel_for(parts, [&](int64_t part, int) {
    std::vector<float> run(static_cast<size_t>(2 * channels));
    double* part_first = totals.data() + 2 * part * channels;
    double* part_second = part_first + channels;
    const int64_t end = rows * (part + 1) / parts;
    for (int64_t begin = rows * part / parts; begin < end; begin += kRunRows) {
      std::fill(run.begin(), run.end(), 0.0f);
      for (int64_t r = begin, stop = std::min(end, begin + kRunRows); r < stop; ++r)
        add_row(r, run.data(), run.data() + channels);
      for (int64_t c = 0; c < channels; ++c) {
        part_first[c] += run[c];
        part_second[c] += run[channels + c];
      }
    }
  });
  for (int64_t c = 0; c < channels; ++c) {
    first[c] = second[c] = 0.0;
    for (int64_t part = 0; part < parts; ++part) {
      first[c] += totals[2 * part * channels + c];
      second[c] += totals[(2 * part + 1) * channels + c];
    }
  }
}

// channel_sums[c] = the sum over parts of partials[part * channels + c], in double, the parts
// in order: the channel sums of the max pool gradients and of an input gradient through a relu,
// whose bits then do not depend on how the threads split the parts.
inline void sum_parts_in_order(const float* partials, int64_t parts, int64_t channels, float* channel_sums) {
  for (int64_t c = 0; c < channels; ++c) {
    double total = 0.0;
    for (int64_t part = 0; part < parts; ++part) total += partials[part * channels + c];
    channel_sums[c] = static_cast<float>(total);
  }
}

// 1 / sqrt(variance + epsilon), the same in the forward and the backward kernel.
inline double inverse_std(float variance, float epsilon) {
  return 1.0 / std::sqrt(static_cast<double>(variance) + static_cast<double>(epsilon));
}

}  // namespace convkit
