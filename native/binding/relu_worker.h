// relu_worker.h — the ReLU-runs exports (native/cpu/relu_runs.h) and the
// GatingRecord handle they produce.
//
//   reluRuns(spec, onProgress) -> { promise, cancel }
//     spec is copied on the JS thread (bad input throws synchronously with a
//     GDLN_* code); the runs execute on their own std::thread with a private
//     thread pool; the promise resolves with { handle, ...small summaries },
//     or rejects with a coded Error (GDLN_ABORTED after cancel()).
//     onProgress(runsDone, epochsDone) runs on the JS thread, in order, never
//     after settlement (events may be dropped if JS falls behind).
//   recordRows(handle, selection) -> Uint8Array [rows, n] of 0/1 (a copy)
//   recordDispose(handle): frees the native record now (idempotent); any later
//     use of the handle throws GDLN_DISPOSED. Otherwise GC frees it.
//
// The handle is a type-tagged Napi::External; record_from_js() (used by the
// k-means calls) rejects anything else with GDLN_INVALID_ARGUMENT.
#pragma once

#include <napi.h>

#include <memory>

#include "cpu/relu_runs.h"

namespace gdln::binding {

Napi::Value js_relu_runs(const Napi::CallbackInfo& info);
Napi::Value js_record_rows(const Napi::CallbackInfo& info);
Napi::Value js_record_dispose(const Napi::CallbackInfo& info);

// The live record behind a handle (GDLN_DISPOSED once disposed).
std::shared_ptr<const reln::GatingRecord> record_from_js(const Napi::Value& value, const char* name);

// The packed rows of a selection {runs, snapshots, layers} (each an Int32Array
// of indices or null = all), in (run, snapshot, layer) order: one block per
// (run, snapshot, layer).
struct RecordSelection {
  std::vector<int64_t> runs, snapshots, layers;
};
RecordSelection selection_from_js(const reln::GatingRecord& rec, const Napi::Value& value);

}  // namespace gdln::binding
