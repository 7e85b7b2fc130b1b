// native/cpu/gated_matmul.cc — the optimised CPU sweeps (see the header for
// the maths and the determinism promise).
//
// Each node is handled in two parallel phases:
//   1. one GEMM task per (edge, block of kGemmRowBlock active rows): gather the
//      active rows of the operand, multiply, write a per-edge scratch block;
//   2. one task per block of kRowBlock batch rows of the node: add the edges'
//      scratch rows into the node in ascending edge order, then apply the
//      elementwise part (φ and the node gate, or their derivatives).
// Phase 2 owns its rows, so no two tasks ever write the same element and the
// edge sum is taken in the same order whatever the thread count. An edge that
// is full (carries every row) and is its node's only edge skips the scratch
// buffer and the scatter: its GEMM writes into the node directly.

#include "gated_matmul.h"

#include <algorithm>
#include <cstring>

#include "activations.h"
#include "fused_update.h"
#include "gdln/gemm.h"

namespace gdln {
namespace cpu {
namespace {

template <typename T>
void grow(std::vector<T>& values, int64_t n) {
  if (static_cast<int64_t>(values.size()) < n) values.resize(static_cast<size_t>(n));
}

int64_t n_blocks(int64_t n, int64_t block) { return (n + block - 1) / block; }

// Rows [j0, j1) of an edge's active list, columns [c0, c1) of the GEMM's output
// (c1 = −1: all of them). Few rows (≤ kGemmRowBlock) on a wide W would make one task
// per edge, i.e. one thread; those GEMMs are also cut into column blocks (wide()).
struct RowTask {
  int32_t edge;
  int64_t j0;
  int64_t j1;
  int64_t c0 = 0;
  int64_t c1 = -1;
};

bool wide(const GraphInfo& g, const EdgePlan& ep, int32_t e) {
  return ep.n_active() <= kGemmRowBlock && g.weight_size[e] >= kFusedMinWeights;
}

// cols(e): width of the GEMM's output for edge e; split: whether wide edges are cut.
template <typename ColsFn>
void collect_row_tasks(const std::vector<int32_t>& edges, const GraphInfo& g,
                       const BatchPlan& plan, bool split, const ColsFn& cols,
                       std::vector<RowTask>& tasks) {
  tasks.clear();
  for (int32_t e : edges) {
    const EdgePlan& ep = plan.edges[e];
    const int64_t m = ep.n_active();
    if (m == 0) continue;
    const int64_t n = split && wide(g, ep, e) ? cols(e) : 0;
    if (n > 0) {
      for (int64_t c0 = 0; c0 < n; c0 += kFusedColBlock) {
        tasks.push_back({e, 0, m, c0, std::min(n, c0 + kFusedColBlock)});
      }
      continue;
    }
    for (int64_t j0 = 0; j0 < m; j0 += kGemmRowBlock) {
      tasks.push_back({e, j0, std::min(m, j0 + kGemmRowBlock)});
    }
  }
}

// Runs fn(r0, r1) for every block of kRowBlock rows of [0, batch).
template <typename Fn>
void for_row_blocks(ThreadPool& pool, int64_t batch, const Fn& fn) {
  pool.parallel_for(n_blocks(batch, kRowBlock), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      fn(b * kRowBlock, std::min(batch, (b + 1) * kRowBlock));
    }
  });
}

// row[k] *= g_v(sample, k) for a row of node v (no-op without a node gate).
template <typename T>
void scale_by_node_gate(GateMode mode, const std::vector<T>& gate, int64_t sample,
                        int64_t width, T* row) {
  if (mode == GateMode::PerSample) {
    const T gs = gate[sample];
    for (int64_t k = 0; k < width; ++k) row[k] *= gs;
  } else if (mode == GateMode::PerNeuron) {
    const T* gs = gate.data() + sample * width;
    for (int64_t k = 0; k < width; ++k) row[k] *= gs[k];
  }
}

template <typename T>
T edge_gate_at(const std::vector<T>& gate, int64_t sample) {
  return gate.empty() ? T(1) : gate[sample];
}

// The edge's g_q ⊙ ∂L/∂a_t on its active rows, [m, |t|]: the target's own
// gradient when the edge is full with unit gate (no copy was made).
template <typename T>
const T* gated_grad_of(const Workspace<T>& ws, int32_t e, int32_t target) {
  const EdgePlan& ep = ws.plan.edges[e];
  return ep.unit_gate && ep.contiguous
             ? ws.grad[target].data() + ep.first_row() * ws.plan_width[target]
             : ws.gated_grad[e].data();
}

// h_s on the edge's active rows, [m, |s|]: in place when the rows are contiguous (full
// edges included), else the copy the forward gathered.
template <typename T>
const T* source_rows_of(const Workspace<T>& ws, int32_t e, int32_t source) {
  const EdgePlan& ep = ws.plan.edges[e];
  return ep.contiguous ? ws.h[source] + ep.first_row() * ws.plan_width[source]
                       : ws.gathered[e].data();
}

}  // namespace

template <typename T>
void workspace_bind(const ModelData<T>& data, const std::vector<int32_t>& rows,
                    bool identity_rows, bool with_gradient, Workspace<T>& ws,
                    ThreadPool& pool) {
  const GraphInfo& g = data.graph;
  plan_build(data, rows, identity_rows, ws.plan);
  const BatchPlan& plan = ws.plan;
  const int64_t batch = plan.batch;

  ws.plan_width = g.size;
  ws.pre.resize(g.n_nodes);
  ws.post.resize(g.n_nodes);
  ws.h.assign(g.n_nodes, nullptr);
  ws.grad.resize(g.n_nodes);
  ws.gathered.resize(g.n_edges);
  ws.gated_grad.resize(g.n_edges);
  ws.product.resize(g.n_edges);
  grow(ws.sample_loss, batch);

  for (int32_t v = 0; v < g.n_nodes; ++v) {
    const int64_t width = g.size[v];
    if (g.is_input[v] && identity_rows) {
      ws.h[v] = data.gated_input[v].data();  // the full dataset, in place
      continue;
    }
    grow(ws.post[v], batch * width);
    ws.h[v] = ws.post[v].data();
    if (g.is_input[v]) continue;
    grow(ws.pre[v], batch * width);
    if (with_gradient) grow(ws.grad[v], batch * width);
  }

  for (int32_t e = 0; e < g.n_edges; ++e) {
    const EdgePlan& ep = plan.edges[e];
    const int64_t m = ep.n_active();
    const int64_t width_s = g.size[g.source[e]];
    const int64_t wt = g.size[g.target[e]];
    if (!ep.contiguous) grow(ws.gathered[e], m * width_s);
    int64_t scratch = ep.direct_forward ? 0 : m * wt;
    if (with_gradient) {
      if (!(ep.contiguous && ep.unit_gate)) grow(ws.gated_grad[e], m * wt);
      // The input-gradient GEMM only runs for edges leaving non-input nodes.
      if (!ep.direct_backward && !g.is_input[g.source[e]]) scratch = std::max(scratch, m * width_s);
    }
    grow(ws.product[e], scratch);
  }

  if (identity_rows) return;
  // Gather the batch's rows of every input node's g ⊙ x.
  for_row_blocks(pool, batch, [&](int64_t r0, int64_t r1) {
    for (int32_t v = 0; v < g.n_nodes; ++v) {
      if (!g.is_input[v]) continue;
      const int64_t width = g.size[v];
      const T* src = data.gated_input[v].data();
      T* dst = ws.post[v].data();
      for (int64_t r = r0; r < r1; ++r) {
        std::memcpy(dst + r * width, src + static_cast<int64_t>(rows[r]) * width,
                    sizeof(T) * static_cast<size_t>(width));
      }
    }
  });
}

template <typename T>
void gated_matmul_forward(const ModelData<T>& data, const Weights<T>& weights,
                          Workspace<T>& ws, ThreadPool& pool) {
  const GraphInfo& g = data.graph;
  const BatchPlan& plan = ws.plan;
  std::vector<RowTask> tasks;

  for (int32_t t : g.order) {
    if (g.is_input[t]) continue;
    const int64_t wt = g.size[t];
    T* a_t = ws.pre[t].data();
    T* h_t = ws.post[t].data();
    const std::vector<int32_t>& in = g.in_edges[t];

    // Phase 1: C_q[j] = W_q h_s[active_j]  — x: [rows, |s|], W_q: [|t|, |s|].
    // Wide edges whose rows are contiguous are cut by output column (rows of W_q); any
    // other edge is gathered by its row-block task, so it is not cut.
    collect_row_tasks(in, g, plan, true, [&](int32_t e) {
      return plan.edges[e].contiguous ? g.size[t] : int64_t{0};
    }, tasks);
    pool.parallel_for(static_cast<int64_t>(tasks.size()), 1, [&](int64_t k0, int64_t k1) {
      for (int64_t k = k0; k < k1; ++k) {
        const RowTask& task = tasks[k];
        const int32_t e = task.edge;
        const int32_t s = g.source[e];
        const int64_t width_s = g.size[s];
        const EdgePlan& ep = plan.edges[e];
        const int64_t n_rows = task.j1 - task.j0;
        const T* x = ws.h[s] + (ep.first_row() + task.j0) * width_s;
        if (!ep.contiguous) {
          T* dst = ws.gathered[e].data() + task.j0 * width_s;
          for (int64_t j = task.j0; j < task.j1; ++j) {
            std::memcpy(dst + (j - task.j0) * width_s,
                        ws.h[s] + static_cast<int64_t>(ep.active[j]) * width_s,
                        sizeof(T) * static_cast<size_t>(width_s));
          }
          x = dst;
        }
        const int64_t c0 = task.c0;
        const int64_t c1 = task.c1 < 0 ? wt : task.c1;
        T* out = (ep.direct_forward ? a_t + task.j0 * wt : ws.product[e].data() + task.j0 * wt) + c0;
        if (task.c1 >= 0 && n_rows <= kFusedMaxRows && fused_update_enabled()) {
          // A cut wide edge with a small batch: stream W's rows once (fused_update.h).
          small_nt<T>(n_rows, 0, c1 - c0, width_s, x, weights[e].data() + c0 * width_s, out, wt);
          continue;
        }
        gemm<T>(Trans::No, Trans::Yes, n_rows, c1 - c0, width_s, T(1), x, width_s,
                weights[e].data() + c0 * width_s, width_s, T(0), out, wt);
      }
    });

    // Phase 2: a_t = Σ_q g_q C_q (ascending q), h_t = g_t ⊙ φ_t(a_t).
    const bool direct = in.size() == 1 && plan.edges[in[0]].direct_forward;
    const Activation act = g.activation[t];
    const T slope = static_cast<T>(g.slope[t]);
    for_row_blocks(pool, plan.batch, [&](int64_t r0, int64_t r1) {
      if (direct) {
        const EdgePlan& ep = plan.edges[in[0]];
        if (!ep.unit_gate) {
          const std::vector<T>& gate = data.edge_gate[in[0]];
          for (int64_t r = r0; r < r1; ++r) {
            const T gr = gate[plan.rows[r]];
            T* a = a_t + r * wt;
            for (int64_t k = 0; k < wt; ++k) a[k] *= gr;
          }
        }
      } else {
        std::fill(a_t + r0 * wt, a_t + r1 * wt, T(0));
        for (int32_t e : in) {
          const EdgePlan& ep = plan.edges[e];
          int64_t first = 0, last = 0;
          active_range(ep.active, r0, r1, first, last);
          const std::vector<T>& gate = data.edge_gate[e];
          const T* c = ws.product[e].data();
          for (int64_t j = first; j < last; ++j) {
            const int64_t r = ep.active[j];
            const T gr = edge_gate_at(gate, plan.rows[r]);
            const T* cj = c + j * wt;
            T* a = a_t + r * wt;
            for (int64_t k = 0; k < wt; ++k) a[k] += gr * cj[k];
          }
        }
      }
      for (int64_t r = r0; r < r1; ++r) {
        activate_row(act, slope, a_t + r * wt, h_t + r * wt, wt);
        scale_by_node_gate(data.node_gate_mode[t], data.node_gate[t], plan.rows[r], wt,
                           h_t + r * wt);
      }
    });

    // Phase 3 (shared prefixes, plan.h): rows that share their representative's prefix
    // take its a_t and h_t (the representative's rows are final after phase 2).
    const NodeDedup& dd = plan.dedup[t];
    if (dd.active()) {
      const int64_t n_dup = static_cast<int64_t>(dd.dup_rows.size());
      for_row_blocks(pool, n_dup, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const int64_t r = dd.dup_rows[i];
          const int64_t rep = dd.dup_rep[i];
          std::memcpy(a_t + r * wt, a_t + rep * wt, sizeof(T) * static_cast<size_t>(wt));
          std::memcpy(h_t + r * wt, h_t + rep * wt, sizeof(T) * static_cast<size_t>(wt));
        }
      });
    }
  }
}

template <typename T>
void gated_matmul_backward(const ModelData<T>& data, const Weights<T>& weights,
                           Workspace<T>& ws, ThreadPool& pool, const FusedSgd<T>* sgd) {
  const GraphInfo& g = data.graph;
  const BatchPlan& plan = ws.plan;
  std::vector<RowTask> tasks;
  ws.updated.assign(g.n_edges, 0);
  ws.partial.resize(g.n_edges);
  const bool fuse = sgd != nullptr && fused_update_enabled();
  struct FusedTask {
    int32_t edge;
    int64_t i0, i1;  // rows of W_q
    int64_t block;   // index of its E partial
  };
  std::vector<FusedTask> fused_tasks;
  std::vector<int32_t> fused_edges, plain_edges;

  for (auto it = g.order.rbegin(); it != g.order.rend(); ++it) {
    const int32_t s = *it;
    if (g.is_input[s]) continue;
    const int64_t width_s = g.size[s];
    T* d_s = ws.grad[s].data();
    const std::vector<int32_t>& out = g.out_edges[s];

    // Phase 1: E_q[j] = W_qᵀ (g_q ∂L/∂a_t)[j]  — d: [rows, |t|], W_q: [|t|, |s|].
    // Edges the fused kernel takes (fused_update.h) form E_q from the old W_q and
    // apply the SGD step to it in the same pass; the rest run one GEMM per task.
    fused_edges.clear();
    plain_edges.clear();
    for (int32_t e : out) {
      const int64_t m = plan.edges[e].n_active();
      const bool f = fuse && m >= 1 && m <= kFusedMaxRows && g.weight_size[e] >= kFusedMinWeights;
      (f ? fused_edges : plain_edges).push_back(e);
    }
    collect_row_tasks(plain_edges, g, plan, true, [&](int32_t) { return width_s; }, tasks);
    fused_tasks.clear();
    for (int32_t e : fused_edges) {
      const int64_t rows = g.size[g.target[e]];
      const int64_t n_rb = (rows + kFusedRowBlock - 1) / kFusedRowBlock;
      grow(ws.partial[e], n_rb * plan.edges[e].n_active() * width_s);
      for (int64_t b = 0; b < n_rb; ++b) {
        fused_tasks.push_back({e, b * kFusedRowBlock, std::min(rows, (b + 1) * kFusedRowBlock), b});
      }
      ws.updated[e] = 1;
    }
    const int64_t n_plain = static_cast<int64_t>(tasks.size());
    const int64_t n_fused = static_cast<int64_t>(fused_tasks.size());
    pool.parallel_for(n_fused + n_plain, 1, [&](int64_t k0, int64_t k1) {
      for (int64_t k = k0; k < k1; ++k) {
        if (k < n_fused) {
          const FusedTask& task = fused_tasks[k];
          const int32_t e = task.edge;
          const int32_t t = g.target[e];
          const EdgePlan& ep = plan.edges[e];
          const int64_t m = ep.n_active();
          T* part = ws.partial[e].data() + task.block * m * width_s;
          std::fill(part, part + m * width_s, T(0));
          const T* x = source_rows_of(ws, e, s);
          fused_rows<T>(m, task.i0, task.i1, width_s, gated_grad_of(ws, e, t), g.size[t], x,
                        (*sgd->w)[e].data(), part, sgd->alpha, sgd->beta);
          continue;
        }
        const RowTask& task = tasks[k - n_fused];
        const int32_t e = task.edge;
        const int32_t t = g.target[e];
        const int64_t wt = g.size[t];
        const EdgePlan& ep = plan.edges[e];
        const int64_t c0 = task.c0;
        const int64_t c1 = task.c1 < 0 ? width_s : task.c1;
        const T* d = gated_grad_of(ws, e, t) + task.j0 * wt;
        T* dst = (ep.direct_backward ? d_s + task.j0 * width_s
                                     : ws.product[e].data() + task.j0 * width_s) + c0;
        gemm<T>(Trans::No, Trans::No, task.j1 - task.j0, c1 - c0, wt, T(1), d, wt,
                weights[e].data() + c0, width_s, T(0), dst, width_s);
      }
    });
    // E_q of the fused edges: the sum of the row-block partials in ascending block order.
    if (!fused_edges.empty()) {
      constexpr int64_t kChunk = 1024;
      std::vector<std::pair<int32_t, int64_t>> chunks;  // (edge, first element)
      for (int32_t e : fused_edges) {
        const int64_t n = plan.edges[e].n_active() * width_s;
        for (int64_t c = 0; c < n; c += kChunk) chunks.push_back({e, c});
      }
      pool.parallel_for(static_cast<int64_t>(chunks.size()), 1, [&](int64_t k0, int64_t k1) {
        for (int64_t k = k0; k < k1; ++k) {
          const int32_t e = chunks[k].first;
          const EdgePlan& ep = plan.edges[e];
          const int64_t n = ep.n_active() * width_s;
          const int64_t a = chunks[k].second, b = std::min(n, a + kChunk);
          const int64_t n_rb = (g.size[g.target[e]] + kFusedRowBlock - 1) / kFusedRowBlock;
          T* dst = ep.direct_backward ? d_s : ws.product[e].data();
          const T* part = ws.partial[e].data();
          std::copy(part + a, part + b, dst + a);
          for (int64_t blk = 1; blk < n_rb; ++blk) {
            const T* p = part + blk * n;
            for (int64_t i = a; i < b; ++i) dst[i] += p[i];
          }
        }
      });
    }

    // Phase 2: ∂L/∂h_s = Σ_q E_q (ascending q) unless the loss or a direct
    // GEMM already wrote it; then ∂L/∂a_s, then the gated copies for the
    // edges into s (the operands of their dW and of the next node's phase 1).
    const bool prefilled = g.is_output[s] || (out.size() == 1 && plan.edges[out[0]].direct_backward);
    const Activation act = g.activation[s];
    const T slope = static_cast<T>(g.slope[s]);
    const T* a_s = ws.pre[s].data();
    const NodeDedup& dd = plan.dedup[s];
    const bool shared = dd.active();
    // The gated copies g_q ⊙ ∂L/∂a_s for the edges into s, on rows [r0, r1).
    auto gate_in_edges = [&](int64_t r0, int64_t r1) {
      for (int32_t e : g.in_edges[s]) {
        const EdgePlan& ep = plan.edges[e];
        if (ep.contiguous && ep.unit_gate) continue;  // gated_grad_of reads d_s itself
        int64_t first = 0, last = 0;
        active_range(ep.active, r0, r1, first, last);
        const std::vector<T>& gate = data.edge_gate[e];
        T* dst = ws.gated_grad[e].data();
        for (int64_t j = first; j < last; ++j) {
          const int64_t r = ep.active[j];
          const T gr = edge_gate_at(gate, plan.rows[r]);
          const T* src = d_s + r * width_s;
          T* dj = dst + j * width_s;
          for (int64_t k = 0; k < width_s; ++k) dj[k] = gr * src[k];
        }
      }
    };
    for_row_blocks(pool, plan.batch, [&](int64_t r0, int64_t r1) {
      if (!prefilled) {
        std::fill(d_s + r0 * width_s, d_s + r1 * width_s, T(0));
        for (int32_t e : out) {
          const EdgePlan& ep = plan.edges[e];
          int64_t first = 0, last = 0;
          active_range(ep.active, r0, r1, first, last);
          const T* c = ws.product[e].data();
          for (int64_t j = first; j < last; ++j) {
            const T* cj = c + j * width_s;
            T* d = d_s + static_cast<int64_t>(ep.active[j]) * width_s;
            for (int64_t k = 0; k < width_s; ++k) d[k] += cj[k];
          }
        }
      }
      for (int64_t r = r0; r < r1; ++r) {
        T* d = d_s + r * width_s;
        scale_by_node_gate(data.node_gate_mode[s], data.node_gate[s], plan.rows[r], width_s, d);
        scale_by_derivative_row(act, slope, a_s + r * width_s, d, width_s);
      }
      if (!shared) gate_in_edges(r0, r1);
    });
    if (shared) {
      // Shared prefixes (plan.h): each representative's ∂L/∂a_s becomes the sum over its
      // class, members added in ascending row order; the edges into s carry representatives only.
      const int64_t n_cls = static_cast<int64_t>(dd.class_rep.size());
      for_row_blocks(pool, n_cls, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          T* d = d_s + static_cast<int64_t>(dd.class_rep[c]) * width_s;
          for (int32_t i = dd.member_offset[c]; i < dd.member_offset[c + 1]; ++i) {
            const T* m = d_s + static_cast<int64_t>(dd.members[i]) * width_s;
            for (int64_t k = 0; k < width_s; ++k) d[k] += m[k];
          }
        }
      });
      for_row_blocks(pool, plan.batch, gate_in_edges);
    }
  }
}

template <typename T>
void gated_matmul_weight_grad(const ModelData<T>& data, Workspace<T>& ws, Weights<T>& out,
                              ThreadPool& pool, T alpha, T beta) {
  const GraphInfo& g = data.graph;
  const BatchPlan& plan = ws.plan;
  out.resize(g.n_edges);

  // One task per tile [r0, r1) x [c0, c1) of dW_q, so each element's sum over
  // the active rows is formed by exactly one GEMM call.
  struct Tile {
    int32_t edge;
    int64_t r0, r1, c0, c1;
  };
  std::vector<Tile> tiles;
  for (int32_t e = 0; e < g.n_edges; ++e) {
    out[e].resize(static_cast<size_t>(g.weight_size[e]));
    if (e < static_cast<int32_t>(ws.updated.size()) && ws.updated[e]) continue;  // fused already
    const int64_t rows = g.size[g.target[e]];
    const int64_t cols = g.size[g.source[e]];
    for (int64_t r0 = 0; r0 < rows; r0 += kWeightRowBlock) {
      for (int64_t c0 = 0; c0 < cols; c0 += kWeightColBlock) {
        tiles.push_back({e, r0, std::min(rows, r0 + kWeightRowBlock), c0,
                         std::min(cols, c0 + kWeightColBlock)});
      }
    }
  }

  pool.parallel_for(static_cast<int64_t>(tiles.size()), 1, [&](int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; ++k) {
      const Tile& tile = tiles[k];
      const int32_t e = tile.edge;
      const int32_t s = g.source[e];
      const int32_t t = g.target[e];
      const int64_t width_s = g.size[s];
      const int64_t wt = g.size[t];
      const EdgePlan& ep = plan.edges[e];
      T* c = out[e].data() + tile.r0 * width_s + tile.c0;
      const int64_t m = ep.n_active();
      if (m == 0) {  // no sample reaches this edge: its gradient is exactly zero
        for (int64_t r = 0; r < tile.r1 - tile.r0; ++r) {
          T* row = c + r * width_s;
          for (int64_t k = 0; k < tile.c1 - tile.c0; ++k) row[k] = beta == T(0) ? T(0) : beta * row[k];
        }
        continue;
      }
      // out[r0:r1, c0:c1] = alpha Dᵀ G + beta out — D: [m, |t|] (gated ∂L/∂a_t),
      // G: [m, |s|] (h_s on the active rows).
      const T* d = gated_grad_of(ws, e, t) + tile.r0;
      const T* x = source_rows_of(ws, e, s) + tile.c0;
      gemm<T>(Trans::Yes, Trans::No, tile.r1 - tile.r0, tile.c1 - tile.c0, m, alpha, d, wt, x,
              width_s, beta, c, width_s);
    }
  });
}

#define GDLN_INSTANTIATE(T)                                                                   \
  template void workspace_bind<T>(const ModelData<T>&, const std::vector<int32_t>&, bool,     \
                                  bool, Workspace<T>&, ThreadPool&);                          \
  template void gated_matmul_forward<T>(const ModelData<T>&, const Weights<T>&, Workspace<T>&, \
                                        ThreadPool&);                                         \
  template void gated_matmul_backward<T>(const ModelData<T>&, const Weights<T>&,              \
                                         Workspace<T>&, ThreadPool&, const FusedSgd<T>*);     \
  template void gated_matmul_weight_grad<T>(const ModelData<T>&, Workspace<T>&, Weights<T>&,  \
                                            ThreadPool&, T, T);
GDLN_INSTANTIATE(float)
GDLN_INSTANTIATE(double)
#undef GDLN_INSTANTIATE

}  // namespace cpu
}  // namespace gdln
