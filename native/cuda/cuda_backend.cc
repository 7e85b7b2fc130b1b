// native/cuda/cuda_backend.cc — make_cuda_backend in a CUDA build. The CUDA
// kernels are a later issue; until they land this factory proves the switch:
// GDLN_NO_CUDA_DEVICE when no device is usable (with the runtime's reason),
// GDLN_UNSUPPORTED otherwise. Plain C++ (no CUDA headers): it talks to the
// device only through the exception-free C probe.

#include <string>

#include "cuda_probe.h"
#include "gdln/kernels.h"
#include "gdln/status.h"

namespace gdln {

std::unique_ptr<Backend> make_cuda_backend() {
  GdlnCudaProbe probe{};
  gdln_cuda_probe(&probe);
  if (probe.error != 0 || probe.device_count == 0) {
    throw Error(codes::kNoCudaDevice, std::string("No usable CUDA device: ") + probe.status);
  }
  throw Error(codes::kUnsupported,
              std::string("cuda kernels not implemented yet (device: ") + probe.status + ")");
}

}  // namespace gdln
