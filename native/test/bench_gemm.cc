// native/test/bench_gemm.cc — GFLOP/s of gdln::gemm_builtin (each kernel set
// this CPU runs) and gdln::gemm (OpenBLAS when linked), float and double, on
// square sizes and on the skinny shapes gated products produce (few active
// samples). Single-threaded, as gemm is used; a last block shows the builtin
// split over a ThreadPool by rows, the way the engine parallelises.
//
// Usage: bench_gemm [--quick] [--threads N]. Each figure is the best of 5
// timings of a batch sized to ~50 ms; FLOPs = 2 m n k. Single-thread figures
// use the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID where POSIX has
// it), so time-slicing on a shared machine does not count against a kernel;
// the pool figures use wall time, since they span threads.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <time.h>
#endif

#include "../cpu/gemm_isa.h"
#include "gdln/gemm.h"
#include "gdln/thread_pool.h"

namespace {

using gdln::Trans;
using Clock = std::chrono::steady_clock;

struct Shape {
  const char* what;
  Trans ta, tb;
  int64_t m, n, k;
};

double wall_now() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

double thread_cpu_now() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) return ts.tv_sec + 1e-9 * ts.tv_nsec;
#endif
  return wall_now();
}

// Best seconds per call of f over 5 batches of `reps` calls, reps chosen so a
// batch takes about target_s on the given clock.
double time_call(const std::function<void()>& f, double target_s, double (*now)()) {
  f();  // warm caches, scratch, lazy initialisation
  double t0 = now();
  f();
  const double once = std::max(now() - t0, 1e-7);
  const int reps = std::max(1, static_cast<int>(target_s / once));
  double best = 1e30;
  for (int trial = 0; trial < 5; ++trial) {
    t0 = now();
    for (int r = 0; r < reps; ++r) f();
    best = std::min(best, (now() - t0) / reps);
  }
  return best;
}

template <typename T>
struct Operands {
  std::vector<T> a, b, c;
  int64_t lda, ldb, ldc;
  explicit Operands(const Shape& s) {
    lda = s.ta == Trans::No ? s.k : s.m;
    ldb = s.tb == Trans::No ? s.n : s.k;
    ldc = s.n;
    a.resize(static_cast<size_t>(s.m * s.k));
    b.resize(static_cast<size_t>(s.k * s.n));
    c.assign(static_cast<size_t>(s.m * s.n), T(0));
    uint32_t x = 12345;
    for (auto& v : a) v = static_cast<T>((x = x * 1664525u + 1013904223u) >> 8) * T(1.0 / (1 << 24)) - T(0.5);
    for (auto& v : b) v = static_cast<T>((x = x * 1664525u + 1013904223u) >> 8) * T(1.0 / (1 << 24)) - T(0.5);
  }
};

template <typename T>
double gflops(const Shape& s, bool builtin, double target_s) {
  Operands<T> o(s);
  auto f = [&] {
    if (builtin) {
      gdln::gemm_builtin<T>(s.ta, s.tb, s.m, s.n, s.k, T(1), o.a.data(), o.lda, o.b.data(), o.ldb,
                            T(0), o.c.data(), o.ldc);
    } else {
      gdln::gemm<T>(s.ta, s.tb, s.m, s.n, s.k, T(1), o.a.data(), o.lda, o.b.data(), o.ldb, T(0),
                    o.c.data(), o.ldc);
    }
  };
  return 2.0 * s.m * s.n * s.k / time_call(f, target_s, thread_cpu_now) * 1e-9;
}

// The builtin split over the pool by rows of C (grain: whole 64-row blocks).
template <typename T>
double gflops_pool(const Shape& s, gdln::ThreadPool& pool, double target_s) {
  Operands<T> o(s);
  auto f = [&] {
    pool.parallel_for(s.m, 64, [&](int64_t r0, int64_t r1) {
      const T* a = s.ta == Trans::No ? o.a.data() + r0 * o.lda : o.a.data() + r0;
      gdln::gemm_builtin<T>(s.ta, s.tb, r1 - r0, s.n, s.k, T(1), a, o.lda, o.b.data(), o.ldb, T(0),
                            o.c.data() + r0 * o.ldc, o.ldc);
    });
  };
  return 2.0 * s.m * s.n * s.k / time_call(f, target_s, wall_now) * 1e-9;
}

std::string shape_name(const Shape& s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%-7s %s%s m=%-5lld n=%-5lld k=%-5lld", s.what,
                s.ta == Trans::No ? "N" : "T", s.tb == Trans::No ? "N" : "T", (long long)s.m,
                (long long)s.n, (long long)s.k);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
  }
  const double target = quick ? 0.01 : 0.05;
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("bench_gemm: gemm backend=%s, builtin default=%s, OPENBLAS_CORETYPE=%s\n",
              gdln::gemm_backend_name(), gdln::gemm_detail::active_kernels()->name,
              coretype ? coretype : "(unset)");

  std::vector<Shape> shapes;
  for (int64_t n : {64, 256, 512, 1024}) shapes.push_back({"square", Trans::No, Trans::No, n, n, n});
  shapes.push_back({"square", Trans::No, Trans::Yes, 512, 512, 512});
  shapes.push_back({"square", Trans::Yes, Trans::No, 512, 512, 512});
  // Gated layers: few active samples m (forward is N x T), wide output.
  shapes.push_back({"skinny", Trans::No, Trans::Yes, 8, 128, 784});   // fwd: H W^T
  shapes.push_back({"skinny", Trans::No, Trans::No, 8, 128, 784});
  shapes.push_back({"skinny", Trans::No, Trans::No, 128, 8, 784});
  shapes.push_back({"skinny", Trans::Yes, Trans::No, 128, 784, 8});   // grad: dA^T H
  shapes.push_back({"skinny", Trans::No, Trans::Yes, 1, 512, 512});
  shapes.push_back({"skinny", Trans::No, Trans::No, 4, 1024, 1024});
  shapes.push_back({"skinny", Trans::No, Trans::No, 1000, 4, 1000});
  shapes.push_back({"gated", Trans::No, Trans::Yes, 100, 256, 784});
  shapes.push_back({"gated", Trans::Yes, Trans::No, 256, 784, 100});

  // Columns: every builtin kernel set available, then gemm (if it is BLAS).
  std::vector<const char*> isas;
  for (const char* isa : {"generic", "avx2", "avx512"}) {
    if (gdln::gemm_detail::force_kernels(isa)) isas.push_back(isa);
  }
  gdln::gemm_detail::force_kernels(nullptr);
  const bool blas = std::strcmp(gdln::gemm_backend_name(), "builtin") != 0;

  for (int dtype = 0; dtype < 2; ++dtype) {
    std::printf("\n%s, GFLOP/s, 1 thread (thread CPU time)\n%-44s", dtype == 0 ? "float32" : "float64", "shape");
    for (const char* isa : isas) std::printf(" %9s", isa);
    if (blas) std::printf(" %9s", gdln::gemm_backend_name());
    std::printf("\n");
    for (const Shape& s : shapes) {
      std::printf("%-44s", shape_name(s).c_str());
      for (const char* isa : isas) {
        gdln::gemm_detail::force_kernels(isa);
        const double g = dtype == 0 ? gflops<float>(s, true, target) : gflops<double>(s, true, target);
        std::printf(" %9.1f", g);
        std::fflush(stdout);
      }
      gdln::gemm_detail::force_kernels(nullptr);
      if (blas) {
        const double g = dtype == 0 ? gflops<float>(s, false, target) : gflops<double>(s, false, target);
        std::printf(" %9.1f", g);
      }
      std::printf("\n");
    }
  }

  gdln::ThreadPool pool(threads);
  std::printf("\nbuiltin (%s) over ThreadPool(%d), rows split, GFLOP/s (wall time)\n",
              gdln::gemm_detail::active_kernels()->name, pool.size());
  for (int64_t n : {256, 512, 1024}) {
    const Shape s{"square", Trans::No, Trans::No, n, n, n};
    std::printf("%-44s f32 %7.1f  f64 %7.1f\n", shape_name(s).c_str(),
                gflops_pool<float>(s, pool, target), gflops_pool<double>(s, pool, target));
  }
  return 0;
}
