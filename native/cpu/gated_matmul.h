// native/cpu/gated_matmul.h — the optimised CPU kernels: the gated forward
// sweep, the backward sweep and the weight gradients, each built on one GEMM
// per edge over that edge's active samples (plan.h).
//
// Promise: results are a deterministic function of the inputs, identical for
// every thread count: work is cut into tasks by kRowBlock / kWeight*Block
// constants only, every task writes a disjoint region, and each sum over
// edges is taken in ascending edge index. They agree with the *_ref kernels
// (reference.h) to rounding.
//
// Shapes: B = batch rows, m_q = active rows of edge q, |v| = node width.
//   forward   a_t[r] = Σ_{q→t, r active} g_q[r] · W_q h_s[r]      a_t: [B, |t|]
//             h_t[r] = g_t[r] ⊙ φ_t(a_t[r])                        h_t: [B, |t|]
//   backward  ∂L/∂h_s[r] = Σ_{q: s→t} g_q[r] · W_qᵀ ∂L/∂a_t[r]
//             ∂L/∂a_s = ∂L/∂h_s ⊙ g_s ⊙ φ_s'(a_s)
//   weights   ∂L/∂W_q = Σ_{r active} g_q[r] · ∂L/∂a_t[r] h_s[r]ᵀ    [|t|, |s|]
#pragma once

#include <cstdint>
#include <vector>

#include "gdln/thread_pool.h"
#include "model_data.h"
#include "plan.h"

namespace gdln {
namespace cpu {

template <typename T>
using Weights = std::vector<std::vector<T>>;  // per edge, row-major [|t|, |s|]

// Everything one batch needs between the forward and the backward sweep.
// Buffers only grow, so a minibatch run allocates once per batch size.
template <typename T>
struct Workspace {
  BatchPlan plan;
  std::vector<int64_t> plan_width;         // per node: |v| (for in-place row views)
  std::vector<std::vector<T>> pre;         // per non-input node: a_v [B, |v|]
  std::vector<std::vector<T>> post;        // per node: h_v [B, |v|] (unused when `h` aliases data)
  std::vector<const T*> h;                 // per node: where h_v lives
  std::vector<std::vector<T>> grad;        // per non-input node: ∂L/∂h_v, then ∂L/∂a_v [B, |v|]
  std::vector<std::vector<T>> gathered;    // per edge that is not full: h_s on active rows [m, |s|]
  std::vector<std::vector<T>> gated_grad;  // per edge: g_q ⊙ ∂L/∂a_t on active rows [m, |t|]
  std::vector<std::vector<T>> product;     // per edge: GEMM scratch [m, |t|] / [m, |s|]
  std::vector<double> sample_loss;         // per batch row: ℓ_r (sum over output nodes)
  // Fused backward + SGD (fused_update.h): per edge, whether the last backward sweep already
  // applied the update to W (gated_matmul_weight_grad then skips it), and its E partials.
  std::vector<uint8_t> updated;
  std::vector<std::vector<T>> partial;
};

// Plain SGD fused into the backward sweep: W ← beta·W + alpha·dW for the edges the fused
// kernel takes (fused_update.h: at most kFusedMaxRows active rows, a wide W, a non-input
// source); `w` must be the weights the sweep reads.
template <typename T>
struct FusedSgd {
  Weights<T>* w;
  T alpha;
  T beta;
};

// Builds the plan for `rows` (sample indices; identity_rows iff rows = 0..N-1),
// sizes the buffers (the gradient ones only if with_gradient) and makes the
// input nodes' h_v available: in place when identity_rows, else gathered.
template <typename T>
void workspace_bind(const ModelData<T>& data, const std::vector<int32_t>& rows,
                    bool identity_rows, bool with_gradient, Workspace<T>& ws,
                    ThreadPool& pool);

// Fills pre / post (h) of every non-input node. weights: per edge [|t|, |s|].
template <typename T>
void gated_matmul_forward(const ModelData<T>& data, const Weights<T>& weights,
                          Workspace<T>& ws, ThreadPool& pool);

// Expects ws.grad[v] = ∂L/∂h_v for every output node v (loss.h) and turns it
// into ∂L/∂a_v for every non-input node, filling gated_grad on the way.
// With sgd, edges the fused kernel takes are also updated here (ws.updated marks them).
template <typename T>
void gated_matmul_backward(const ModelData<T>& data, const Weights<T>& weights,
                           Workspace<T>& ws, ThreadPool& pool,
                           const FusedSgd<T>* sgd = nullptr);

// out_q ← alpha · Σ_{r active} g_q[r] ∂L/∂a_t[r] h_s[r]ᵀ + beta · out_q for
// every edge, after the backward sweep. With alpha = 1, beta = 0 (the
// default) out = dW and is resized to [|t|, |s|] per edge; with out = W,
// alpha = −lr and beta = 1 − lr·wd it is a fused SGD step (no dW buffer and
// no separate update pass over the weights). Edges marked in ws.updated (fused
// into the backward sweep) are skipped.
template <typename T>
void gated_matmul_weight_grad(const ModelData<T>& data, Workspace<T>& ws, Weights<T>& out,
                              ThreadPool& pool, T alpha = T(1), T beta = T(0));

}  // namespace cpu
}  // namespace gdln
