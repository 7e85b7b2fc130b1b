// async_job.cc — see async_job.h.
#include "async_job.h"

#include "js_read.h"

namespace gdln::binding {

Napi::Function progress_callback_from_js(const Napi::Value& value) {
  if (value.IsFunction()) return value.As<Napi::Function>();
  if (!value.IsNull() && !value.IsUndefined()) {
    fail_expected(codes::kInvalidArgument, "a function or null", "onProgress", value);
  }
  return Napi::Function();
}

namespace async_job_detail {

RunState::RunState(Napi::Env env, std::shared_ptr<CancelFlag> flag)
    : deferred(Napi::Promise::Deferred::New(env)), cancel(std::move(flag)) {}

void report_progress(Napi::Env env, Napi::Function on_progress, RunState* state, double first,
                     double second) {
  if (state->settled || on_progress.IsEmpty() || !state->progress_error.IsEmpty()) return;
  try {
    on_progress.Call({Napi::Number::New(env, first), Napi::Number::New(env, second)});
  } catch (const Napi::Error& e) {
    // Keep what the callback threw for the rejection, and stop the run.
    state->cancel->requested.store(true);
    try {
      Napi::Object holder = Napi::Object::New(env);
      holder.Set("error", static_cast<napi_value>(e.Value()));
      state->progress_error = Napi::Persistent(holder);
    } catch (...) {
      // Could not keep it: the run still stops, and ends as a cancelled run does.
    }
  }
}

}  // namespace async_job_detail
}  // namespace gdln::binding
