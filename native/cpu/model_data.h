// native/cpu/model_data.h — a validated Model flattened for the CPU kernels:
// graph facts derived once (topological order, roles, adjacency) and the
// dataset converted once to the run's dtype T.
//
// Promise: built only from a Model that passed validate_model, so every array
// has the size model.h documents. Conversion to float32 happens here, once per
// call; everything downstream computes in T.
#pragma once

#include <cstdint>
#include <vector>

#include "gdln/model.h"

namespace gdln {
namespace cpu {

// What the kernels need to know about Γ, derived once.
struct GraphInfo {
  int32_t n_nodes = 0;
  int32_t n_edges = 0;
  std::vector<int64_t> size;           // |v|
  std::vector<Activation> activation;  // φ_v
  std::vector<double> slope;           // leaky-relu slope (0 otherwise)
  std::vector<int32_t> source;         // s(e)
  std::vector<int32_t> target;         // t(e)
  std::vector<int32_t> order;          // topological (canonical, smallest index first)
  std::vector<std::vector<int32_t>> in_edges;   // per node, ascending edge index
  std::vector<std::vector<int32_t>> out_edges;  // per node, ascending edge index
  std::vector<uint8_t> is_input;       // no incoming edge
  std::vector<uint8_t> is_output;      // no outgoing edge
  std::vector<int32_t> outputs;        // output nodes, ascending
  std::vector<int64_t> weight_size;    // |t(e)|·|s(e)| per edge
};

GraphInfo graph_info_build(const GraphSpec& graph);

// The dataset in dtype T. Input nodes store g_v ⊙ x_v (the input node's
// activation h_v, constant for the whole run), so a full-batch forward can
// read it in place.
template <typename T>
struct ModelData {
  GraphInfo graph;
  int64_t n_samples = 0;
  std::vector<std::vector<T>> gated_input;  // per input node [N, |v|]
  std::vector<std::vector<T>> target;       // per output node [N, |v|]
  std::vector<std::vector<T>> edge_gate;    // per edge [N] or empty (= 1)
  std::vector<GateMode> node_gate_mode;     // per node
  std::vector<std::vector<T>> node_gate;    // per node [N] / [N, |v|] / empty
};

template <typename T>
ModelData<T> model_data_build(const Model& model);

template <typename T>
std::vector<std::vector<T>> weights_to(const WeightSet& weights);

template <typename T>
WeightSet weights_to_double(const std::vector<std::vector<T>>& weights);

}  // namespace cpu
}  // namespace gdln
