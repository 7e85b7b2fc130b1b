// relu_runs.h — many small, independent, fully-connected ReLU networks trained
// by full-batch gradient descent in one call, recording their binary gating
// patterns (ReLN paper, App. B, Algorithm 1). No Node headers.
//
// Network of one run (no biases, as the paper's App. H):
//   a_1 = W_1 x,  h_1 = relu(a_1)            W_1 [h1, d]
//   a_2 = W_2 h_1, h_2 = relu(a_2)           W_2 [h2, h1]   (two hidden layers only)
//   ŷ = W_out h_L                            W_out [o, h_L]
// Loss L = 1/(2N) Σ_i ||y_i − ŷ_i||² (docs/architecture.md), relu'(0) = 0.
// SGD as PyTorch: buf = μ·buf + g (buf₀ = g), W −= lr·buf; μ = 0 is plain GD.
//
// Epoch e means "after e updates". At every requested epoch the run records
// (from the forward pass it needs anyway, before the update):
//   - the full-batch loss;
//   - the gating bits step(a > 0) of every hidden neuron over the N samples:
//     one row of ceil(N/64) uint64 words per (run, snapshot, layer, neuron),
//     bit i%64 of word i/64 = sample i;
//   - optionally the outputs ŷ [N, o].
// Optionally the final weights (after `epochs` updates, or where it stopped).
//
// Weights cross the boundary in float64, per run, layers in order, each
// row-major [out, in] (W_1, [W_2,] W_out), concatenated over runs.
// Runs are independent and each is done by one thread (parallel over runs),
// so results are bitwise identical for any thread count.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "gdln/thread_pool.h"

namespace gdln::reln {

struct ReluRunsSpec {
  int64_t n = 0;       // samples
  int64_t d_in = 0;    // input size
  int64_t d_out = 0;   // output size
  std::vector<int64_t> hidden;  // 1 or 2 hidden layer widths
  std::vector<double> inputs;   // [n, d_in]
  std::vector<double> targets;  // [n, d_out]
  int64_t runs = 0;
  std::vector<double> init_weights;  // [runs, params_per_run()]
  int64_t epochs = 0;
  double lr = 0;
  double momentum = 0;
  std::vector<int64_t> record_epochs;  // strictly ascending, in [0, epochs]
  bool record_outputs = false;
  bool return_weights = false;
  bool float32 = false;

  int64_t params_per_run() const;
};

// What a call produces; kept native (the binding hands JS a handle to it).
struct GatingRecord {
  int64_t runs = 0;
  int64_t snapshots = 0;  // = record_epochs.size()
  int64_t n = 0;
  int64_t d_out = 0;
  int64_t words = 0;      // uint64 words per row = ceil(n / 64)
  std::vector<int64_t> hidden;
  std::vector<int64_t> record_epochs;
  int64_t total_hidden() const;
  int64_t rows() const { return runs * snapshots * total_hidden(); }
  // Row index of (run, snapshot, layer, neuron).
  int64_t row_index(int64_t run, int64_t snapshot, int layer, int64_t neuron) const;

  std::vector<uint64_t> bits;     // [rows(), words]
  std::vector<double> loss;       // [runs, snapshots]
  std::vector<double> active_fraction;  // [runs, snapshots, layers]: mean of the bits
  std::vector<double> outputs;    // [runs, snapshots, n, d_out] when recorded
  std::vector<double> weights;    // [runs, params] final weights when asked for
  std::vector<double> final_loss; // [runs]: the loss after `epochs` updates

  size_t bytes() const;
};

struct ReluRunsHooks {
  const std::atomic<bool>* cancel = nullptr;
  // (runs finished, epochs done summed over runs); called in increasing order
  // of epochs done, from any worker thread, serialised.
  std::function<void(int64_t, int64_t)> on_progress;
  int64_t progress_every = 0;  // epochs (summed over runs); 0 = none
};

// Validates (gdln::Error: GDLN_SHAPE_MISMATCH, GDLN_NON_FINITE,
// GDLN_INVALID_ARGUMENT) — called by run_relu_runs, exposed so the binding
// can fail synchronously.
void validate_relu_runs(const ReluRunsSpec& spec);

// Runs every run on `pool`. Throws GDLN_ABORTED when cancelled, GDLN_DIVERGED
// (naming the run and epoch) on a non-finite loss.
std::unique_ptr<GatingRecord> run_relu_runs(const ReluRunsSpec& spec, ThreadPool& pool,
                                            const ReluRunsHooks& hooks);

// The plain float64 reference (relu_runs_ref.cc): per-sample loops, one run at
// a time, no skipping, no threads.
std::unique_ptr<GatingRecord> run_relu_runs_ref(const ReluRunsSpec& spec);

}  // namespace gdln::reln
