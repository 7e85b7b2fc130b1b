// train_worker.cc — see train_worker.h. The thread, the TSFN and the promise
// are async_job.h's; this file reads the inputs and runs the backend.
#include "train_worker.h"

#include <atomic>
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

Napi::Value trajectory_result(Napi::Env env, Trajectory& trajectory) { return trajectory_to_js(env, trajectory); }

using TrainRun = AsyncJob<Trajectory, trajectory_result>;

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
                             return job->backend->train(job->model, job->weights, job->options, hooks);
                           });
  });
}

}  // namespace gdln::binding
