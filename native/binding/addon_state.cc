// addon_state.cc — see addon_state.h.
#include "addon_state.h"

#include <algorithm>
#include <thread>

#include "gdln/status.h"

namespace gdln::binding {

void AddonState::install(Napi::Env env) {
  // node-addon-api deletes the instance data when the environment is torn down.
  env.SetInstanceData<AddonState>(new AddonState());
}

AddonState& AddonState::of(Napi::Env env) {
  AddonState* state = env.GetInstanceData<AddonState>();
  if (state == nullptr) throw gdln::Error(codes::kInternal, "gdln addon state is missing");
  return *state;
}

int AddonState::set_threads(int threads) {
  threads_ = threads;
  cpu_.reset();
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::shared_ptr<Backend> AddonState::backend(BackendKind kind) {
  std::shared_ptr<Backend>& slot = kind == BackendKind::Cuda ? cuda_ : cpu_;
  if (!slot) {
    slot = kind == BackendKind::Cuda ? make_cuda_backend() : make_cpu_backend(threads_);
    if (!slot) throw gdln::Error(codes::kInternal, "gdln backend factory returned nothing");
  }
  return slot;
}

}  // namespace gdln::binding
