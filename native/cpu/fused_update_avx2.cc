// native/cpu/fused_update_avx2.cc — fused_rows (fused_update.h) compiled with
// -mavx2 -mfma (sources.json key "gemm_avx2"); fused_update.cc picks it when
// __builtin_cpu_supports says the CPU has both. Without those flags this file
// is a stub returning nullptr.
#include "fused_update.h"

#include <algorithm>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

namespace gdln {
namespace cpu {
namespace {

struct F32 {
  using T = float;
  using reg = __m256;
  static constexpr int W = 8;
  static reg zero() { return _mm256_setzero_ps(); }
  static reg load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, reg r) { _mm256_storeu_ps(p, r); }
  static reg set1(T v) { return _mm256_set1_ps(v); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static T hsum(reg r) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(r), _mm256_extractf128_ps(r, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

struct F64 {
  using T = double;
  using reg = __m256d;
  static constexpr int W = 4;
  static reg zero() { return _mm256_setzero_pd(); }
  static reg load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, reg r) { _mm256_storeu_pd(p, r); }
  static reg set1(T v) { return _mm256_set1_pd(v); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
  static T hsum(reg r) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(r), _mm256_extractf128_pd(r, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

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
