// sync_calls.h — the synchronous exports: buildInfo, setThreads, forward and
// lossAndGradient. They run on the JS thread (small and medium work: one
// forward or one backward pass) and throw coded JS Errors on bad input.
#pragma once

#include <napi.h>

namespace gdln::binding {

Napi::Value js_build_info(const Napi::CallbackInfo& info);
Napi::Value js_set_threads(const Napi::CallbackInfo& info);
Napi::Value js_forward(const Napi::CallbackInfo& info);
Napi::Value js_loss_and_gradient(const Napi::CallbackInfo& info);

}  // namespace gdln::binding
