// gdln/gemm.h — the one dense matrix product every gated kernel is built on.
// C[M,N] = alpha * op(A) op(B) + beta * C, row-major, op = transpose or not.
// Dispatches to OpenBLAS when the build found it (GDLN_HAVE_OPENBLAS), else to
// the built-in cache-blocked kernel. Runs on the calling thread only: gdln's
// own pool parallelises above it (and OpenBLAS is pinned to 1 thread), so
// results do not depend on the thread count.
//
// Edge semantics (as BLAS): m == 0 or n == 0 touches nothing; k == 0 or
// alpha == 0 sets C = beta * C without reading A or B; beta == 0 overwrites C,
// so NaN already in C never propagates. Negative sizes, or a leading dimension
// smaller than the row length of a matrix that is read, throw
// std::invalid_argument. All three functions are safe to call concurrently.
// Bitwise results depend on the backend, the ISA and the shape passed in
// (skinny shapes take other summation orders): split work between threads by
// a rule that does not depend on the thread count if bits must match.
#pragma once

#include <cstdint>

namespace gdln {

enum class Trans : int32_t { No = 0, Yes = 1 };

template <typename T>
void gemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, T alpha,
          const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
          int64_t ldc);

// The plain triple loop the optimised kernels are tested against.
template <typename T>
void gemm_ref(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
              T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
              T* c, int64_t ldc);

// Always the built-in kernel (for tests and benchmarks of it).
template <typename T>
void gemm_builtin(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                  T alpha, const T* a, int64_t lda, const T* b, int64_t ldb,
                  T beta, T* c, int64_t ldc);

const char* gemm_backend_name();  // "openblas" or "builtin"

}  // namespace gdln
