// addon_state.h — the addon's per-environment state. Node-API modules are
// loaded once per environment (main thread and every worker_thread), so all
// mutable state lives here, in Napi::Env instance data, never in globals.
#pragma once

#include <napi.h>

#include <memory>

#include "convert.h"
#include "gdln/kernels.h"

namespace gdln::binding {

class AddonState {
 public:
  static void install(Napi::Env env);    // once, from the module initialiser
  static AddonState& of(Napi::Env env);

  // Sets the compute-pool size (0 = hardware concurrency). The CPU backend is
  // rebuilt on next use; runs in flight finish on the old one. Returns the
  // effective size.
  int set_threads(int threads);

  // This environment's backend of the given kind, built on first use (CUDA
  // throws GDLN_NO_CUDA_BUILD / GDLN_NO_CUDA_DEVICE when unavailable). Only the
  // JS thread touches the slots. The Backend itself is shared with running
  // train threads, hence shared_ptr: setThreads() swaps the slot while a run
  // keeps its own reference. Sharing relies on the core's promise that a
  // backend busy with one call serves another on a private pool
  // (native/cpu/cpu_backend.cc).
  std::shared_ptr<Backend> backend(BackendKind kind);

 private:
  int threads_ = 0;
  std::shared_ptr<Backend> cpu_;
  std::shared_ptr<Backend> cuda_;
};

}  // namespace gdln::binding
