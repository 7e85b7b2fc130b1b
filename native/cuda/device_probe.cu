// native/cuda/device_probe.cu — the CUDA build's proof of life: counts the
// devices, names device 0 and runs one trivial kernel on it (see
// cuda_probe.h). Real kernels arrive in later files; this one only proves the
// toolchain, the static runtime and the GPU-less fallback.
//
// Promise: no exception and no abort crosses gdln_cuda_probe; with no driver
// or no device it returns the cudaError and a readable status.

#include <cuda_runtime.h>

#include <cstdio>

#include "cuda_probe.h"

namespace {

// out[i] = 2 * i + 1 for i < n: a result the host can check exactly.
__global__ void probe_kernel(int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = 2 * i + 1;
}

int fail(GdlnCudaProbe* out, cudaError_t err, const char* during) {
  out->error = static_cast<int>(err);
  std::snprintf(out->status, sizeof out->status, "%s failed: %s (%s, code %d)", during,
                cudaGetErrorString(err), cudaGetErrorName(err), static_cast<int>(err));
  return out->error;
}

// Runs probe_kernel on the current device and checks every element.
int self_test(GdlnCudaProbe* out, const char* device) {
  constexpr int kN = 256;
  int* buffer = nullptr;
  cudaError_t err = cudaMalloc(&buffer, kN * sizeof(int));
  if (err != cudaSuccess) return fail(out, err, "cudaMalloc");
  probe_kernel<<<(kN + 127) / 128, 128>>>(buffer, kN);
  err = cudaGetLastError();
  int host[kN] = {};
  if (err == cudaSuccess) err = cudaMemcpy(host, buffer, sizeof host, cudaMemcpyDeviceToHost);
  cudaFree(buffer);
  if (err != cudaSuccess) return fail(out, err, "probe kernel");
  for (int i = 0; i < kN; ++i) {
    if (host[i] != 2 * i + 1) {
      out->error = -1;
      std::snprintf(out->status, sizeof out->status,
                    "%.160s: probe kernel returned %d at %d (expected %d)", device, host[i], i,
                    2 * i + 1);
      return out->error;
    }
  }
  return 0;
}

}  // namespace

extern "C" int gdln_cuda_probe(GdlnCudaProbe* out) {
  out->built = 1;
  out->device_count = 0;
  out->error = 0;
  out->status[0] = '\0';

  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) return fail(out, err, "cudaGetDeviceCount");
  out->device_count = count;
  if (count == 0) {
    std::snprintf(out->status, sizeof out->status, "built with CUDA, but no device is visible");
    return 0;
  }

  cudaDeviceProp prop{};
  err = cudaGetDeviceProperties(&prop, 0);
  if (err != cudaSuccess) return fail(out, err, "cudaGetDeviceProperties");
  char device[192];  // prop.name is up to 255 chars: cut it so the status fits
  std::snprintf(device, sizeof device, "%.120s (sm_%d%d, %.1f GiB)", prop.name, prop.major,
                prop.minor, static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  if (self_test(out, device) != 0) return out->error;
  std::snprintf(out->status, sizeof out->status, "%.200s, self-test ok", device);
  return 0;
}
