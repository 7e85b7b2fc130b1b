// native/cpu/loss.h — the training losses on the output nodes of one batch
// (docs/architecture.md):
//   mean squared           L = 1/(2B) Σ_r Σ_{v∈Out} ||y_v[r] − h_v[r]||²
//   softmax cross-entropy  L = 1/B Σ_r Σ_{v∈Out} −Σ_k y_vk[r] log softmax(h_v[r])_k
// Targets need not sum to one, so ∂/∂h of the cross-entropy is
// (softmax(h)·Σ_k y_k − y) / B.
//
// Promise: per-row losses and the batch mean are formed in float64 whatever
// T is, the mean summing rows in batch order (deterministic). Gradients are
// written in T.
#pragma once

#include <cstdint>

#include "gated_matmul.h"
#include "gdln/model.h"
#include "gdln/thread_pool.h"
#include "model_data.h"

namespace gdln {
namespace cpu {

// ℓ_r of one sample from its output rows: h and y per output node, [|v|] each.
// grad (may be null): ∂ℓ_r/∂h scaled by `scale` (1/B for a batch mean).
template <typename T>
double loss_row(LossKind loss, const T* h, const T* y, int64_t width, double scale, T* grad);

// After gated_matmul_forward: fills ws.sample_loss[r] = ℓ_r for every batch row
// and, when with_gradient, ws.grad[v] = ∂L/∂h_v [B, |v|] for every output node.
// Returns the batch mean L = (1/B) Σ_r ℓ_r.
template <typename T>
double loss_evaluate(const ModelData<T>& data, LossKind loss, bool with_gradient,
                     Workspace<T>& ws, ThreadPool& pool);

}  // namespace cpu
}  // namespace gdln
