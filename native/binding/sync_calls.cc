// sync_calls.cc — see sync_calls.h.
#include "sync_calls.h"

#include "addon_state.h"
#include "convert.h"
#include "js_errors.h"
#include "js_read.h"

namespace gdln::binding {

// Far above any real core count; guards against a typo spawning a million threads.
constexpr int64_t kMaxThreads = 4096;

Napi::Value js_build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value { return build_info_to_js(env, gdln::build_info()); });
}

Napi::Value js_set_threads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const int64_t n = read_integer(info[0], "threads", 0, kMaxThreads);
    return Napi::Number::New(env, AddonState::of(env).set_threads(static_cast<int>(n)));
  });
}

Napi::Value js_forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const Model model = model_from_js(info[0]);
    const WeightSet weights = weights_from_js(info[1]);
    const CallOptions call = call_options_from_js(info[2], false);
    const std::shared_ptr<Backend> backend = AddonState::of(env).backend(call.backend);
    const ForwardResult result = backend->forward(model, weights, call.dtype);
    return float64_arrays_to_js(env, result.activations);
  });
}

Napi::Value js_loss_and_gradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const Model model = model_from_js(info[0]);
    const WeightSet weights = weights_from_js(info[1]);
    const CallOptions call = call_options_from_js(info[2], true);
    const std::shared_ptr<Backend> backend = AddonState::of(env).backend(call.backend);
    const LossAndGradientResult result =
        backend->loss_and_gradient(model, weights, call.dtype, call.loss);
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", Napi::Number::New(env, result.loss));
    out.Set("gradient", float64_arrays_to_js(env, result.gradient));
    return out;
  });
}

}  // namespace gdln::binding
