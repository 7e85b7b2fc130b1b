// convert.h — the JS shapes of lib/backends/native/binding.ts ⇄ the plain C++
// structs of gdln/model.h and gdln/kernels.h. Inputs are read and copied on the
// JS thread (throwing gdln::Error naming the field on a wrong type, a detached
// buffer or a list of the wrong length); outputs are fresh Float64Arrays.
//
// Division of labour: this file checks JS types and the lengths of per-node /
// per-edge lists, i.e. what it needs to build the structs. Sizes of the data
// (|v|·N), index ranges, cycles and non-finite values are checked by
// gdln::validate_model / validate_weights, which every backend entry calls.
#pragma once

#include <napi.h>

#include "gdln/kernels.h"

namespace gdln::binding {

enum class BackendKind { Cpu = 0, Cuda = 1 };

// NativeCallOptions (+ `loss` for lossAndGradient / train).
struct CallOptions {
  BackendKind backend = BackendKind::Cpu;
  DType dtype = DType::Float64;
  LossKind loss = LossKind::MeanSquared;
};

Model model_from_js(const Napi::Value& value);             // NativeModel
WeightSet weights_from_js(const Napi::Value& value);        // Float64Array[]
CallOptions call_options_from_js(const Napi::Value& value, bool with_loss);
// NativeTrainOptions: the backend/dtype/loss part goes to *call.
TrainOptions train_options_from_js(const Napi::Value& value, CallOptions* call);

Napi::Float64Array float64_array_to_js(Napi::Env env, const std::vector<double>& values);
Napi::Array float64_arrays_to_js(Napi::Env env, const std::vector<std::vector<double>>& lists);
Napi::Object trajectory_to_js(Napi::Env env, const Trajectory& trajectory);
Napi::Object build_info_to_js(Napi::Env env, const BuildInfo& info);

}  // namespace gdln::binding
