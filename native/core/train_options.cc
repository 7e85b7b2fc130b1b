// native/core/train_options.cc — see train_options.h. Like validate_model,
// it runs before any work so a bad option never reaches a kernel.

#include "train_options.h"

#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include "gdln/status.h"

namespace gdln {
namespace {

[[noreturn]] void invalid(const std::string& what, const std::string& name,
                          const std::string& received) {
  throw Error(codes::kInvalidArgument,
              "Expected " + what + " for " + name + " but received " + received);
}

std::string str(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);  // to_string would print 1e-9 as 0.000000
  return buf;
}

void check_real(double value, const char* name, bool strictly_positive) {
  if (!std::isfinite(value)) {
    throw Error(codes::kNonFinite, std::string("Expected a finite number for ") + name +
                                       " but received " + str(value));
  }
  if (strictly_positive ? !(value > 0) : !(value >= 0)) {
    invalid(strictly_positive ? "a number > 0" : "a number >= 0", name, str(value));
  }
}

}  // namespace

void validate_dtype(DType dtype) {
  if (dtype != DType::Float64 && dtype != DType::Float32) {
    invalid("a dtype code (0 = float64, 1 = float32)", "dtype",
            std::to_string(static_cast<int32_t>(dtype)));
  }
}

void validate_loss_kind(LossKind loss) {
  if (loss != LossKind::MeanSquared && loss != LossKind::SoftmaxCrossEntropy) {
    invalid("a loss code (0 = mean squared, 1 = softmax cross-entropy)", "loss",
            std::to_string(static_cast<int32_t>(loss)));
  }
}

void validate_train_options(const Model& model, const TrainOptions& o) {
  validate_dtype(o.dtype);
  validate_loss_kind(o.loss);
  if (o.steps < 0) invalid("steps >= 0", "steps", std::to_string(o.steps));
  check_real(o.lr, "lr", true);
  check_real(o.momentum, "momentum", false);
  check_real(o.weight_decay, "weight_decay", false);
  if (o.batch_size < 0) invalid("batch_size >= 0 (0 = full batch)", "batch_size", std::to_string(o.batch_size));
  if (o.record_every < 1) invalid("record_every >= 1", "record_every", std::to_string(o.record_every));
  if (o.progress_every < 0) {
    invalid("progress_every >= 0 (0 = none)", "progress_every", std::to_string(o.progress_every));
  }
  for (size_t k = 0; k < o.snapshot_steps.size(); ++k) {
    const int64_t s = o.snapshot_steps[k];
    const std::string name = "snapshot_steps[" + std::to_string(k) + "]";
    if (s < 0 || s > o.steps) {
      invalid("a step in [0, " + std::to_string(o.steps) + "]", name, std::to_string(s));
    }
    if (k > 0 && s < o.snapshot_steps[k - 1]) {
      invalid("sorted steps (>= " + std::to_string(o.snapshot_steps[k - 1]) + ")", name,
              std::to_string(s));
    }
  }
  if (o.n_groups < 0) invalid("n_groups >= 0", "n_groups", std::to_string(o.n_groups));
  if (o.groups.empty()) {
    if (o.n_groups != 0) {
      invalid("n_groups = 0 when no groups are given", "n_groups", std::to_string(o.n_groups));
    }
    return;
  }
  if (static_cast<int64_t>(o.groups.size()) != model.data.n_samples) {
    throw Error(codes::kShapeMismatch,
                "Expected one group id per sample (" + std::to_string(model.data.n_samples) +
                    ") for groups but received " + std::to_string(o.groups.size()));
  }
  for (size_t i = 0; i < o.groups.size(); ++i) {
    if (o.groups[i] < 0 || o.groups[i] >= o.n_groups) {
      invalid("a group id in [0, " + std::to_string(o.n_groups) + ")",
              "groups[" + std::to_string(i) + "]", std::to_string(o.groups[i]));
    }
  }
}

[[noreturn]] void throw_diverged(int64_t step, double loss, const char* which, Trajectory&& partial) {
  char value[32];
  std::snprintf(value, sizeof value, "%.17g", loss);
  Error error(codes::kDiverged, std::string("Expected a finite ") + which + " but received " +
                                    value + " at step " + std::to_string(step) +
                                    " (after " + std::to_string(step) +
                                    " updates); lower the learning rate");
  partial.steps_done = step;
  try {
    throw std::move(partial);
  } catch (...) {
    std::throw_with_nested(std::move(error));
  }
}

}  // namespace gdln
