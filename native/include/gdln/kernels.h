// gdln/kernels.h — the native kernel interface. One abstract Backend, with
// cpu/ and cuda/ implementations behind it; a backend takes a whole Model and
// runs many steps per call, so data crosses the JS boundary once per call.
// Every result is float64 at the boundary whatever dtype the run used.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gdln/model.h"

namespace gdln {

enum class Kernel : int32_t { Forward = 0, LossAndGradient = 1, TrainSteps = 2 };

// Activations of every node for every sample: per node [N, |v|].
struct ForwardResult {
  std::vector<std::vector<double>> activations;
};

struct LossAndGradientResult {
  double loss = 0;
  WeightSet gradient;  // dL/dW_e, same shapes as the weights
};

struct TrainOptions {
  DType dtype = DType::Float64;
  LossKind loss = LossKind::MeanSquared;
  int64_t steps = 0;
  double lr = 0;             // > 0
  double momentum = 0;       // PyTorch convention: buf = μ buf + g; W -= lr buf
  double weight_decay = 0;   // added to g as wd * W (PyTorch SGD)
  int64_t batch_size = 0;    // 0 = full batch; else minibatches, see shuffle.h
  uint32_t seed = 0;         // minibatch order only (weights come in set)
  int64_t record_every = 1;  // full-dataset loss at steps 0, k, 2k, ... and the last
  std::vector<int64_t> snapshot_steps;  // weights after these many steps (sorted)
  std::vector<int32_t> groups;  // per sample group id in [0, n_groups) or empty
  int32_t n_groups = 0;         // group loss = mean over the group's samples
  int64_t progress_every = 0;   // 0 = no progress callbacks
};

struct Trajectory {
  std::vector<int64_t> loss_steps;  // step index of each record
  std::vector<double> loss;         // full-dataset loss at those steps
  std::vector<double> group_loss;   // [n_records, n_groups] row-major
  std::vector<int64_t> snapshot_steps;
  std::vector<WeightSet> snapshots;
  WeightSet weights;  // final weights
  int64_t steps_done = 0;
  bool cancelled = false;
};

struct RunHooks {
  // Polled at every step boundary; when it reads true the run stops and
  // returns the partial trajectory with cancelled = true.
  const std::atomic<bool>* cancel = nullptr;
  // Called from the compute thread every progress_every steps.
  std::function<void(int64_t step, double loss)> on_progress;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  virtual bool supports(Kernel kernel, DType dtype) const = 0;

  virtual ForwardResult forward(const Model& model, const WeightSet& weights,
                                DType dtype) = 0;
  virtual LossAndGradientResult loss_and_gradient(const Model& model,
                                                  const WeightSet& weights,
                                                  DType dtype, LossKind loss) = 0;
  virtual Trajectory train(const Model& model, const WeightSet& initial,
                           const TrainOptions& options, const RunHooks& hooks) = 0;
};

// Backend factories. `threads` = 0 means hardware_concurrency().
std::unique_ptr<Backend> make_cpu_backend(int threads = 0);
// Throws GDLN_NO_CUDA_BUILD when compiled without CUDA, GDLN_NO_CUDA_DEVICE
// when no device is visible.
std::unique_ptr<Backend> make_cuda_backend();

// What this build contains, for `gdln doctor`.
struct BuildInfo {
  std::string version;
  std::string blas;           // "openblas" or "builtin"
  bool cuda_built = false;
  int cuda_devices = 0;       // 0 when not built or none visible
  std::string cuda_status;    // human-readable reason / device name
  int default_threads = 1;
};
BuildInfo build_info();

}  // namespace gdln
