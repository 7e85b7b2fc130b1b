// native/cpu/gemm_isa.h — private contract between the built-in GEMM's
// dispatcher (gemm_builtin.cc, compiled for the baseline ISA) and its per-ISA
// translation units (gemm_avx2.cc, gemm_avx512.cc, compiled with extra -m
// flags). Only plain data and function pointers cross this boundary, so no
// inline code compiled for a wider ISA can leak into baseline callers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gdln/gemm.h"

namespace gdln {
namespace gemm_detail {

// One product in stride form: element (i, j) of op(A) is a[i*a_rs + j*a_cs],
// and likewise for op(B) and C. Transposes become stride swaps, so a kernel
// can also solve C^T = op(B)^T op(A)^T by swapping roles.
// Kernels may assume m, n, k > 0 and alpha != 0 (the dispatcher handles the
// rest); beta == 0 means C is write-only (NaN in C does not propagate).
template <typename T>
struct Problem {
  int64_t m, n, k;
  T alpha, beta;
  const T* a;
  int64_t a_rs, a_cs;
  const T* b;
  int64_t b_rs, b_cs;
  T* c;
  int64_t c_rs, c_cs;
};

struct KernelSet {
  const char* name;  // "generic", "avx2", "avx512"
  void (*sgemm)(const Problem<float>&);
  void (*dgemm)(const Problem<double>&);
};

// Each returns nullptr when its file was compiled without the ISA flags (for
// instance on a non-x86 build), so the dispatcher never calls it.
const KernelSet* kernels_generic();
const KernelSet* kernels_avx2();
const KernelSet* kernels_avx512();

// Per-thread scratch for packed panels, 64-byte aligned. Valid until the next
// call on the same thread; gemm never re-enters itself, so one buffer suffices.
void* scratch(std::size_t bytes);

// Throws std::invalid_argument for negative sizes, or for a leading dimension
// too small for a matrix that will actually be touched (BLAS's lda >= cols
// rule, relaxed when a dimension is 0, since then nothing is read).
void check_args(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                int64_t lda, int64_t ldb, int64_t ldc);

// C = beta * C over m x n (beta == 0 writes zeros, even over NaN).
template <typename T>
void scale_c(int64_t m, int64_t n, T beta, T* c, int64_t ldc);

// The kernel set gemm_builtin uses now (best the CPU supports, unless forced).
const KernelSet* active_kernels();
// Tests and benchmarks only: force "generic", "avx2", "avx512", or nullptr
// for automatic choice. Returns false (and changes nothing) when that set is
// not compiled in or the CPU lacks it. Not thread-safe against running gemms.
bool force_kernels(const char* name);

}  // namespace gemm_detail
}  // namespace gdln
