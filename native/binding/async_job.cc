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

namespace {

// The Promise executor: keeps (resolve, reject) in the RunState passed as data.
// Called synchronously by the Promise constructor, inside RunState's constructor.
void keep_resolvers(const Napi::CallbackInfo& info) {
  auto* state = static_cast<RunState*>(info.Data());
  state->resolve = Napi::Persistent(info[0].As<Napi::Function>());
  state->reject = Napi::Persistent(info[1].As<Napi::Function>());
}

}  // namespace

RunState::RunState(Napi::Env env, std::shared_ptr<CancelFlag> flag) : cancel(std::move(flag)) {
  Napi::Function promise_ctor = env.Global().Get("Promise").As<Napi::Function>();
  promise = promise_ctor.New({Napi::Function::New<keep_resolvers>(env, "executor", this)});
  if (resolve.IsEmpty() || reject.IsEmpty()) {
    throw gdln::Error(codes::kInternal, "the Promise constructor did not call its executor");
  }
}

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
