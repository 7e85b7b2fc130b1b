// native/core/build_info.cc — build_info(): what this build of the native
// library contains, for `gdln doctor` and the loader's messages. Cheap enough
// to call at load time: the CUDA probe is the only part that touches a device.

#include <algorithm>
#include <thread>

#include "cuda/cuda_probe.h"
#include "gdln/gemm.h"
#include "gdln/kernels.h"

#ifndef GDLN_VERSION
#define GDLN_VERSION "0.0.0-unknown"  // the build files pass package.json's version
#endif

namespace gdln {

BuildInfo build_info() {
  BuildInfo info;
  info.version = GDLN_VERSION;
  info.blas = gemm_backend_name();
  GdlnCudaProbe probe{};
  gdln_cuda_probe(&probe);
  info.cuda_built = probe.built != 0;
  info.cuda_devices = probe.error == 0 ? probe.device_count : 0;
  info.cuda_status = probe.status;
  info.default_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return info;
}

}  // namespace gdln
