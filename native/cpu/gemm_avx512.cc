// native/cpu/gemm_avx512.cc — the built-in GEMM instantiated for AVX-512F.
// Compiled with -mavx512f (+dq/bw/vl) -mfma (sources.json key "gemm_avx512");
// the dispatcher in gemm_builtin.cc calls it only when the CPU reports
// avx512f. Without those flags this file compiles to a stub whose
// kernels_avx512() returns nullptr.
#include "gemm_isa.h"

#if defined(__AVX512F__)

#include <immintrin.h>

#include "gemm_kernels.h"

namespace gdln {
namespace gemm_detail {
namespace {

struct Avx512F32 {
  using T = float;
  using reg = __m512;
  static constexpr int W = 16;
  static reg zero() { return _mm512_setzero_ps(); }
  static reg load(const T* p) { return _mm512_loadu_ps(p); }
  static void store(T* p, reg r) { _mm512_storeu_ps(p, r); }
  static reg set1(T x) { return _mm512_set1_ps(x); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  // Folded by hand, lanes read by subscript: GCC 12 warns (-Wuninitialized)
  // on the _mm512_undefined_* inside _mm512_reduce_add_* and the 512->128
  // casts. Zero-masked shuffles avoid the same trap.
  static T hsum(reg r) {
    reg t = _mm512_add_ps(r, _mm512_maskz_shuffle_f32x4(0xFFFF, r, r, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm512_add_ps(t, _mm512_maskz_shuffle_f32x4(0xFFFF, t, t, _MM_SHUFFLE(2, 3, 0, 1)));
    return (t[0] + t[1]) + (t[2] + t[3]);
  }
};

struct Avx512F64 {
  using T = double;
  using reg = __m512d;
  static constexpr int W = 8;
  static reg zero() { return _mm512_setzero_pd(); }
  static reg load(const T* p) { return _mm512_loadu_pd(p); }
  static void store(T* p, reg r) { _mm512_storeu_pd(p, r); }
  static reg set1(T x) { return _mm512_set1_pd(x); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static reg mul(reg a, reg b) { return _mm512_mul_pd(a, b); }
  static T hsum(reg r) {
    reg t = _mm512_add_pd(r, _mm512_maskz_shuffle_f64x2(0xFF, r, r, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm512_add_pd(t, _mm512_maskz_shuffle_f64x2(0xFF, t, t, _MM_SHUFFLE(2, 3, 0, 1)));
    return t[0] + t[1];
  }
};

// 32 zmm registers: a 12 x 2-vector tile is 24 accumulators + 2 B + 1 A,
// enough independent FMA chains to cover two 512-bit FMA pipes.
using F32 = Config<Avx512F32, 12, 2, 256, 192, 3072, 16>;
using F64 = Config<Avx512F64, 12, 2, 256, 96, 1536, 16>;

void sgemm(const Problem<float>& p) { run<F32>(p); }
void dgemm(const Problem<double>& p) { run<F64>(p); }

const KernelSet kSet{"avx512", &sgemm, &dgemm};

}  // namespace

const KernelSet* kernels_avx512() { return &kSet; }

}  // namespace gemm_detail
}  // namespace gdln

#else

namespace gdln {
namespace gemm_detail {
const KernelSet* kernels_avx512() { return nullptr; }
}  // namespace gemm_detail
}  // namespace gdln

#endif
