// native/cpu/train_ref.cc — the reference training loop (see reference.h),
// written straight from docs/architecture.md:
//   for s = 0, 1, …: record the full-dataset loss when s % k == 0 or s = steps,
//   snapshot when asked, stop at s = steps, else take the next batch (full, or
//   shuffle.h order), form its mean-loss gradient and apply PyTorch SGD:
//   d = g + wd·W; buf = μ·buf + d; W −= lr·buf.

#include <cmath>
#include <limits>
#include <numeric>

#include "gdln/shuffle.h"
#include "reference_net.h"

namespace gdln {
namespace ref {

template <typename T>
Trajectory train(const Model& model, const WeightSet& initial, const TrainOptions& o) {
  RefNet<T> net(model, initial);
  const int64_t n = model.data.n_samples;
  typename RefNet<T>::Gradient& w = net.weights();
  typename RefNet<T>::Gradient grad, buf(w.size());
  for (size_t e = 0; e < w.size(); ++e) buf[e].assign(w[e].size(), T(0));

  std::vector<int64_t> everyone(static_cast<size_t>(n));
  std::iota(everyone.begin(), everyone.end(), 0);
  Xoshiro128ss rng(o.seed);
  std::vector<int32_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  int64_t cursor = 0;  // position in the current epoch's permutation

  auto to_double = [](const typename RefNet<T>::Gradient& values) {
    WeightSet out(values.size());
    for (size_t e = 0; e < values.size(); ++e) out[e].assign(values[e].begin(), values[e].end());
    return out;
  };

  Trajectory traj;
  for (int64_t s = 0;; ++s) {
    if (s % o.record_every == 0 || s == o.steps) {
      double total = 0;
      std::vector<double> group_sum(o.n_groups, 0.0);
      std::vector<int64_t> group_n(o.n_groups, 0);
      typename RefNet<T>::Activations a, h;
      for (int64_t i = 0; i < n; ++i) {
        net.forward_sample(i, a, h);
        const double l = net.sample_loss(i, o.loss, h, 0.0, nullptr);
        total += l;
        if (o.n_groups > 0) {
          group_sum[o.groups[i]] += l;
          ++group_n[o.groups[i]];
        }
      }
      traj.loss_steps.push_back(s);
      traj.loss.push_back(total / static_cast<double>(n));
      for (int32_t k = 0; k < o.n_groups; ++k) {
        traj.group_loss.push_back(group_n[k] > 0 ? group_sum[k] / static_cast<double>(group_n[k])
                                                 : std::numeric_limits<double>::quiet_NaN());
      }
    }
    for (int64_t snap : o.snapshot_steps) {
      if (snap == s) {
        traj.snapshot_steps.push_back(s);
        traj.snapshots.push_back(to_double(w));
      }
    }
    if (s == o.steps) break;

    std::vector<int64_t> batch;
    if (o.batch_size == 0) {
      batch = everyone;
    } else {
      if (cursor == 0) shuffle_in_place(perm, rng);
      for (int64_t k = 0; k < o.batch_size && cursor < n; ++k) batch.push_back(perm[cursor++]);
      if (cursor == n) cursor = 0;
    }
    net.batch_gradient(batch, o.loss, grad);

    const T lr = static_cast<T>(o.lr), mu = static_cast<T>(o.momentum),
            wd = static_cast<T>(o.weight_decay);
    for (size_t e = 0; e < w.size(); ++e) {
      for (size_t k = 0; k < w[e].size(); ++k) {
        const T d = grad[e][k] + wd * w[e][k];
        buf[e][k] = mu * buf[e][k] + d;
        w[e][k] -= lr * buf[e][k];
      }
    }
  }
  traj.steps_done = o.steps;
  traj.weights = to_double(w);
  return traj;
}

template Trajectory train<float>(const Model&, const WeightSet&, const TrainOptions&);
template Trajectory train<double>(const Model&, const WeightSet&, const TrainOptions&);

}  // namespace ref
}  // namespace gdln
