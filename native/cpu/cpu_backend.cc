// native/cpu/cpu_backend.cc — the CPU Backend behind kernels.h: validates
// every call, picks the dtype, and runs the engine on the backend's own
// ThreadPool.
//
// Promise: every entry point validates first (validate_model,
// validate_weights, the options) and reports any failure as gdln::Error —
// allocation failures included (GDLN_INTERNAL) — so no input can take the
// host process down. Results do not depend on the thread count. A backend
// serves one call at a time on its pool; a call that arrives while another is
// running (e.g. forward() during a long train()) gets a private pool of the
// same size instead of waiting, with identical results.

#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include "core/train_options.h"
#include "cpu_engine.h"
#include "gdln/kernels.h"
#include "gdln/status.h"
#include "gdln/thread_pool.h"

namespace gdln {
namespace {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads) : threads_(threads), pool_(threads) {}

  const char* name() const override { return "cpu"; }

  bool supports(Kernel kernel, DType dtype) const override {
    const bool known_kernel = kernel == Kernel::Forward || kernel == Kernel::LossAndGradient ||
                              kernel == Kernel::TrainSteps;
    return known_kernel && (dtype == DType::Float64 || dtype == DType::Float32);
  }

  ForwardResult forward(const Model& model, const WeightSet& weights, DType dtype) override {
    validate_call(model, weights);
    validate_dtype(dtype);
    return run("forward", [&](ThreadPool& pool) {
      return dtype == DType::Float32 ? cpu::engine_forward<float>(model, weights, pool)
                                     : cpu::engine_forward<double>(model, weights, pool);
    });
  }

  LossAndGradientResult loss_and_gradient(const Model& model, const WeightSet& weights,
                                          DType dtype, LossKind loss) override {
    validate_call(model, weights);
    validate_dtype(dtype);
    validate_loss_kind(loss);
    return run("loss_and_gradient", [&](ThreadPool& pool) {
      return dtype == DType::Float32
                 ? cpu::engine_loss_and_gradient<float>(model, weights, loss, pool)
                 : cpu::engine_loss_and_gradient<double>(model, weights, loss, pool);
    });
  }

  Trajectory train(const Model& model, const WeightSet& initial, const TrainOptions& options,
                   const RunHooks& hooks) override {
    validate_call(model, initial);
    validate_train_options(model, options);
    return run("train", [&](ThreadPool& pool) {
      return options.dtype == DType::Float32
                 ? cpu::engine_train<float>(model, initial, options, hooks, pool)
                 : cpu::engine_train<double>(model, initial, options, hooks, pool);
    });
  }

 private:
  static void validate_call(const Model& model, const WeightSet& weights) {
    validate_model(model);
    validate_weights(model.graph, weights);
    // Batch rows are int32 indices (half the memory of the active lists).
    if (model.data.n_samples > std::numeric_limits<int32_t>::max()) {
      throw Error(codes::kUnsupported, "The cpu backend handles at most 2^31 - 1 samples, received " +
                                           std::to_string(model.data.n_samples));
    }
  }

  template <typename Fn>
  auto run(const char* kernel, const Fn& fn) -> decltype(fn(std::declval<ThreadPool&>())) {
    try {
      std::unique_lock<std::mutex> lock(pool_mutex_, std::try_to_lock);
      if (lock.owns_lock()) return fn(pool_);
      ThreadPool private_pool(threads_);
      return fn(private_pool);
    } catch (const Error&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw Error(codes::kInternal, std::string("Out of memory in cpu ") + kernel);
    } catch (const std::exception& e) {
      throw Error(codes::kInternal, std::string("cpu ") + kernel + " failed: " + e.what());
    }
  }

  int threads_;
  std::mutex pool_mutex_;
  ThreadPool pool_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  if (threads < 0) {
    throw Error(codes::kInvalidArgument,
                "Expected threads >= 0 (0 = hardware concurrency) for make_cpu_backend but received " +
                    std::to_string(threads));
  }
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace gdln
