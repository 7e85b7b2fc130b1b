// native/cpu/plan.cc — plan_build: active-sample lists per edge and
// "may be non-zero" masks per node, in topological order (see plan.h).
// Cost O(B·(|V| + |E|)) plus one pass over per-neuron gates: small next to the
// GEMMs it saves, so minibatch runs rebuild it every step.

#include "plan.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace gdln {
namespace cpu {

void active_range(const std::vector<int32_t>& active, int64_t r0, int64_t r1,
                  int64_t& first, int64_t& last) {
  first = std::lower_bound(active.begin(), active.end(), r0) - active.begin();
  last = std::lower_bound(active.begin() + first, active.end(), r1) - active.begin();
}

bool dedup_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("GDLN_NO_DEDUP");
    return v == nullptr || v[0] == '\0' || v[0] == '0';
  }();
  return on;
}

namespace {

uint64_t mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

template <typename T>
uint64_t bits_of(T x) {
  uint64_t b = 0;
  std::memcpy(&b, &x, sizeof(T));
  return b;
}

// Groups rows by exact key equality. key(r) fills `out` with row r's tokens; rows with
// wanted[r] == 0 get class −1. cls[r] = the first row with the same key (its representative).
// Returns whether any row has a representative other than itself.
template <typename KeyFn>
bool classify(int64_t batch, const std::vector<uint8_t>& wanted, const KeyFn& key,
              std::vector<int32_t>& cls) {
  cls.assign(batch, -1);
  std::unordered_map<uint64_t, std::vector<int32_t>> buckets;
  std::vector<std::vector<uint64_t>> keys(batch);
  bool dup = false;
  for (int64_t r = 0; r < batch; ++r) {
    if (!wanted[r]) continue;
    key(r, keys[r]);
    uint64_t h = 0x12345;
    for (uint64_t t : keys[r]) h = mix(h, t);
    std::vector<int32_t>& b = buckets[h];
    int32_t found = -1;
    for (int32_t rep : b) {
      if (keys[rep] == keys[r]) {
        found = rep;
        break;
      }
    }
    if (found < 0) {
      b.push_back(static_cast<int32_t>(r));
      cls[r] = static_cast<int32_t>(r);
    } else {
      cls[r] = found;
      dup = true;
    }
  }
  return dup;
}

void fill_dedup(const std::vector<int32_t>& cls, NodeDedup& d) {
  const int64_t batch = static_cast<int64_t>(cls.size());
  std::vector<int32_t> count(batch, 0);
  for (int64_t r = 0; r < batch; ++r) {
    if (cls[r] >= 0 && cls[r] != r) {
      d.dup_rows.push_back(static_cast<int32_t>(r));
      d.dup_rep.push_back(cls[r]);
      ++count[cls[r]];
    }
  }
  d.member_offset.push_back(0);
  std::vector<int32_t> slot(batch, -1);
  for (int64_t r = 0; r < batch; ++r) {
    if (count[r] > 0) {
      slot[r] = static_cast<int32_t>(d.class_rep.size());
      d.class_rep.push_back(static_cast<int32_t>(r));
      d.member_offset.push_back(d.member_offset.back() + count[r]);
    }
  }
  d.members.resize(d.dup_rows.size());
  std::vector<int32_t> fill(d.class_rep.size(), 0);
  for (size_t i = 0; i < d.dup_rows.size(); ++i) {
    const int32_t c = slot[d.dup_rep[i]];
    d.members[d.member_offset[c] + fill[c]++] = d.dup_rows[i];
  }
}

}  // namespace

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
  plan.dedup.assign(g.n_nodes, NodeDedup{});
  // Shared-prefix classes per node (plan.h): cls[v][r] = representative row, −1 = not needed.
  const bool dedup = dedup_enabled() && batch > 1;
  std::vector<std::vector<int32_t>> cls(dedup ? g.n_nodes : 0);
  bool any_dup = false;  // stays false while every input row is distinct: then no class work

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
    if (g.is_input[v]) {
      if (!dedup) continue;
      // Class of g ⊙ x on the rows some outgoing edge may carry (exact bitwise equality).
      std::vector<uint8_t> used(batch, 0);
      for (int64_t r = 0; r < batch; ++r) {
        if (!nz[r]) continue;
        for (int32_t e : g.out_edges[v]) {
          const std::vector<T>& gate = data.edge_gate[e];
          if (gate.empty() || gate[rows[r]] != T(0)) {
            used[r] = 1;
            break;
          }
        }
      }
      const T* x = data.gated_input[v].data();
      any_dup |= classify(batch, used, [&](int64_t r, std::vector<uint64_t>& key) {
        const T* row = x + static_cast<int64_t>(rows[r]) * width;
        key.resize(static_cast<size_t>(width));
        for (int64_t k = 0; k < width; ++k) key[k] = bits_of(row[k]);
      }, cls[v]);
      continue;
    }

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

    if (!dedup) continue;
    if (!any_dup) {  // every row is its own class: no keys to build
      cls[v].assign(batch, -1);
      for (int64_t r = 0; r < batch; ++r) if (nz[r]) cls[v][r] = static_cast<int32_t>(r);
      continue;
    }
    // Key of row r at v: (edge, gate bits, source class) of every active in-edge, ascending,
    // then the node gate of the row.
    std::vector<std::vector<uint64_t>> edge_keys(batch);
    for (int32_t e : g.in_edges[v]) {
      const std::vector<T>& gate = data.edge_gate[e];
      const std::vector<int32_t>& src_cls = cls[g.source[e]];
      for (int32_t r : plan.edges[e].active) {
        std::vector<uint64_t>& k = edge_keys[r];
        k.push_back(static_cast<uint64_t>(e));
        k.push_back(gate.empty() ? 0 : bits_of(gate[rows[r]]));
        k.push_back(static_cast<uint64_t>(static_cast<uint32_t>(src_cls[r])));
      }
    }
    const bool dup = classify(batch, nz, [&](int64_t r, std::vector<uint64_t>& key) {
      key = edge_keys[r];
      const int64_t sample = rows[r];
      if (data.node_gate_mode[v] == GateMode::PerSample) {
        key.push_back(bits_of(node_gate[sample]));
      } else if (data.node_gate_mode[v] == GateMode::PerNeuron) {
        for (int64_t k = 0; k < width; ++k) key.push_back(bits_of(node_gate[sample * width + k]));
      }
    }, cls[v]);
    if (!dup) continue;
    fill_dedup(cls[v], plan.dedup[v]);
    // The edges into v carry representatives only.
    for (int32_t e : g.in_edges[v]) {
      std::vector<int32_t>& act = plan.edges[e].active;
      act.erase(std::remove_if(act.begin(), act.end(), [&](int32_t r) { return cls[v][r] != r; }),
                act.end());
      plan.edges[e].full = plan.edges[e].n_active() == batch;
    }
  }

  for (int32_t e = 0; e < g.n_edges; ++e) {
    EdgePlan& ep = plan.edges[e];
    ep.contiguous = !ep.active.empty() && ep.active.back() - ep.active.front() + 1 == ep.n_active();
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
