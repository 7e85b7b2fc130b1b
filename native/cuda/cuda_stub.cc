// native/cuda/cuda_stub.cc — what the CUDA entry points do in a build without
// CUDA (GDLN_CUDA=OFF, nvcc not found, or the binding.gyp build): report
// "not built" and refuse the CUDA backend with GDLN_NO_CUDA_BUILD.

#include <cstdio>

#include "cuda_probe.h"
#include "gdln/kernels.h"
#include "gdln/status.h"

extern "C" int gdln_cuda_probe(GdlnCudaProbe* out) {
  out->built = 0;
  out->device_count = 0;
  out->error = 0;
  std::snprintf(out->status, sizeof out->status, "%s",
                "not built with CUDA (GDLN_CUDA=OFF, nvcc not found, or the binding.gyp build)");
  return 0;
}

namespace gdln {

std::unique_ptr<Backend> make_cuda_backend() {
  throw Error(codes::kNoCudaBuild,
              "This build of gdln has no CUDA support; rebuild with "
              "`npm run build:native -- --CDGDLN_CUDA=ON` on a machine with nvcc");
}

}  // namespace gdln
