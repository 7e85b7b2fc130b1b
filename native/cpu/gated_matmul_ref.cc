// native/cpu/gated_matmul_ref.cc — reference forward, loss and backward (see
// reference.h). Written to be read next to the equations:
//   a_v = Σ_{q: t(q)=v} g_q W_q h_{s(q)},   h_v = g_v ⊙ φ_v(a_v),   h_in = g ⊙ x
//   ∂L/∂a_v = ∂L/∂h_v ⊙ g_v ⊙ φ_v'(a_v)
//   ∂L/∂W_q += g_q ∂L/∂a_t h_sᵀ,   ∂L/∂h_s += g_q W_qᵀ ∂L/∂a_t
// evaluated for one sample at a time.

#include "reference_net.h"

#include <cmath>

#include "activations.h"

namespace gdln {
namespace ref {

template <typename T>
RefNet<T>::RefNet(const Model& model, const WeightSet& weights)
    : model_(model), order_(topological_order(model.graph)) {
  const GraphSpec& g = model.graph;
  n_nodes_ = static_cast<int32_t>(g.node_size.size());
  n_edges_ = static_cast<int32_t>(g.edge_source.size());
  has_in_.assign(n_nodes_, false);
  has_out_.assign(n_nodes_, false);
  for (int32_t e = 0; e < n_edges_; ++e) {
    has_in_[g.edge_target[e]] = true;
    has_out_[g.edge_source[e]] = true;
  }
  set_weights(weights);
}

template <typename T>
void RefNet<T>::set_weights(const WeightSet& weights) {
  w_.resize(weights.size());
  for (size_t e = 0; e < weights.size(); ++e) w_[e].assign(weights[e].begin(), weights[e].end());
}

template <typename T>
T RefNet<T>::edge_gate(int32_t e, int64_t i) const {
  const std::vector<double>& gate = model_.data.edge_gates[e];
  return gate.empty() ? T(1) : static_cast<T>(gate[i]);
}

template <typename T>
T RefNet<T>::node_gate(int32_t v, int64_t i, int64_t k) const {
  const std::vector<double>& gate = model_.data.node_gates[v];
  switch (model_.data.node_gate_mode[v]) {
    case GateMode::PerSample:
      return static_cast<T>(gate[i]);
    case GateMode::PerNeuron:
      return static_cast<T>(gate[i * model_.graph.node_size[v] + k]);
    case GateMode::None:
    default:
      return T(1);
  }
}

template <typename T>
void RefNet<T>::forward_sample(int64_t i, Activations& a, Activations& h) const {
  const GraphSpec& g = model_.graph;
  a.assign(n_nodes_, {});
  h.assign(n_nodes_, {});
  for (int32_t v : order_) {
    const int64_t width = g.node_size[v];
    h[v].assign(width, T(0));
    if (!has_in_[v]) {
      for (int64_t k = 0; k < width; ++k) {
        h[v][k] = node_gate(v, i, k) * static_cast<T>(model_.data.inputs[v][i * width + k]);
      }
      continue;
    }
    a[v].assign(width, T(0));
    for (int32_t e = 0; e < n_edges_; ++e) {
      if (g.edge_target[e] != v) continue;
      const int32_t s = g.edge_source[e];
      const int64_t width_s = g.node_size[s];
      const T gate = edge_gate(e, i);
      for (int64_t k = 0; k < width; ++k) {
        T dot = 0;
        for (int64_t l = 0; l < width_s; ++l) dot += w_[e][k * width_s + l] * h[s][l];
        a[v][k] += gate * dot;
      }
    }
    const T slope = static_cast<T>(g.activation_param[v]);
    for (int64_t k = 0; k < width; ++k) {
      h[v][k] = node_gate(v, i, k) * cpu::activate(g.activation[v], slope, a[v][k]);
    }
  }
}

template <typename T>
double RefNet<T>::sample_loss(int64_t i, LossKind loss, const Activations& h, double scale,
                              Activations* dh) const {
  const GraphSpec& g = model_.graph;
  double total = 0;
  for (int32_t v = 0; v < n_nodes_; ++v) {
    if (has_out_[v]) continue;
    const int64_t width = g.node_size[v];
    const double* y = model_.data.targets[v].data() + i * width;
    if (dh != nullptr) (*dh)[v].assign(width, T(0));
    if (loss == LossKind::MeanSquared) {
      for (int64_t k = 0; k < width; ++k) {
        const double y_k = static_cast<double>(static_cast<T>(y[k]));
        const double r = static_cast<double>(h[v][k]) - y_k;
        total += 0.5 * r * r;
        if (dh != nullptr) (*dh)[v][k] = static_cast<T>(r * scale);
      }
    } else {
      double top = -INFINITY;
      for (int64_t k = 0; k < width; ++k) top = std::fmax(top, static_cast<double>(h[v][k]));
      double z = 0;
      for (int64_t k = 0; k < width; ++k) z += std::exp(static_cast<double>(h[v][k]) - top);
      double y_sum = 0;
      for (int64_t k = 0; k < width; ++k) {
        const double y_k = static_cast<double>(static_cast<T>(y[k]));
        const double log_p = static_cast<double>(h[v][k]) - top - std::log(z);
        total -= y_k * log_p;
        y_sum += y_k;
      }
      if (dh != nullptr) {
        for (int64_t k = 0; k < width; ++k) {
          const double y_k = static_cast<double>(static_cast<T>(y[k]));
          const double p = std::exp(static_cast<double>(h[v][k]) - top) / z;
          (*dh)[v][k] = static_cast<T>((p * y_sum - y_k) * scale);
        }
      }
    }
  }
  return total;
}

template <typename T>
void RefNet<T>::backward_sample(int64_t i, const Activations& a, const Activations& h,
                                Activations& dh, Gradient& dw) const {
  const GraphSpec& g = model_.graph;
  // Output nodes arrive holding ∂ℓ/∂h from sample_loss; every other node
  // starts at zero and collects from its outgoing edges.
  for (int32_t v = 0; v < n_nodes_; ++v) {
    if (has_out_[v]) dh[v].assign(g.node_size[v], T(0));
  }
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const int32_t v = *it;
    if (!has_in_[v]) continue;
    const int64_t width = g.node_size[v];
    const T slope = static_cast<T>(g.activation_param[v]);
    std::vector<T> da(width);
    for (int64_t k = 0; k < width; ++k) {
      da[k] = dh[v][k] * node_gate(v, i, k) *
              cpu::activate_derivative(g.activation[v], slope, a[v][k]);
    }
    for (int32_t e = 0; e < n_edges_; ++e) {
      if (g.edge_target[e] != v) continue;
      const int32_t s = g.edge_source[e];
      const int64_t width_s = g.node_size[s];
      const T gate = edge_gate(e, i);
      for (int64_t k = 0; k < width; ++k) {
        for (int64_t l = 0; l < width_s; ++l) {
          dw[e][k * width_s + l] += gate * da[k] * h[s][l];
        }
      }
      if (!has_in_[s]) continue;  // no gradient needed for the inputs
      for (int64_t l = 0; l < width_s; ++l) {
        T back = 0;
        for (int64_t k = 0; k < width; ++k) back += w_[e][k * width_s + l] * da[k];
        dh[s][l] += gate * back;
      }
    }
  }
}

template <typename T>
double RefNet<T>::batch_gradient(const std::vector<int64_t>& samples, LossKind loss,
                                 Gradient& dw) const {
  const GraphSpec& g = model_.graph;
  dw.assign(n_edges_, {});
  for (int32_t e = 0; e < n_edges_; ++e) {
    dw[e].assign(static_cast<size_t>(g.node_size[g.edge_target[e]]) *
                     static_cast<size_t>(g.node_size[g.edge_source[e]]),
                 T(0));
  }
  const double scale = 1.0 / static_cast<double>(samples.size());
  double total = 0;
  Activations a, h, dh;
  for (int64_t i : samples) {
    forward_sample(i, a, h);
    dh.assign(n_nodes_, {});
    total += sample_loss(i, loss, h, scale, &dh);
    backward_sample(i, a, h, dh, dw);
  }
  return total * scale;
}

template <typename T>
ForwardResult forward(const Model& model, const WeightSet& weights) {
  const RefNet<T> net(model, weights);
  const int64_t n = model.data.n_samples;
  ForwardResult result;
  result.activations.resize(model.graph.node_size.size());
  typename RefNet<T>::Activations a, h;
  for (int64_t i = 0; i < n; ++i) {
    net.forward_sample(i, a, h);
    for (size_t v = 0; v < h.size(); ++v) {
      result.activations[v].insert(result.activations[v].end(), h[v].begin(), h[v].end());
    }
  }
  return result;
}

template <typename T>
LossAndGradientResult loss_and_gradient(const Model& model, const WeightSet& weights,
                                        LossKind loss) {
  const RefNet<T> net(model, weights);
  std::vector<int64_t> samples(static_cast<size_t>(model.data.n_samples));
  for (int64_t i = 0; i < model.data.n_samples; ++i) samples[i] = i;
  typename RefNet<T>::Gradient dw;
  LossAndGradientResult result;
  result.loss = net.batch_gradient(samples, loss, dw);
  result.gradient.resize(dw.size());
  for (size_t e = 0; e < dw.size(); ++e) result.gradient[e].assign(dw[e].begin(), dw[e].end());
  return result;
}

template class RefNet<float>;
template class RefNet<double>;
template ForwardResult forward<float>(const Model&, const WeightSet&);
template ForwardResult forward<double>(const Model&, const WeightSet&);
template LossAndGradientResult loss_and_gradient<float>(const Model&, const WeightSet&, LossKind);
template LossAndGradientResult loss_and_gradient<double>(const Model&, const WeightSet&, LossKind);

}  // namespace ref
}  // namespace gdln
