// native/cpu/cpu_engine.cc — engine_forward and engine_loss_and_gradient:
// one full-batch pass of the optimised kernels (see cpu_engine.h).

#include "cpu_engine.h"

#include <numeric>

#include "gated_matmul.h"
#include "loss.h"
#include "model_data.h"

namespace gdln {
namespace cpu {
namespace {

std::vector<int32_t> all_rows(int64_t n) {
  std::vector<int32_t> rows(static_cast<size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

}  // namespace

template <typename T>
ForwardResult engine_forward(const Model& model, const WeightSet& weights, ThreadPool& pool) {
  const ModelData<T> data = model_data_build<T>(model);
  const Weights<T> w = weights_to<T>(weights);
  Workspace<T> ws;
  workspace_bind(data, all_rows(data.n_samples), true, false, ws, pool);
  gated_matmul_forward(data, w, ws, pool);

  ForwardResult result;
  result.activations.resize(data.graph.n_nodes);
  for (int32_t v = 0; v < data.graph.n_nodes; ++v) {
    const T* h = ws.h[v];
    result.activations[v].assign(h, h + data.n_samples * data.graph.size[v]);
  }
  return result;
}

template <typename T>
LossAndGradientResult engine_loss_and_gradient(const Model& model, const WeightSet& weights,
                                               LossKind loss, ThreadPool& pool) {
  const ModelData<T> data = model_data_build<T>(model);
  const Weights<T> w = weights_to<T>(weights);
  Workspace<T> ws;
  workspace_bind(data, all_rows(data.n_samples), true, true, ws, pool);
  gated_matmul_forward(data, w, ws, pool);

  LossAndGradientResult result;
  result.loss = loss_evaluate(data, loss, true, ws, pool);
  gated_matmul_backward(data, w, ws, pool);
  Weights<T> dw;
  gated_matmul_weight_grad(data, ws, dw, pool);
  result.gradient = weights_to_double(dw);
  return result;
}

template ForwardResult engine_forward<float>(const Model&, const WeightSet&, ThreadPool&);
template ForwardResult engine_forward<double>(const Model&, const WeightSet&, ThreadPool&);
template LossAndGradientResult engine_loss_and_gradient<float>(const Model&, const WeightSet&,
                                                               LossKind, ThreadPool&);
template LossAndGradientResult engine_loss_and_gradient<double>(const Model&, const WeightSet&,
                                                                LossKind, ThreadPool&);

}  // namespace cpu
}  // namespace gdln
