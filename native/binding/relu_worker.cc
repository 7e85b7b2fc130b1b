// relu_worker.cc — see relu_worker.h.
//
// The thread, the TSFN and the promise are async_job.h's (one std::thread per
// call, never libuv's pool); this file reads the spec, runs the runs and turns
// the record into the resolved value and a handle.
#include "relu_worker.h"

#include <atomic>
#include <string>
#include <utility>

#include "async_job.h"
#include "gdln/status.h"
#include "js_errors.h"
#include "js_read.h"

namespace gdln::binding {
namespace {

constexpr const char* kDisposed = "GDLN_DISPOSED";

// napi_type_tag for the GatingRecord externals (random 128 bits).
const napi_type_tag kRecordTag = {0x6a1f0c55e2b94d17ULL, 0x93c4be0a7d2851f6ULL};

// What a handle owns. The External's finalizer deletes the holder; dispose()
// drops the record earlier.
struct RecordHolder {
  std::shared_ptr<const reln::GatingRecord> record;
  int64_t bytes = 0;
};

// Everything the compute thread reads: plain copies made on the JS thread.
struct Job {
  reln::ReluRunsSpec spec;
  int threads = 0;
  int64_t progress_every = 0;
  bool report_progress = false;
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
// only when they were asked for). Takes the record over.
Napi::Value record_to_js(Napi::Env env, std::unique_ptr<reln::GatingRecord>& rec) {
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

using ReluRun = AsyncJob<std::unique_ptr<reln::GatingRecord>, record_to_js>;

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

    Napi::Function on_progress = progress_callback_from_js(info[1]);
    job->report_progress = !on_progress.IsEmpty() && job->progress_every > 0;
    return ReluRun::start(env, on_progress, "gdln.reluRuns", "the gdln ReLU-runs thread",
                          [job = std::move(job)](ReluRun::Channel& channel, std::atomic<bool>& cancel) {
                            ThreadPool pool(job->threads);
                            reln::ReluRunsHooks hooks;
                            hooks.cancel = &cancel;
                            if (job->report_progress) {
                              hooks.progress_every = job->progress_every;
                              hooks.on_progress = [&channel](int64_t runs, int64_t epochs) {
                                channel.progress(static_cast<double>(runs), static_cast<double>(epochs));
                              };
                            }
                            return reln::run_relu_runs(job->spec, pool, hooks);
                          });
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
