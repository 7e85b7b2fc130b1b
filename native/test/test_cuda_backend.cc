// native/test/test_cuda_backend.cc — the CUDA backend against the reference
// kernels (native/cpu/reference.h), without Node. Built only in a CUDA build.
//
// Conformance (default): on seeded random gated DAGs (several inputs and
// outputs, parallel and skip edges, shuffled node ids, linear / relu / leaky /
// tanh nodes, edge gates and per-sample / per-neuron node gates with zeros,
// widths that straddle the 64-wide GEMM tiles, rows that share prefixes):
//   forward, loss + gradient (mean squared, softmax cross-entropy) and
//   trajectories (full batch and minibatch, momentum, weight decay, records,
//   groups, snapshots): float64 relative error ≤ 1e-10, float32 ≤ 1e-4
//   (norm-wise max|a − b| / max|b|, the measure of test_cpu_backend);
//   two identical runs bitwise equal (deterministic mode, the default);
//   cancellation, progress and divergence; bad input → the right GDLN_* code.
// Run it again with GDLN_CUDA_ATOMIC=1 for the atomicAdd scatter (ctest does).
//
// --bench [steps]: ms per training step, GFLOP/s and a modelled GB/s for the
// W1 routing shapes (M = 10/40/100, H = 128, 784 → 10) and W2 wide linear
// chains (N up to 16384, B = 8), float32 and float64.
//
// No usable device: prints "SKIP: no CUDA device (<reason>)" and exits 77,
// which ctest reports as skipped (SKIP_RETURN_CODE). Failures print the seed.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "cpu/reference.h"
#include "cuda/cuda_probe.h"
#include "gdln/kernels.h"
#include "gdln/status.h"

using namespace gdln;

namespace {

constexpr int kSkip = 77;
int g_failures = 0;
int g_checks = 0;

void check(bool ok, const std::string& what) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    std::printf("FAIL: %s\n", what.c_str());
  }
}

double rel_err(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i])) return std::numeric_limits<double>::infinity();
      continue;
    }
    diff = std::max(diff, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  if (diff == 0) return 0;
  return scale > 0 ? diff / scale : std::numeric_limits<double>::infinity();
}

double rel_err(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) worst = std::max(worst, rel_err(a[k], b[k]));
  return worst;
}

bool bitwise_equal(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k].size() != b[k].size()) return false;
    if (!a[k].empty() && std::memcmp(a[k].data(), b[k].data(), a[k].size() * sizeof(double)) != 0) {
      return false;
    }
  }
  return true;
}

double tolerance(DType dtype) { return dtype == DType::Float64 ? 1e-10 : 1e-4; }
const char* dtype_name(DType dtype) { return dtype == DType::Float64 ? "float64" : "float32"; }

void check_close(double err, DType dtype, const std::string& what) {
  char buf[80];
  std::snprintf(buf, sizeof buf, " [%s] (rel err %.3g, tol %.0e)", dtype_name(dtype), err,
                tolerance(dtype));
  check(err <= tolerance(dtype), what + buf);
}

// ---------------------------------------------------------------- random models

struct Shape {
  int n_inputs = 2, n_hidden = 3, n_outputs = 2;
  int64_t n_samples = 45;
  bool softmax_targets = false;
  bool shared_rows = false;  // samples s ≥ 4 copy inputs (and for even s gates) of s % 4
};

struct Problem {
  Model model;
  WeightSet weights;
};

Problem random_problem(uint64_t seed, const Shape& shape) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static const int kWidths[] = {1, 3, 8, 16, 33, 64, 65, 70, 129};

  const int n_nodes = shape.n_inputs + shape.n_hidden + shape.n_outputs;
  const int first_output = shape.n_inputs + shape.n_hidden;
  std::vector<int32_t> label(n_nodes);
  std::iota(label.begin(), label.end(), 0);
  std::shuffle(label.begin(), label.end(), rng);

  // Layer-order edges: every non-input node gets 1..3 sources among the
  // non-output nodes before it; every non-output node gets a target.
  std::vector<std::pair<int, int>> edges;
  for (int j = shape.n_inputs; j < n_nodes; ++j) {
    const int k = pick(1, 3);
    for (int q = 0; q < k; ++q) edges.push_back({pick(0, std::min(j, first_output) - 1), j});
    if (unit(rng) < 0.2) edges.push_back(edges.back());  // parallel edge
  }
  for (int i = 0; i < first_output; ++i) {
    const bool has_out = std::any_of(edges.begin(), edges.end(),
                                     [&](const std::pair<int, int>& e) { return e.first == i; });
    if (!has_out) edges.push_back({i, pick(std::max(i + 1, shape.n_inputs), n_nodes - 1)});
  }
  std::shuffle(edges.begin(), edges.end(), rng);

  Problem p;
  GraphSpec& g = p.model.graph;
  g.node_size.resize(n_nodes);
  g.activation.assign(n_nodes, Activation::Linear);
  g.activation_param.assign(n_nodes, 0.0);
  for (int i = 0; i < n_nodes; ++i) {
    const int v = label[i];
    g.node_size[v] = kWidths[pick(0, 8)];
    if (i >= shape.n_inputs) {
      g.activation[v] = static_cast<Activation>(pick(0, 3));
      if (g.activation[v] == Activation::LeakyRelu) g.activation_param[v] = 0.05 + 0.3 * unit(rng);
    }
  }
  for (const auto& e : edges) {
    g.edge_source.push_back(label[e.first]);
    g.edge_target.push_back(label[e.second]);
  }

  const int64_t n = shape.n_samples;
  DatasetSpec& d = p.model.data;
  d.n_samples = n;
  d.inputs.assign(n_nodes, {});
  d.targets.assign(n_nodes, {});
  d.node_gate_mode.assign(n_nodes, GateMode::None);
  d.node_gates.assign(n_nodes, {});
  d.edge_gates.assign(edges.size(), {});
  auto gate_value = [&]() {
    const double u = unit(rng);
    if (u < 0.3) return 0.0;
    if (u < 0.6) return 1.0;
    return 0.25 + 1.5 * unit(rng);
  };
  for (int i = 0; i < n_nodes; ++i) {
    const int v = label[i];
    const int64_t w = g.node_size[v];
    if (i < shape.n_inputs) {
      d.inputs[v].resize(n * w);
      for (double& x : d.inputs[v]) x = normal(rng);
    }
    if (i >= first_output) {
      d.targets[v].resize(n * w);
      for (double& y : d.targets[v]) y = shape.softmax_targets ? unit(rng) : normal(rng);
    }
    const int mode = pick(0, 3);
    if (mode == 1) {
      d.node_gate_mode[v] = GateMode::PerSample;
      d.node_gates[v].resize(n);
    } else if (mode == 2) {
      d.node_gate_mode[v] = GateMode::PerNeuron;
      d.node_gates[v].resize(n * w);
    }
    for (double& x : d.node_gates[v]) x = unit(rng) < 0.1 ? 0.0 : 0.5 + unit(rng);
  }
  for (auto& gate : d.edge_gates) {
    if (unit(rng) < 0.35) continue;
    gate.resize(n);
    for (double& x : gate) x = gate_value();
  }
  if (shape.shared_rows) {
    auto copy_rows = [&](std::vector<double>& values, bool all) {
      if (values.empty()) return;
      const int64_t w = static_cast<int64_t>(values.size()) / n;
      for (int64_t s = 4; s < n; ++s) {
        if (!all && s % 2 == 1) continue;
        std::copy(values.begin() + (s % 4) * w, values.begin() + (s % 4 + 1) * w,
                  values.begin() + s * w);
      }
    };
    for (auto& x : d.inputs) copy_rows(x, true);
    for (auto& gate : d.edge_gates) copy_rows(gate, false);
    for (auto& gate : d.node_gates) copy_rows(gate, false);
  }
  p.weights.resize(edges.size());
  for (size_t e = 0; e < edges.size(); ++e) {
    const int rows = g.node_size[g.edge_target[e]], cols = g.node_size[g.edge_source[e]];
    p.weights[e].resize(static_cast<size_t>(rows) * cols);
    for (double& w : p.weights[e]) w = normal(rng) * 0.7 / std::sqrt(static_cast<double>(cols));
  }
  return p;
}

template <typename T>
void compare_case(Backend& cuda, const Problem& p, DType dtype, const std::string& tag) {
  const Model& m = p.model;
  {
    const ForwardResult got = cuda.forward(m, p.weights, dtype);
    const ForwardResult want = ref::forward<T>(m, p.weights);
    check_close(rel_err(got.activations, want.activations), dtype, tag + " forward");
  }
  for (LossKind kind : {LossKind::MeanSquared, LossKind::SoftmaxCrossEntropy}) {
    const std::string k = kind == LossKind::MeanSquared ? " mse" : " ce";
    const LossAndGradientResult got = cuda.loss_and_gradient(m, p.weights, dtype, kind);
    const LossAndGradientResult want = ref::loss_and_gradient<T>(m, p.weights, kind);
    check_close(rel_err(std::vector<double>{got.loss}, std::vector<double>{want.loss}), dtype, tag + k + " loss");
    check_close(rel_err(got.gradient, want.gradient), dtype, tag + k + " gradient");
  }
  struct Run {
    const char* name;
    int64_t batch_size;
    double momentum, weight_decay;
  };
  for (const Run& run : {Run{"full", 0, 0.0, 0.0}, Run{"full+momentum+wd", 0, 0.9, 0.01},
                         Run{"minibatch", 8, 0.0, 0.001}, Run{"minibatch+momentum", 13, 0.5, 0.0}}) {
    TrainOptions o;
    o.dtype = dtype;
    o.steps = 20;
    o.lr = 0.02;
    o.momentum = run.momentum;
    o.weight_decay = run.weight_decay;
    o.batch_size = run.batch_size;
    o.seed = 11;
    o.record_every = 3;
    o.snapshot_steps = {0, 7, 20};
    o.n_groups = 3;
    for (int64_t i = 0; i < m.data.n_samples; ++i) o.groups.push_back(static_cast<int32_t>(i % 3));
    const Trajectory got = cuda.train(m, p.weights, o, RunHooks{});
    const Trajectory want = ref::train<T>(m, p.weights, o);
    const std::string t = tag + " train " + run.name;
    check(got.loss_steps == want.loss_steps, t + " record steps");
    check_close(rel_err(got.loss, want.loss), dtype, t + " loss");
    check_close(rel_err(got.group_loss, want.group_loss), dtype, t + " group loss");
    check(got.snapshot_steps == want.snapshot_steps, t + " snapshot steps");
    check_close(rel_err(got.snapshots.empty() ? WeightSet{} : got.snapshots.back(),
                        want.snapshots.empty() ? WeightSet{} : want.snapshots.back()),
                dtype, t + " snapshot");
    check_close(rel_err(got.weights, want.weights), dtype, t + " weights");
    check(got.steps_done == 20 && !got.cancelled, t + " steps_done");
  }
}

void run_conformance(Backend& cuda, bool atomic) {
  int cases = 0;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    Shape shape;
    shape.n_inputs = 1 + static_cast<int>(seed % 3);
    shape.n_hidden = static_cast<int>(seed % 5);
    shape.n_outputs = 1 + static_cast<int>(seed % 2);
    shape.n_samples = seed % 4 == 0 ? 150 : 45;
    shape.softmax_targets = seed % 3 == 0;
    shape.shared_rows = seed % 4 == 1;
    const Problem p = random_problem(seed, shape);
    const std::string tag = "seed " + std::to_string(seed);
    try {
      compare_case<double>(cuda, p, DType::Float64, tag);
      compare_case<float>(cuda, p, DType::Float32, tag);
    } catch (const Error& e) {
      check(false, tag + ": threw " + e.code() + " (" + e.what() + ")");
    }
    ++cases;
  }
  std::printf("conformance: %d random DAGs x {float64, float32} x {forward, loss+gradient x2, "
              "4 trajectories}\n", cases);

  // Determinism: two identical runs agree bitwise (not promised with atomics).
  if (!atomic) {
    Shape shape;
    shape.n_hidden = 4;
    shape.n_samples = 300;
    const Problem p = random_problem(99, shape);
    TrainOptions o;
    o.dtype = DType::Float32;
    o.steps = 10;
    o.lr = 0.02;
    const Trajectory a = cuda.train(p.model, p.weights, o, RunHooks{});
    const Trajectory b = cuda.train(p.model, p.weights, o, RunHooks{});
    check(bitwise_equal(a.weights, b.weights) && a.loss == b.loss, "two runs bitwise equal");
  }
}

void run_behaviour(Backend& cuda) {
  const Problem p = random_problem(7, Shape{});
  TrainOptions o;
  o.steps = 30;
  o.lr = 0.02;
  o.progress_every = 10;
  std::vector<int64_t> seen;
  RunHooks hooks;
  hooks.on_progress = [&](int64_t step, double) { seen.push_back(step); };
  const Trajectory t = cuda.train(p.model, p.weights, o, hooks);
  check((seen == std::vector<int64_t>{10, 20, 30}), "progress at 10, 20, 30");

  std::atomic<bool> cancel{true};
  RunHooks cancelled;
  cancelled.cancel = &cancel;
  const Trajectory c = cuda.train(p.model, p.weights, o, cancelled);
  check(c.cancelled && c.steps_done == 0 && c.loss.size() == 1, "cancel before the first step");

  TrainOptions wild = o;
  wild.lr = 1e30;
  wild.progress_every = 0;
  try {
    cuda.train(p.model, p.weights, wild, RunHooks{});
    check(false, "lr 1e30: no GDLN_DIVERGED");
  } catch (const Error& e) {
    check(std::string(e.code()) == codes::kDiverged, std::string("lr 1e30: ") + e.code());
  }

  auto expect_code = [&](const char* code, const std::function<void()>& fn, const char* what) {
    try {
      fn();
      check(false, std::string(what) + ": no error");
    } catch (const Error& e) {
      check(e.code() == code, std::string(what) + ": " + e.code() + " (" + e.what() + ")");
    }
  };
  WeightSet short_weights = p.weights;
  short_weights.pop_back();
  expect_code(codes::kShapeMismatch, [&] { cuda.forward(p.model, short_weights, DType::Float64); },
              "missing weight matrix");
  expect_code(codes::kInvalidArgument,
              [&] { cuda.forward(p.model, p.weights, static_cast<DType>(7)); }, "bad dtype");
  TrainOptions bad = o;
  bad.lr = -1;
  expect_code(codes::kInvalidArgument, [&] { cuda.train(p.model, p.weights, bad, RunHooks{}); },
              "negative lr");
  check(cuda.supports(Kernel::TrainSteps, DType::Float32) &&
            cuda.supports(Kernel::Forward, DType::Float64),
        "supports every kernel in both dtypes");
}

// ---------------------------------------------------------------- bench

double seconds_of(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Per-step seconds of train(): (t(steps) − t(0)) / steps, best of 3, so the
// per-call upload and set-up are not charged to the steps.
double per_step(Backend& backend, const Model& model, const WeightSet& w, DType dtype, int steps) {
  TrainOptions o;
  o.dtype = dtype;
  o.lr = 1e-4;
  o.record_every = std::max(steps, 1);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    o.steps = 0;
    const double t0 = seconds_of([&] { backend.train(model, w, o, RunHooks{}); });
    o.steps = steps;
    const double t1 = seconds_of([&] { backend.train(model, w, o, RunHooks{}); });
    best = std::min(best, (t1 - t0) / steps);
  }
  return std::max(best, 1e-9);
}

double hash_weight(uint64_t i) {
  i ^= i >> 33;
  i *= 0xff51afd7ed558ccdULL;
  i ^= i >> 33;
  return (static_cast<double>(i >> 11) / 9007199254740992.0) - 0.5;
}

void bench_w1(Backend& cuda, int steps) {
  const int k = 4, s = 8, hidden = 128, d_in = 784, d_out = 10;
  for (int m : {10, 40, 100}) {
    const int64_t n = static_cast<int64_t>(s) * k * m;
    Model model;
    GraphSpec& g = model.graph;
    g.node_size = {d_in, hidden, hidden, d_out};
    g.activation.assign(4, Activation::Linear);
    g.activation_param.assign(4, 0.0);
    for (int i = 0; i < m; ++i) { g.edge_source.push_back(0); g.edge_target.push_back(1); }
    g.edge_source.push_back(1); g.edge_target.push_back(2);
    for (int j = 0; j < m; ++j) { g.edge_source.push_back(2); g.edge_target.push_back(3); }
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
      const int64_t task = r / s;
      const int in_domain = static_cast<int>(task / k);
      const int out_domain = static_cast<int>((in_domain + task % k) % m);
      for (int q = 0; q < d_in; ++q) d.inputs[0][r * d_in + q] = hash_weight(r * d_in + q) + 0.5;
      d.targets[3][r * d_out + (r % d_out)] = 1.0;
      d.edge_gates[in_domain][r] = 1.0;
      d.edge_gates[m + 1 + out_domain][r] = 1.0;
    }
    WeightSet w(2 * m + 1);
    for (int e = 0; e < 2 * m + 1; ++e) {
      const int rows = g.node_size[g.edge_target[e]], cols = g.node_size[g.edge_source[e]];
      w[e].resize(static_cast<size_t>(rows) * cols);
      for (size_t i = 0; i < w[e].size(); ++i) w[e][i] = hash_weight(i + 977 * e) / std::sqrt(cols * 1.0);
    }
    // Useful FLOPs (bench_cpu_backend's count) and a traffic model: every
    // weight read twice and read+written once, every active operand row
    // (h_s and δ_t) read three times, every node row written twice.
    const double fwd = 2.0 * n * (d_in * hidden + hidden * hidden + d_out * hidden);
    const double flops = 2 * fwd + 2.0 * n * (hidden * hidden + d_out * hidden);
    const double w_elems = m * (double(d_in) * hidden + double(d_out) * hidden) + hidden * hidden;
    const double act_elems = n * (3.0 * (d_in + hidden) + 3.0 * (hidden + hidden) + 3.0 * (hidden + d_out) +
                                  2.0 * (hidden + hidden + d_out));
    for (DType dtype : {DType::Float32, DType::Float64}) {
      const double sec = per_step(cuda, model, w, dtype, steps);
      const double bytes = (4.0 * w_elems + act_elems) * (dtype == DType::Float64 ? 8 : 4);
      std::printf("W1 routing M=%-3d N=%-5lld %s: %8.3f ms/step  %8.1f GFLOP/s  %7.1f GB/s (model)\n",
                  m, static_cast<long long>(n), dtype_name(dtype), sec * 1e3, flops / sec / 1e9,
                  bytes / sec / 1e9);
    }
  }
}

void bench_w2(Backend& cuda, int steps) {
  const int layers = 3, batch = 8;
  for (int width : {1024, 4096, 16384}) {
    Model model;
    GraphSpec& g = model.graph;
    g.node_size.assign(layers + 1, width);
    g.activation.assign(layers + 1, Activation::Linear);
    g.activation_param.assign(layers + 1, 0.0);
    for (int l = 0; l < layers; ++l) { g.edge_source.push_back(l); g.edge_target.push_back(l + 1); }
    DatasetSpec& d = model.data;
    d.n_samples = batch;
    d.inputs.assign(layers + 1, {});
    d.targets.assign(layers + 1, {});
    d.inputs[0].resize(static_cast<size_t>(batch) * width);
    d.targets[layers].resize(static_cast<size_t>(batch) * width);
    for (size_t i = 0; i < d.inputs[0].size(); ++i) d.inputs[0][i] = hash_weight(i);
    for (size_t i = 0; i < d.targets[layers].size(); ++i) d.targets[layers][i] = hash_weight(i + 1);
    d.edge_gates.assign(layers, {});
    d.node_gate_mode.assign(layers + 1, GateMode::None);
    d.node_gates.assign(layers + 1, {});
    WeightSet w(layers);
    const double scale = 1.0 / std::sqrt(static_cast<double>(width));
    for (int l = 0; l < layers; ++l) {
      w[l].resize(static_cast<size_t>(width) * width);
      for (size_t i = 0; i < w[l].size(); ++i) w[l][i] = (l == 0 ? 2 : 3.4) * scale * hash_weight(i + l);
    }
    const double nn = static_cast<double>(width) * width;
    // Forward 2BN² per layer, input gradient 2BN² for layers 2..L, dW 2BN².
    const double flops = 2.0 * batch * nn * (2.0 * layers + (layers - 1));
    for (DType dtype : {DType::Float32, DType::Float64}) {
      const int n_steps = width >= 16384 ? std::max(2, steps / 10) : steps;
      const double sec = per_step(cuda, model, w, dtype, n_steps);
      // Weights: read (forward), read (input gradient), read + write (SGD in the dW GEMM).
      const double bytes = (4.0 * layers - 1) * nn * (dtype == DType::Float64 ? 8 : 4);
      std::printf("W2 chain N=%-5d B=%d L=%d %s: %9.3f ms/step  %8.1f GFLOP/s  %7.1f GB/s\n", width,
                  batch, layers, dtype_name(dtype), sec * 1e3, flops / sec / 1e9, bytes / sec / 1e9);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool bench = argc > 1 && std::string(argv[1]) == "--bench";
  const int steps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;

  GdlnCudaProbe probe{};
  gdln_cuda_probe(&probe);
  if (!probe.built || probe.error != 0 || probe.device_count == 0) {
    std::printf("SKIP: no CUDA device (%s)\n", probe.status);
    return kSkip;
  }
  std::printf("device: %s\n", probe.status);
  std::unique_ptr<Backend> cuda;
  try {
    cuda = make_cuda_backend();
  } catch (const Error& e) {
    std::printf("SKIP: no CUDA device (%s: %s)\n", e.code().c_str(), e.what());
    return kSkip;
  }
  const char* atomic_env = std::getenv("GDLN_CUDA_ATOMIC");
  const bool atomic = atomic_env != nullptr && atomic_env[0] != '\0' && atomic_env[0] != '0';
  std::printf("edge sums: %s\n", atomic ? "atomicAdd (GDLN_CUDA_ATOMIC=1)" : "deterministic");

  try {
    if (bench) {
      bench_w1(*cuda, steps);
      bench_w2(*cuda, steps);
      return 0;
    }
    run_conformance(*cuda, atomic);
    run_behaviour(*cuda);
  } catch (const Error& e) {
    check(false, std::string("uncaught ") + e.code() + ": " + e.what());
  }
  std::printf("%d checks, %d failed\n", g_checks, g_failures);
  if (g_failures == 0) std::printf("test_cuda_backend: all passed\n");
  return g_failures == 0 ? 0 : 1;
}
