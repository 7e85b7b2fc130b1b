// native/cpu/loss.cc — mean-squared and softmax cross-entropy losses and their
// gradients with respect to the output activations (see loss.h).

#include "loss.h"

#include <algorithm>
#include <cmath>

namespace gdln {
namespace cpu {

template <typename T>
double loss_row(LossKind loss, const T* h, const T* y, int64_t width, double scale, T* grad) {
  double total = 0;
  if (loss == LossKind::SoftmaxCrossEntropy) {
    // log-sum-exp shifted by the row maximum so exp never overflows.
    double top = static_cast<double>(h[0]);
    for (int64_t k = 1; k < width; ++k) top = std::max(top, static_cast<double>(h[k]));
    double sum_exp = 0, sum_y = 0;
    for (int64_t k = 0; k < width; ++k) {
      sum_exp += std::exp(static_cast<double>(h[k]) - top);
      sum_y += static_cast<double>(y[k]);
    }
    const double lse = top + std::log(sum_exp);
    for (int64_t k = 0; k < width; ++k) {
      total += static_cast<double>(y[k]) * (lse - static_cast<double>(h[k]));
      if (grad != nullptr) {
        const double p = std::exp(static_cast<double>(h[k]) - lse);
        grad[k] = static_cast<T>((p * sum_y - static_cast<double>(y[k])) * scale);
      }
    }
  } else {
    for (int64_t k = 0; k < width; ++k) {
      const double diff = static_cast<double>(h[k]) - static_cast<double>(y[k]);
      total += 0.5 * diff * diff;
      if (grad != nullptr) grad[k] = static_cast<T>(diff * scale);
    }
  }
  return total;
}

template <typename T>
double loss_evaluate(const ModelData<T>& data, LossKind loss, bool with_gradient,
                     Workspace<T>& ws, ThreadPool& pool) {
  const GraphInfo& g = data.graph;
  const BatchPlan& plan = ws.plan;
  const int64_t batch = plan.batch;
  const double scale = 1.0 / static_cast<double>(batch);
  const int64_t n_blocks = (batch + kRowBlock - 1) / kRowBlock;
  pool.parallel_for(n_blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t r = b0 * kRowBlock; r < std::min(batch, b1 * kRowBlock); ++r) {
      const int64_t sample = plan.rows[r];
      double total = 0;
      for (int32_t v : g.outputs) {
        const int64_t width = g.size[v];
        // An isolated node is input and output at once: it has a loss but
        // nothing upstream to differentiate.
        T* grad = with_gradient && !g.is_input[v] ? ws.grad[v].data() + r * width : nullptr;
        total += loss_row(loss, ws.h[v] + r * width, data.target[v].data() + sample * width,
                          width, scale, grad);
      }
      ws.sample_loss[r] = total;
    }
  });
  double sum = 0;
  for (int64_t r = 0; r < batch; ++r) sum += ws.sample_loss[r];
  return sum * scale;
}

template double loss_row<float>(LossKind, const float*, const float*, int64_t, double, float*);
template double loss_row<double>(LossKind, const double*, const double*, int64_t, double, double*);
template double loss_evaluate<float>(const ModelData<float>&, LossKind, bool, Workspace<float>&,
                                     ThreadPool&);
template double loss_evaluate<double>(const ModelData<double>&, LossKind, bool,
                                      Workspace<double>&, ThreadPool&);

}  // namespace cpu
}  // namespace gdln
