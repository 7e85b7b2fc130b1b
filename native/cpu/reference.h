// native/cpu/reference.h — the reference kernels the optimised CPU backend is
// tested against (native/test/test_cpu_backend.cc). Clean, minimal, slow:
// plain loops, one sample at a time over *all* samples (no skipping of
// gated-off work), no threads, no GEMM. They read the Model directly and
// share nothing with the optimised path except activations.h (φ, φ') and
// shuffle.h (the minibatch order), which are definitions, not optimisations.
//
// Inputs must already be valid (validate_model / validate_weights). T is the
// compute dtype (data and weights converted on entry); losses are summed in
// float64; results are float64.
#pragma once

#include "gdln/kernels.h"

namespace gdln {
namespace ref {

template <typename T>
ForwardResult forward(const Model& model, const WeightSet& weights);

template <typename T>
LossAndGradientResult loss_and_gradient(const Model& model, const WeightSet& weights,
                                        LossKind loss);

// No cancellation, no progress, no divergence check: the trajectory only.
template <typename T>
Trajectory train(const Model& model, const WeightSet& initial, const TrainOptions& options);

}  // namespace ref
}  // namespace gdln
