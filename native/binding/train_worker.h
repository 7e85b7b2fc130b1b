// train_worker.h — the async `train` export: train(model, weights, options,
// onProgress) -> { promise, cancel }.
//
// Promises (the thread, TSFN and promise machinery is async_job.h's):
//  - inputs are copied on the JS thread before train() returns; bad input
//    throws synchronously with a GDLN_* code;
//  - the run executes on its own std::thread (never in libuv's pool), and the
//    process stays alive until it settles;
//  - the promise resolves with the trajectory (cancelled: true after cancel()),
//    or rejects with an Error whose `code` is the gdln::Error code
//    (GDLN_INTERNAL for any other C++ exception);
//  - onProgress(step, loss) runs on the JS thread, in order, never after the
//    promise settles; events may be dropped (never reordered) if JS falls behind;
//    if onProgress throws, the run is cancelled and the promise rejects with
//    what it threw;
//  - cancel() is idempotent and safe at any time, including after settlement
//    and after the handle object is garbage-collected.
#pragma once

#include <napi.h>

namespace gdln::binding {

Napi::Value js_train(const Napi::CallbackInfo& info);

}  // namespace gdln::binding
