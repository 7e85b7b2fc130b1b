// native/cpu/gemm_avx2.cc — the built-in GEMM instantiated for AVX2 + FMA.
// Compiled with -mavx2 -mfma (sources.json key "gemm_avx2"); the dispatcher in
// gemm_builtin.cc calls it only when __builtin_cpu_supports says the CPU has
// both. Without those flags (e.g. a non-x86 build) this file compiles to a
// stub whose kernels_avx2() returns nullptr.
#include "gemm_isa.h"

#if defined(__AVX2__) && defined(__FMA__)

#include "gemm_kernels.h"
#include "simd_avx2.h"

namespace gdln {
namespace gemm_detail {
namespace {

using simd::Avx2F32;
using simd::Avx2F64;

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
