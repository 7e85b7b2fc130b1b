// addon.cc — module registration only: installs the per-environment state and
// exports the functions typed in lib/backends/native/binding.ts. Context-aware
// (NODE_API_MODULE), so it loads in the main thread and in every worker_thread.
#include <napi.h>

#include "addon_state.h"
#include "kmeans_calls.h"
#include "relu_worker.h"
#include "sync_calls.h"
#include "train_worker.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  gdln::binding::AddonState::install(env);
  exports.Set("buildInfo", Napi::Function::New(env, gdln::binding::js_build_info, "buildInfo"));
  exports.Set("setThreads", Napi::Function::New(env, gdln::binding::js_set_threads, "setThreads"));
  exports.Set("forward", Napi::Function::New(env, gdln::binding::js_forward, "forward"));
  exports.Set("lossAndGradient",
              Napi::Function::New(env, gdln::binding::js_loss_and_gradient, "lossAndGradient"));
  exports.Set("train", Napi::Function::New(env, gdln::binding::js_train, "train"));
  exports.Set("reluRuns", Napi::Function::New(env, gdln::binding::js_relu_runs, "reluRuns"));
  exports.Set("recordRows", Napi::Function::New(env, gdln::binding::js_record_rows, "recordRows"));
  exports.Set("recordDispose", Napi::Function::New(env, gdln::binding::js_record_dispose, "recordDispose"));
  exports.Set("kmeans", Napi::Function::New(env, gdln::binding::js_kmeans, "kmeans"));
  return exports;
}

}  // namespace

NODE_API_MODULE(gdln, Init)
