// native/cuda/cuda_backend.cc — make_cuda_backend in a CUDA build: the CUDA
// Backend behind kernels.h (cuda_engine.h does the work).
//
// Promise: with no usable device or driver the factory throws
// GDLN_NO_CUDA_DEVICE with the runtime's reason (from the exception-free C
// probe), exactly as before the kernels existed. Otherwise every entry point
// validates like the cpu backend (same checks, same codes), runs the engine
// on device 0 and reports any failure as gdln::Error: CUDA errors as
// GDLN_INTERNAL with the cudaGetErrorString text (GDLN_NO_CUDA_DEVICE if the
// device went away), host allocation failures as GDLN_INTERNAL. Calls are
// serialised on one mutex (one device, one default stream).

#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <string>

#include "core/train_options.h"
#include "cuda_engine.h"
#include "cuda_probe.h"
#include "gdln/kernels.h"
#include "gdln/status.h"

namespace gdln {
namespace {

class CudaBackend final : public Backend {
 public:
  const char* name() const override { return "cuda"; }

  bool supports(Kernel kernel, DType dtype) const override {
    const bool known_kernel = kernel == Kernel::Forward || kernel == Kernel::LossAndGradient ||
                              kernel == Kernel::TrainSteps;
    return known_kernel && (dtype == DType::Float64 || dtype == DType::Float32);
  }

  ForwardResult forward(const Model& model, const WeightSet& weights, DType dtype) override {
    validate_call(model, weights);
    validate_dtype(dtype);
    return run("forward", [&] {
      return dtype == DType::Float32 ? cuda::engine_forward<float>(model, weights)
                                     : cuda::engine_forward<double>(model, weights);
    });
  }

  LossAndGradientResult loss_and_gradient(const Model& model, const WeightSet& weights,
                                          DType dtype, LossKind loss) override {
    validate_call(model, weights);
    validate_dtype(dtype);
    validate_loss_kind(loss);
    return run("loss_and_gradient", [&] {
      return dtype == DType::Float32
                 ? cuda::engine_loss_and_gradient<float>(model, weights, loss)
                 : cuda::engine_loss_and_gradient<double>(model, weights, loss);
    });
  }

  Trajectory train(const Model& model, const WeightSet& initial, const TrainOptions& options,
                   const RunHooks& hooks) override {
    validate_call(model, initial);
    validate_train_options(model, options);
    return run("train", [&] {
      return options.dtype == DType::Float32
                 ? cuda::engine_train<float>(model, initial, options, hooks)
                 : cuda::engine_train<double>(model, initial, options, hooks);
    });
  }

 private:
  static void validate_call(const Model& model, const WeightSet& weights) {
    validate_model(model);
    validate_weights(model.graph, weights);
    if (model.data.n_samples > std::numeric_limits<int32_t>::max()) {
      throw Error(codes::kUnsupported,
                  "The cuda backend handles at most 2^31 - 1 samples, received " +
                      std::to_string(model.data.n_samples));
    }
    for (int32_t size : model.graph.node_size) {
      if (size > std::numeric_limits<int32_t>::max() / 2) {
        throw Error(codes::kUnsupported, "The cuda backend handles node sizes below 2^30");
      }
    }
  }

  template <typename Fn>
  auto run(const char* kernel, const Fn& fn) -> decltype(fn()) {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      return fn();
    } catch (const Error&) {
      throw;  // GDLN_DIVERGED included, with its partial trajectory nested
    } catch (const std::bad_alloc&) {
      throw Error(codes::kInternal, std::string("Out of host memory in cuda ") + kernel);
    } catch (const std::exception& e) {
      throw Error(codes::kInternal, std::string("cuda ") + kernel + " failed: " + e.what());
    }
  }

  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend() {
  GdlnCudaProbe probe{};
  gdln_cuda_probe(&probe);
  if (probe.error != 0 || probe.device_count == 0) {
    throw Error(codes::kNoCudaDevice, std::string("No usable CUDA device: ") + probe.status);
  }
  return std::make_unique<CudaBackend>();
}

}  // namespace gdln
