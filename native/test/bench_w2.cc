// native/test/bench_w2.cc — one full-batch SGD step of bench W2 (two linear pathways
// 8 → N → … → N → 15, D matrices each, batch 8, float32) with and without the fused
// backward + update (fused_update.h), alternated step by step in one process so both see
// the same machine load; plus a memcpy of the weight bytes (one read + one write pass) as
// the in-process traffic yardstick.
//
// Usage: bench_w2 [N=4000] [D=4] [steps=20] [threads=0 (all)]
// Prints min / median ms per step of each variant and the step time in weight passes
// (time / (copy time / 2): a copy is one read + one write pass).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "cpu/fused_update.h"
#include "cpu/gated_matmul.h"
#include "cpu/loss.h"
#include "cpu/model_data.h"
#include "gdln/model.h"
#include "gdln/thread_pool.h"

using namespace gdln;
using namespace gdln::cpu;

namespace {
double now_ms() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  auto arg = [&](int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; };
  const int n_width = arg(1, 4000), depth = arg(2, 4), steps = arg(3, 20), threads = arg(4, 0);
  const int64_t batch = 8, d_in = 8, d_out = 15;

  // Nodes: 0 = x, 1 = y, then the hidden nodes of pathway p: 2 + p·(D−1) + l.
  Model model;
  GraphSpec& g = model.graph;
  g.node_size = {d_in, d_out};
  for (int p = 0; p < 2; ++p) {
    for (int l = 0; l < depth - 1; ++l) g.node_size.push_back(n_width);
  }
  const int n_nodes = static_cast<int>(g.node_size.size());
  g.activation.assign(n_nodes, Activation::Linear);
  g.activation_param.assign(n_nodes, 0.0);
  for (int p = 0; p < 2; ++p) {
    int prev = 0;
    for (int l = 0; l < depth - 1; ++l) {
      const int v = 2 + p * (depth - 1) + l;
      g.edge_source.push_back(prev);
      g.edge_target.push_back(v);
      prev = v;
    }
    g.edge_source.push_back(prev);
    g.edge_target.push_back(1);
  }
  const int n_edges = static_cast<int>(g.edge_source.size());
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  DatasetSpec& d = model.data;
  d.n_samples = batch;
  d.inputs.assign(n_nodes, {});
  d.targets.assign(n_nodes, {});
  d.inputs[0].assign(batch * d_in, 0.0);
  for (int64_t r = 0; r < batch; ++r) d.inputs[0][r * d_in + r] = 1.0;
  d.targets[1].resize(batch * d_out);
  for (double& y : d.targets[1]) y = normal(rng);
  d.node_gate_mode.assign(n_nodes, GateMode::None);
  d.node_gates.assign(n_nodes, {});
  d.edge_gates.assign(n_edges, {});

  const ModelData<float> data = model_data_build<float>(model);
  Weights<float> w(n_edges);
  int64_t params = 0;
  for (int e = 0; e < n_edges; ++e) {
    w[e].resize(static_cast<size_t>(data.graph.weight_size[e]));
    for (float& x : w[e]) x = static_cast<float>(0.01 * normal(rng));
    params += data.graph.weight_size[e];
  }
  ThreadPool pool(threads);
  std::vector<int32_t> rows(batch);
  for (int64_t r = 0; r < batch; ++r) rows[r] = static_cast<int32_t>(r);
  Workspace<float> ws;
  workspace_bind(data, rows, true, true, ws, pool);
  const float lr = 1e-4f;

  auto step = [&](bool fused) {
    gated_matmul_forward(data, w, ws, pool);
    loss_evaluate(data, LossKind::MeanSquared, true, ws, pool);
    const FusedSgd<float> sgd{&w, -lr, 1.0f};
    gated_matmul_backward(data, w, ws, pool, fused ? &sgd : nullptr);
    gated_matmul_weight_grad(data, ws, w, pool, -lr, 1.0f);
  };
  // The copy yardstick: the same bytes, one read + one write, split over the pool.
  std::vector<float> src(static_cast<size_t>(params), 1.0f), dst(static_cast<size_t>(params));
  auto copy = [&] {
    const int64_t chunk = int64_t{1} << 20;
    pool.parallel_for((params + chunk - 1) / chunk, 1, [&](int64_t a, int64_t b) {
      for (int64_t k = a; k < b; ++k) {
        const int64_t lo = k * chunk, hi = std::min(params, lo + chunk);
        std::memcpy(dst.data() + lo, src.data() + lo, sizeof(float) * static_cast<size_t>(hi - lo));
      }
    });
  };
  step(true);
  step(false);
  copy();
  std::vector<double> tf, tu, tc;
  for (int s = 0; s < steps; ++s) {
    double t = now_ms();
    step(true);
    tf.push_back(now_ms() - t);
    t = now_ms();
    step(false);
    tu.push_back(now_ms() - t);
    t = now_ms();
    copy();
    tc.push_back(now_ms() - t);
  }
  const double pass = median(tc) / 2;  // ms per pass over the weights (read or write)
  std::printf("W2 N=%d D=%d, %.0f MB of float32 weights, pool %d threads, %s\n", n_width, depth,
              params * 4 / 1e6, pool.size(), fused_update_enabled() ? "fused on" : "GDLN_NO_FUSED_W2 set");
  std::printf("  fused   step: min %.2f  median %.2f ms  (%.2f passes)\n",
              *std::min_element(tf.begin(), tf.end()), median(tf), median(tf) / pass);
  std::printf("  unfused step: min %.2f  median %.2f ms  (%.2f passes)\n",
              *std::min_element(tu.begin(), tu.end()), median(tu), median(tu) / pass);
  std::printf("  copy (R+W):   min %.2f  median %.2f ms  = %.1f GB/s\n",
              *std::min_element(tc.begin(), tc.end()), median(tc), 2 * params * 4 / median(tc) / 1e6);
  std::printf("  median unfused / fused = %.2f\n", median(tu) / median(tf));
  // Phases of the fused step, in passes.
  std::vector<double> ph[4];
  for (int s = 0; s < steps; ++s) {
    double t = now_ms();
    gated_matmul_forward(data, w, ws, pool);
    ph[0].push_back(now_ms() - t);
    t = now_ms();
    loss_evaluate(data, LossKind::MeanSquared, true, ws, pool);
    ph[1].push_back(now_ms() - t);
    t = now_ms();
    const FusedSgd<float> sgd{&w, -lr, 1.0f};
    gated_matmul_backward(data, w, ws, pool, &sgd);
    ph[2].push_back(now_ms() - t);
    t = now_ms();
    gated_matmul_weight_grad(data, ws, w, pool, -lr, 1.0f);
    ph[3].push_back(now_ms() - t);
  }
  std::printf("  fused phases (median ms / passes): forward %.2f / %.2f, loss %.3f, backward %.2f / %.2f, weight_grad %.2f / %.2f\n",
              median(ph[0]), median(ph[0]) / pass, median(ph[1]), median(ph[2]), median(ph[2]) / pass,
              median(ph[3]), median(ph[3]) / pass);
  return 0;
}
