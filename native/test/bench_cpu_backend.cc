// native/test/bench_cpu_backend.cc — per-step time of the CPU backend on the
// routing GDLN (Neural Race Reduction, Sec. 5; bench workload w1):
// one input node (784) → M gated encoder edges → hidden (H) → hidden (H) →
// M gated decoder edges → one output node (10). A sample of task (i, j) opens
// encoder i and decoder j; input domain i trains with the K decoders
// j = (i + k) mod M, S samples per task, so N = S·K·M and each encoder / decoder
// edge carries S·K samples. Full-batch SGD, mean squared loss.
//
// Usage: bench_cpu_backend [M=10] [K=4] [S=8] [H=128] [steps=50] [dtypes=both|f32|f64] [shared=0|1]
// shared=1: the same S images on every route (bench W1b, shared prefixes).
// Prints ms per step (forward + loss + backward + update, via train()) for
// float64 / float32 and 1 / 2 threads, and the useful GFLOP/s.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <ctime>
#include <string>
#include <vector>

#include "gdln/kernels.h"

using namespace gdln;

static double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int main(int argc, char** argv) {
  auto arg = [&](int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; };
  const int m = arg(1, 10), k = arg(2, 4), s = arg(3, 8), hidden = arg(4, 128);
  const int steps = arg(5, 50);
  const std::string which = argc > 6 ? argv[6] : "both";
  const bool shared = arg(7, 0) != 0;
  const int d_in = 784, d_out = 10;
  const int64_t n = static_cast<int64_t>(s) * k * m;

  // Nodes: 0 input, 1 hidden, 2 hidden, 3 output. Edges 0..M-1 encoders,
  // M the shared hidden edge, M+1..2M decoders.
  Model model;
  GraphSpec& g = model.graph;
  g.node_size = {d_in, hidden, hidden, d_out};
  g.activation.assign(4, Activation::Linear);
  g.activation_param.assign(4, 0.0);
  for (int i = 0; i < m; ++i) { g.edge_source.push_back(0); g.edge_target.push_back(1); }
  g.edge_source.push_back(1); g.edge_target.push_back(2);
  for (int j = 0; j < m; ++j) { g.edge_source.push_back(2); g.edge_target.push_back(3); }

  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> pixel(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  DatasetSpec& d = model.data;
  d.n_samples = n;
  d.inputs = {std::vector<double>(n * d_in), {}, {}, {}};
  d.targets = {{}, {}, {}, std::vector<double>(n * d_out, 0.0)};
  d.node_gate_mode.assign(4, GateMode::None);
  d.node_gates.assign(4, {});
  d.edge_gates.assign(2 * m + 1, {});
  for (int e = 0; e < m; ++e) d.edge_gates[e].assign(n, 0.0);
  for (int e = m + 1; e < 2 * m + 1; ++e) d.edge_gates[e].assign(n, 0.0);
  for (int64_t r = 0; r < n; ++r) {
    const int64_t task = r / s;  // sorted by input domain, as in the peers' script
    const int in_domain = static_cast<int>(task / k);
    const int out_domain = static_cast<int>((in_domain + task % k) % m);
    for (int p = 0; p < d_in; ++p) d.inputs[0][r * d_in + p] = pixel(rng);
    if (shared && r >= s) {  // image r % s, as on the first route
      for (int p = 0; p < d_in; ++p) d.inputs[0][r * d_in + p] = d.inputs[0][(r % s) * d_in + p];
    }
    d.targets[3][r * d_out + rng() % d_out] = 1.0;
    d.edge_gates[in_domain][r] = 1.0;
    d.edge_gates[m + 1 + out_domain][r] = 1.0;
  }
  WeightSet weights(2 * m + 1);
  for (int e = 0; e < 2 * m + 1; ++e) {
    const int rows = g.node_size[g.edge_target[e]], cols = g.node_size[g.edge_source[e]];
    weights[e].resize(static_cast<size_t>(rows) * cols);
    for (double& w : weights[e]) w = normal(rng) / std::sqrt(static_cast<double>(cols));
  }

  // Useful FLOPs per step: forward 2·N·(784H + H² + 10H); backward: all dW
  // (same again) plus ∂L/∂h of the two hidden nodes 2·N·(H² + 10H).
  const double fwd = 2.0 * n * (d_in * hidden + hidden * hidden + d_out * hidden);
  const double flops = 2 * fwd + 2.0 * n * (hidden * hidden + d_out * hidden);
  std::printf("routing GDLN: M=%d K=%d S=%d H=%d, N=%lld, %d steps, %.1f MFLOP/step\n", m, k, s,
              hidden, static_cast<long long>(n), steps, flops / 1e6);

  for (DType dtype : {DType::Float64, DType::Float32}) {
    if ((which == "f32" && dtype != DType::Float32) || (which == "f64" && dtype != DType::Float64)) continue;
    for (int threads : {1, 2}) {
      auto backend = make_cpu_backend(threads);
      TrainOptions o;
      o.dtype = dtype;
      o.steps = steps;
      o.lr = 0.01;
      o.record_every = steps;  // records at 0 and the end only
      backend->train(model, weights, [&] { TrainOptions w = o; w.steps = 3; return w; }(),
                     RunHooks{});  // warm-up
      // Best of 5 wall times, and the process CPU time of that run (on a busy
      // machine the CPU time of a 1-thread run is the steadier number).
      double best = 1e30, best_cpu = 0;
      for (int rep = 0; rep < 5; ++rep) {
        const double c0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        const Trajectory t = backend->train(model, weights, o, RunHooks{});
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (sec < best) {
          best = sec;
          best_cpu = cpu_seconds() - c0;
        }
        if (rep == 0 && t.loss.back() >= t.loss.front()) std::printf("  (loss did not decrease)\n");
      }
      // The run does steps + 1 forwards (the final record): charged to the steps.
      const double per_step = best / steps;
      std::printf("%s threads=%d: %.3f ms/step (cpu %.3f ms/step), %.1f GFLOP/s\n",
                  dtype == DType::Float64 ? "float64" : "float32", threads, per_step * 1e3,
                  best_cpu / steps * 1e3, flops / per_step / 1e9);
    }
  }
  return 0;
}
