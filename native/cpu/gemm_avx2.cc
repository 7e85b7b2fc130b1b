// native/cpu/gemm_avx2.cc — the built-in GEMM instantiated for AVX2 + FMA.
// Compiled with -mavx2 -mfma (sources.json key "gemm_avx2"); the dispatcher in
// gemm_builtin.cc calls it only when __builtin_cpu_supports says the CPU has
// both. Without those flags (e.g. a non-x86 build) this file compiles to a
// stub whose kernels_avx2() returns nullptr.
#include "gemm_isa.h"

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

#include "gemm_kernels.h"

namespace gdln {
namespace gemm_detail {
namespace {

struct Avx2F32 {
  using T = float;
  using reg = __m256;
  static constexpr int W = 8;
  static reg zero() { return _mm256_setzero_ps(); }
  static reg load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, reg r) { _mm256_storeu_ps(p, r); }
  static reg set1(T x) { return _mm256_set1_ps(x); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static T hsum(reg r) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(r), _mm256_extractf128_ps(r, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

struct Avx2F64 {
  using T = double;
  using reg = __m256d;
  static constexpr int W = 4;
  static reg zero() { return _mm256_setzero_pd(); }
  static reg load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, reg r) { _mm256_storeu_pd(p, r); }
  static reg set1(T x) { return _mm256_set1_pd(x); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
  static T hsum(reg r) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(r), _mm256_extractf128_pd(r, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

// 16 ymm registers: a 6 x 2-vector tile is 12 accumulators + 2 B + 1 A.
// KC = 256 keeps a B micro-panel (256 x 16 floats = 16 KiB) in a 32 KiB L1;
// MC x KC of A (~144 KiB) sits in a 512 KiB L2.
using F32 = Config<Avx2F32, 6, 2, 256, 144, 2048, 8>;
using F64 = Config<Avx2F64, 6, 2, 256, 72, 1024, 8>;

void sgemm(const Problem<float>& p) { run<F32>(p); }
void dgemm(const Problem<double>& p) { run<F64>(p); }

const KernelSet kSet{"avx2", &sgemm, &dgemm};

}  // namespace

const KernelSet* kernels_avx2() { return &kSet; }

}  // namespace gemm_detail
}  // namespace gdln

#else

namespace gdln {
namespace gemm_detail {
const KernelSet* kernels_avx2() { return nullptr; }
}  // namespace gemm_detail
}  // namespace gdln

#endif
