// native/cpu/train_loop.cc — engine_train: the fused training loop of the CPU
// backend (docs/architecture.md, "SGD", "Minibatches", "Trajectory").
//
// One iteration, with the weights after s updates:
//   snapshots requested at s → copy the weights;
//   s = steps or cancel flag set → final record at s, stop;
//   full batch: forward + loss on all samples (this *is* the full-dataset loss
//     after s updates, recorded when s % record_every == 0), backward, update;
//   minibatch: on record steps a separate full-dataset forward for the record,
//     then forward / loss / backward on the next shuffle.h batch, update.
// Update (PyTorch SGD): d = g + wd·W;  buf = μ·buf + d (buf₀ = d);  W −= lr·buf
// (with μ = 0: W −= lr·d, fused into the weight-gradient GEMM). A non-finite
// loss throws GDLN_DIVERGED naming s, with the records made so far nested in it
// (throw_diverged).
// The progress callback gets (s, loss) for s = progress_every, 2·progress_every,
// …: the full-dataset loss when s is a record step or the run is full batch,
// else the loss of the batch about to be trained on.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <numeric>
#include <string>

#include "core/train_options.h"
#include "cpu_engine.h"
#include "gated_matmul.h"
#include "gdln/shuffle.h"
#include "gdln/status.h"
#include "loss.h"
#include "model_data.h"

namespace gdln {
namespace cpu {
namespace {

// Elements of one momentum-update task.
constexpr int64_t kUpdateChunk = int64_t{1} << 14;


// SGD with momentum (μ ≠ 0; plain SGD is fused into the dW GEMM instead):
// d = g + wd·W;  buf = μ·buf + d;  W −= lr·buf. buf starts at 0, so buf₀ = d
// exactly, as in PyTorch. Elementwise, so any split into chunks is exact.
template <typename T>
void sgd_momentum_update(Weights<T>& w, const Weights<T>& grad, Weights<T>& momentum_buf, T lr,
                         T mu, T wd, ThreadPool& pool) {
  struct Chunk {
    size_t edge;
    int64_t begin, end;
  };
  std::vector<Chunk> chunks;
  for (size_t e = 0; e < w.size(); ++e) {
    const int64_t n = static_cast<int64_t>(w[e].size());
    for (int64_t b = 0; b < n; b += kUpdateChunk) chunks.push_back({e, b, std::min(n, b + kUpdateChunk)});
  }
  pool.parallel_for(static_cast<int64_t>(chunks.size()), 1, [&](int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; ++k) {
      const Chunk& c = chunks[k];
      T* wk = w[c.edge].data();
      const T* gk = grad[c.edge].data();
      T* bk = momentum_buf[c.edge].data();
      for (int64_t i = c.begin; i < c.end; ++i) {
        bk[i] = mu * bk[i] + (gk[i] + wd * wk[i]);
        wk[i] -= lr * bk[i];
      }
    }
  });
}


}  // namespace

template <typename T>
Trajectory engine_train(const Model& model, const WeightSet& initial,
                        const TrainOptions& options, const RunHooks& hooks, ThreadPool& pool) {
  const ModelData<T> data = model_data_build<T>(model);
  const int64_t n = data.n_samples;
  Weights<T> w = weights_to<T>(initial);
  Weights<T> grad;
  Weights<T> momentum_buf;
  if (options.momentum != 0) {
    momentum_buf.resize(w.size());
    for (size_t e = 0; e < w.size(); ++e) momentum_buf[e].assign(w[e].size(), T(0));
  }
  const T lr = static_cast<T>(options.lr);
  const T mu = static_cast<T>(options.momentum);
  const T wd = static_cast<T>(options.weight_decay);
  const bool full_batch = options.batch_size == 0;

  std::vector<int32_t> all_rows(static_cast<size_t>(n));
  std::iota(all_rows.begin(), all_rows.end(), 0);
  // The full dataset, in order: the training batch of a full-batch run and the
  // record evaluation of a minibatch run.
  Workspace<T> full_ws;
  workspace_bind(data, all_rows, true, full_batch, full_ws, pool);
  Workspace<T> batch_ws;
  std::vector<int32_t> batch_rows;
  MinibatchOrder order(n, full_batch ? n : options.batch_size, options.seed);

  Trajectory traj;
  const int32_t n_groups = options.n_groups;
  std::vector<double> group_sum(n_groups);
  std::vector<int64_t> group_count(n_groups, 0);
  for (int64_t i = 0; i < static_cast<int64_t>(options.groups.size()); ++i) {
    ++group_count[options.groups[i]];
  }
  // Records the full-dataset loss after `step` updates, from full_ws.sample_loss.
  auto record = [&](int64_t step, double loss) {
    traj.loss_steps.push_back(step);
    traj.loss.push_back(loss);
    if (n_groups == 0) return;
    std::fill(group_sum.begin(), group_sum.end(), 0.0);
    for (int64_t i = 0; i < n; ++i) group_sum[options.groups[i]] += full_ws.sample_loss[i];
    for (int32_t k = 0; k < n_groups; ++k) {
      // A group with no samples has no mean: recorded as NaN.
      traj.group_loss.push_back(group_count[k] > 0
                                    ? group_sum[k] / static_cast<double>(group_count[k])
                                    : std::numeric_limits<double>::quiet_NaN());
    }
  };
  auto diverged = [&](int64_t step, double loss, const char* which) {
    traj.weights = weights_to_double(w);
    throw_diverged(step, loss, which, std::move(traj));
  };
  auto evaluate_full = [&](bool with_gradient) {
    gated_matmul_forward(data, w, full_ws, pool);
    return loss_evaluate(data, options.loss, with_gradient, full_ws, pool);
  };

  size_t next_snapshot = 0;
  for (int64_t step = 0;; ++step) {
    while (next_snapshot < options.snapshot_steps.size() &&
           options.snapshot_steps[next_snapshot] == step) {
      traj.snapshot_steps.push_back(step);
      traj.snapshots.push_back(weights_to_double(w));
      ++next_snapshot;
    }
    const bool cancelled =
        step < options.steps && hooks.cancel != nullptr && hooks.cancel->load(std::memory_order_relaxed);
    const bool progress = options.progress_every > 0 && step > 0 &&
                          step % options.progress_every == 0 && hooks.on_progress;

    if (step == options.steps || cancelled) {
      const double loss = evaluate_full(false);
      if (!std::isfinite(loss)) diverged(step, loss, "loss");
      record(step, loss);
      if (progress) hooks.on_progress(step, loss);
      traj.steps_done = step;
      traj.cancelled = cancelled;
      break;
    }

    const bool record_now = step % options.record_every == 0;
    Workspace<T>* ws = &full_ws;
    if (full_batch) {
      const double loss = evaluate_full(true);
      if (!std::isfinite(loss)) diverged(step, loss, "loss");
      if (record_now) record(step, loss);
      if (progress) hooks.on_progress(step, loss);
    } else {
      double full_loss = 0;
      if (record_now) {
        full_loss = evaluate_full(false);
        if (!std::isfinite(full_loss)) diverged(step, full_loss, "loss");
        record(step, full_loss);
      }
      order.next(batch_rows);
      workspace_bind(data, batch_rows, false, true, batch_ws, pool);
      gated_matmul_forward(data, w, batch_ws, pool);
      const double batch_loss = loss_evaluate(data, options.loss, true, batch_ws, pool);
      if (!std::isfinite(batch_loss)) diverged(step, batch_loss, "minibatch loss");
      if (progress) hooks.on_progress(step, record_now ? full_loss : batch_loss);
      ws = &batch_ws;
    }
    // Plain SGD: edges the fused kernel takes (fused_update.h, small batch on a wide W) are
    // updated inside the backward sweep, the rest by the weight-gradient GEMM below.
    const FusedSgd<T> sgd{&w, -lr, T(1) - lr * wd};
    gated_matmul_backward(data, w, *ws, pool, mu == T(0) ? &sgd : nullptr);
    if (mu == T(0)) {
      // Plain SGD fused into the dW GEMM: W ← (1 − lr·wd)·W − lr·dW, the same
      // step as W −= lr·(dW + wd·W) up to rounding, without a dW buffer.
      gated_matmul_weight_grad(data, *ws, w, pool, -lr, T(1) - lr * wd);
    } else {
      gated_matmul_weight_grad(data, *ws, grad, pool);
      sgd_momentum_update(w, grad, momentum_buf, lr, mu, wd, pool);
    }
  }

  traj.weights = weights_to_double(w);
  return traj;
}

template Trajectory engine_train<float>(const Model&, const WeightSet&, const TrainOptions&,
                                        const RunHooks&, ThreadPool&);
template Trajectory engine_train<double>(const Model&, const WeightSet&, const TrainOptions&,
                                         const RunHooks&, ThreadPool&);

}  // namespace cpu
}  // namespace gdln
