// native/cpu/gemm_ref.cc — the reference GEMM: a plain triple loop, written to
// be read, not to be fast. The optimised kernels are tested against it.
//
// Promise: C[M,N] = alpha * op(A)[M,K] op(B)[K,N] + beta * C, row-major, with
// the same edge semantics as gemm/gemm_builtin (BLAS's): m or n == 0 touches
// nothing; k == 0 or alpha == 0 only scales C; beta == 0 overwrites C, so NaN
// already in C never propagates. Each dot product is summed in double
// (whatever T is) in order p = 0..k-1, so float results carry one final
// rounding and make a sharp yardstick.
#include <cstdint>

#include "gdln/gemm.h"

namespace gdln {

template <typename T>
void gemm_ref(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
              T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
              T* c, int64_t ldc) {
  // op(A)[i, p] and op(B)[p, j] in row-major storage.
  auto a_at = [&](int64_t i, int64_t p) {
    return trans_a == Trans::No ? a[i * lda + p] : a[p * lda + i];
  };
  auto b_at = [&](int64_t p, int64_t j) {
    return trans_b == Trans::No ? b[p * ldb + j] : b[j * ldb + p];
  };
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T& cij = c[i * ldc + j];
      double acc = 0;
      if (alpha != T(0)) {
        for (int64_t p = 0; p < k; ++p) {
          acc += static_cast<double>(a_at(i, p)) * static_cast<double>(b_at(p, j));
        }
      }
      // alpha * acc is exactly 0 when alpha == 0 or k == 0 (acc == 0).
      const double scaled = static_cast<double>(alpha) * acc;
      cij = beta == T(0) ? static_cast<T>(scaled)
                         : static_cast<T>(scaled + static_cast<double>(beta) * cij);
    }
  }
}

template void gemm_ref<float>(Trans, Trans, int64_t, int64_t, int64_t, float,
                              const float*, int64_t, const float*, int64_t, float,
                              float*, int64_t);
template void gemm_ref<double>(Trans, Trans, int64_t, int64_t, int64_t, double,
                               const double*, int64_t, const double*, int64_t,
                               double, double*, int64_t);

}  // namespace gdln
