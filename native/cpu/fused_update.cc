// native/cpu/fused_update.cc — fused_rows: the baseline-ISA kernel and the
// run-time choice of the AVX2 + FMA one (fused_update_avx2.cc) when the CPU has it.

#include "fused_update.h"

#include <algorithm>
#include <cstring>

#include <cstdlib>

namespace gdln {
namespace cpu {
namespace {
// Scalar "vectors" of one lane: the portable build (the compiler may still vectorise).
template <typename U>
struct Scalar {
  using T = U;
  using reg = U;
  static constexpr int W = 1;
  static reg zero() { return U(0); }
  static reg load(const U* p) { return *p; }
  static void store(U* p, reg r) { *p = r; }
  static reg set1(U v) { return v; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg mul(reg a, reg b) { return a * b; }
  static U hsum(reg r) { return r; }
};

#include "fused_update_kernel.h"

void generic_f32(int64_t m, int64_t i0, int64_t i1, int64_t cols, const float* d, int64_t ld_d,
                 const float* x, float* w, float* e, float alpha, float beta) {
  fused_rows_body<Scalar<float>>(m, i0, i1, cols, d, ld_d, x, w, e, alpha, beta);
}
void generic_f64(int64_t m, int64_t i0, int64_t i1, int64_t cols, const double* d,
                 int64_t ld_d, const double* x, double* w, double* e, double alpha,
                 double beta) {
  fused_rows_body<Scalar<double>>(m, i0, i1, cols, d, ld_d, x, w, e, alpha, beta);
}
void generic_nt32(int64_t m, int64_t i0, int64_t i1, int64_t cols, const float* x, const float* w,
              float* out, int64_t ldo) {
  small_nt_body<Scalar<float>>(m, i0, i1, cols, x, w, out, ldo);
}
void generic_nt64(int64_t m, int64_t i0, int64_t i1, int64_t cols, const double* x, const double* w,
              double* out, int64_t ldo) {
  small_nt_body<Scalar<double>>(m, i0, i1, cols, x, w, out, ldo);
}
const fused_detail::FusedKernels kGeneric{"generic", &generic_nt32, &generic_nt64, &generic_f32, &generic_f64};

const fused_detail::FusedKernels* active() {
  static const fused_detail::FusedKernels* k = [] {
#if defined(__x86_64__) || defined(__i386__)
    const fused_detail::FusedKernels* avx2 = fused_detail::fused_avx2();
    if (avx2 != nullptr && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      return avx2;
    }
#endif
    return &kGeneric;
  }();
  return k;
}

}  // namespace

namespace fused_detail {
const FusedKernels* fused_generic() { return &kGeneric; }
}  // namespace fused_detail

bool fused_update_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("GDLN_NO_FUSED_W2");
    return v == nullptr || v[0] == '\0' || v[0] == '0';
  }();
  return on;
}

template <>
void small_nt<float>(int64_t m, int64_t i0, int64_t i1, int64_t cols, const float* x,
                     const float* w, float* out, int64_t ldo) {
  active()->nt32(m, i0, i1, cols, x, w, out, ldo);
}
template <>
void small_nt<double>(int64_t m, int64_t i0, int64_t i1, int64_t cols, const double* x,
                      const double* w, double* out, int64_t ldo) {
  active()->nt64(m, i0, i1, cols, x, w, out, ldo);
}

template <>
void fused_rows<float>(int64_t m, int64_t i0, int64_t i1, int64_t cols, const float* d,
                       int64_t ld_d, const float* x, float* w, float* e, float alpha,
                       float beta) {
  active()->f32(m, i0, i1, cols, d, ld_d, x, w, e, alpha, beta);
}
template <>
void fused_rows<double>(int64_t m, int64_t i0, int64_t i1, int64_t cols, const double* d,
                        int64_t ld_d, const double* x, double* w, double* e, double alpha,
                        double beta) {
  active()->f64(m, i0, i1, cols, d, ld_d, x, w, e, alpha, beta);
}

}  // namespace cpu
}  // namespace gdln
