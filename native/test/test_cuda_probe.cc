// native/test/test_cuda_probe.cc — proves the CUDA switch without Node: what
// build_info() reports, and that make_cuda_backend() fails with the code that
// matches the build (GDLN_NO_CUDA_BUILD without CUDA, GDLN_NO_CUDA_DEVICE with
// CUDA but no device) and that it succeeds with a device.
// On a GPU machine it also shows that the probe kernel ran ("self-test ok").
// Exit status 0 = consistent.

#include <cstdio>
#include <string>

#include "gdln/kernels.h"
#include "gdln/status.h"

int main() {
  const gdln::BuildInfo info = gdln::build_info();
  std::printf("version %s, blas %s, cuda built %s, devices %d, status: %s\n", info.version.c_str(),
              info.blas.c_str(), info.cuda_built ? "yes" : "no", info.cuda_devices,
              info.cuda_status.c_str());

  std::string code = "no exception";
  std::string message;
  try {
    gdln::make_cuda_backend();
  } catch (const gdln::Error& e) {
    code = e.code();
    message = e.what();
  }
  std::printf("make_cuda_backend: %s (%s)\n", code.c_str(), message.c_str());

  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      ++failures;
      std::printf("FAIL: %s\n", what);
    }
  };
  if (!info.cuda_built) {
    expect(code == gdln::codes::kNoCudaBuild, "no CUDA build -> GDLN_NO_CUDA_BUILD");
    expect(info.cuda_devices == 0, "no CUDA build -> 0 devices");
  } else if (info.cuda_devices == 0) {
    expect(code == gdln::codes::kNoCudaDevice, "CUDA build, no device -> GDLN_NO_CUDA_DEVICE");
  } else {
    expect(code == "no exception", "CUDA build with a device -> a CUDA backend");
    expect(info.cuda_status.find("self-test ok") != std::string::npos,
           "the probe kernel ran on the device");
  }
  std::printf("%s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
