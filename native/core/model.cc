// native/core/model.cc — validation of a Model and its WeightSet, and the
// topological order of the graph.
//
// Promise: every backend entry point calls validate_model / validate_weights
// first, so after they return the kernels may index every array without
// further checks. Malformed input (wrong sizes, unknown node ids, cycles,
// NaN/Inf, bad enum values) throws gdln::Error with a GDLN_* code and a message
// naming the node / edge / sample index; nothing here asserts or aborts.
//
// Roles are structural (docs/architecture.md, GDLN paper): a node with no
// incoming edge is an *input* node (it needs inputs, carries no activation),
// a node with no outgoing edge is an *output* node (it needs targets and is
// summed into the loss). Every other node must have empty inputs/targets.

#include <cmath>
#include <cstdint>
#include <limits>
#include <queue>
#include <string>
#include <vector>

#include "gdln/model.h"
#include "gdln/status.h"

namespace gdln {
namespace {

[[noreturn]] void fail(const char* code, const std::string& message) {
  throw Error(code, message);
}

std::string str(int64_t v) { return std::to_string(v); }

// n_rows * n_cols with an overflow check (sizes come from untrusted input).
int64_t checked_elems(int64_t n_rows, int64_t n_cols, const std::string& what) {
  if (n_rows < 0 || n_cols < 0 ||
      (n_cols != 0 && n_rows > std::numeric_limits<int64_t>::max() / n_cols)) {
    fail(codes::kInvalidArgument, what + " is too large (" + str(n_rows) + " x " +
                                      str(n_cols) + " elements)");
  }
  return n_rows * n_cols;
}

void check_size(const std::vector<double>& values, int64_t expected,
                const std::string& what, const std::string& shape) {
  if (static_cast<int64_t>(values.size()) != expected) {
    fail(codes::kShapeMismatch, "Expected " + shape + " = " + str(expected) +
                                    " values for " + what + " but received " +
                                    str(static_cast<int64_t>(values.size())));
  }
}

// Names the first non-finite entry as (row, col) of a [rows, cols] array.
void check_finite(const std::vector<double>& values, int64_t cols,
                  const std::string& what, const char* row_name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      const int64_t idx = static_cast<int64_t>(i);
      const int64_t row = cols > 0 ? idx / cols : idx;
      const int64_t col = cols > 0 ? idx % cols : 0;
      fail(codes::kNonFinite, "Expected finite values for " + what + " but " +
                                  row_name + " " + str(row) + ", column " +
                                  str(col) + " is " + std::to_string(values[i]));
    }
  }
}

std::string node_name(int64_t v) { return "node " + str(v); }
std::string edge_name(int64_t e) { return "edge " + str(e); }

// Array lengths and edge endpoints: the preconditions of everything else.
void validate_graph_shape(const GraphSpec& g) {
  const int64_t n_nodes = static_cast<int64_t>(g.node_size.size());
  if (static_cast<int64_t>(g.activation.size()) != n_nodes ||
      static_cast<int64_t>(g.activation_param.size()) != n_nodes) {
    fail(codes::kShapeMismatch,
         "Expected one activation and one activation_param per node (" +
             str(n_nodes) + ") but received " + str(g.activation.size()) +
             " and " + str(g.activation_param.size()));
  }
  if (g.edge_source.size() != g.edge_target.size()) {
    fail(codes::kShapeMismatch, "Expected edge_source and edge_target of equal length but received " +
                                    str(g.edge_source.size()) + " and " +
                                    str(g.edge_target.size()));
  }
  for (int64_t e = 0; e < static_cast<int64_t>(g.edge_source.size()); ++e) {
    const int32_t s = g.edge_source[e];
    const int32_t t = g.edge_target[e];
    if (s < 0 || s >= n_nodes) {
      fail(codes::kUnknownNode, "Expected a node index in [0, " + str(n_nodes) +
                                    ") for the source of " + edge_name(e) +
                                    " but received " + str(s));
    }
    if (t < 0 || t >= n_nodes) {
      fail(codes::kUnknownNode, "Expected a node index in [0, " + str(n_nodes) +
                                    ") for the target of " + edge_name(e) +
                                    " but received " + str(t));
    }
  }
}

}  // namespace

std::vector<int32_t> topological_order(const GraphSpec& graph) {
  validate_graph_shape(graph);
  const int32_t n_nodes = static_cast<int32_t>(graph.node_size.size());
  const size_t n_edges = graph.edge_source.size();

  std::vector<int32_t> in_degree(n_nodes, 0);
  std::vector<std::vector<int32_t>> successors(n_nodes);
  for (size_t e = 0; e < n_edges; ++e) {
    ++in_degree[graph.edge_target[e]];
    successors[graph.edge_source[e]].push_back(graph.edge_target[e]);
  }

  // Kahn's algorithm, always taking the smallest ready index, so the order is
  // canonical (a function of the graph only) on every backend.
  std::priority_queue<int32_t, std::vector<int32_t>, std::greater<int32_t>> ready;
  for (int32_t v = 0; v < n_nodes; ++v) {
    if (in_degree[v] == 0) ready.push(v);
  }
  std::vector<int32_t> order;
  order.reserve(n_nodes);
  std::vector<int32_t> remaining = in_degree;
  while (!ready.empty()) {
    const int32_t v = ready.top();
    ready.pop();
    order.push_back(v);
    for (int32_t w : successors[v]) {
      if (--remaining[w] == 0) ready.push(w);
    }
  }
  if (static_cast<int32_t>(order.size()) == n_nodes) return order;

  // A cycle exists among the nodes left with remaining > 0. Each of them has a
  // predecessor that is also left, so walking predecessors must revisit a node:
  // that closed walk is a cycle, which the message spells out.
  std::vector<int32_t> left_pred(n_nodes, -1);
  for (size_t e = 0; e < n_edges; ++e) {
    const int32_t s = graph.edge_source[e];
    const int32_t t = graph.edge_target[e];
    if (remaining[t] > 0 && remaining[s] > 0 && left_pred[t] < 0) left_pred[t] = s;
  }
  int32_t start = 0;
  while (remaining[start] == 0) ++start;
  std::vector<int32_t> seen_at(n_nodes, -1);
  std::vector<int32_t> walk;
  int32_t v = start;
  while (seen_at[v] < 0) {
    seen_at[v] = static_cast<int32_t>(walk.size());
    walk.push_back(v);
    v = left_pred[v];
  }
  // walk[seen_at[v]..] is the cycle traversed backwards; print it forwards.
  std::string cycle;
  for (size_t i = walk.size(); i-- > static_cast<size_t>(seen_at[v]);) {
    cycle += str(walk[i]) + " -> ";
  }
  cycle += str(walk.back());
  fail(codes::kCycle, "Expected an acyclic graph but found the cycle of nodes " + cycle);
}

void validate_model(const Model& model) {
  const GraphSpec& g = model.graph;
  const DatasetSpec& d = model.data;
  validate_graph_shape(g);
  const int64_t n_nodes = static_cast<int64_t>(g.node_size.size());
  const int64_t n_edges = static_cast<int64_t>(g.edge_source.size());

  if (n_nodes == 0) {
    fail(codes::kNoInputNode, "Expected at least one input node but the graph has no nodes");
  }
  for (int64_t v = 0; v < n_nodes; ++v) {
    if (g.node_size[v] <= 0) {
      fail(codes::kInvalidArgument, "Expected a size > 0 for " + node_name(v) +
                                        " but received " + str(g.node_size[v]));
    }
    const auto act = static_cast<int32_t>(g.activation[v]);
    if (act < 0 || act > static_cast<int32_t>(Activation::Tanh)) {
      fail(codes::kInvalidArgument, "Expected an activation code in [0, 3] for " +
                                        node_name(v) + " but received " + str(act));
    }
    if (!std::isfinite(g.activation_param[v])) {
      fail(codes::kNonFinite, "Expected a finite activation_param for " + node_name(v));
    }
  }

  // Throws GDLN_CYCLE; a DAG with >= 1 node always has a source and a sink,
  // so the "no input / no output node" cases reduce to the empty graph above.
  topological_order(g);

  std::vector<int32_t> in_degree(n_nodes, 0), out_degree(n_nodes, 0);
  for (int64_t e = 0; e < n_edges; ++e) {
    ++out_degree[g.edge_source[e]];
    ++in_degree[g.edge_target[e]];
  }

  if (d.n_samples <= 0) {
    fail(codes::kInvalidArgument, "Expected n_samples > 0 but received " + str(d.n_samples));
  }
  const int64_t n = d.n_samples;
  auto per_node = [&](size_t size, const char* what) {
    if (static_cast<int64_t>(size) != n_nodes) {
      fail(codes::kShapeMismatch, std::string("Expected one entry per node (") + str(n_nodes) +
                                      ") in " + what + " but received " + str(size));
    }
  };
  per_node(d.inputs.size(), "inputs");
  per_node(d.targets.size(), "targets");
  per_node(d.node_gate_mode.size(), "node_gate_mode");
  per_node(d.node_gates.size(), "node_gates");
  if (static_cast<int64_t>(d.edge_gates.size()) != n_edges) {
    fail(codes::kShapeMismatch, "Expected one entry per edge (" + str(n_edges) +
                                    ") in edge_gates but received " +
                                    str(d.edge_gates.size()));
  }

  for (int64_t v = 0; v < n_nodes; ++v) {
    const int64_t width = g.node_size[v];
    const int64_t elems = checked_elems(n, width, "the data of " + node_name(v));
    const std::string shape = "[N, |v|] = [" + str(n) + ", " + str(width) + "]";
    const bool is_input = in_degree[v] == 0;
    const bool is_output = out_degree[v] == 0;

    if (is_input) {
      if (g.activation[v] != Activation::Linear) {
        fail(codes::kInvalidArgument, "Expected no activation on input " + node_name(v) +
                                          " (it has no incoming edge) but received code " +
                                          str(static_cast<int32_t>(g.activation[v])));
      }
      check_size(d.inputs[v], elems, "the inputs of " + node_name(v), shape);
      check_finite(d.inputs[v], width, "the inputs of " + node_name(v), "sample");
    } else if (!d.inputs[v].empty()) {
      fail(codes::kShapeMismatch, "Expected no inputs for " + node_name(v) +
                                      " (it has incoming edges) but received " +
                                      str(d.inputs[v].size()) + " values");
    }

    if (is_output) {
      check_size(d.targets[v], elems, "the targets of " + node_name(v), shape);
      check_finite(d.targets[v], width, "the targets of " + node_name(v), "sample");
    } else if (!d.targets[v].empty()) {
      fail(codes::kShapeMismatch, "Expected no targets for " + node_name(v) +
                                      " (it has outgoing edges) but received " +
                                      str(d.targets[v].size()) + " values");
    }

    const auto mode = static_cast<int32_t>(d.node_gate_mode[v]);
    const std::vector<double>& gate = d.node_gates[v];
    const std::string gate_what = "the node gates of " + node_name(v);
    switch (d.node_gate_mode[v]) {
      case GateMode::None:
        if (!gate.empty()) {
          fail(codes::kShapeMismatch, "Expected no node gates for " + node_name(v) +
                                          " (mode None) but received " +
                                          str(gate.size()) + " values");
        }
        break;
      case GateMode::PerSample:
        check_size(gate, n, gate_what, "[N] = [" + str(n) + "]");
        check_finite(gate, 1, gate_what, "sample");
        break;
      case GateMode::PerNeuron:
        check_size(gate, elems, gate_what, shape);
        check_finite(gate, width, gate_what, "sample");
        break;
      default:
        fail(codes::kInvalidArgument, "Expected a node gate mode in [0, 2] for " +
                                          node_name(v) + " but received " + str(mode));
    }
  }

  for (int64_t e = 0; e < n_edges; ++e) {
    const std::vector<double>& gate = d.edge_gates[e];
    if (gate.empty()) continue;
    check_size(gate, n, "the gates of " + edge_name(e), "[N] = [" + str(n) + "]");
    check_finite(gate, 1, "the gates of " + edge_name(e), "sample");
  }
}

void validate_weights(const GraphSpec& graph, const WeightSet& weights) {
  validate_graph_shape(graph);
  const int64_t n_edges = static_cast<int64_t>(graph.edge_source.size());
  if (static_cast<int64_t>(weights.size()) != n_edges) {
    fail(codes::kShapeMismatch, "Expected one weight matrix per edge (" + str(n_edges) +
                                    ") but received " + str(weights.size()));
  }
  for (int64_t e = 0; e < n_edges; ++e) {
    const int64_t rows = graph.node_size[graph.edge_target[e]];
    const int64_t cols = graph.node_size[graph.edge_source[e]];
    if (rows <= 0 || cols <= 0) {
      fail(codes::kInvalidArgument, "Expected node sizes > 0 at both ends of " + edge_name(e));
    }
    check_size(weights[e], checked_elems(rows, cols, "the weights of " + edge_name(e)),
               "the weights of " + edge_name(e),
               "[|t|, |s|] = [" + str(rows) + ", " + str(cols) + "]");
    check_finite(weights[e], cols, "the weights of " + edge_name(e), "row");
  }
}

}  // namespace gdln
