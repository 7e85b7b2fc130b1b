// native/test/test_gemm.cc — checks gdln::gemm, gdln::gemm_builtin (every
// kernel set this CPU can run: generic, avx2, avx512) against gdln::gemm_ref,
// and gdln::ThreadPool's contract. Plain C++, no framework; exits non-zero on
// any failure. Usage: test_gemm [seed] (or GDLN_TEST_SEED); the seed is
// printed first so any failure can be replayed.
//
// Tolerance: |C - C_ref| <= tol * (|alpha| sum_p |a_ip||b_pj| + |beta||C0_ij|)
// + tiny, elementwise, with tol = 1e-12 (double) and 1e-5 (float). Blocked
// summation errors grow like sqrt(k)*eps for random data, well inside both
// for the k <= ~1000 used here; C_ref sums in double.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../cpu/gemm_isa.h"
#include "gdln/gemm.h"
#include "gdln/thread_pool.h"

namespace {

std::atomic<int> g_failures{0};  // atomic: checks also run on several threads
std::atomic<int> g_checks{0};

#define CHECK(cond, ...)                                              \
  do {                                                                \
    ++g_checks;                                                       \
    if (!(cond)) {                                                    \
      ++g_failures;                                                   \
      if (g_failures <= 30) {                                         \
        std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
        std::printf(__VA_ARGS__);                                     \
        std::printf("\n");                                            \
      }                                                               \
    }                                                                 \
  } while (0)

// splitmix64: tiny, and the same stream on every platform (unlike the
// std:: distributions, whose output is implementation-defined).
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53 * 2.0 - 1.0; }
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
};

using gdln::Trans;

const char* tname(Trans t) { return t == Trans::No ? "N" : "T"; }

template <typename T>
struct Tol;
template <>
struct Tol<float> {
  static constexpr double rel = 1e-5;
  static constexpr const char* name = "float";
};
template <>
struct Tol<double> {
  static constexpr double rel = 1e-12;
  static constexpr const char* name = "double";
};

enum class Impl { Dispatch, Builtin };

template <typename T>
void call(Impl impl, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, T alpha,
          const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (impl == Impl::Dispatch) {
    gdln::gemm<T>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    gdln::gemm_builtin<T>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

// One randomised case: random data, padded leading dimensions, C with a
// sentinel border (beyond n in each row) that must survive untouched.
template <typename T>
bool check_case(Impl impl, const char* label, Rng& rng, Trans ta, Trans tb, int64_t m,
                int64_t n, int64_t k, T alpha, T beta, bool nan_c) {
  const int64_t a_rows = ta == Trans::No ? m : k, a_cols = ta == Trans::No ? k : m;
  const int64_t b_rows = tb == Trans::No ? k : n, b_cols = tb == Trans::No ? n : k;
  const int64_t lda = std::max<int64_t>(1, a_cols + rng.below(4));
  const int64_t ldb = std::max<int64_t>(1, b_cols + rng.below(4));
  const int64_t ldc = std::max<int64_t>(1, n + rng.below(4));
  std::vector<T> a(static_cast<size_t>(std::max<int64_t>(1, a_rows * lda)));
  std::vector<T> b(static_cast<size_t>(std::max<int64_t>(1, b_rows * ldb)));
  std::vector<T> c0(static_cast<size_t>(std::max<int64_t>(1, m * ldc)));
  for (auto& x : a) x = static_cast<T>(rng.uniform());
  for (auto& x : b) x = static_cast<T>(rng.uniform());
  const T sentinel = static_cast<T>(12345.5);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      c0[i * ldc + j] = j < n ? (nan_c ? std::numeric_limits<T>::quiet_NaN()
                                       : static_cast<T>(rng.uniform()))
                              : sentinel;
    }
  }
  std::vector<T> got = c0, want = c0;
  call<T>(impl, ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, got.data(), ldc);
  gdln::gemm_ref<T>(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, want.data(), ldc);

  int bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const T g = got[i * ldc + j], w = want[i * ldc + j];
      if (j >= n) {
        if (g != sentinel) ++bad;
        continue;
      }
      double scale = 0;
      if (alpha != T(0)) {
        for (int64_t p = 0; p < k; ++p) {
          const double av = ta == Trans::No ? a[i * lda + p] : a[p * lda + i];
          const double bv = tb == Trans::No ? b[p * ldb + j] : b[j * ldb + p];
          scale += std::fabs(av * bv);
        }
      }
      scale = std::fabs(static_cast<double>(alpha)) * scale;
      if (beta != T(0)) scale += std::fabs(static_cast<double>(beta) * c0[i * ldc + j]);
      const double err = std::fabs(static_cast<double>(g) - static_cast<double>(w));
      const double bound = Tol<T>::rel * scale + 1e-30;
      if (!(err <= bound)) ++bad;  // also catches NaN
      if (scale > 0) worst = std::max(worst, err / scale);
    }
  }
  CHECK(bad == 0,
        "%s %s %s%s m=%lld n=%lld k=%lld lda=%lld ldb=%lld ldc=%lld alpha=%g beta=%g "
        "nanC=%d: %d bad elements, worst rel err %.3g",
        label, Tol<T>::name, tname(ta), tname(tb), (long long)m, (long long)n, (long long)k,
        (long long)lda, (long long)ldb, (long long)ldc, (double)alpha, (double)beta,
        (int)nan_c, bad, worst);
  return bad == 0;
}

// Sizes chosen to land on and around every tile and block edge: register
// tiles (6, 8, 12, 16, 32), skinny thresholds (8), KC = 256, MC = 72..192.
const int64_t kAwkward[] = {1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 16, 17, 19, 31, 33, 64, 99, 129};

template <typename T>
void test_gemm_impl(Impl impl, const char* label, Rng& rng) {
  const Trans ts[] = {Trans::No, Trans::Yes};
  const T alphas[] = {T(1), T(-0.5), T(2.25)};
  const T betas[] = {T(0), T(1), T(-1.5), T(0.3)};
  int cases = 0;
  for (Trans ta : ts) {
    for (Trans tb : ts) {
      // Every small shape from the awkward list, random alpha/beta.
      for (int64_t m : kAwkward) {
        for (int rep = 0; rep < 3; ++rep) {
          const int64_t n = kAwkward[rng.below(std::size(kAwkward))];
          const int64_t k = kAwkward[rng.below(std::size(kAwkward))];
          const T alpha = alphas[rng.below(3)], beta = betas[rng.below(4)];
          check_case<T>(impl, label, rng, ta, tb, m, n, k, alpha, beta, false);
          check_case<T>(impl, label, rng, ta, tb, n, m, k, alpha, T(0), true);
          cases += 2;
        }
      }
      // Block-crossing shapes (k > KC, m > MC, long k for the dot path,
      // n > NC with a short k to stay cheap).
      const int64_t big[][3] = {{300, 270, 530}, {197, 989, 19}, {5, 300, 989},
                                {989, 3, 300},   {8, 777, 1000}, {777, 8, 1000},
                                {13, 3200, 7},   {260, 33, 600}, {1, 1, 989}};
      for (const auto& s : big) {
        const T alpha = alphas[rng.below(3)], beta = betas[rng.below(4)];
        check_case<T>(impl, label, rng, ta, tb, s[0], s[1], s[2], alpha, beta, beta == T(0));
        ++cases;
      }
      // Zero sizes, alpha == 0, k == 0 (C = beta C, NaN overwritten).
      check_case<T>(impl, label, rng, ta, tb, 0, 7, 5, T(1), T(0.5), false);
      check_case<T>(impl, label, rng, ta, tb, 7, 0, 5, T(1), T(0.5), false);
      check_case<T>(impl, label, rng, ta, tb, 7, 9, 0, T(1), T(0.5), false);
      check_case<T>(impl, label, rng, ta, tb, 7, 9, 0, T(1), T(0), true);
      check_case<T>(impl, label, rng, ta, tb, 7, 9, 4, T(0), T(-2), false);
      check_case<T>(impl, label, rng, ta, tb, 7, 9, 4, T(0), T(0), true);
      check_case<T>(impl, label, rng, ta, tb, 1, 1, 1, T(1), T(0), true);
      cases += 7;
    }
  }
  std::printf("  %-16s %-6s %d cases\n", label, Tol<T>::name, cases);
}

template <typename T>
void test_argument_checks(Impl impl, const char* label) {
  T a[4] = {}, b[4] = {}, c[4] = {};
  auto throws = [&](int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc) {
    try {
      call<T>(impl, Trans::No, Trans::No, m, n, k, T(1), a, lda, b, ldb, T(0), c, ldc);
    } catch (const std::invalid_argument&) {
      return true;
    }
    return false;
  };
  CHECK(throws(-1, 1, 1, 1, 1, 1), "%s: negative m accepted", label);
  CHECK(throws(2, 2, 2, 1, 2, 2), "%s: lda < k accepted", label);
  CHECK(throws(2, 2, 2, 2, 1, 2), "%s: ldb < n accepted", label);
  CHECK(throws(2, 2, 2, 2, 2, 1), "%s: ldc < n accepted", label);
  CHECK(!throws(0, 2, 2, 0, 0, 0), "%s: m == 0 rejected", label);
}

// Many threads at once: each uses its own scratch, results must not mix.
template <typename T>
void test_concurrent_builtin(Rng& rng) {
  const int threads = 4;
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  std::vector<uint64_t> seeds;
  for (int t = 0; t < threads; ++t) seeds.push_back(rng.next());
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      Rng local{seeds[static_cast<size_t>(t)]};
      for (int rep = 0; rep < 6; ++rep) {
        const int64_t m = 20 + local.below(200), n = 20 + local.below(200), k = 5 + local.below(400);
        if (!check_case<T>(Impl::Builtin, "concurrent", local, Trans::No, Trans::Yes, m, n, k,
                           T(1), T(0.5), false)) {
          bad.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(bad.load() == 0, "concurrent builtin gemm: %d bad cases", bad.load());
}

// ---------------------------------------------------------------- ThreadPool

void test_pool_coverage() {
  for (int threads : {1, 2, 3, 8}) {
    gdln::ThreadPool pool(threads);
    CHECK(pool.size() == threads, "size() = %d, want %d", pool.size(), threads);
    for (int64_t n : {0, 1, 2, 5, 7, 64, 1000, 1001}) {
      for (int64_t grain : {0, 1, 3, 16, 2000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        for (auto& h : hits) h.store(0);
        std::atomic<int> calls{0};
        std::atomic<int64_t> min_len{INT64_MAX};
        pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
          calls.fetch_add(1);
          int64_t cur = min_len.load();
          while (e - b < cur && !min_len.compare_exchange_weak(cur, e - b)) {
          }
          for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
        });
        bool once = true;
        for (auto& h : hits) once = once && h.load() == 1;
        CHECK(once, "threads=%d n=%lld grain=%lld: [0,n) not covered exactly once", threads,
              (long long)n, (long long)grain);
        CHECK(calls.load() <= threads, "threads=%d n=%lld: %d chunks > size()", threads,
              (long long)n, calls.load());
        CHECK(n == 0 || n < grain || min_len.load() >= std::max<int64_t>(1, grain),
              "threads=%d n=%lld grain=%lld: a chunk shorter than grain", threads,
              (long long)n, (long long)grain);
      }
    }
  }
  gdln::ThreadPool hw(0);
  CHECK(hw.size() >= 1, "ThreadPool(0).size() = %d", hw.size());
}

void test_pool_partition_is_fixed() {
  gdln::ThreadPool pool(4);
  std::vector<std::pair<int64_t, int64_t>> first;
  for (int rep = 0; rep < 50; ++rep) {
    std::vector<std::pair<int64_t, int64_t>> chunks(4, {-1, -1});
    pool.parallel_for(1003, 10, [&](int64_t b, int64_t e) {
      chunks[static_cast<size_t>(b * 4 / 1003)] = {b, e};
    });
    if (rep == 0) first = chunks;
    CHECK(chunks == first, "partition changed between calls (rep %d)", rep);
  }
}

void test_pool_exceptions() {
  gdln::ThreadPool pool(3);
  for (int rep = 0; rep < 20; ++rep) {
    bool caught = false;
    try {
      pool.parallel_for(300, 1, [&](int64_t b, int64_t) {
        if (b == 0) throw std::runtime_error("boom");
      });
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "boom";
    }
    CHECK(caught, "exception from a chunk not rethrown on the caller (rep %d)", rep);
    // The pool keeps working after a failed job.
    std::atomic<int64_t> sum{0};
    pool.parallel_for(300, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) sum.fetch_add(i);
    });
    CHECK(sum.load() == 300 * 299 / 2, "pool broken after an exception: sum %lld",
          (long long)sum.load());
  }
  // Exception on the inline path too.
  bool caught = false;
  try {
    pool.parallel_for(1, 1, [](int64_t, int64_t) { throw std::logic_error("inline"); });
  } catch (const std::logic_error&) {
    caught = true;
  }
  CHECK(caught, "exception from the inline path lost");
}

void test_pool_nested_and_repeated() {
  gdln::ThreadPool pool(4), other(2);
  std::atomic<int64_t> total{0};
  for (int rep = 0; rep < 200; ++rep) {
    pool.parallel_for(40, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        // Same pool nested (runs inline) and through a second pool back
        // into the first (must not deadlock either).
        pool.parallel_for(10, 1, [&](int64_t b2, int64_t e2) { total.fetch_add(e2 - b2); });
        other.parallel_for(10, 1, [&](int64_t b2, int64_t e2) {
          pool.parallel_for(e2 - b2, 1, [&](int64_t b3, int64_t e3) { total.fetch_add(e3 - b3); });
        });
      }
    });
  }
  CHECK(total.load() == 200LL * 40 * 20, "nested totals %lld, want %lld",
        (long long)total.load(), 200LL * 40 * 20);

  // Several outside threads sharing one pool: one job runs on the pool, the
  // others run inline on their own threads; every index is still done once.
  std::atomic<int64_t> shared{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int rep = 0; rep < 200; ++rep) {
        pool.parallel_for(100, 1, [&](int64_t b, int64_t e) { shared.fetch_add(e - b); });
      }
    });
  }
  for (auto& t : callers) t.join();
  CHECK(shared.load() == 4LL * 200 * 100, "concurrent callers: %lld", (long long)shared.load());

  // Construct and destroy without use, and right after a job.
  for (int rep = 0; rep < 20; ++rep) {
    gdln::ThreadPool p(3);
    if (rep % 2) p.parallel_for(9, 1, [](int64_t, int64_t) {});
  }
}

// A pool driving the builtin GEMM over row blocks (how the engine uses it)
// must match one call on the whole matrix to the last bit.
void test_pool_gemm_row_split(Rng& rng) {
  const int64_t m = 301, n = 77, k = 150;
  std::vector<double> a(m * k), b(k * n), c1(m * n, 0), c2(m * n, 0);
  for (auto& x : a) x = rng.uniform();
  for (auto& x : b) x = rng.uniform();
  gdln::gemm_builtin<double>(Trans::No, Trans::No, m, n, k, 1.0, a.data(), k, b.data(), n, 0.0,
                             c1.data(), n);
  gdln::ThreadPool pool(3);
  pool.parallel_for(m, 16, [&](int64_t r0, int64_t r1) {
    gdln::gemm_builtin<double>(Trans::No, Trans::No, r1 - r0, n, k, 1.0, a.data() + r0 * k, k,
                               b.data(), n, 0.0, c2.data() + r0 * n, n);
  });
  double diff = 0;
  for (size_t i = 0; i < c1.size(); ++i) diff = std::max(diff, std::fabs(c1[i] - c2[i]));
  // Row blocks change only which rows share a tile, never a dot product's
  // summation order, so the results agree exactly.
  CHECK(diff == 0, "row-split gemm differs by %g", diff);

  // Skinny row blocks (the direct path, B read in place) also agree to the
  // bit with the packed path when op(B) is not transposed, for any beta.
  for (int isa = 0; isa < 3; ++isa) {
    if (!gdln::gemm_detail::force_kernels(isa == 0 ? "generic" : isa == 1 ? "avx2" : "avx512")) continue;
    for (Trans ta : {Trans::No, Trans::Yes}) {
      const int64_t lda = ta == Trans::No ? k : m;
      std::vector<double> c3(m * n, 0.25), c4(m * n, 0.25);
      gdln::gemm_builtin<double>(ta, Trans::No, m, n, k, 0.75, a.data(), lda, b.data(), n, -0.5,
                                 c3.data(), n);
      for (int64_t r0 = 0; r0 < m; r0 += 5) {
        const int64_t rows = std::min<int64_t>(5, m - r0);
        const double* ar = ta == Trans::No ? a.data() + r0 * k : a.data() + r0;
        gdln::gemm_builtin<double>(ta, Trans::No, rows, n, k, 0.75, ar, lda, b.data(), n, -0.5,
                                   c4.data() + r0 * n, n);
      }
      bool same = c3 == c4;
      CHECK(same, "isa %d trans_a %s: 5-row blocks differ from one call", isa, tname(ta));
    }
  }
  gdln::gemm_detail::force_kernels(nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress visible through pipes
  uint64_t seed = 20240607;
  if (argc > 1) {
    seed = std::strtoull(argv[1], nullptr, 0);
  } else if (const char* s = std::getenv("GDLN_TEST_SEED")) {
    seed = std::strtoull(s, nullptr, 0);
  }
  std::printf("test_gemm seed=%llu backend=%s builtin=%s\n", (unsigned long long)seed,
              gdln::gemm_backend_name(), gdln::gemm_detail::active_kernels()->name);
  Rng rng{seed};

  std::printf("gemm vs gemm_ref:\n");
  for (const char* isa : {"generic", "avx2", "avx512"}) {
    if (!gdln::gemm_detail::force_kernels(isa)) {
      std::printf("  builtin/%-8s skipped: not compiled in or not supported by this CPU\n", isa);
      continue;
    }
    const std::string label = std::string("builtin/") + isa;
    test_gemm_impl<float>(Impl::Builtin, label.c_str(), rng);
    test_gemm_impl<double>(Impl::Builtin, label.c_str(), rng);
  }
  gdln::gemm_detail::force_kernels(nullptr);
  const std::string dlabel = std::string("gemm/") + gdln::gemm_backend_name();
  test_gemm_impl<float>(Impl::Dispatch, dlabel.c_str(), rng);
  test_gemm_impl<double>(Impl::Dispatch, dlabel.c_str(), rng);
  test_argument_checks<float>(Impl::Builtin, "gemm_builtin");
  test_argument_checks<double>(Impl::Dispatch, "gemm");
  test_concurrent_builtin<float>(rng);
  test_concurrent_builtin<double>(rng);

  std::printf("ThreadPool:\n");
  test_pool_coverage();
  test_pool_partition_is_fixed();
  test_pool_exceptions();
  test_pool_nested_and_repeated();
  test_pool_gemm_row_split(rng);

  const int failures = g_failures.load();
  std::printf("%s: %d checks, %d failures (seed=%llu)\n", failures ? "FAILED" : "OK",
              g_checks.load(), failures, (unsigned long long)seed);
  return failures ? 1 : 0;
}
