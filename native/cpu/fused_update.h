// native/cpu/fused_update.h — the fused backward product + SGD update of one
// weight matrix for a small batch (bench W2: chains of wide linear layers,
// batch ≤ kFusedMaxRows rows).
//
// For an edge q: s → t with m active rows, d = g_q ⊙ ∂L/∂a_t on those rows
// [m, |t|], x = h_s on those rows [m, |s|] and W = W_q [|t|, |s|]:
//   E  = d W_old                       (the input-gradient product, [m, |s|])
//   W ← beta·W + alpha·dᵀ x            (plain SGD: alpha = −lr, beta = 1 − lr·wd)
// The unfused path reads W twice (one GEMM for E, one for the update) and
// writes it once; here each row block of W is read once, E's partial sum is
// formed from the old values and the block is updated while it is in cache:
// 1 read + 1 write per weight in the backward pass (plus the forward's read:
// 3 passes per step, the floor).
//
// Promise: fused_rows is a pure function of its arguments; the split into row
// blocks and column tiles is by constants (kFusedRowBlock, kFusedColBlock), so
// with the partials reduced in ascending block order the result is identical
// for every thread count. The per-ISA kernels (generic, AVX2+FMA) agree to
// rounding, not bitwise.
#pragma once

#include <cstdint>

namespace gdln {
namespace cpu {

// Largest batch (active rows of the edge) the fused kernel takes.
inline constexpr int64_t kFusedMaxRows = 16;
// Rows of W per task (each task owns one partial of E) and columns per tile.
inline constexpr int64_t kFusedRowBlock = 128;
inline constexpr int64_t kFusedColBlock = 256;
// Smallest W (elements) worth fusing; smaller edges keep the two GEMMs.
inline constexpr int64_t kFusedMinWeights = int64_t{1} << 15;

// On by default; GDLN_NO_FUSED_W2=1 in the environment turns it off (and small_nt with it).
bool fused_update_enabled();

// Rows [i0, i1) of W ([rows, cols] row-major, leading dimension cols):
//   e[j, c] += Σ_{i ∈ [i0, i1)} d[j·ld_d + i] · W_old[i, c]     (e: [m, cols], accumulated)
//   W[i, c]  = beta·W[i, c] + alpha·Σ_{j < m} d[j·ld_d + i] · x[j·cols + c]
// m ≤ kFusedMaxRows. Column tiles of kFusedColBlock, rows in steps of 4.
template <typename T>
void fused_rows(int64_t m, int64_t i0, int64_t i1, int64_t cols, const T* d, int64_t ld_d,
                const T* x, T* w, T* e, T alpha, T beta);

// out[j·ldo + i] = Σ_c x[j·cols + c] · W[i·cols + c] for j < m ≤ kFusedMaxRows and
// i ∈ [i0, i1): the forward product x Wᵀ of a wide edge for a small batch, reading each
// row of W once without packing it (the GEMM packs W, about one extra pass over it).
template <typename T>
void small_nt(int64_t m, int64_t i0, int64_t i1, int64_t cols, const T* x, const T* w, T* out,
              int64_t ldo);

namespace fused_detail {
struct FusedKernels {
  const char* name;
  void (*nt32)(int64_t, int64_t, int64_t, int64_t, const float*, const float*, float*, int64_t);
  void (*nt64)(int64_t, int64_t, int64_t, int64_t, const double*, const double*, double*,
               int64_t);
  void (*f32)(int64_t, int64_t, int64_t, int64_t, const float*, int64_t, const float*, float*,
              float*, float, float);
  void (*f64)(int64_t, int64_t, int64_t, int64_t, const double*, int64_t, const double*,
              double*, double*, double, double);
};
const FusedKernels* fused_generic();
const FusedKernels* fused_avx2();  // nullptr when compiled without -mavx2 -mfma
}  // namespace fused_detail

}  // namespace cpu
}  // namespace gdln
