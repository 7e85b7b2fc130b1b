// native/core/train_options.h — validation of TrainOptions against a Model,
// shared by every backend's train() (private to the native library).
#pragma once

#include "gdln/kernels.h"

namespace gdln {

// Throws GDLN_INVALID_ARGUMENT / GDLN_NON_FINITE naming the offending option:
// steps ≥ 0, lr finite > 0, momentum and weight_decay finite ≥ 0,
// batch_size ≥ 0, record_every ≥ 1, progress_every ≥ 0, snapshot_steps
// sorted within [0, steps], groups empty (with n_groups = 0) or one id in
// [0, n_groups) per sample, and valid dtype / loss codes.
void validate_train_options(const Model& model, const TrainOptions& options);

// Throws GDLN_INVALID_ARGUMENT unless dtype / loss hold a known code.
void validate_dtype(DType dtype);
void validate_loss_kind(LossKind loss);

// Throws GDLN_DIVERGED ("Expected a finite <which> but received <value> at step …").
// The trajectory recorded so far (records, snapshots, steps_done = step, the current
// weights) rides along as the nested exception (std::throw_with_nested), so the
// binding can hand it back; anything catching gdln::Error sees an ordinary GDLN_DIVERGED.
[[noreturn]] void throw_diverged(int64_t step, double value, const char* which, Trajectory&& partial);

}  // namespace gdln
