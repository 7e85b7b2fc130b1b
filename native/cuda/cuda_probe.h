// native/cuda/cuda_probe.h — the C boundary between the core and the optional
// CUDA library. Implemented by device_probe.cu in a CUDA build and by
// cuda_stub.cc otherwise, so the core links the same way in both.
//
// Promise: never throws and never aborts; every CUDA failure comes back as a
// code plus a readable status string.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef struct GdlnCudaProbe {
  int built;          // 1 when this library was compiled with nvcc
  int device_count;   // devices visible (0 on error or when not built)
  int error;          // 0 = fine, else the cudaError_t value (or -1 outside CUDA)
  char status[256];   // "NVIDIA H100 ... (sm_90), self-test ok" or why not
} GdlnCudaProbe;

// Fills *out (never null) and returns out->error. When a device is visible it
// also runs a trivial kernel on device 0 and checks its result, so "ok"
// means code really executed there.
int gdln_cuda_probe(GdlnCudaProbe* out);

#ifdef __cplusplus
}
#endif
