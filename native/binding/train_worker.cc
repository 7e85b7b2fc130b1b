// train_worker.cc — see train_worker.h.
//
// Thread model. A dedicated std::thread per run rather than an AsyncWorker: a
// run may take minutes and would otherwise hold one of libuv's four pool
// threads (shared with fs, zlib, dns) for all of it (docs: STACK.md §6). The
// thread talks to JS through one Napi::TypedThreadSafeFunction (TSFN):
//  - progress events are NonBlockingCall()s on a bounded queue (dropped when
//    full: the full trajectory comes back in the result anyway);
//  - the outcome is a BlockingCall() posted after the last progress event, so
//    the queue's FIFO order delivers it last; the JS side also ignores any
//    progress seen after settling, which makes "never after" hold regardless;
//  - the TSFN starts referenced, so the event loop (and the process) stays
//    alive while a run is in flight; it is unref'd at settlement and released
//    by the thread right after, so it never holds an idle process.
// The TSFN finalizer (JS thread) joins the thread: on a normal end the thread
// has already released the TSFN; on environment teardown (worker.terminate())
// it sets the cancel flag first, so the join waits at most one step.
#include "train_worker.h"

#include <atomic>
#include <memory>
#include <thread>
#include <utility>

#include "addon_state.h"
#include "convert.h"
#include "js_errors.h"
#include "js_read.h"

namespace gdln::binding {
namespace {

// Room for this many undelivered progress events; see the header comment.
constexpr size_t kQueueSize = 64;

// Shared (shared_ptr) by the compute thread, the run context and every cancel()
// closure: whichever goes last frees it, so cancel() after settlement, after
// teardown or from a stray reference only ever touches live memory.
struct CancelFlag {
  std::atomic<bool> requested{false};
};

// Everything the compute thread reads: plain copies made on the JS thread.
struct TrainJob {
  Model model;
  WeightSet weights;
  TrainOptions options;
  std::shared_ptr<Backend> backend;  // shared with the environment, see addon_state.h
  bool report_progress = false;
};

// How a run ended, built on the compute thread, read on the JS thread.
struct Outcome {
  bool ok = false;
  Trajectory trajectory;
  ErrorInfo error;
};

// One TSFN queue item: a progress event, or (outcome set) the end of the run.
struct Message {
  int64_t step = 0;
  double loss = 0;
  std::unique_ptr<Outcome> outcome;
};

struct RunContext;
void call_js(Napi::Env env, Napi::Function on_progress, RunContext* ctx, Message* message);
using TrainTsfn = Napi::TypedThreadSafeFunction<RunContext, Message, call_js>;

// The JS-thread side of one run: created by js_train(), deleted by the TSFN
// finalizer. Only the JS thread touches it (the compute thread holds its own
// copies of the TSFN handle and the cancel flag).
struct RunContext {
  RunContext(Napi::Env env, std::shared_ptr<CancelFlag> flag)
      : deferred(Napi::Promise::Deferred::New(env)), cancel(std::move(flag)) {}

  Napi::Promise::Deferred deferred;
  std::shared_ptr<CancelFlag> cancel;
  TrainTsfn tsfn;
  std::thread thread;
  bool settled = false;
  // { error } holding what onProgress threw; an object wrapper because Node-API
  // 8 cannot reference primitives (a callback may `throw 42`).
  Napi::ObjectReference progress_error;
};

// Resolves or rejects exactly once. Must not throw: it runs inside a TSFN
// callback, where an escaping exception would become an uncaught JS error.
// The value is built before the deferred is touched because Node frees a
// deferred on its first resolve/reject, even one that fails: a second attempt
// would be a use-after-free.
void settle(Napi::Env env, RunContext* ctx, const Outcome& outcome) {
  if (ctx->settled) return;
  ctx->settled = true;
  try {
    bool fulfil = false;
    Napi::Value value;
    try {
      if (!ctx->progress_error.IsEmpty()) {
        value = ctx->progress_error.Value().Get("error");
      } else if (outcome.ok) {
        value = trajectory_to_js(env, outcome.trajectory);
        fulfil = true;
      } else {
        value = coded_error(env, outcome.error).Value();
      }
    } catch (const Napi::Error& e) {
      value = e.Value();  // building the result failed (out of memory, say)
      fulfil = false;
    }
    if (fulfil) {
      ctx->deferred.Resolve(value);
    } else {
      ctx->deferred.Reject(value);
    }
    ctx->progress_error.Reset();
    ctx->tsfn.Unref(env);  // nothing left to wait for (the thread releases it next)
  } catch (...) {
    // The environment is failing; there is nothing left to report to.
  }
}

void report_progress(Napi::Env env, Napi::Function on_progress, RunContext* ctx,
                     const Message& message) {
  if (ctx->settled || on_progress.IsEmpty() || !ctx->progress_error.IsEmpty()) return;
  try {
    on_progress.Call({Napi::Number::New(env, static_cast<double>(message.step)),
                      Napi::Number::New(env, message.loss)});
  } catch (const Napi::Error& e) {
    // Keep what the callback threw for the rejection, and stop the run.
    ctx->cancel->requested.store(true);
    try {
      Napi::Object holder = Napi::Object::New(env);
      holder.Set("error", static_cast<napi_value>(e.Value()));
      ctx->progress_error = Napi::Persistent(holder);
    } catch (...) {
      // Could not keep it: the run still stops, and resolves as cancelled.
    }
  }
}

void call_js(Napi::Env env, Napi::Function on_progress, RunContext* ctx, Message* raw) {
  std::unique_ptr<Message> message(raw);
  // env is null when the environment is torn down with items still queued;
  // the context may already be finalized then, so only free the item.
  if (static_cast<napi_env>(env) == nullptr || message == nullptr || ctx == nullptr) return;
  if (message->outcome) {
    settle(env, ctx, *message->outcome);
  } else {
    report_progress(env, on_progress, ctx, *message);
  }
}

void finalize_run(Napi::Env, void*, RunContext* ctx) {
  ctx->cancel->requested.store(true);  // only matters on teardown (see top)
  if (ctx->thread.joinable()) ctx->thread.join();
  delete ctx;
}

// The compute thread's end of the TSFN. After a call returns napi_closing the
// environment is going away and Node has already dropped this thread's slot:
// from then on the thread must neither call nor release the TSFN.
class Channel {
 public:
  explicit Channel(TrainTsfn tsfn) : tsfn_(tsfn) {}

  // May be called from whatever thread the backend reports progress on.
  void progress(int64_t step, double loss) {
    if (closed_.load()) return;
    auto message = std::make_unique<Message>();
    message->step = step;
    message->loss = loss;
    const napi_status status = tsfn_.NonBlockingCall(message.get());
    if (status == napi_ok) {
      message.release();  // owned by call_js now
    } else if (status == napi_closing) {
      closed_.store(true);
    }  // napi_queue_full: JS is behind; drop this event
  }

  // Posts the outcome (waiting for queue room) and releases the TSFN.
  void finish(std::unique_ptr<Message> done) {
    if (closed_.load()) return;
    const napi_status status = tsfn_.BlockingCall(done.get());
    if (status == napi_ok) done.release();
    if (status == napi_closing) return;
    tsfn_.Release();
  }

 private:
  TrainTsfn tsfn_;
  std::atomic<bool> closed_{false};
};

// The compute thread. noexcept: anything escaping a std::thread terminates the
// process, so every failure becomes part of the outcome. The done message is
// allocated on the JS thread, so reporting the end never needs memory.
void run_job(TrainTsfn tsfn, std::unique_ptr<TrainJob> job, std::unique_ptr<Message> done,
             std::shared_ptr<CancelFlag> cancel) noexcept {
  Channel channel(tsfn);
  Outcome& outcome = *done->outcome;
  try {
    RunHooks hooks;
    hooks.cancel = &cancel->requested;
    if (job->report_progress) {
      hooks.on_progress = [&channel](int64_t step, double loss) { channel.progress(step, loss); };
    }
    outcome.trajectory = job->backend->train(job->model, job->weights, job->options, hooks);
    outcome.ok = true;
  } catch (...) {
    outcome.error = describe_exception(std::current_exception());
  }
  job.reset();  // free the input copies before the JS side builds the result
  channel.finish(std::move(done));
}

Napi::Object start_run(Napi::Env env, std::unique_ptr<TrainJob> job, Napi::Function on_progress) {
  auto cancel = std::make_shared<CancelFlag>();
  auto done = std::make_unique<Message>();
  done->outcome = std::make_unique<Outcome>();

  Napi::Object handle = Napi::Object::New(env);
  handle.Set("cancel", Napi::Function::New(
                           env, [cancel](const Napi::CallbackInfo&) { cancel->requested.store(true); },
                           "cancel"));

  auto ctx = std::make_unique<RunContext>(env, cancel);
  handle.Set("promise", ctx->deferred.Promise());
  // One thread slot (the compute thread's); referenced by default.
  TrainTsfn tsfn = TrainTsfn::New(env, on_progress, "gdln.train", kQueueSize, 1, ctx.get(),
                                  finalize_run, static_cast<void*>(nullptr));
  RunContext* owned = ctx.release();  // the TSFN finalizer deletes it from here on
  owned->tsfn = tsfn;
  try {
    owned->thread = std::thread(run_job, tsfn, std::move(job), std::move(done), cancel);
  } catch (...) {
    tsfn.Release();  // no thread will: close the TSFN so its finalizer frees the context
    throw gdln::Error(codes::kInternal, "could not start the gdln training thread");
  }
  return handle;
}

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

    Napi::Value on_progress = info[3];
    const bool has_callback = on_progress.IsFunction();
    if (!has_callback && !on_progress.IsNull() && !on_progress.IsUndefined()) {
      fail_expected(codes::kInvalidArgument, "a function or null", "onProgress", on_progress);
    }
    job->report_progress = has_callback && job->options.progress_every > 0;
    return start_run(env, std::move(job),
                     has_callback ? on_progress.As<Napi::Function>() : Napi::Function());
  });
}

}  // namespace gdln::binding
