// convert.cc — see convert.h.
#include "convert.h"

#include <cstring>
#include <string>

#include "gdln/status.h"
#include "js_read.h"

namespace gdln::binding {
namespace {

// Largest integer a JS number holds exactly; counts beyond it are nonsense.
constexpr int64_t kMaxSafeInteger = 9007199254740991LL;

void expect_length(size_t actual, size_t expected, const std::string& name,
                   const std::string& per) {
  if (actual != expected) {
    throw gdln::Error(codes::kShapeMismatch,
                      "Expected " + std::to_string(expected) + " entries (one per " + per +
                          ") for " + name + " but received " + std::to_string(actual));
  }
}

// Int32 codes -> enum, rejecting values outside [0, count).
template <typename Enum>
std::vector<Enum> read_codes(const Napi::Value& value, const std::string& name, int32_t count) {
  std::vector<int32_t> raw = read_int32_array(value, name);
  std::vector<Enum> out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] < 0 || raw[i] >= count) {
      throw gdln::Error(codes::kInvalidArgument,
                        "Expected a code in [0, " + std::to_string(count - 1) + "] for " +
                            name + "[" + std::to_string(i) + "] but received " +
                            std::to_string(raw[i]));
    }
    out.push_back(static_cast<Enum>(raw[i]));
  }
  return out;
}

Napi::Value field(const Napi::Object& object, const char* key) { return object.Get(key); }

}  // namespace

Model model_from_js(const Napi::Value& value) {
  Napi::Object js = read_object(value, "model");
  Model model;
  GraphSpec& g = model.graph;
  g.node_size = read_int32_array(field(js, "nodeSize"), "model.nodeSize");
  g.activation = read_codes<Activation>(field(js, "activation"), "model.activation", 4);
  g.activation_param = read_float64_array(field(js, "activationParam"), "model.activationParam");
  g.edge_source = read_int32_array(field(js, "edgeSource"), "model.edgeSource");
  g.edge_target = read_int32_array(field(js, "edgeTarget"), "model.edgeTarget");

  const size_t n_nodes = g.node_size.size();
  const size_t n_edges = g.edge_source.size();
  expect_length(g.activation.size(), n_nodes, "model.activation", "node");
  expect_length(g.activation_param.size(), n_nodes, "model.activationParam", "node");
  expect_length(g.edge_target.size(), n_edges, "model.edgeTarget", "edge of model.edgeSource");

  DatasetSpec& d = model.data;
  d.n_samples = read_integer(field(js, "nSamples"), "model.nSamples", 0, kMaxSafeInteger);
  d.inputs = read_float64_list(field(js, "inputs"), "model.inputs", true);
  d.targets = read_float64_list(field(js, "targets"), "model.targets", true);
  d.edge_gates = read_float64_list(field(js, "edgeGates"), "model.edgeGates", true);
  d.node_gate_mode = read_codes<GateMode>(field(js, "nodeGateMode"), "model.nodeGateMode", 3);
  d.node_gates = read_float64_list(field(js, "nodeGates"), "model.nodeGates", true);
  expect_length(d.inputs.size(), n_nodes, "model.inputs", "node");
  expect_length(d.targets.size(), n_nodes, "model.targets", "node");
  expect_length(d.edge_gates.size(), n_edges, "model.edgeGates", "edge");
  expect_length(d.node_gate_mode.size(), n_nodes, "model.nodeGateMode", "node");
  expect_length(d.node_gates.size(), n_nodes, "model.nodeGates", "node");
  return model;
}

WeightSet weights_from_js(const Napi::Value& value) {
  return read_float64_list(value, "weights", false);
}

CallOptions call_options_from_js(const Napi::Value& value, bool with_loss) {
  Napi::Object js = read_object(value, "options");
  CallOptions call;
  call.backend = static_cast<BackendKind>(
      read_choice(field(js, "backend"), "options.backend", {"cpu", "cuda"}));
  call.dtype = static_cast<DType>(
      read_choice(field(js, "dtype"), "options.dtype", {"float64", "float32"}));
  if (with_loss) {
    call.loss = static_cast<LossKind>(
        read_choice(field(js, "loss"), "options.loss", {"mse", "softmaxCrossEntropy"}));
  }
  return call;
}

TrainOptions train_options_from_js(const Napi::Value& value, CallOptions* call) {
  *call = call_options_from_js(value, true);
  Napi::Object js = value.As<Napi::Object>();
  TrainOptions o;
  o.dtype = call->dtype;
  o.loss = call->loss;
  // Range checks here are the ones whose violation could crash a loop (a zero
  // record interval is a division by zero); the rest is validated in the core.
  o.steps = read_integer(field(js, "steps"), "options.steps", 0, kMaxSafeInteger);
  o.lr = read_finite(field(js, "lr"), "options.lr");
  o.momentum = read_finite(field(js, "momentum"), "options.momentum");
  o.weight_decay = read_finite(field(js, "weightDecay"), "options.weightDecay");
  o.batch_size = read_integer(field(js, "batchSize"), "options.batchSize", 0, kMaxSafeInteger);
  o.seed = static_cast<uint32_t>(
      read_integer(field(js, "seed"), "options.seed", 0, 4294967295LL));
  o.record_every =
      read_integer(field(js, "recordEvery"), "options.recordEvery", 1, kMaxSafeInteger);
  o.progress_every =
      read_integer(field(js, "progressEvery"), "options.progressEvery", 0, kMaxSafeInteger);
  o.n_groups = static_cast<int32_t>(
      read_integer(field(js, "nGroups"), "options.nGroups", 0, 2147483647LL));

  Napi::Array snapshots = read_array(field(js, "snapshotSteps"), "options.snapshotSteps");
  o.snapshot_steps.reserve(snapshots.Length());
  for (uint32_t i = 0; i < snapshots.Length(); ++i) {
    o.snapshot_steps.push_back(read_integer(
        snapshots.Get(i), "options.snapshotSteps[" + std::to_string(i) + "]", 0,
        kMaxSafeInteger));
  }

  Napi::Value groups = field(js, "groups");
  if (!groups.IsNull() && !groups.IsUndefined()) {
    if (!groups.IsTypedArray() ||
        groups.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      fail_expected(codes::kInvalidArgument, "an Int32Array or null", "options.groups", groups);
    }
    o.groups = read_int32_array(groups, "options.groups");
  }
  return o;
}

Napi::Float64Array float64_array_to_js(Napi::Env env, const std::vector<double>& values) {
  Napi::Float64Array out = Napi::Float64Array::New(env, values.size());
  if (!values.empty()) std::memcpy(out.Data(), values.data(), values.size() * sizeof(double));
  return out;
}

Napi::Array float64_arrays_to_js(Napi::Env env, const std::vector<std::vector<double>>& lists) {
  Napi::Array out = Napi::Array::New(env, lists.size());
  for (size_t i = 0; i < lists.size(); ++i) {
    out.Set(static_cast<uint32_t>(i), float64_array_to_js(env, lists[i]));
  }
  return out;
}

namespace {
// Step indices travel as Float64Array (exact up to 2^53, and what binding.ts declares).
Napi::Float64Array steps_to_js(Napi::Env env, const std::vector<int64_t>& steps) {
  Napi::Float64Array out = Napi::Float64Array::New(env, steps.size());
  for (size_t i = 0; i < steps.size(); ++i) out[i] = static_cast<double>(steps[i]);
  return out;
}
}  // namespace

Napi::Object trajectory_to_js(Napi::Env env, const Trajectory& t) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("lossSteps", steps_to_js(env, t.loss_steps));
  out.Set("loss", float64_array_to_js(env, t.loss));
  out.Set("groupLoss", float64_array_to_js(env, t.group_loss));
  out.Set("snapshotSteps", steps_to_js(env, t.snapshot_steps));
  Napi::Array snapshots = Napi::Array::New(env, t.snapshots.size());
  for (size_t i = 0; i < t.snapshots.size(); ++i) {
    snapshots.Set(static_cast<uint32_t>(i), float64_arrays_to_js(env, t.snapshots[i]));
  }
  out.Set("snapshots", snapshots);
  out.Set("weights", float64_arrays_to_js(env, t.weights));
  out.Set("stepsDone", Napi::Number::New(env, static_cast<double>(t.steps_done)));
  out.Set("cancelled", Napi::Boolean::New(env, t.cancelled));
  return out;
}

Napi::Object build_info_to_js(Napi::Env env, const BuildInfo& info) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", info.version);
  out.Set("blas", info.blas);
  out.Set("cudaBuilt", info.cuda_built);
  out.Set("cudaDevices", info.cuda_devices);
  out.Set("cudaStatus", info.cuda_status);
  out.Set("defaultThreads", info.default_threads);
  return out;
}

}  // namespace gdln::binding
