// relu_worker.cc — see relu_worker.h.
//
// Thread model as train_worker.cc: one std::thread per call (never libuv's
// pool) talking to JS through one TypedThreadSafeFunction; progress events are
// NonBlockingCall()s (dropped when the queue is full), the outcome is a
// BlockingCall() posted last, and the JS side ignores anything after
// settlement. The TSFN keeps the process alive while the call is in flight,
// is unref'd at settlement and released by the thread right after; its
// finalizer joins the thread (after setting the cancel flag, which only
// matters on environment teardown).
#include "relu_worker.h"

#include <atomic>
#include <string>
#include <thread>
#include <utility>

#include "gdln/status.h"
#include "js_errors.h"
#include "js_read.h"

namespace gdln::binding {
namespace {

constexpr size_t kQueueSize = 64;
constexpr const char* kDisposed = "GDLN_DISPOSED";

// napi_type_tag for the GatingRecord externals (random 128 bits).
const napi_type_tag kRecordTag = {0x6a1f0c55e2b94d17ULL, 0x93c4be0a7d2851f6ULL};

// What a handle owns. The External's finalizer deletes the holder; dispose()
// drops the record earlier.
struct RecordHolder {
  std::shared_ptr<const reln::GatingRecord> record;
  int64_t bytes = 0;
};

struct CancelFlag {
  std::atomic<bool> requested{false};
};

struct Job {
  reln::ReluRunsSpec spec;
  int threads = 0;
  int64_t progress_every = 0;
  bool report_progress = false;
};

struct Outcome {
  bool ok = false;
  std::unique_ptr<reln::GatingRecord> record;
  ErrorInfo error;
};

struct Message {
  int64_t runs_done = 0;
  int64_t epochs_done = 0;
  std::unique_ptr<Outcome> outcome;
};

struct Context;
void call_js(Napi::Env env, Napi::Function on_progress, Context* ctx, Message* message);
using Tsfn = Napi::TypedThreadSafeFunction<Context, Message, call_js>;

struct Context {
  Context(Napi::Env env, std::shared_ptr<CancelFlag> flag)
      : deferred(Napi::Promise::Deferred::New(env)), cancel(std::move(flag)) {}
  Napi::Promise::Deferred deferred;
  std::shared_ptr<CancelFlag> cancel;
  Tsfn tsfn;
  std::thread thread;
  bool settled = false;
  Napi::ObjectReference progress_error;  // { error } thrown by onProgress
};

Napi::Float64Array to_f64(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

void finalize_holder(Napi::Env env, RecordHolder* holder) {
  if (holder->record) Napi::MemoryManagement::AdjustExternalMemory(env, -holder->bytes);
  delete holder;
}

// The resolved value: the handle and the small arrays (outputs and weights
// only when they were asked for).
Napi::Value record_to_js(Napi::Env env, std::unique_ptr<reln::GatingRecord> rec) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("runs", Napi::Number::New(env, static_cast<double>(rec->runs)));
  out.Set("snapshots", Napi::Number::New(env, static_cast<double>(rec->snapshots)));
  out.Set("n", Napi::Number::New(env, static_cast<double>(rec->n)));
  out.Set("words", Napi::Number::New(env, static_cast<double>(rec->words)));
  Napi::Array hidden = Napi::Array::New(env, rec->hidden.size());
  for (size_t i = 0; i < rec->hidden.size(); ++i) hidden.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(rec->hidden[i])));
  out.Set("hidden", hidden);
  std::vector<double> epochs(rec->record_epochs.begin(), rec->record_epochs.end());
  out.Set("recordEpochs", to_f64(env, epochs));
  out.Set("loss", to_f64(env, rec->loss));
  out.Set("finalLoss", to_f64(env, rec->final_loss));
  out.Set("activeFraction", to_f64(env, rec->active_fraction));
  out.Set("outputs", rec->outputs.empty() ? env.Null() : static_cast<Napi::Value>(to_f64(env, rec->outputs)));
  out.Set("weights", rec->weights.empty() ? env.Null() : static_cast<Napi::Value>(to_f64(env, rec->weights)));
  // Only the bits stay native: drop the copied parts before handing it over.
  std::vector<double>().swap(rec->outputs);
  std::vector<double>().swap(rec->weights);
  auto* holder = new RecordHolder;
  holder->bytes = static_cast<int64_t>(rec->bytes());
  holder->record = std::shared_ptr<const reln::GatingRecord>(rec.release());
  Napi::External<RecordHolder> handle;
  try {
    handle = Napi::External<RecordHolder>::New(env, holder, finalize_holder);
  } catch (...) {
    delete holder;
    throw;
  }
  handle.TypeTag(&kRecordTag);
  Napi::MemoryManagement::AdjustExternalMemory(env, holder->bytes);
  out.Set("handle", handle);
  return out;
}

void settle(Napi::Env env, Context* ctx, Outcome& outcome) {
  if (ctx->settled) return;
  ctx->settled = true;
  try {
    bool fulfil = false;
    Napi::Value value;
    try {
      if (!ctx->progress_error.IsEmpty()) {
        value = ctx->progress_error.Value().Get("error");
      } else if (outcome.ok) {
        value = record_to_js(env, std::move(outcome.record));
        fulfil = true;
      } else {
        value = coded_error(env, outcome.error).Value();
      }
    } catch (const Napi::Error& e) {
      value = e.Value();
      fulfil = false;
    }
    if (fulfil) {
      ctx->deferred.Resolve(value);
    } else {
      ctx->deferred.Reject(value);
    }
    ctx->progress_error.Reset();
    ctx->tsfn.Unref(env);
  } catch (...) {
  }
}

void report_progress(Napi::Env env, Napi::Function on_progress, Context* ctx, const Message& m) {
  if (ctx->settled || on_progress.IsEmpty() || !ctx->progress_error.IsEmpty()) return;
  try {
    on_progress.Call({Napi::Number::New(env, static_cast<double>(m.runs_done)),
                      Napi::Number::New(env, static_cast<double>(m.epochs_done))});
  } catch (const Napi::Error& e) {
    ctx->cancel->requested.store(true);
    try {
      Napi::Object holder = Napi::Object::New(env);
      holder.Set("error", static_cast<napi_value>(e.Value()));
      ctx->progress_error = Napi::Persistent(holder);
    } catch (...) {
    }
  }
}

void call_js(Napi::Env env, Napi::Function on_progress, Context* ctx, Message* raw) {
  std::unique_ptr<Message> message(raw);
  if (static_cast<napi_env>(env) == nullptr || message == nullptr || ctx == nullptr) return;
  if (message->outcome) {
    settle(env, ctx, *message->outcome);
  } else {
    report_progress(env, on_progress, ctx, *message);
  }
}

void finalize_context(Napi::Env, void*, Context* ctx) {
  ctx->cancel->requested.store(true);
  if (ctx->thread.joinable()) ctx->thread.join();
  delete ctx;
}

class Channel {
 public:
  explicit Channel(Tsfn tsfn) : tsfn_(tsfn) {}
  void progress(int64_t runs, int64_t epochs) {
    if (closed_.load()) return;
    auto message = std::make_unique<Message>();
    message->runs_done = runs;
    message->epochs_done = epochs;
    const napi_status status = tsfn_.NonBlockingCall(message.get());
    if (status == napi_ok) {
      message.release();
    } else if (status == napi_closing) {
      closed_.store(true);
    }
  }
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

void run_job(Tsfn tsfn, std::unique_ptr<Job> job, std::unique_ptr<Message> done,
             std::shared_ptr<CancelFlag> cancel) noexcept {
  Channel channel(tsfn);
  Outcome& outcome = *done->outcome;
  try {
    ThreadPool pool(job->threads);
    reln::ReluRunsHooks hooks;
    hooks.cancel = &cancel->requested;
    if (job->report_progress) {
      hooks.progress_every = job->progress_every;
      hooks.on_progress = [&channel](int64_t runs, int64_t epochs) { channel.progress(runs, epochs); };
    }
    outcome.record = reln::run_relu_runs(job->spec, pool, hooks);
    outcome.ok = true;
  } catch (...) {
    outcome.error = describe_exception(std::current_exception());
  }
  job.reset();
  channel.finish(std::move(done));
}

std::vector<int64_t> read_epochs(const Napi::Value& value, const std::string& name) {
  std::vector<double> v = read_float64_array(value, name);
  std::vector<int64_t> out;
  for (double x : v) {
    if (!(x >= 0 && x <= 9007199254740991.0) || x != static_cast<double>(static_cast<int64_t>(x))) {
      fail_expected(codes::kInvalidArgument, "non-negative integers", name, value);
    }
    out.push_back(static_cast<int64_t>(x));
  }
  return out;
}

RecordHolder* holder_from_js(const Napi::Value& value, const char* name) {
  if (!value.IsExternal() || !value.As<Napi::External<RecordHolder>>().CheckTypeTag(&kRecordTag)) {
    fail_expected(codes::kInvalidArgument, "a GatingRecord handle", name, value);
  }
  return value.As<Napi::External<RecordHolder>>().Data();
}

std::vector<int64_t> read_indices(const Napi::Value& value, const std::string& name, int64_t count) {
  std::vector<int64_t> out;
  if (value.IsNull() || value.IsUndefined()) {
    for (int64_t i = 0; i < count; ++i) out.push_back(i);
    return out;
  }
  for (int32_t i : read_int32_array(value, name)) {
    if (i < 0 || i >= count) {
      throw gdln::Error(codes::kInvalidArgument, "Expected indices in [0, " + std::to_string(count) + ") for " + name +
                                                     " but received " + std::to_string(i));
    }
    out.push_back(i);
  }
  return out;
}

}  // namespace

std::shared_ptr<const reln::GatingRecord> record_from_js(const Napi::Value& value, const char* name) {
  RecordHolder* holder = holder_from_js(value, name);
  if (!holder->record) throw gdln::Error(kDisposed, std::string("the GatingRecord passed as ") + name + " was disposed");
  return holder->record;
}

RecordSelection selection_from_js(const reln::GatingRecord& rec, const Napi::Value& value) {
  RecordSelection s;
  Napi::Object o = value.IsObject() ? value.As<Napi::Object>() : Napi::Object::New(value.Env());
  s.runs = read_indices(o.Get("runs"), "selection.runs", rec.runs);
  s.snapshots = read_indices(o.Get("snapshots"), "selection.snapshots", rec.snapshots);
  s.layers = read_indices(o.Get("layers"), "selection.layers", static_cast<int64_t>(rec.hidden.size()));
  return s;
}

Napi::Value js_relu_runs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto job = std::make_unique<Job>();
    Napi::Object o = read_object(info[0], "spec");
    reln::ReluRunsSpec& s = job->spec;
    s.n = read_integer(o.Get("n"), "n", 0, int64_t{1} << 31);
    s.d_in = read_integer(o.Get("dIn"), "dIn", 0, int64_t{1} << 31);
    s.d_out = read_integer(o.Get("dOut"), "dOut", 0, int64_t{1} << 31);
    Napi::Array hidden = read_array(o.Get("hidden"), "hidden");
    for (uint32_t i = 0; i < hidden.Length(); ++i) s.hidden.push_back(read_integer(hidden.Get(i), "hidden", 1, int64_t{1} << 24));
    s.inputs = read_float64_array(o.Get("inputs"), "inputs");
    s.targets = read_float64_array(o.Get("targets"), "targets");
    s.runs = read_integer(o.Get("runs"), "runs", 1, int64_t{1} << 31);
    s.init_weights = read_float64_array(o.Get("initWeights"), "initWeights");
    s.epochs = read_integer(o.Get("epochs"), "epochs", 0, int64_t{1} << 40);
    s.lr = read_finite(o.Get("lr"), "lr");
    s.momentum = read_finite(o.Get("momentum"), "momentum");
    s.record_epochs = read_epochs(o.Get("recordEpochs"), "recordEpochs");
    s.record_outputs = o.Get("recordOutputs").ToBoolean().Value();
    s.return_weights = o.Get("returnWeights").ToBoolean().Value();
    s.float32 = read_choice(o.Get("dtype"), "dtype", {"float64", "float32"}) == 1;
    job->threads = static_cast<int>(read_integer(o.Get("threads"), "threads", 0, 1024));
    job->progress_every = read_integer(o.Get("progressEvery"), "progressEvery", 0, int64_t{1} << 50);
    reln::validate_relu_runs(s);  // fail synchronously on bad input

    Napi::Value on_progress = info[1];
    const bool has_callback = on_progress.IsFunction();
    if (!has_callback && !on_progress.IsNull() && !on_progress.IsUndefined()) {
      fail_expected(codes::kInvalidArgument, "a function or null", "onProgress", on_progress);
    }
    job->report_progress = has_callback && job->progress_every > 0;

    auto cancel = std::make_shared<CancelFlag>();
    auto done = std::make_unique<Message>();
    done->outcome = std::make_unique<Outcome>();
    Napi::Object handle = Napi::Object::New(env);
    handle.Set("cancel", Napi::Function::New(
                             env, [cancel](const Napi::CallbackInfo&) { cancel->requested.store(true); }, "cancel"));
    auto ctx = std::make_unique<Context>(env, cancel);
    handle.Set("promise", ctx->deferred.Promise());
    Tsfn tsfn = Tsfn::New(env, has_callback ? on_progress.As<Napi::Function>() : Napi::Function(), "gdln.reluRuns",
                          kQueueSize, 1, ctx.get(), finalize_context, static_cast<void*>(nullptr));
    Context* owned = ctx.release();
    owned->tsfn = tsfn;
    try {
      owned->thread = std::thread(run_job, tsfn, std::move(job), std::move(done), cancel);
    } catch (...) {
      tsfn.Release();
      throw gdln::Error(codes::kInternal, "could not start the gdln ReLU-runs thread");
    }
    return handle;
  });
}

Napi::Value js_record_rows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto rec = record_from_js(info[0], "record");
    RecordSelection sel = selection_from_js(*rec, info[1]);
    int64_t rows = 0;
    for (int64_t l : sel.layers) rows += rec->hidden[static_cast<size_t>(l)];
    rows *= static_cast<int64_t>(sel.runs.size() * sel.snapshots.size());
    Napi::Uint8Array out = Napi::Uint8Array::New(env, static_cast<size_t>(rows * rec->n));
    uint8_t* p = out.Data();
    for (int64_t r : sel.runs)
      for (int64_t s : sel.snapshots)
        for (int64_t l : sel.layers) {
          const int64_t h = rec->hidden[static_cast<size_t>(l)];
          const uint64_t* bits = &rec->bits[static_cast<size_t>(rec->row_index(r, s, static_cast<int>(l), 0) * rec->words)];
          for (int64_t j = 0; j < h; ++j)
            for (int64_t i = 0; i < rec->n; ++i) *p++ = static_cast<uint8_t>((bits[j * rec->words + i / 64] >> (i % 64)) & 1u);
        }
    return out;
  });
}

Napi::Value js_record_dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    RecordHolder* holder = holder_from_js(info[0], "record");
    if (holder->record) {
      Napi::MemoryManagement::AdjustExternalMemory(env, -holder->bytes);
      holder->record.reset();
    }
    return env.Undefined();
  });
}

}  // namespace gdln::binding
