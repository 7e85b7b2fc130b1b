// native/cpu/cpu_engine.h — the CPU backend's three kernels for one dtype T
// (float or double). The Model, weights and options must already have passed
// validation (cpu_backend.cc does that); data is converted to T once on entry
// and results come back as float64.
#pragma once

#include "gdln/kernels.h"
#include "gdln/thread_pool.h"

namespace gdln {
namespace cpu {

// Activations h_v of every node for every sample: per node [N, |v|].
template <typename T>
ForwardResult engine_forward(const Model& model, const WeightSet& weights, ThreadPool& pool);

// Full-batch loss and dL/dW_e (same shapes as the weights).
template <typename T>
LossAndGradientResult engine_loss_and_gradient(const Model& model, const WeightSet& weights,
                                               LossKind loss, ThreadPool& pool);

// The fused training loop (docs/architecture.md: SGD with momentum and weight
// decay in the PyTorch convention, shuffle.h minibatches, trajectory records,
// snapshots, cancellation, progress). Throws GDLN_DIVERGED on a non-finite loss.
template <typename T>
Trajectory engine_train(const Model& model, const WeightSet& initial,
                        const TrainOptions& options, const RunHooks& hooks, ThreadPool& pool);

}  // namespace cpu
}  // namespace gdln
