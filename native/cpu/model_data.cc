// native/cpu/model_data.cc — builds GraphInfo and ModelData<T> (see the
// header). The one place where float64 input becomes the run's dtype.

#include "model_data.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

#include "gdln/model.h"
#include "gdln/status.h"

namespace gdln {
namespace cpu {
namespace {

// Converts to T. Finite doubles beyond the float32 range would silently turn
// into ±Inf in a float32 run, so they are rejected here with the culprit named.
template <typename T>
std::vector<T> convert(const std::vector<double>& values, const char* what, int64_t index) {
  std::vector<T> out(values.begin(), values.end());
  if (!std::is_same<T, double>::value) {
    for (size_t k = 0; k < out.size(); ++k) {
      if (!std::isfinite(out[k])) {
        char value[32];
        std::snprintf(value, sizeof value, "%.17g", values[k]);
        throw Error(codes::kNonFinite, "Expected values within the float32 range for the " +
                                           std::string(what) + " " + std::to_string(index) +
                                           " but element " + std::to_string(k) + " is " + value);
      }
    }
  }
  return out;
}

}  // namespace

GraphInfo graph_info_build(const GraphSpec& graph) {
  GraphInfo g;
  g.n_nodes = static_cast<int32_t>(graph.node_size.size());
  g.n_edges = static_cast<int32_t>(graph.edge_source.size());
  g.size.assign(graph.node_size.begin(), graph.node_size.end());
  g.activation = graph.activation;
  g.slope.resize(g.n_nodes);
  for (int32_t v = 0; v < g.n_nodes; ++v) {
    g.slope[v] = graph.activation[v] == Activation::LeakyRelu ? graph.activation_param[v] : 0.0;
  }
  g.source = graph.edge_source;
  g.target = graph.edge_target;
  g.order = topological_order(graph);
  g.in_edges.resize(g.n_nodes);
  g.out_edges.resize(g.n_nodes);
  g.weight_size.resize(g.n_edges);
  for (int32_t e = 0; e < g.n_edges; ++e) {
    g.in_edges[g.target[e]].push_back(e);
    g.out_edges[g.source[e]].push_back(e);
    g.weight_size[e] = g.size[g.target[e]] * g.size[g.source[e]];
  }
  g.is_input.resize(g.n_nodes);
  g.is_output.resize(g.n_nodes);
  for (int32_t v = 0; v < g.n_nodes; ++v) {
    g.is_input[v] = g.in_edges[v].empty();
    g.is_output[v] = g.out_edges[v].empty();
    if (g.is_output[v]) g.outputs.push_back(v);
  }
  return g;
}

template <typename T>
ModelData<T> model_data_build(const Model& model) {
  ModelData<T> d;
  d.graph = graph_info_build(model.graph);
  const GraphInfo& g = d.graph;
  const DatasetSpec& data = model.data;
  d.n_samples = data.n_samples;
  d.gated_input.resize(g.n_nodes);
  d.target.resize(g.n_nodes);
  d.node_gate_mode = data.node_gate_mode;
  d.node_gate.resize(g.n_nodes);
  for (int32_t v = 0; v < g.n_nodes; ++v) {
    d.node_gate[v] = convert<T>(data.node_gates[v], "node gates of node", v);
    if (g.is_output[v]) d.target[v] = convert<T>(data.targets[v], "targets of node", v);
    if (!g.is_input[v]) continue;
    // h_v = g_v ⊙ x_v, formed in T exactly as the reference does.
    const int64_t width = g.size[v];
    std::vector<T> h = convert<T>(data.inputs[v], "inputs of node", v);
    const std::vector<T>& gate = d.node_gate[v];
    if (d.node_gate_mode[v] == GateMode::PerSample) {
      for (int64_t i = 0; i < d.n_samples; ++i) {
        for (int64_t k = 0; k < width; ++k) h[i * width + k] *= gate[i];
      }
    } else if (d.node_gate_mode[v] == GateMode::PerNeuron) {
      for (size_t k = 0; k < h.size(); ++k) h[k] *= gate[k];
    }
    d.gated_input[v] = std::move(h);
  }
  d.edge_gate.resize(g.n_edges);
  for (int32_t e = 0; e < g.n_edges; ++e) d.edge_gate[e] = convert<T>(data.edge_gates[e], "gates of edge", e);
  return d;
}

template <typename T>
std::vector<std::vector<T>> weights_to(const WeightSet& weights) {
  std::vector<std::vector<T>> out(weights.size());
  for (size_t e = 0; e < weights.size(); ++e) out[e] = convert<T>(weights[e], "weights of edge", static_cast<int64_t>(e));
  return out;
}

template <typename T>
WeightSet weights_to_double(const std::vector<std::vector<T>>& weights) {
  WeightSet out(weights.size());
  for (size_t e = 0; e < weights.size(); ++e) out[e].assign(weights[e].begin(), weights[e].end());
  return out;
}

template ModelData<float> model_data_build<float>(const Model&);
template ModelData<double> model_data_build<double>(const Model&);
template std::vector<std::vector<float>> weights_to<float>(const WeightSet&);
template std::vector<std::vector<double>> weights_to<double>(const WeightSet&);
template WeightSet weights_to_double<float>(const std::vector<std::vector<float>>&);
template WeightSet weights_to_double<double>(const std::vector<std::vector<double>>&);

}  // namespace cpu
}  // namespace gdln
