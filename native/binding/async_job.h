// async_job.h — the machinery behind the async exports (train, reluRuns): run
// a job on its own std::thread and hand JS { promise, cancel }.
//
// Promises:
//  - the promise resolves with ToJs(result), or rejects with an Error whose
//    `code` is the gdln::Error code (GDLN_INTERNAL for any other C++
//    exception); if ToJs throws a JS error, the promise rejects with it;
//  - onProgress(a, b) runs on the JS thread, in order, never after the promise
//    settles; events may be dropped (never reordered) if JS falls behind; if
//    onProgress throws, the run is cancelled and the promise rejects with what
//    it threw;
//  - cancel() is idempotent and safe at any time, including after settlement
//    and after the handle object is garbage-collected.
//
// Thread model. A dedicated std::thread per run rather than an AsyncWorker: a
// run may take minutes and would otherwise hold one of libuv's four pool
// threads (shared with fs, zlib, dns) for all of it (docs: STACK.md §6). The
// thread talks to JS through one Napi::TypedThreadSafeFunction (TSFN):
//  - progress events are NonBlockingCall()s on a bounded queue (dropped when
//    full: the full result comes back at the end anyway);
//  - the outcome is a BlockingCall() posted after the last progress event, so
//    the queue's FIFO order delivers it last; the JS side also ignores any
//    progress seen after settling, which makes "never after" hold regardless;
//  - the TSFN starts referenced, so the event loop (and the process) stays
//    alive while a run is in flight; it is unref'd at settlement and released
//    by the thread right after, so it never holds an idle process.
// The TSFN finalizer (JS thread) joins the thread: on a normal end the thread
// has already released the TSFN; on environment teardown (worker.terminate())
// it sets the cancel flag first, so the join waits at most one step.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "gdln/status.h"
#include "js_errors.h"

namespace gdln::binding {

// onProgress as the async exports take it: a function, or null / undefined
// (returned as an empty Function); anything else throws GDLN_INVALID_ARGUMENT.
Napi::Function progress_callback_from_js(const Napi::Value& value);

namespace async_job_detail {

// Room for this many undelivered progress events; see the top comment.
constexpr size_t kQueueSize = 64;

// Shared (shared_ptr) by the compute thread, the run context and every cancel()
// closure: whichever goes last frees it, so cancel() after settlement, after
// teardown or from a stray reference only ever touches live memory.
struct CancelFlag {
  std::atomic<bool> requested{false};
};

// The JS-thread side of one run that does not depend on the result type.
// Only the JS thread touches it (the compute thread holds its own copies of
// the TSFN handle and the cancel flag).
//
// The promise is made with the JS Promise constructor, keeping its resolve and
// reject functions as references, rather than napi_create_promise: a deferred
// is freed only by settling it, which is impossible once the environment is
// being torn down (worker.terminate() mid-run), so every killed run leaked it.
// References are freed by their destructors, from the TSFN finalizer.
struct RunState {
  RunState(Napi::Env env, std::shared_ptr<CancelFlag> flag);

  Napi::Object promise;  // valid only while the handle is being built
  Napi::FunctionReference resolve;
  Napi::FunctionReference reject;
  std::shared_ptr<CancelFlag> cancel;
  std::thread thread;
  bool settled = false;
  // { error } holding what onProgress threw; an object wrapper because Node-API
  // 8 cannot reference primitives (a callback may `throw 42`).
  Napi::ObjectReference progress_error;
};

// on_progress(first, second) unless the run has settled, there is no callback
// or it threw before. If it throws, keeps what it threw for the rejection and
// requests cancellation.
void report_progress(Napi::Env env, Napi::Function on_progress, RunState* state, double first,
                     double second);

}  // namespace async_job_detail

// One async export. Result: what the job computes on its thread (default
// constructible, movable). ToJs: turns it into the promise's value on the JS
// thread (it may take the result apart; a thrown Napi::Error rejects).
template <typename Result, Napi::Value (*ToJs)(Napi::Env, Result&)>
class AsyncJob {
  struct Outcome {
    bool ok = false;
    Result result;
    ErrorInfo error;
  };

  // One TSFN queue item: a progress event, or (outcome set) the end of the run.
  struct Message {
    double first = 0;
    double second = 0;
    std::unique_ptr<Outcome> outcome;
  };

  struct Context;
  static void call_js(Napi::Env env, Napi::Function on_progress, Context* ctx, Message* raw);
  using Tsfn = Napi::TypedThreadSafeFunction<Context, Message, call_js>;

  // Created by start(), deleted by the TSFN finalizer.
  struct Context : async_job_detail::RunState {
    using RunState::RunState;
    Tsfn tsfn;
  };

 public:
  // The compute thread's end of the TSFN. After a call returns napi_closing the
  // environment is going away and Node has already dropped this thread's slot:
  // from then on the thread must neither call nor release the TSFN.
  class Channel {
   public:
    explicit Channel(Tsfn tsfn) : tsfn_(tsfn) {}

    // onProgress(first, second). May be called from whatever thread the job
    // reports progress on.
    void progress(double first, double second) {
      if (closed_.load()) return;
      auto message = std::make_unique<Message>();
      message->first = first;
      message->second = second;
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
    Tsfn tsfn_;
    std::atomic<bool> closed_{false};
  };

  // Runs body(channel, cancel) -> Result on its own thread and returns
  // { promise, cancel }. cancel is the flag the job should poll; anything body
  // throws becomes a coded rejection. body, and what it owns (the input
  // copies), is destroyed before the JS side builds the result.
  // resource names the TSFN; what names the thread in the error thrown when
  // it cannot be started ("could not start " + what).
  template <typename Body>
  static Napi::Object start(Napi::Env env, Napi::Function on_progress, const char* resource,
                            const char* what, Body body) {
    auto cancel = std::make_shared<async_job_detail::CancelFlag>();
    auto done = std::make_unique<Message>();
    done->outcome = std::make_unique<Outcome>();
    auto job = std::make_unique<Body>(std::move(body));

    Napi::Object handle = Napi::Object::New(env);
    handle.Set("cancel",
               Napi::Function::New(
                   env, [cancel](const Napi::CallbackInfo&) { cancel->requested.store(true); }, "cancel"));

    auto ctx = std::make_unique<Context>(env, cancel);
    handle.Set("promise", ctx->promise);
    ctx->promise = Napi::Object();
    // One thread slot (the compute thread's); referenced by default.
    Tsfn tsfn = Tsfn::New(env, on_progress, resource, async_job_detail::kQueueSize, 1, ctx.get(), finalize,
                          static_cast<void*>(nullptr));
    Context* owned = ctx.release();  // the TSFN finalizer deletes it from here on
    owned->tsfn = tsfn;
    try {
      owned->thread = std::thread(run<Body>, tsfn, std::move(job), std::move(done), cancel);
    } catch (...) {
      tsfn.Release();  // no thread will: close the TSFN so its finalizer frees the context
      throw gdln::Error(codes::kInternal, std::string("could not start ") + what);
    }
    return handle;
  }

 private:
  // The compute thread. noexcept: anything escaping a std::thread terminates
  // the process, so every failure becomes part of the outcome. The done message
  // is allocated on the JS thread, so reporting the end never needs memory.
  template <typename Body>
  static void run(Tsfn tsfn, std::unique_ptr<Body> job, std::unique_ptr<Message> done,
                  std::shared_ptr<async_job_detail::CancelFlag> cancel) noexcept {
    Channel channel(tsfn);
    Outcome& outcome = *done->outcome;
    try {
      outcome.result = (*job)(channel, cancel->requested);
      outcome.ok = true;
    } catch (...) {
      outcome.error = describe_exception(std::current_exception());
    }
    job.reset();  // free the input copies before the JS side builds the result
    channel.finish(std::move(done));
  }

  // Resolves or rejects exactly once. Must not throw: it runs inside a TSFN
  // callback, where an escaping exception would become an uncaught JS error.
  // The value is built before resolve/reject is called, and both references
  // are dropped right after (a promise settles once anyway).
  static void settle(Napi::Env env, Context* ctx, Outcome& outcome) {
    if (ctx->settled) return;
    ctx->settled = true;
    try {
      bool fulfil = false;
      Napi::Value value;
      try {
        if (!ctx->progress_error.IsEmpty()) {
          value = ctx->progress_error.Value().Get("error");
        } else if (outcome.ok) {
          value = ToJs(env, outcome.result);
          fulfil = true;
        } else {
          value = coded_error(env, outcome.error).Value();
        }
      } catch (const Napi::Error& e) {
        value = e.Value();  // building the result failed (out of memory, say)
        fulfil = false;
      }
      Napi::FunctionReference& conclude = fulfil ? ctx->resolve : ctx->reject;
      if (!conclude.IsEmpty()) conclude.Call({value});
      ctx->resolve.Reset();
      ctx->reject.Reset();
      ctx->progress_error.Reset();
      ctx->tsfn.Unref(env);  // nothing left to wait for (the thread releases it next)
    } catch (...) {
      // The environment is failing; there is nothing left to report to.
    }
  }

  static void finalize(Napi::Env, void*, Context* ctx) {
    ctx->cancel->requested.store(true);  // only matters on teardown (see top)
    if (ctx->thread.joinable()) ctx->thread.join();
    delete ctx;
  }
};

template <typename Result, Napi::Value (*ToJs)(Napi::Env, Result&)>
void AsyncJob<Result, ToJs>::call_js(Napi::Env env, Napi::Function on_progress, Context* ctx, Message* raw) {
  std::unique_ptr<Message> message(raw);
  // env is null when the environment is torn down with items still queued;
  // the context may already be finalized then, so only free the item.
  if (static_cast<napi_env>(env) == nullptr || message == nullptr || ctx == nullptr) return;
  if (message->outcome) {
    settle(env, ctx, *message->outcome);
  } else {
    async_job_detail::report_progress(env, on_progress, ctx, message->first, message->second);
  }
}

}  // namespace gdln::binding
