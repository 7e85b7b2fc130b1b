// native/cuda/cuda_engine.cc — the CUDA engine's host side (see cuda_engine.h).
//
// One batch ("Bound"): the CPU plan (cpu::plan_build: active rows per edge,
// shared prefixes) flattened into one int buffer and one T buffer (edge gates
// on the active rows), plus one byte buffer of launch descriptors: per
// topological level one grouped-GEMM launch over the level's edges and one
// elementwise launch over its nodes, and one weight-gradient launch over all
// edges. A full-batch run binds once and uploads once; a minibatch run rebinds
// (three uploads) per step, like the CPU backend rebuilds its plan.
//
// Per step on the device, levels L = 1..depth:
//   forward  GEMM(edges into L) → scratch; node step (ordered Σ over edges,
//            φ, node gate); shared-prefix copies
//   loss     per-row kernel → per-row losses → one-block sum (8 bytes read back)
//   backward levels depth..1: GEMM(edges out of L, W_qᵀ) → scratch; node step
//            (Σ, node gate, φ'); shared-prefix sums
//   weights  one grouped GEMM over all edges: dW (or W ← (1 − lr·wd)·W − lr·dW)

#include "cuda_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "core/train_options.h"
#include "cpu/model_data.h"
#include "cpu/plan.h"
#include "cuda_kernels.h"
#include "gdln/shuffle.h"
#include "gdln/status.h"

namespace gdln {
namespace cuda {

bool atomic_scatter_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("GDLN_CUDA_ATOMIC");
    return v != nullptr && v[0] != '\0' && v[0] != '0';
  }();
  return on;
}

namespace {

constexpr int64_t kTile = 64;  // the GEMM's output tile (cuda_kernels.cu)

int64_t tiles_of(int64_t m, int64_t n) { return ((m + kTile - 1) / kTile) * ((n + kTile - 1) / kTile); }

// Byte arena of descriptors: appended on the host, uploaded in one copy.
class Arena {
 public:
  template <typename X>
  size_t put(const std::vector<X>& values) {
    const size_t offset = (bytes_.size() + 15) & ~size_t{15};
    bytes_.resize(offset + values.size() * sizeof(X));
    if (!values.empty()) std::memcpy(bytes_.data() + offset, values.data(), values.size() * sizeof(X));
    return offset;
  }
  const std::vector<unsigned char>& bytes() const { return bytes_; }
  void clear() { bytes_.clear(); }

 private:
  std::vector<unsigned char> bytes_;
};

// ---------------------------------------------------------------- the model on the device

template <typename T>
struct DeviceModel {
  cpu::ModelData<T> data;                     // host copy (the plan reads gates and inputs)
  std::vector<std::vector<int32_t>> levels;   // non-input nodes by depth 1..D (topological)
  std::vector<DeviceArray<T>> gated_input;    // per input node [N, |v|]
  std::vector<DeviceArray<T>> target;         // per output node [N, |v|]
  std::vector<DeviceArray<T>> node_gate;      // per node [N] / [N, |v|] / empty
  std::vector<int64_t> weight_offset;         // per edge, into the flat weight buffers
  int64_t weight_total = 0;
  DeviceArray<T> w;                           // all weights, flat
};

template <typename T>
void upload(DeviceArray<T>& dst, const std::vector<T>& src, const char* what) {
  dst.reset(src.size(), what);
  copy_to_device(dst.get(), src.data(), src.size() * sizeof(T), what);
}

template <typename T>
void device_model_build(const Model& model, DeviceModel<T>& dm) {
  select_device();
  dm.data = cpu::model_data_build<T>(model);
  const cpu::GraphInfo& g = dm.data.graph;
  std::vector<int32_t> depth(g.n_nodes, 0);
  int32_t max_depth = 0;
  for (int32_t v : g.order) {
    for (int32_t e : g.in_edges[v]) depth[v] = std::max(depth[v], depth[g.source[e]] + 1);
    max_depth = std::max(max_depth, depth[v]);
  }
  dm.levels.assign(max_depth + 1, {});
  for (int32_t v : g.order) {
    if (!g.is_input[v]) dm.levels[depth[v]].push_back(v);
  }
  dm.gated_input.resize(g.n_nodes);
  dm.target.resize(g.n_nodes);
  dm.node_gate.resize(g.n_nodes);
  for (int32_t v = 0; v < g.n_nodes; ++v) {
    if (g.is_input[v]) upload(dm.gated_input[v], dm.data.gated_input[v], "inputs");
    if (g.is_output[v]) upload(dm.target[v], dm.data.target[v], "targets");
    upload(dm.node_gate[v], dm.data.node_gate[v], "node gates");
  }
  dm.weight_offset.resize(g.n_edges);
  dm.weight_total = 0;
  for (int32_t e = 0; e < g.n_edges; ++e) {
    dm.weight_offset[e] = dm.weight_total;
    dm.weight_total += g.weight_size[e];
  }
  dm.w.reset(static_cast<size_t>(dm.weight_total), "weights");
}

template <typename T>
void weights_upload(DeviceModel<T>& dm, const WeightSet& weights) {
  std::vector<T> flat(static_cast<size_t>(dm.weight_total));
  for (size_t e = 0; e < weights.size(); ++e) {
    std::copy(weights[e].begin(), weights[e].end(), flat.begin() + dm.weight_offset[e]);
  }
  copy_to_device(dm.w.get(), flat.data(), flat.size() * sizeof(T), "weights upload");
}

template <typename T>
WeightSet weights_download(const DeviceModel<T>& dm, const T* device_flat) {
  std::vector<T> flat(static_cast<size_t>(dm.weight_total));
  copy_to_host(flat.data(), device_flat, flat.size() * sizeof(T), "weights download");
  const cpu::GraphInfo& g = dm.data.graph;
  WeightSet out(g.n_edges);
  for (int32_t e = 0; e < g.n_edges; ++e) {
    out[e].assign(flat.begin() + dm.weight_offset[e],
                  flat.begin() + dm.weight_offset[e] + g.weight_size[e]);
  }
  return out;
}

// ---------------------------------------------------------------- one bound batch

struct GemmLaunch {
  size_t groups = 0, tiles = 0;  // arena offsets
  int32_t n_groups = 0;
  int64_t n_tiles = 0;
};

struct NodeLaunch {
  size_t nodes = 0, terms = 0;  // arena offsets
  int32_t n_nodes = 0;
  int32_t max_width = 0;
};

struct DedupLaunch {
  int32_t node = 0;
  size_t dup_rows = 0, dup_rep = 0, class_rep = 0, member_offset = 0, members = 0;  // int offsets
  int32_t n_dup = 0, n_classes = 0;
};

// Where the weight-gradient GEMM writes: dW (alpha 1, beta 0) or, for plain
// SGD, the weights themselves (alpha −lr, beta 1 − lr·wd).
template <typename T>
struct GradTarget {
  T* out = nullptr;
  T alpha = T(1), beta = T(0);
};

template <typename T>
struct Bound {
  cpu::BatchPlan plan;
  bool with_gradient = false;
  bool atomic = false;
  std::vector<DeviceArray<T>> a, h, delta;  // per node [B, |v|]
  std::vector<const T*> hptr;               // per node: where h_v lives
  std::vector<DeviceArray<T>> scratch;      // per edge [m, max(|s|, |t|)] (deterministic mode)
  DeviceArray<double> sample_loss;          // [B]
  DeviceArray<double> loss_sum;             // [1]
  DeviceArray<int32_t> ints;
  DeviceArray<T> reals;
  DeviceArray<unsigned char> desc;
  std::vector<int64_t> active_off, pos_off, gate_off;  // per edge, into ints / reals (−1 = none)
  size_t rows_off = 0;
  std::vector<GemmLaunch> fwd_gemm, bwd_gemm;  // per level
  std::vector<NodeLaunch> fwd_node, bwd_node;  // per level
  std::vector<std::vector<DedupLaunch>> dedup;  // per level
  GemmLaunch wgrad;
  size_t loss_nodes = 0;
  int32_t n_loss_nodes = 0;
};

template <typename T>
const int32_t* int_ptr(const Bound<T>& b, int64_t off) {
  return b.ints.get() + off;
}

template <typename T>
void bind_batch(DeviceModel<T>& dm, const std::vector<int32_t>& rows, bool identity_rows,
          bool with_gradient, const GradTarget<T>& grad_target, Bound<T>& b) {
  const cpu::GraphInfo& g = dm.data.graph;
  cpu::plan_build(dm.data, rows, identity_rows, b.plan);
  const cpu::BatchPlan& plan = b.plan;
  const int64_t batch = plan.batch;
  b.with_gradient = with_gradient;
  b.atomic = atomic_scatter_enabled();

  // Node buffers (grow only: a minibatch run allocates once per batch size).
  b.a.resize(g.n_nodes);
  b.h.resize(g.n_nodes);
  b.delta.resize(g.n_nodes);
  b.hptr.assign(g.n_nodes, nullptr);
  b.scratch.resize(g.n_edges);
  for (int32_t v = 0; v < g.n_nodes; ++v) {
    const size_t n = static_cast<size_t>(batch * g.size[v]);
    if (g.is_input[v] && identity_rows) {
      b.hptr[v] = dm.gated_input[v].get();
      continue;
    }
    b.h[v].ensure(n, "activations");
    b.hptr[v] = b.h[v].get();
    if (g.is_input[v]) continue;
    b.a[v].ensure(n, "pre-activations");
    if (with_gradient) b.delta[v].ensure(n, "gradients");
  }
  if (!b.atomic) {
    for (int32_t e = 0; e < g.n_edges; ++e) {
      const int64_t width = std::max(g.size[g.source[e]], g.size[g.target[e]]);
      b.scratch[e].ensure(static_cast<size_t>(plan.edges[e].n_active() * width), "edge scratch");
    }
  }
  b.sample_loss.ensure(static_cast<size_t>(std::max<int64_t>(batch, 1)), "per-sample losses");
  b.loss_sum.ensure(1, "loss");

  // The plan, flattened: ints (rows, active lists, positions, shared prefixes)
  // and reals (edge gates on the active rows).
  std::vector<int32_t> ints;
  std::vector<T> reals;
  auto put_ints = [&](const std::vector<int32_t>& v) {
    const int64_t off = static_cast<int64_t>(ints.size());
    ints.insert(ints.end(), v.begin(), v.end());
    return off;
  };
  b.rows_off = static_cast<size_t>(put_ints(plan.rows));
  b.active_off.assign(g.n_edges, -1);
  b.pos_off.assign(g.n_edges, -1);
  b.gate_off.assign(g.n_edges, -1);
  std::vector<int32_t> pos;
  for (int32_t e = 0; e < g.n_edges; ++e) {
    const cpu::EdgePlan& ep = plan.edges[e];
    b.active_off[e] = put_ints(ep.active);
    if (!b.atomic) {
      pos.assign(static_cast<size_t>(batch), -1);
      for (int64_t j = 0; j < ep.n_active(); ++j) pos[ep.active[j]] = static_cast<int32_t>(j);
      b.pos_off[e] = put_ints(pos);
    }
    const std::vector<T>& gate = dm.data.edge_gate[e];
    if (!gate.empty() && !ep.unit_gate) {
      b.gate_off[e] = static_cast<int64_t>(reals.size());
      for (int32_t r : ep.active) reals.push_back(gate[plan.rows[r]]);
    }
  }
  b.dedup.assign(dm.levels.size(), {});
  for (size_t level = 1; level < dm.levels.size(); ++level) {
    for (int32_t v : dm.levels[level]) {
      const cpu::NodeDedup& dd = plan.dedup[v];
      if (!dd.active()) continue;
      DedupLaunch d;
      d.node = v;
      d.n_dup = static_cast<int32_t>(dd.dup_rows.size());
      d.n_classes = static_cast<int32_t>(dd.class_rep.size());
      d.dup_rows = static_cast<size_t>(put_ints(dd.dup_rows));
      d.dup_rep = static_cast<size_t>(put_ints(dd.dup_rep));
      d.class_rep = static_cast<size_t>(put_ints(dd.class_rep));
      d.member_offset = static_cast<size_t>(put_ints(dd.member_offset));
      d.members = static_cast<size_t>(put_ints(dd.members));
      b.dedup[level].push_back(d);
    }
  }
  b.ints.ensure(std::max<size_t>(ints.size(), 1), "plan");
  copy_to_device(b.ints.get(), ints.data(), ints.size() * sizeof(int32_t), "plan upload");
  b.reals.ensure(std::max<size_t>(reals.size(), 1), "edge gates");
  copy_to_device(b.reals.get(), reals.data(), reals.size() * sizeof(T), "edge gate upload");

  const T* gate_base = b.reals.get();
  auto edge_gate_ptr = [&](int32_t e) -> const T* {
    return b.gate_off[e] < 0 ? nullptr : gate_base + b.gate_off[e];
  };
  auto weight_ptr = [&](int32_t e) -> const T* { return dm.w.get() + dm.weight_offset[e]; };

  // Descriptors.
  Arena arena;
  auto gemm_launch = [&](const std::vector<GemmGroup<T>>& groups) {
    GemmLaunch l;
    std::vector<int64_t> start(1, 0);
    for (const GemmGroup<T>& gr : groups) start.push_back(start.back() + tiles_of(gr.M, gr.N));
    l.n_groups = static_cast<int32_t>(groups.size());
    l.n_tiles = start.back();
    l.groups = arena.put(groups);
    l.tiles = arena.put(start);
    return l;
  };
  const size_t n_levels = dm.levels.size();
  b.fwd_gemm.assign(n_levels, {});
  b.bwd_gemm.assign(n_levels, {});
  b.fwd_node.assign(n_levels, {});
  b.bwd_node.assign(n_levels, {});
  for (size_t level = 1; level < n_levels; ++level) {
    // Forward: the edges into the level's nodes.
    std::vector<GemmGroup<T>> groups;
    std::vector<NodeStep<T>> nodes;
    std::vector<EdgeTerm<T>> terms;
    int32_t max_width = 0;
    for (int32_t t : dm.levels[level]) {
      NodeStep<T> nd;
      nd.width = static_cast<int32_t>(g.size[t]);
      nd.activation = static_cast<int32_t>(g.activation[t]);
      nd.slope = static_cast<T>(g.slope[t]);
      nd.gate_mode = static_cast<int32_t>(dm.data.node_gate_mode[t]);
      nd.node_gate = dm.node_gate[t].get();
      nd.a = b.a[t].get();
      nd.h = b.h[t].get();
      nd.prefilled = b.atomic ? 1 : 0;
      nd.first_term = static_cast<int32_t>(terms.size());
      max_width = std::max(max_width, nd.width);
      for (int32_t e : g.in_edges[t]) {
        const cpu::EdgePlan& ep = plan.edges[e];
        if (ep.n_active() == 0) continue;
        GemmGroup<T> gr;
        gr.M = static_cast<int32_t>(ep.n_active());
        gr.N = static_cast<int32_t>(g.size[t]);
        gr.K = static_cast<int32_t>(g.size[g.source[e]]);
        gr.rows = int_ptr(b, b.active_off[e]);
        gr.gate = edge_gate_ptr(e);
        gr.x = b.hptr[g.source[e]];
        gr.w = weight_ptr(e);
        gr.scatter = b.atomic ? 1 : 0;
        gr.out = b.atomic ? b.a[t].get() : b.scratch[e].get();
        groups.push_back(gr);
        if (!b.atomic) terms.push_back({b.scratch[e].get(), int_ptr(b, b.pos_off[e])});
      }
      nd.n_terms = static_cast<int32_t>(terms.size()) - nd.first_term;
      nodes.push_back(nd);
    }
    b.fwd_gemm[level] = gemm_launch(groups);
    b.fwd_node[level].n_nodes = static_cast<int32_t>(nodes.size());
    b.fwd_node[level].max_width = max_width;
    b.fwd_node[level].nodes = arena.put(nodes);
    b.fwd_node[level].terms = arena.put(terms);
    if (!with_gradient) continue;

    // Backward: the edges out of the level's nodes (their targets are deeper).
    groups.clear();
    nodes.clear();
    terms.clear();
    for (int32_t s : dm.levels[level]) {
      NodeStep<T> nd;
      nd.width = static_cast<int32_t>(g.size[s]);
      nd.activation = static_cast<int32_t>(g.activation[s]);
      nd.slope = static_cast<T>(g.slope[s]);
      nd.gate_mode = static_cast<int32_t>(dm.data.node_gate_mode[s]);
      nd.node_gate = dm.node_gate[s].get();
      nd.a = b.a[s].get();
      nd.h = b.delta[s].get();
      nd.prefilled = (b.atomic || g.is_output[s]) ? 1 : 0;
      nd.first_term = static_cast<int32_t>(terms.size());
      for (int32_t e : g.out_edges[s]) {
        const cpu::EdgePlan& ep = plan.edges[e];
        if (ep.n_active() == 0) continue;
        const int32_t t = g.target[e];
        GemmGroup<T> gr;
        gr.M = static_cast<int32_t>(ep.n_active());
        gr.N = static_cast<int32_t>(g.size[s]);
        gr.K = static_cast<int32_t>(g.size[t]);
        gr.rows = int_ptr(b, b.active_off[e]);
        gr.gate = edge_gate_ptr(e);
        gr.x = b.delta[t].get();
        gr.w = weight_ptr(e);
        gr.scatter = b.atomic ? 1 : 0;
        gr.out = b.atomic ? b.delta[s].get() : b.scratch[e].get();
        groups.push_back(gr);
        if (!b.atomic) terms.push_back({b.scratch[e].get(), int_ptr(b, b.pos_off[e])});
      }
      nd.n_terms = static_cast<int32_t>(terms.size()) - nd.first_term;
      nodes.push_back(nd);
    }
    b.bwd_gemm[level] = gemm_launch(groups);
    b.bwd_node[level].n_nodes = static_cast<int32_t>(nodes.size());
    b.bwd_node[level].max_width = max_width;
    b.bwd_node[level].nodes = arena.put(nodes);
    b.bwd_node[level].terms = arena.put(terms);
  }
  if (with_gradient) {
    std::vector<GemmGroup<T>> groups;
    for (int32_t e = 0; e < g.n_edges; ++e) {
      const cpu::EdgePlan& ep = plan.edges[e];
      GemmGroup<T> gr;
      gr.M = static_cast<int32_t>(g.size[g.target[e]]);
      gr.N = static_cast<int32_t>(g.size[g.source[e]]);
      gr.K = static_cast<int32_t>(ep.n_active());
      gr.rows = int_ptr(b, b.active_off[e]);
      gr.gate = edge_gate_ptr(e);
      gr.x = b.delta[g.target[e]].get();
      gr.w = b.hptr[g.source[e]];
      gr.out = grad_target.out + dm.weight_offset[e];
      gr.alpha = grad_target.alpha;
      gr.beta = grad_target.beta;
      groups.push_back(gr);
    }
    b.wgrad = gemm_launch(groups);
  }
  std::vector<LossNode<T>> loss_nodes;
  for (int32_t v : g.outputs) {
    LossNode<T> ln;
    ln.width = static_cast<int32_t>(g.size[v]);
    ln.h = b.hptr[v];
    ln.target = dm.target[v].get();
    ln.grad = with_gradient && !g.is_input[v] ? b.delta[v].get() : nullptr;
    loss_nodes.push_back(ln);
  }
  b.n_loss_nodes = static_cast<int32_t>(loss_nodes.size());
  b.loss_nodes = arena.put(loss_nodes);

  b.desc.ensure(std::max<size_t>(arena.bytes().size(), 1), "descriptors");
  copy_to_device(b.desc.get(), arena.bytes().data(), arena.bytes().size(), "descriptor upload");

  // Inputs of a minibatch: gather the batch's rows of g ⊙ x.
  if (!identity_rows) {
    for (int32_t v = 0; v < g.n_nodes; ++v) {
      if (!g.is_input[v]) continue;
      launch_gather_rows<T>(b.h[v].get(), dm.gated_input[v].get(), int_ptr(b, b.rows_off), batch,
                            static_cast<int32_t>(g.size[v]));
    }
  }
}

template <typename X, typename T>
const X* desc_ptr(const Bound<T>& b, size_t off) {
  return reinterpret_cast<const X*>(b.desc.get() + off);
}

template <typename T>
void run_gemm(const Bound<T>& b, GemmMode mode, const GemmLaunch& l) {
  if (l.n_groups == 0) return;
  launch_grouped_gemm<T>(mode, desc_ptr<GemmGroup<T>>(b, l.groups), desc_ptr<int64_t>(b, l.tiles),
                         l.n_groups, l.n_tiles);
}

template <typename T>
void forward(DeviceModel<T>& dm, Bound<T>& b) {
  const cpu::GraphInfo& g = dm.data.graph;
  const int64_t batch = b.plan.batch;
  const int32_t* rows = int_ptr(b, b.rows_off);
  for (size_t level = 1; level < dm.levels.size(); ++level) {
    if (b.atomic) {
      for (int32_t t : dm.levels[level]) {
        device_zero(b.a[t].get(), sizeof(T) * static_cast<size_t>(batch * g.size[t]), "zero a");
      }
    }
    run_gemm(b, GemmMode::Forward, b.fwd_gemm[level]);
    const NodeLaunch& nl = b.fwd_node[level];
    launch_node_forward<T>(desc_ptr<NodeStep<T>>(b, nl.nodes), nl.n_nodes,
                           desc_ptr<EdgeTerm<T>>(b, nl.terms), rows, batch, nl.max_width);
    for (const DedupLaunch& d : b.dedup[level]) {
      launch_dedup_copy<T>(b.a[d.node].get(), b.h[d.node].get(), static_cast<int32_t>(g.size[d.node]),
                           int_ptr(b, d.dup_rows), int_ptr(b, d.dup_rep), d.n_dup);
    }
  }
}

// Per-row losses (and ∂L/∂h of the outputs when bound with gradient); returns
// the batch mean (one 8-byte read-back).
template <typename T>
double loss(Bound<T>& b, LossKind kind) {
  const int64_t batch = b.plan.batch;
  const double scale = 1.0 / static_cast<double>(batch);
  launch_loss<T>(desc_ptr<LossNode<T>>(b, b.loss_nodes), b.n_loss_nodes, int_ptr(b, b.rows_off),
                 batch, static_cast<int32_t>(kind), scale, b.sample_loss.get());
  launch_sum(b.sample_loss.get(), batch, scale, b.loss_sum.get());
  double value = 0;
  copy_to_host(&value, b.loss_sum.get(), sizeof value, "loss read-back");
  return value;
}

template <typename T>
void backward(DeviceModel<T>& dm, Bound<T>& b) {
  const cpu::GraphInfo& g = dm.data.graph;
  const int64_t batch = b.plan.batch;
  const int32_t* rows = int_ptr(b, b.rows_off);
  if (b.atomic) {
    for (int32_t v = 0; v < g.n_nodes; ++v) {
      if (g.is_input[v] || g.is_output[v]) continue;
      device_zero(b.delta[v].get(), sizeof(T) * static_cast<size_t>(batch * g.size[v]), "zero delta");
    }
  }
  for (size_t level = dm.levels.size(); level-- > 1;) {
    run_gemm(b, GemmMode::Backward, b.bwd_gemm[level]);
    const NodeLaunch& nl = b.bwd_node[level];
    launch_node_backward<T>(desc_ptr<NodeStep<T>>(b, nl.nodes), nl.n_nodes,
                            desc_ptr<EdgeTerm<T>>(b, nl.terms), rows, batch, nl.max_width);
    for (const DedupLaunch& d : b.dedup[level]) {
      launch_dedup_sum<T>(b.delta[d.node].get(), static_cast<int32_t>(g.size[d.node]),
                          int_ptr(b, d.class_rep), int_ptr(b, d.member_offset),
                          int_ptr(b, d.members), d.n_classes);
    }
  }
}

std::vector<int32_t> iota_rows(int64_t n) {
  std::vector<int32_t> rows(static_cast<size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}



}  // namespace

template <typename T>
ForwardResult engine_forward(const Model& model, const WeightSet& weights) {
  DeviceModel<T> dm;
  device_model_build(model, dm);
  weights_upload(dm, weights);
  Bound<T> b;
  bind_batch(dm, iota_rows(dm.data.n_samples), true, false, GradTarget<T>{}, b);
  forward(dm, b);
  const cpu::GraphInfo& g = dm.data.graph;
  ForwardResult result;
  result.activations.resize(g.n_nodes);
  std::vector<T> host;
  for (int32_t v = 0; v < g.n_nodes; ++v) {
    host.resize(static_cast<size_t>(dm.data.n_samples * g.size[v]));
    copy_to_host(host.data(), b.hptr[v], host.size() * sizeof(T), "activations read-back");
    result.activations[v].assign(host.begin(), host.end());
  }
  return result;
}

template <typename T>
LossAndGradientResult engine_loss_and_gradient(const Model& model, const WeightSet& weights,
                                               LossKind kind) {
  DeviceModel<T> dm;
  device_model_build(model, dm);
  weights_upload(dm, weights);
  DeviceArray<T> grad(static_cast<size_t>(dm.weight_total), "weight gradient");
  Bound<T> b;
  bind_batch(dm, iota_rows(dm.data.n_samples), true, true, GradTarget<T>{grad.get(), T(1), T(0)}, b);
  forward(dm, b);
  LossAndGradientResult result;
  result.loss = loss(b, kind);
  backward(dm, b);
  run_gemm(b, GemmMode::WeightGrad, b.wgrad);
  result.gradient = weights_download(dm, grad.get());
  return result;
}

template <typename T>
Trajectory engine_train(const Model& model, const WeightSet& initial, const TrainOptions& options,
                        const RunHooks& hooks) {
  DeviceModel<T> dm;
  device_model_build(model, dm);
  weights_upload(dm, initial);
  const int64_t n = dm.data.n_samples;
  const T lr = static_cast<T>(options.lr);
  const T mu = static_cast<T>(options.momentum);
  const T wd = static_cast<T>(options.weight_decay);
  const bool full_batch = options.batch_size == 0;

  DeviceArray<T> grad, momentum_buf;
  GradTarget<T> target{dm.w.get(), -lr, T(1) - lr * wd};  // plain SGD fused into the dW GEMM
  if (mu != T(0)) {
    grad.reset(static_cast<size_t>(dm.weight_total), "weight gradient");
    momentum_buf.reset(static_cast<size_t>(dm.weight_total), "momentum buffer");
    device_zero(momentum_buf.get(), sizeof(T) * momentum_buf.size(), "zero momentum");
    target = GradTarget<T>{grad.get(), T(1), T(0)};
  }

  Bound<T> full;
  bind_batch(dm, iota_rows(n), true, full_batch, target, full);
  Bound<T> batch;
  std::vector<int32_t> batch_rows;
  MinibatchOrder order(n, full_batch ? n : options.batch_size, options.seed);

  Trajectory traj;
  const int32_t n_groups = options.n_groups;
  std::vector<double> group_sum(n_groups);
  std::vector<int64_t> group_count(n_groups, 0);
  for (int32_t id : options.groups) ++group_count[id];
  std::vector<double> sample_loss;
  auto record = [&](int64_t step, double value) {
    traj.loss_steps.push_back(step);
    traj.loss.push_back(value);
    if (n_groups == 0) return;
    sample_loss.resize(static_cast<size_t>(n));
    copy_to_host(sample_loss.data(), full.sample_loss.get(), sizeof(double) * sample_loss.size(),
                 "per-sample loss read-back");
    std::fill(group_sum.begin(), group_sum.end(), 0.0);
    for (int64_t i = 0; i < n; ++i) group_sum[options.groups[i]] += sample_loss[i];
    for (int32_t k = 0; k < n_groups; ++k) {
      traj.group_loss.push_back(group_count[k] > 0
                                    ? group_sum[k] / static_cast<double>(group_count[k])
                                    : std::numeric_limits<double>::quiet_NaN());
    }
  };
  auto diverged = [&](int64_t step, double value, const char* which) {
    traj.weights = weights_download(dm, dm.w.get());
    throw_diverged(step, value, which, std::move(traj));
  };
  auto evaluate_full = [&]() {
    forward(dm, full);
    return loss(full, options.loss);
  };
  auto update = [&](Bound<T>& b) {
    backward(dm, b);
    run_gemm(b, GemmMode::WeightGrad, b.wgrad);
    if (mu != T(0)) {
      launch_sgd_momentum<T>(dm.w.get(), grad.get(), momentum_buf.get(), dm.weight_total, lr, mu, wd);
    }
  };

  size_t next_snapshot = 0;
  for (int64_t step = 0;; ++step) {
    while (next_snapshot < options.snapshot_steps.size() &&
           options.snapshot_steps[next_snapshot] == step) {
      traj.snapshot_steps.push_back(step);
      traj.snapshots.push_back(weights_download(dm, dm.w.get()));
      ++next_snapshot;
    }
    const bool cancelled = step < options.steps && hooks.cancel != nullptr &&
                           hooks.cancel->load(std::memory_order_relaxed);
    const bool progress = options.progress_every > 0 && step > 0 &&
                          step % options.progress_every == 0 && hooks.on_progress;
    if (step == options.steps || cancelled) {
      const double value = evaluate_full();
      if (!std::isfinite(value)) diverged(step, value, "loss");
      record(step, value);
      if (progress) hooks.on_progress(step, value);
      traj.steps_done = step;
      traj.cancelled = cancelled;
      break;
    }
    const bool record_now = step % options.record_every == 0;
    if (full_batch) {
      const double value = evaluate_full();
      if (!std::isfinite(value)) diverged(step, value, "loss");
      if (record_now) record(step, value);
      if (progress) hooks.on_progress(step, value);
      update(full);
    } else {
      double full_loss = 0;
      if (record_now) {
        full_loss = evaluate_full();
        if (!std::isfinite(full_loss)) diverged(step, full_loss, "loss");
        record(step, full_loss);
      }
      order.next(batch_rows);
      bind_batch(dm, batch_rows, false, true, target, batch);
      forward(dm, batch);
      const double batch_loss = loss(batch, options.loss);
      if (!std::isfinite(batch_loss)) diverged(step, batch_loss, "minibatch loss");
      if (progress) hooks.on_progress(step, record_now ? full_loss : batch_loss);
      update(batch);
    }
  }
  traj.weights = weights_download(dm, dm.w.get());
  return traj;
}

template ForwardResult engine_forward<float>(const Model&, const WeightSet&);
template ForwardResult engine_forward<double>(const Model&, const WeightSet&);
template LossAndGradientResult engine_loss_and_gradient<float>(const Model&, const WeightSet&,
                                                               LossKind);
template LossAndGradientResult engine_loss_and_gradient<double>(const Model&, const WeightSet&,
                                                                LossKind);
template Trajectory engine_train<float>(const Model&, const WeightSet&, const TrainOptions&,
                                        const RunHooks&);
template Trajectory engine_train<double>(const Model&, const WeightSet&, const TrainOptions&,
                                         const RunHooks&);

}  // namespace cuda
}  // namespace gdln
