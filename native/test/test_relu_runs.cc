// native/test/test_relu_runs.cc — many small ReLU runs in one call
// (cpu/relu_runs.h) against the plain float64 reference (relu_runs_ref.cc):
// losses, outputs, final weights and gating bits for 1 and 2 hidden layers,
// with and without momentum, float64 (≤ 1e-10 relative) and float32 (≤ 1e-4);
// bitwise identical for 1, 2, 3 threads; cancellation, progress, divergence
// and validation errors.
#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "cpu/relu_runs.h"
#include "gdln/shuffle.h"
#include "gdln/status.h"
#include "test/check.h"

namespace {

using namespace gdln;
using namespace gdln::reln;
using namespace gdln::test;

double gauss(Xoshiro128ss& rng) {
  double u = 0;
  while (u == 0) u = (rng.next_u32() + 0.5) / 4294967296.0;
  const double v = rng.next_u32() / 4294967296.0;
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

ReluRunsSpec random_spec(uint32_t seed, std::vector<int64_t> hidden, int64_t runs, double momentum, bool one_hot) {
  Xoshiro128ss rng(seed);
  ReluRunsSpec s;
  s.n = 13;
  s.d_in = 6;
  s.d_out = 4;
  s.hidden = hidden;
  s.runs = runs;
  s.epochs = 60;
  s.lr = 0.05;
  s.momentum = momentum;
  s.record_epochs = {0, 1, 17, 60};
  s.record_outputs = true;
  s.return_weights = true;
  for (int64_t i = 0; i < s.n * s.d_in; ++i) s.inputs.push_back(one_hot ? ((i % s.d_in) == (i / s.d_in) % s.d_in ? 1 : 0) : gauss(rng));
  for (int64_t i = 0; i < s.n * s.d_out; ++i) s.targets.push_back(gauss(rng));
  for (int64_t i = 0; i < runs * s.params_per_run(); ++i) s.init_weights.push_back(0.5 * gauss(rng));
  return s;
}

double rel(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return scale == 0 ? diff : diff / scale;
}

// Fraction of gating bits that differ.
double flipped(const GatingRecord& a, const GatingRecord& b) {
  int64_t diff = 0;
  for (size_t i = 0; i < a.bits.size(); ++i) diff += __builtin_popcountll(a.bits[i] ^ b.bits[i]);
  return static_cast<double>(diff) / static_cast<double>(a.rows() * a.n);
}

void compare_to_ref() {
  ThreadPool pool(2);
  uint32_t seed = 100;
  for (auto hidden : {std::vector<int64_t>{37}, std::vector<int64_t>{21, 18}}) {
    for (double mom : {0.0, 0.9}) {
      for (bool one_hot : {false, true}) {
        ReluRunsSpec s = random_spec(++seed, hidden, 3, mom, one_hot);
        auto ref = run_relu_runs_ref(s);
        const std::string tag = "L" + std::to_string(hidden.size()) + " mom " + std::to_string(mom) + (one_hot ? " one-hot" : "");
        for (bool f32 : {false, true}) {
          s.float32 = f32;
          auto got = run_relu_runs(s, pool, {});
          const double tol = f32 ? 1e-4 : 1e-10;
          const std::string t = tag + (f32 ? " f32" : " f64");
          check(rel(got->loss, ref->loss) <= tol, t + ": loss rel " + std::to_string(rel(got->loss, ref->loss)));
          check(rel(got->final_loss, ref->final_loss) <= tol, t + ": final loss");
          check(rel(got->outputs, ref->outputs) <= (f32 ? 1e-3 : 1e-9), t + ": outputs rel " + std::to_string(rel(got->outputs, ref->outputs)));
          check(rel(got->weights, ref->weights) <= (f32 ? 1e-3 : 1e-9), t + ": weights rel " + std::to_string(rel(got->weights, ref->weights)));
          const double fl = flipped(*got, *ref);
          check(fl <= (f32 ? 0.01 : 1e-3), t + ": flipped bits " + std::to_string(fl));
          if (!f32) check(fl == 0, t + ": no flipped bits in float64");
        }
      }
    }
  }
}

void threads_bitwise() {
  ReluRunsSpec s = random_spec(7, {30, 9}, 7, 0.5, false);
  for (bool f32 : {false, true}) {
    s.float32 = f32;
    ThreadPool p1(1), p2(2), p3(3);
    auto a = run_relu_runs(s, p1, {});
    auto b = run_relu_runs(s, p2, {});
    auto c = run_relu_runs(s, p3, {});
    check(a->bits == b->bits && a->bits == c->bits, "threads: bits");
    check(a->loss == b->loss && a->loss == c->loss, "threads: loss");
    check(a->weights == b->weights && a->weights == c->weights, "threads: weights");
    check(a->outputs == b->outputs && a->outputs == c->outputs, "threads: outputs");
  }
}

void cancel_progress_errors() {
  ThreadPool pool(2);
  ReluRunsSpec s = random_spec(9, {50}, 6, 0, false);
  s.epochs = 2000;
  s.record_epochs = {0, 2000};
  std::atomic<bool> cancel{false};
  ReluRunsHooks hooks;
  hooks.cancel = &cancel;
  int64_t last = -1, calls = 0;
  bool ordered = true;
  hooks.progress_every = 500;
  hooks.on_progress = [&](int64_t, int64_t epochs) {
    ordered = ordered && epochs > last;
    last = epochs;
    if (++calls == 3) cancel.store(true);
  };
  expect_error("GDLN_ABORTED", [&] { run_relu_runs(s, pool, hooks); }, "cancel");
  check(ordered, "progress: increasing");
  // Progress reaches runs × epochs.
  cancel.store(false);
  calls = -1000000;
  last = -1;
  s.runs = 2;
  s.init_weights.resize(static_cast<size_t>(2 * s.params_per_run()));
  run_relu_runs(s, pool, hooks);
  check(last == 2 * 2000, "progress: ends at runs × epochs, got " + std::to_string(last));

  auto expect = [&](const char* code, const ReluRunsSpec& bad, const std::string& what) {
    expect_error(code, [&] { run_relu_runs(bad, pool, {}); }, what);
  };
  ReluRunsSpec b = random_spec(3, {5}, 1, 0, false);
  { auto x = b; x.inputs[3] = NAN; expect(codes::kNonFinite, x, "NaN input"); }
  { auto x = b; x.inputs.pop_back(); expect(codes::kShapeMismatch, x, "short inputs"); }
  { auto x = b; x.init_weights.pop_back(); expect(codes::kShapeMismatch, x, "short weights"); }
  { auto x = b; x.hidden = {}; expect(codes::kInvalidArgument, x, "no hidden layer"); }
  { auto x = b; x.record_epochs = {3, 3}; expect(codes::kInvalidArgument, x, "record epochs not ascending"); }
  { auto x = b; x.record_epochs = {61}; expect(codes::kInvalidArgument, x, "record epoch > epochs"); }
  { auto x = b; x.float32 = true; x.targets[0] = 1e300; expect(codes::kNonFinite, x, "float32 overflow"); }
  { auto x = b; x.lr = 1e6; for (double& w : x.init_weights) w *= 100; expect(codes::kDiverged, x, "diverged"); }
}

void wide_rows() {
  // N > 64: two words per row; both kernels agree bitwise on the bits (f64).
  ReluRunsSpec s = random_spec(21, {17}, 2, 0, false);
  Xoshiro128ss rng(5);
  s.n = 70;
  s.inputs.clear();
  s.targets.clear();
  for (int64_t i = 0; i < s.n * s.d_in; ++i) s.inputs.push_back(gauss(rng));
  for (int64_t i = 0; i < s.n * s.d_out; ++i) s.targets.push_back(gauss(rng));
  ThreadPool pool(2);
  auto got = run_relu_runs(s, pool, {});
  auto ref = run_relu_runs_ref(s);
  check(got->words == 2, "wide: 2 words per row");
  check(flipped(*got, *ref) == 0, "wide: bits agree");
  check(rel(got->loss, ref->loss) <= 1e-10, "wide: loss");
}

}  // namespace

int main() {
  compare_to_ref();
  threads_bitwise();
  cancel_progress_errors();
  wide_rows();
  return finish("test_relu_runs");
}
