// relu_runs_ref.cc — the plain float64 reference of run_relu_runs: natural
// [out, in] layouts, per-sample loops summed in index order, no skipping, no
// threads, one run after the other. Same records as the optimised kernel.
#include <cmath>
#include <string>

#include "gdln/status.h"
#include "relu_runs.h"

namespace gdln::reln {

namespace {
using Mat = std::vector<double>;

// out[i, q] = Σ_p W[q, p] in[i, p]
void linear(const Mat& W, const Mat& in, Mat& out, int64_t n, int64_t fan_in, int64_t fan_out) {
  out.assign(static_cast<size_t>(n * fan_out), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t q = 0; q < fan_out; ++q) {
      double s = 0;
      for (int64_t p = 0; p < fan_in; ++p) s += W[q * fan_in + p] * in[i * fan_in + p];
      out[i * fan_out + q] = s;
    }
}
}  // namespace

std::unique_ptr<GatingRecord> run_relu_runs_ref(const ReluRunsSpec& s) {
  validate_relu_runs(s);
  auto rec = std::make_unique<GatingRecord>();
  rec->runs = s.runs;
  rec->snapshots = static_cast<int64_t>(s.record_epochs.size());
  rec->n = s.n;
  rec->d_out = s.d_out;
  rec->words = (s.n + 63) / 64;
  rec->hidden = s.hidden;
  rec->record_epochs = s.record_epochs;
  rec->bits.assign(static_cast<size_t>(rec->rows() * rec->words), 0);
  rec->loss.assign(static_cast<size_t>(s.runs * rec->snapshots), 0.0);
  rec->final_loss.assign(static_cast<size_t>(s.runs), 0.0);
  rec->active_fraction.assign(static_cast<size_t>(s.runs * rec->snapshots) * s.hidden.size(), 0.0);
  if (s.record_outputs) rec->outputs.assign(static_cast<size_t>(s.runs * rec->snapshots * s.n * s.d_out), 0.0);
  if (s.return_weights) rec->weights.assign(s.init_weights.size(), 0.0);

  const int64_t L = static_cast<int64_t>(s.hidden.size());
  const int64_t n = s.n;
  std::vector<int64_t> fan_in(static_cast<size_t>(L + 1)), fan_out(static_cast<size_t>(L + 1));
  for (int64_t l = 0; l <= L; ++l) {
    fan_in[l] = l == 0 ? s.d_in : s.hidden[l - 1];
    fan_out[l] = l == L ? s.d_out : s.hidden[l];
  }
  const int64_t params = s.params_per_run();
  for (int64_t run = 0; run < s.runs; ++run) {
    std::vector<Mat> W(static_cast<size_t>(L + 1)), buf(static_cast<size_t>(L + 1));
    size_t off = static_cast<size_t>(run * params);
    for (int64_t l = 0; l <= L; ++l) {
      const size_t size = static_cast<size_t>(fan_in[l] * fan_out[l]);
      W[l].assign(s.init_weights.begin() + off, s.init_weights.begin() + off + size);
      buf[l].assign(size, 0.0);
      off += size;
    }
    size_t next_record = 0;
    double loss = 0;
    for (int64_t epoch = 0;; ++epoch) {
      // Forward: h[0] = x, a[l+1] = W_l h[l], h[l+1] = relu(a[l+1]) for hidden layers.
      std::vector<Mat> a(static_cast<size_t>(L + 2)), h(static_cast<size_t>(L + 2));
      h[0] = s.inputs;
      for (int64_t l = 0; l <= L; ++l) {
        linear(W[l], h[l], a[l + 1], n, fan_in[l], fan_out[l]);
        h[l + 1] = a[l + 1];
        if (l < L)
          for (double& v : h[l + 1]) v = v > 0 ? v : 0;
      }
      const Mat& yhat = h[L + 1];
      loss = 0;
      for (int64_t i = 0; i < n * s.d_out; ++i) loss += (yhat[i] - s.targets[i]) * (yhat[i] - s.targets[i]);
      loss /= 2.0 * static_cast<double>(n);
      if (!std::isfinite(loss)) {
        throw Error(codes::kDiverged, "ReLU run " + std::to_string(run) + " diverged at epoch " + std::to_string(epoch));
      }
      if (next_record < s.record_epochs.size() && s.record_epochs[next_record] == epoch) {
        const int64_t snap = static_cast<int64_t>(next_record);
        rec->loss[run * rec->snapshots + snap] = loss;
        for (int64_t l = 0; l < L; ++l) {
          int64_t ones = 0;
          for (int64_t j = 0; j < s.hidden[l]; ++j)
            for (int64_t i = 0; i < n; ++i)
              if (a[l + 1][i * s.hidden[l] + j] > 0) {
                rec->bits[rec->row_index(run, snap, static_cast<int>(l), j) * rec->words + i / 64] |= uint64_t{1} << (i % 64);
                ++ones;
              }
          rec->active_fraction[(run * rec->snapshots + snap) * L + l] =
              static_cast<double>(ones) / static_cast<double>(s.hidden[l] * n);
        }
        if (s.record_outputs)
          for (int64_t i = 0; i < n * s.d_out; ++i) rec->outputs[(run * rec->snapshots + snap) * n * s.d_out + i] = yhat[i];
        ++next_record;
      }
      if (epoch == s.epochs) break;
      // Backward: δ[L+1] = (ŷ − y)/n; δ[l] = (δ[l+1] W_l) ⊙ step(a[l]); ∂W_l = δ[l+1]ᵀ h[l].
      std::vector<Mat> delta(static_cast<size_t>(L + 2));
      delta[L + 1].resize(static_cast<size_t>(n * s.d_out));
      for (int64_t i = 0; i < n * s.d_out; ++i) delta[L + 1][i] = (yhat[i] - s.targets[i]) / static_cast<double>(n);
      std::vector<Mat> grad(static_cast<size_t>(L + 1));
      for (int64_t l = L; l >= 0; --l) {
        grad[l].assign(static_cast<size_t>(fan_in[l] * fan_out[l]), 0.0);
        for (int64_t q = 0; q < fan_out[l]; ++q)
          for (int64_t p = 0; p < fan_in[l]; ++p) {
            double g = 0;
            for (int64_t i = 0; i < n; ++i) g += delta[l + 1][i * fan_out[l] + q] * h[l][i * fan_in[l] + p];
            grad[l][q * fan_in[l] + p] = g;
          }
        if (l > 0) {
          delta[l].assign(static_cast<size_t>(n * fan_in[l]), 0.0);
          for (int64_t i = 0; i < n; ++i)
            for (int64_t p = 0; p < fan_in[l]; ++p) {
              double g = 0;
              for (int64_t q = 0; q < fan_out[l]; ++q) g += delta[l + 1][i * fan_out[l] + q] * W[l][q * fan_in[l] + p];
              delta[l][i * fan_in[l] + p] = a[l][i * fan_in[l] + p] > 0 ? g : 0;
            }
        }
      }
      for (int64_t l = 0; l <= L; ++l)
        for (size_t k = 0; k < W[l].size(); ++k) {
          if (s.momentum == 0) {
            W[l][k] -= s.lr * grad[l][k];
          } else {
            buf[l][k] = epoch == 0 ? grad[l][k] : s.momentum * buf[l][k] + grad[l][k];
            W[l][k] -= s.lr * buf[l][k];
          }
        }
    }
    rec->final_loss[run] = loss;
    if (s.return_weights) {
      size_t o = static_cast<size_t>(run * params);
      for (int64_t l = 0; l <= L; ++l)
        for (double v : W[l]) rec->weights[o++] = v;
    }
  }
  return rec;
}

}  // namespace gdln::reln
