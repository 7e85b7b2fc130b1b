// native/cpu/fused_update_avx2.cc — fused_rows (fused_update.h) compiled with
// -mavx2 -mfma (sources.json key "gemm_avx2"); fused_update.cc picks it when
// __builtin_cpu_supports says the CPU has both. Without those flags this file
// is a stub returning nullptr.
#include "fused_update.h"

#include <algorithm>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)

#include "simd_avx2.h"

namespace gdln {
namespace cpu {
namespace {

using F32 = simd::Avx2F32;
using F64 = simd::Avx2F64;

#include "fused_update_kernel.h"

void avx2_f32(int64_t m, int64_t i0, int64_t i1, int64_t cols, const float* d, int64_t ld_d,
              const float* x, float* w, float* e, float alpha, float beta) {
  fused_rows_body<F32>(m, i0, i1, cols, d, ld_d, x, w, e, alpha, beta);
}
void avx2_f64(int64_t m, int64_t i0, int64_t i1, int64_t cols, const double* d, int64_t ld_d,
              const double* x, double* w, double* e, double alpha, double beta) {
  fused_rows_body<F64>(m, i0, i1, cols, d, ld_d, x, w, e, alpha, beta);
}
void avx2_nt32(int64_t m, int64_t i0, int64_t i1, int64_t cols, const float* x, const float* w,
              float* out, int64_t ldo) {
  small_nt_body<F32>(m, i0, i1, cols, x, w, out, ldo);
}
void avx2_nt64(int64_t m, int64_t i0, int64_t i1, int64_t cols, const double* x, const double* w,
              double* out, int64_t ldo) {
  small_nt_body<F64>(m, i0, i1, cols, x, w, out, ldo);
}
const fused_detail::FusedKernels kAvx2{"avx2", &avx2_nt32, &avx2_nt64, &avx2_f32, &avx2_f64};
}  // namespace

namespace fused_detail {
const FusedKernels* fused_avx2() { return &kAvx2; }
}  // namespace fused_detail
}  // namespace cpu
}  // namespace gdln

#else

namespace gdln {
namespace cpu {
namespace fused_detail {
const FusedKernels* fused_avx2() { return nullptr; }
}  // namespace fused_detail
}  // namespace cpu
}  // namespace gdln

#endif
