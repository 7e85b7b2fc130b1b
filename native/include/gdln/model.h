// gdln/model.h — the plain-C++ description of one GDLN problem: graph, gated
// dataset and weights. Built once per call from the JS side (or a C++ test);
// every backend reads it and none mutates it. No Node, no CUDA headers here.
//
// Conventions (the same as lib/ and docs/architecture.md):
//  - row-major everywhere; W_e is [n_target, n_source];
//  - activations are sample-major: H_v is [n_samples, |v|], row i = sample i;
//  - per-sample gates: edge gate g_q[i] (one scalar per edge and sample);
//    node gate g_v either one scalar per sample ([N]) or per neuron ([N, |v|]);
//    an empty gate vector means "all ones";
//  - forward: a_v = sum_{q: t(q)=v} g_q * W_q h_{s(q)};  h_v = g_v ⊙ φ_v(a_v);
//    input nodes: h_v = g_v ⊙ x_v (no activation allowed on input nodes);
//  - loss (mean squared): L = 1/(2N) Σ_i Σ_{v∈Out} ||y_v − h_v||²;
//    loss (softmax cross-entropy): L = 1/N Σ_i Σ_{v∈Out} −Σ_k y_vk log softmax(h_v)_k.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gdln {

enum class Activation : int32_t { Linear = 0, Relu = 1, LeakyRelu = 2, Tanh = 3 };
enum class GateMode : int32_t { None = 0, PerSample = 1, PerNeuron = 2 };
enum class LossKind : int32_t { MeanSquared = 0, SoftmaxCrossEntropy = 1 };
enum class DType : int32_t { Float64 = 0, Float32 = 1 };

// The architecture graph Γ. Nodes and edges are identified by index; names
// live on the JS side (errors raised here name indices, the TS layer maps them).
struct GraphSpec {
  std::vector<int32_t> node_size;        // |v| > 0
  std::vector<Activation> activation;    // per node
  std::vector<double> activation_param;  // per node: leaky-relu slope, else 0
  std::vector<int32_t> edge_source;      // s(e)
  std::vector<int32_t> edge_target;      // t(e)
};

// N samples with inputs for every input node, targets for every output node,
// and gates. Vectors are indexed by node (or edge); entries for nodes that are
// not inputs (not outputs) are empty.
struct DatasetSpec {
  int64_t n_samples = 0;
  std::vector<std::vector<double>> inputs;      // per node: [N, |v|] or empty
  std::vector<std::vector<double>> targets;     // per node: [N, |v|] or empty
  std::vector<std::vector<double>> edge_gates;  // per edge: [N] or empty (= 1)
  std::vector<GateMode> node_gate_mode;         // per node
  std::vector<std::vector<double>> node_gates;  // per node: [N] / [N, |v|] / empty
};

// One weight matrix per edge, row-major [|t(e)|, |s(e)|], always float64 at
// the boundary (a float32 run converts on entry and back on exit).
using WeightSet = std::vector<std::vector<double>>;

struct Model {
  GraphSpec graph;
  DatasetSpec data;
};

// Throws gdln::Error (GDLN_SHAPE_MISMATCH, GDLN_CYCLE, GDLN_NON_FINITE, ...)
// if the model is inconsistent. Every backend entry point calls it first, so
// malformed input that bypasses the TS validation still never crashes.
void validate_model(const Model& model);
void validate_weights(const GraphSpec& graph, const WeightSet& weights);

// Topological order of the nodes (Kahn); throws GDLN_CYCLE.
std::vector<int32_t> topological_order(const GraphSpec& graph);

}  // namespace gdln
