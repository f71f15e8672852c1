// The blocking loops of the BLIS algorithm: NC columns of B, then KC of depth (pack B),
// then MC rows of A (pack A), then NR x MR tiles handed to the micro-kernel.
#include "gemm.h"

#include <algorithm>
#include <cstring>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "config.h"

namespace convkit {

void apply_epilogue(float* c, int64_t ldc, int64_t rows, int64_t cols, int64_t col0, const Epilogue& ep) {
  if (!ep.bias && ep.activation == Activation::kLinear) return;
  const float* bias = ep.bias ? ep.bias + col0 : nullptr;
  const bool relu = ep.activation == Activation::kRelu;
  for (int64_t i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    if (bias)
      for (int64_t j = 0; j < cols; ++j) row[j] += bias[j];
    if (relu)
      for (int64_t j = 0; j < cols; ++j) row[j] = row[j] <= 0.0f ? 0.0f : row[j];  // NaN stays NaN, as tfjs's relu
  }
}

void gemm_serial(int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b_t, float* c, int64_t ldc,
                 bool accumulate, const Epilogue& ep) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    apply_epilogue(c, ldc, m, n, 0, ep);
    return;
  }
  const GemmConfig& cfg = gemm_config();
  const int MR = cfg.mr, NR = cfg.nr;
  float* packed_b = scratch(ScratchSlot::kPackB, cfg.kc * ((std::min(cfg.nc, n) + NR - 1) / NR) * NR);
  // A row-major A is read in place by the strided micro-kernels: packing it cost as much as
  // multiplying where B has few columns per thread (a dense layer's batch of 128 rows).
  int64_t lda = 0;
  const float* a_rows = a.rows_in_place(&lda);
  float* packed_a = a_rows ? nullptr : scratch(ScratchSlot::kPackA, cfg.kc * ((std::min(cfg.mc, m) + MR - 1) / MR) * MR);
  alignas(64) float edge[6 * 16];  // scratch tile for the ragged right and bottom edges

  for (int64_t jc = 0; jc < n; jc += cfg.nc) {
    const int64_t nc = std::min(cfg.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += cfg.kc) {
      const int64_t kc = std::min(cfg.kc, k - pc);
      const bool add = accumulate || pc > 0, last = pc + kc == k;
      b_t.pack(jc, nc, pc, kc, NR, packed_b);
      for (int64_t ic = 0; ic < m; ic += cfg.mc) {
        const int64_t mc = std::min(cfg.mc, m - ic);
        if (packed_a) a.pack(ic, mc, pc, kc, MR, packed_a);
        // The block's rows from ir times B's panel (two panels when wide) from column jr.
        auto multiply = [&](int64_t ir, int64_t jr, bool wide, float* tile, int64_t ldt, bool add_to) {
          const float* b_panel = packed_b + jr * kc;
          if (packed_a) {
            const float* a_panel = packed_a + ir * kc;
            if (wide) return cfg.wide_ukernel(kc, a_panel, b_panel, kc * NR, tile, ldt, add_to);
            return cfg.ukernel(kc, a_panel, b_panel, tile, ldt, add_to);
          }
          const float* rows[8];  // MR <= 8; rows past m repeat the last (an edge tile drops them)
          for (int r = 0; r < MR; ++r) rows[r] = a_rows + std::min(ic + ir + r, m - 1) * lda + pc;
          if (wide) return cfg.wide_strided(kc, rows, 1, b_panel, kc * NR, tile, ldt, add_to);
          cfg.strided(kc, rows, 1, b_panel, tile, ldt, add_to);
        };
        // The tile of B's panel from column jr and A's from row ir: whole, or through `edge`.
        auto narrow_tile = [&](int64_t jr, int64_t ir) {
          const int64_t nr = std::min<int64_t>(NR, nc - jr), mr = std::min<int64_t>(MR, mc - ir);
          float* tile = c + (ic + ir) * ldc + jc + jr;
          if (mr == MR && nr == NR) return multiply(ir, jr, false, tile, ldc, add);
          multiply(ir, jr, false, edge, NR, false);
          for (int64_t i = 0; i < mr; ++i)
            for (int64_t j = 0; j < nr; ++j)
              tile[i * ldc + j] = add ? tile[i * ldc + j] + edge[i * NR + j] : edge[i * NR + j];
        };
        for (int64_t jr = 0; jr < nc;) {
          const bool wide = jr + 2 * NR <= nc;  // two whole panels: one wide tile per row group
          for (int64_t ir = 0; ir < mc; ir += MR) {
            if (wide && ir + MR <= mc) {
              multiply(ir, jr, true, c + (ic + ir) * ldc + jc + jr, ldc, add);
              continue;
            }
            narrow_tile(jr, ir);
            if (wide) narrow_tile(jr + NR, ir);
          }
          jr += wide ? 2 * NR : NR;
        }
        if (last) apply_epilogue(c + ic * ldc + jc, ldc, mc, nc, jc, ep);
      }
    }
  }
}

namespace {

// The rows of another operand from `row0` on: one thread's share of A (or of B's columns).
class RowWindow final : public Operand {
 public:
  RowWindow(const Operand& inner, int64_t row0) : inner_(inner), row0_(row0) {}
  void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, int width, float* dst) const override {
    inner_.pack(row0_ + row0, rows, col0, cols, width, dst);
  }
  const float* rows_in_place(int64_t* row_stride) const override {
    const float* rows = inner_.rows_in_place(row_stride);
    return rows ? rows + row0_ * *row_stride : nullptr;
  }

 private:
  const Operand& inner_;
  int64_t row0_;
};

}  // namespace

void gemm(int64_t m, int64_t n, int64_t k, const Operand& a, const Operand& b_t, float* c, int64_t ldc,
          bool accumulate, const Epilogue& ep) {
  const GemmConfig& cfg = gemm_config();
  const int parts = threads();
  // Too little work to share: waking workers costs more than it saves.
  if (parts == 1 || m * n * k < 64 * 64 * 64) return gemm_serial(m, n, k, a, b_t, c, ldc, accumulate, ep);
  // Split the longer side of C into one slab per thread, aligned to the register tile.
  const bool split_rows = m >= n;
  const int64_t side = split_rows ? m : n, unit = split_rows ? cfg.mr : cfg.nr;
  const int64_t units = (side + unit - 1) / unit;
  const int64_t slab = ((units + parts - 1) / parts) * unit;
  parallel_for((side + slab - 1) / slab, [&](int64_t part, int) {
    const int64_t begin = part * slab, len = std::min(slab, side - begin);
    if (split_rows) {
      gemm_serial(len, n, k, RowWindow(a, begin), b_t, c + begin * ldc, ldc, accumulate, ep);
    } else {
      gemm_serial(m, len, k, a, RowWindow(b_t, begin), c + begin, ldc, accumulate, ep.shifted(begin));
    }
  });
}

}  // namespace convkit
