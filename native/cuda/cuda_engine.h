// native/cuda/cuda_engine.h — the CUDA backend's three kernels for one dtype T
// (float or double). Host code only (no CUDA headers): it builds the same
// per-batch plan as the CPU backend (cpu/plan.h), uploads it with the data and
// weights, and drives the device code of cuda_kernels.h.
//
// Promise: the Model, weights and options must already have passed
// validation (cuda_backend.cc does that). Data and weights go to the device
// once per call; a training run keeps them there (and the momentum buffers)
// for all its steps, reading back one float64 loss per step (the divergence
// check and the records), the per-sample losses on record steps that need
// group losses, and the weights at snapshots and at the end. Results agree
// with the CPU backend to rounding (see native/README.md for tolerances and
// determinism).
#pragma once

#include "gdln/kernels.h"

namespace gdln {
namespace cuda {

template <typename T>
ForwardResult engine_forward(const Model& model, const WeightSet& weights);

template <typename T>
LossAndGradientResult engine_loss_and_gradient(const Model& model, const WeightSet& weights,
                                               LossKind loss);

template <typename T>
Trajectory engine_train(const Model& model, const WeightSet& initial,
                        const TrainOptions& options, const RunHooks& hooks);

// GDLN_CUDA_ATOMIC=1 in the environment: edge sums by atomicAdd in the GEMM
// epilogue (faster on wide fan-in, run-to-run rounding differences in float
// sums). Default: deterministic per-edge scratch + ordered per-node reduction.
bool atomic_scatter_enabled();

}  // namespace cuda
}  // namespace gdln
