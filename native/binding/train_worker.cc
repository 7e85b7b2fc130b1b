// train_worker.cc — see train_worker.h. The thread, the TSFN and the promise
// are async_job.h's; this file reads the inputs and runs the backend.
#include "train_worker.h"

#include <atomic>
#include <exception>
#include <memory>
#include <utility>

#include "addon_state.h"
#include "async_job.h"
#include "convert.h"
#include "js_errors.h"
#include "js_read.h"

namespace gdln::binding {
namespace {

// Everything the compute thread reads: plain copies made on the JS thread.
struct TrainJob {
  Model model;
  WeightSet weights;
  TrainOptions options;
  std::shared_ptr<Backend> backend;  // shared with the environment, see addon_state.h
  bool report_progress = false;
};

// What the compute thread hands back: the trajectory, or (diverged.code set) a
// GDLN_DIVERGED failure with the trajectory recorded before it.
struct TrainResult {
  Trajectory trajectory;
  ErrorInfo diverged;
};

// The run's result; a diverged run rejects with the coded error, its
// `partial` property holding the trajectory recorded so far.
Napi::Value train_result(Napi::Env env, TrainResult& result) {
  if (result.diverged.code.empty()) return trajectory_to_js(env, result.trajectory);
  Napi::Error error = coded_error(env, result.diverged);
  error.Set("partial", trajectory_to_js(env, result.trajectory));
  throw error;
}

// Runs the backend; a GDLN_DIVERGED that carries the partial trajectory as its
// nested exception (native/cpu/train_loop.cc) becomes a TrainResult holding
// both. Every other failure propagates.
TrainResult run_train(Backend& backend, const Model& model, const WeightSet& weights, const TrainOptions& options,
                      const RunHooks& hooks) {
  TrainResult result;
  try {
    result.trajectory = backend.train(model, weights, options, hooks);
    return result;
  } catch (const gdln::Error& e) {
    const auto* nested = dynamic_cast<const std::nested_exception*>(&e);
    if (e.code() != codes::kDiverged || nested == nullptr || nested->nested_ptr() == nullptr) throw;
    bool found = false;
    try {
      std::rethrow_exception(nested->nested_ptr());
    } catch (Trajectory& partial) {
      result.trajectory = std::move(partial);
      found = true;
    } catch (...) {
    }
    if (!found) throw;
    result.diverged = {e.code(), e.what()};
  }
  return result;
}

using TrainRun = AsyncJob<TrainResult, train_result>;

}  // namespace

Napi::Value js_train(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto job = std::make_unique<TrainJob>();
    job->model = model_from_js(info[0]);
    job->weights = weights_from_js(info[1]);
    CallOptions call;
    job->options = train_options_from_js(info[2], &call);
    job->backend = AddonState::of(env).backend(call.backend);

    Napi::Function on_progress = progress_callback_from_js(info[3]);
    job->report_progress = !on_progress.IsEmpty() && job->options.progress_every > 0;
    return TrainRun::start(env, on_progress, "gdln.train", "the gdln training thread",
                           [job = std::move(job)](TrainRun::Channel& channel, std::atomic<bool>& cancel) {
                             RunHooks hooks;
                             hooks.cancel = &cancel;
                             if (job->report_progress) {
                               hooks.on_progress = [&channel](int64_t step, double loss) {
                                 channel.progress(static_cast<double>(step), loss);
                               };
                             }
                             return run_train(*job->backend, job->model, job->weights, job->options, hooks);
                           });
  });
}

}  // namespace gdln::binding
