// native/cpu/reference_net.h — RefNet<T>, the per-sample evaluator behind the
// reference kernels (reference.h). Private to gated_matmul_ref.cc and
// train_ref.cc.
#pragma once

#include <cstdint>
#include <vector>

#include "gdln/kernels.h"
#include "reference.h"

namespace gdln {
namespace ref {

template <typename T>
class RefNet {
 public:
  using Activations = std::vector<std::vector<T>>;  // per node, [|v|] for one sample
  using Gradient = std::vector<std::vector<T>>;     // per edge, [|t|, |s|]

  RefNet(const Model& model, const WeightSet& weights);
  void set_weights(const WeightSet& weights);
  const Gradient& weights() const { return w_; }
  Gradient& weights() { return w_; }

  // a, h of every node for sample i (a is empty for input nodes).
  void forward_sample(int64_t i, Activations& a, Activations& h) const;
  // ℓ_i = Σ_{v∈Out} loss(y_v[i], h_v); when dh is given, dh[v] = scale · ∂ℓ_i/∂h_v
  // for the output nodes.
  double sample_loss(int64_t i, LossKind loss, const Activations& h, double scale,
                     Activations* dh) const;
  // Adds sample i's ∂ℓ/∂W_e to dw, given dh from sample_loss.
  void backward_sample(int64_t i, const Activations& a, const Activations& h,
                       Activations& dh, Gradient& dw) const;
  // Mean loss over `samples` and its gradient (dw resized and overwritten).
  double batch_gradient(const std::vector<int64_t>& samples, LossKind loss, Gradient& dw) const;

 private:
  T edge_gate(int32_t e, int64_t i) const;
  T node_gate(int32_t v, int64_t i, int64_t k) const;

  const Model& model_;
  std::vector<int32_t> order_;
  int32_t n_nodes_ = 0;
  int32_t n_edges_ = 0;
  std::vector<bool> has_in_;   // false: input node
  std::vector<bool> has_out_;  // false: output node
  Gradient w_;
};

}  // namespace ref
}  // namespace gdln
