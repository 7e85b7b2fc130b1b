// native/cpu/plan.cc — plan_build: active-sample lists per edge and
// "may be non-zero" masks per node, in topological order (see plan.h).
// Cost O(B·(|V| + |E|)) plus one pass over per-neuron gates: small next to the
// GEMMs it saves, so minibatch runs rebuild it every step.

#include "plan.h"

#include <algorithm>

namespace gdln {
namespace cpu {

void active_range(const std::vector<int32_t>& active, int64_t r0, int64_t r1,
                  int64_t& first, int64_t& last) {
  first = std::lower_bound(active.begin(), active.end(), r0) - active.begin();
  last = std::lower_bound(active.begin() + first, active.end(), r1) - active.begin();
}

template <typename T>
void plan_build(const ModelData<T>& data, const std::vector<int32_t>& rows,
                bool identity_rows, BatchPlan& plan) {
  const GraphInfo& g = data.graph;
  const int64_t batch = static_cast<int64_t>(rows.size());
  plan.batch = batch;
  plan.identity_rows = identity_rows;
  plan.rows = rows;
  plan.edges.resize(g.n_edges);
  plan.may_be_nonzero.resize(g.n_nodes);

  for (int32_t v : g.order) {
    // The node gate first: a row where g_v is all zero gives h_v = 0 whatever
    // reaches v, so no edge into v needs to carry that row either.
    std::vector<uint8_t>& nz = plan.may_be_nonzero[v];
    nz.assign(batch, 1);
    const std::vector<T>& node_gate = data.node_gate[v];
    const int64_t width = g.size[v];
    switch (data.node_gate_mode[v]) {
      case GateMode::PerSample:
        for (int64_t r = 0; r < batch; ++r) nz[r] = node_gate[rows[r]] != T(0);
        break;
      case GateMode::PerNeuron:
        for (int64_t r = 0; r < batch; ++r) {
          const T* row = node_gate.data() + static_cast<int64_t>(rows[r]) * width;
          nz[r] = std::any_of(row, row + width, [](T x) { return x != T(0); });
        }
        break;
      case GateMode::None:
      default:
        break;
    }
    if (g.is_input[v]) continue;

    // Incoming edges: their sources precede v in topological order.
    std::vector<uint8_t> reached(batch, 0);
    for (int32_t e : g.in_edges[v]) {
      EdgePlan& ep = plan.edges[e];
      ep.active.clear();
      const std::vector<uint8_t>& src_nz = plan.may_be_nonzero[g.source[e]];
      const std::vector<T>& gate = data.edge_gate[e];
      bool unit = true;
      for (int64_t r = 0; r < batch; ++r) {
        if (!src_nz[r] || !nz[r]) continue;
        if (!gate.empty()) {
          const T gr = gate[rows[r]];
          if (gr == T(0)) continue;
          unit = unit && gr == T(1);
        }
        ep.active.push_back(static_cast<int32_t>(r));
        reached[r] = 1;
      }
      ep.full = ep.n_active() == batch;
      ep.unit_gate = unit;
    }
    for (int64_t r = 0; r < batch; ++r) nz[r] = nz[r] && reached[r];
  }

  for (int32_t e = 0; e < g.n_edges; ++e) {
    EdgePlan& ep = plan.edges[e];
    ep.direct_forward = ep.full && g.in_edges[g.target[e]].size() == 1;
    ep.direct_backward = ep.full && g.out_edges[g.source[e]].size() == 1;
  }
}

template void plan_build<float>(const ModelData<float>&, const std::vector<int32_t>&, bool,
                                BatchPlan&);
template void plan_build<double>(const ModelData<double>&, const std::vector<int32_t>&, bool,
                                 BatchPlan&);

}  // namespace cpu
}  // namespace gdln
