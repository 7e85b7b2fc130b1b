// native/cpu/gemm.cc — gdln::gemm, the product every CPU kernel calls.
//
// Promise: C = alpha op(A) op(B) + beta C on the calling thread only, with
// BLAS edge semantics (m or n == 0: nothing; k == 0 or alpha == 0: C = beta C;
// beta == 0: C overwritten, NaN ignored), bad sizes rejected with
// std::invalid_argument. Built with GDLN_HAVE_OPENBLAS it calls
// cblas_sgemm/cblas_dgemm, after pinning OpenBLAS to one thread once per
// process: gdln's ThreadPool parallelises above gemm, and OpenBLAS's own
// threads would oversubscribe the cores and make results depend on timing.
// (That pin is process-wide, so other OpenBLAS/LAPACK calls in the same
// process also run single-threaded.) Otherwise, and for sizes beyond
// OpenBLAS's 32-bit integers, it uses gemm_builtin.
#include <cstdint>
#include <limits>

#include "gdln/gemm.h"
#include "gemm_isa.h"

#if defined(GDLN_HAVE_OPENBLAS)
#include <cblas.h>

#include <mutex>
#endif

namespace gdln {

#if defined(GDLN_HAVE_OPENBLAS)
namespace {

void pin_openblas_to_one_thread() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

bool fits_blas_int(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb,
                   int64_t ldc) {
  const int64_t lim = std::numeric_limits<blasint>::max();
  return m <= lim && n <= lim && k <= lim && lda <= lim && ldb <= lim && ldc <= lim;
}

CBLAS_TRANSPOSE to_cblas(Trans t) { return t == Trans::No ? CblasNoTrans : CblasTrans; }

void blas(Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
          float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

void blas(Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta,
          double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

}  // namespace
#endif

template <typename T>
void gemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, T alpha,
          const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
          int64_t ldc) {
#if defined(GDLN_HAVE_OPENBLAS)
  gemm_detail::check_args(trans_a, trans_b, m, n, k, lda, ldb, ldc);
  if (m == 0 || n == 0) return;
  // Handled here so the edge semantics never depend on the BLAS build.
  if (k == 0 || alpha == T(0)) {
    gemm_detail::scale_c(m, n, beta, c, ldc);
    return;
  }
  if (fits_blas_int(m, n, k, lda, ldb, ldc)) {
    pin_openblas_to_one_thread();
    blas(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#endif
  gemm_builtin(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const char* gemm_backend_name() {
#if defined(GDLN_HAVE_OPENBLAS)
  return "openblas";
#else
  return "builtin";
#endif
}

template void gemm<float>(Trans, Trans, int64_t, int64_t, int64_t, float, const float*,
                          int64_t, const float*, int64_t, float, float*, int64_t);
template void gemm<double>(Trans, Trans, int64_t, int64_t, int64_t, double,
                           const double*, int64_t, const double*, int64_t, double,
                           double*, int64_t);

}  // namespace gdln
