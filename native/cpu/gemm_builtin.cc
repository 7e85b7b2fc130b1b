// native/cpu/gemm_builtin.cc — gdln's own GEMM: argument checks, the portable
// instantiation of gemm_kernels.h, per-thread scratch, and run-time dispatch to
// the widest instantiation the CPU supports (AVX-512, AVX2+FMA, or portable).
//
// Promise: gemm_builtin<T> computes C = alpha op(A) op(B) + beta C for any
// sizes >= 0 and leading dimensions, on the calling thread only, with BLAS
// semantics at the edges: m == 0 or n == 0 touches nothing; k == 0 or
// alpha == 0 just scales C by beta; beta == 0 overwrites C (NaN in C is
// ignored). It is safe to call from many threads at once. No -ffast-math: the
// only reassociation is the blocked summation order, fixed for a given ISA.
//
// GDLN_GEMM_ISA=generic|avx2|avx512 in the environment (read once) caps the
// choice, for benchmarks and for checking a narrower path on a wide machine.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "gdln/gemm.h"
#include "gemm_isa.h"
#include "gemm_kernels.h"

namespace gdln {
namespace gemm_detail {
namespace {

// The portable vocabulary: GCC/Clang vector extensions (SSE2 on baseline
// x86-64, NEON on aarch64); a plain scalar fallback elsewhere. Multiply-add is
// written a*b + c, which an ISO-mode compile keeps as two roundings.
#if defined(__GNUC__)
struct GenericF32 {
  using T = float;
  typedef float reg __attribute__((vector_size(16)));
  static constexpr int W = 4;
  static reg zero() { return reg{}; }
  static reg load(const T* p) { reg r; std::memcpy(&r, p, sizeof r); return r; }
  static void store(T* p, reg r) { std::memcpy(p, &r, sizeof r); }
  static reg set1(T x) { return reg{} + x; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg mul(reg a, reg b) { return a * b; }
  static T hsum(reg r) { return (r[0] + r[1]) + (r[2] + r[3]); }
};
struct GenericF64 {
  using T = double;
  typedef double reg __attribute__((vector_size(16)));
  static constexpr int W = 2;
  static reg zero() { return reg{}; }
  static reg load(const T* p) { reg r; std::memcpy(&r, p, sizeof r); return r; }
  static void store(T* p, reg r) { std::memcpy(p, &r, sizeof r); }
  static reg set1(T x) { return reg{} + x; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg mul(reg a, reg b) { return a * b; }
  static T hsum(reg r) { return r[0] + r[1]; }
};
#else
template <typename U>
struct GenericScalar {
  using T = U;
  using reg = U;
  static constexpr int W = 1;
  static reg zero() { return U(0); }
  static reg load(const T* p) { return *p; }
  static void store(T* p, reg r) { *p = r; }
  static reg set1(T x) { return x; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg mul(reg a, reg b) { return a * b; }
  static T hsum(reg r) { return r; }
};
using GenericF32 = GenericScalar<float>;
using GenericF64 = GenericScalar<double>;
#endif

// 16 vector registers assumed (baseline x86-64): 6 x 2 tile = 12 accumulators.
using F32 = Config<GenericF32, 6, 2, 256, 144, 2048, 8>;
using F64 = Config<GenericF64, 6, 2, 256, 72, 1024, 8>;

void sgemm_generic(const Problem<float>& p) { run<F32>(p); }
void dgemm_generic(const Problem<double>& p) { run<F64>(p); }

const KernelSet kGeneric{"generic", &sgemm_generic, &dgemm_generic};

// A per-thread buffer that only grows (a few MiB at most: one packed A block
// plus one packed B block), freed when its thread exits.
struct ScratchBuffer {
  void* ptr = nullptr;
  std::size_t cap = 0;
  ~ScratchBuffer() {
    if (ptr) ::operator delete(ptr, std::align_val_t(64));
  }
};

bool cpu_has(const char* name) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  if (std::strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  if (std::strcmp(name, "avx2") == 0)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return std::strcmp(name, "generic") == 0;
}

// The named set if it is compiled in and the CPU runs it, else nullptr.
const KernelSet* usable(const char* name) {
  const KernelSet* k = nullptr;
  if (std::strcmp(name, "avx512") == 0) k = kernels_avx512();
  else if (std::strcmp(name, "avx2") == 0) k = kernels_avx2();
  else if (std::strcmp(name, "generic") == 0) k = kernels_generic();
  return k && cpu_has(name) ? k : nullptr;
}

const KernelSet* detect() {
  static const char* const order[] = {"avx512", "avx2", "generic"};
  const char* cap = std::getenv("GDLN_GEMM_ISA");
  bool allowed = cap == nullptr || *cap == '\0';
  for (const char* name : order) {
    if (!allowed && std::strcmp(cap, name) == 0) allowed = true;
    if (!allowed) continue;
    if (const KernelSet* k = usable(name)) return k;
  }
  return kernels_generic();  // unknown cap: stay safe
}

std::atomic<const KernelSet*> g_forced{nullptr};

}  // namespace

const KernelSet* kernels_generic() { return &kGeneric; }

void* scratch(std::size_t bytes) {
  thread_local ScratchBuffer buf;
  if (bytes > buf.cap) {
    // Grow geometrically so a run of slightly larger calls does not thrash.
    std::size_t cap = buf.cap * 2 > bytes ? buf.cap * 2 : bytes;
    cap = (cap + 4095) / 4096 * 4096;
    void* p = ::operator new(cap, std::align_val_t(64));
    if (buf.ptr) ::operator delete(buf.ptr, std::align_val_t(64));
    buf.ptr = p;
    buf.cap = cap;
  }
  return buf.ptr;
}

const KernelSet* active_kernels() {
  if (const KernelSet* f = g_forced.load(std::memory_order_acquire)) return f;
  static const KernelSet* const best = detect();
  return best;
}

bool force_kernels(const char* name) {
  if (name == nullptr) {
    g_forced.store(nullptr, std::memory_order_release);
    return true;
  }
  const KernelSet* k = usable(name);
  if (!k) return false;
  g_forced.store(k, std::memory_order_release);
  return true;
}

void check_args(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                int64_t lda, int64_t ldb, int64_t ldc) {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("gdln::gemm: " + what);
  };
  if (m < 0 || n < 0 || k < 0) {
    fail("negative size m=" + std::to_string(m) + " n=" + std::to_string(n) +
         " k=" + std::to_string(k));
  }
  if (m == 0 || n == 0) return;  // nothing is read or written
  if (ldc < n) fail("ldc=" + std::to_string(ldc) + " < n=" + std::to_string(n));
  if (k == 0) return;  // A and B are not read
  const int64_t a_cols = trans_a == Trans::No ? k : m;
  const int64_t b_cols = trans_b == Trans::No ? n : k;
  if (lda < a_cols) fail("lda=" + std::to_string(lda) + " < " + std::to_string(a_cols));
  if (ldb < b_cols) fail("ldb=" + std::to_string(ldb) + " < " + std::to_string(b_cols));
}

template <typename T>
void scale_c(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  if (beta == T(1)) return;
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) row[j] = T(0);
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

template void scale_c<float>(int64_t, int64_t, float, float*, int64_t);
template void scale_c<double>(int64_t, int64_t, double, double*, int64_t);

namespace {
void call(const KernelSet* ks, const Problem<float>& p) { ks->sgemm(p); }
void call(const KernelSet* ks, const Problem<double>& p) { ks->dgemm(p); }
}  // namespace

}  // namespace gemm_detail

template <typename T>
void gemm_builtin(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                  T alpha, const T* a, int64_t lda, const T* b, int64_t ldb,
                  T beta, T* c, int64_t ldc) {
  gemm_detail::check_args(trans_a, trans_b, m, n, k, lda, ldb, ldc);
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == T(0)) {
    gemm_detail::scale_c(m, n, beta, c, ldc);
    return;
  }
  // Row-major op(X) as strides: element (i, j) at x[i*rs + j*cs].
  const bool ta = trans_a == Trans::Yes, tb = trans_b == Trans::Yes;
  gemm_detail::Problem<T> p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.alpha = alpha;
  p.beta = beta;
  p.a = a;
  p.a_rs = ta ? 1 : lda;
  p.a_cs = ta ? lda : 1;
  p.b = b;
  p.b_rs = tb ? 1 : ldb;
  p.b_cs = tb ? ldb : 1;
  p.c = c;
  p.c_rs = ldc;
  p.c_cs = 1;
  gemm_detail::call(gemm_detail::active_kernels(), p);
}

template void gemm_builtin<float>(Trans, Trans, int64_t, int64_t, int64_t, float,
                                  const float*, int64_t, const float*, int64_t,
                                  float, float*, int64_t);
template void gemm_builtin<double>(Trans, Trans, int64_t, int64_t, int64_t, double,
                                   const double*, int64_t, const double*, int64_t,
                                   double, double*, int64_t);

}  // namespace gdln
