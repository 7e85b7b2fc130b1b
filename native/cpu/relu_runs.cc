// relu_runs.cc — see relu_runs.h.
//
// Kernel layout. Everything of one run fits in L1/L2 (W3: 700 hidden, 24
// samples), so the kernel is plain loops over preallocated buffers, vectorised
// over the hidden dimension (the large one):
//   - W_1 is kept transposed, [d, h1]: a_1[i,:] = Σ_k x_ik W_1ᵀ[k,:] (axpy over
//     h1, terms with x_ik == 0 skipped: they add an exact zero) and
//     ∂W_1ᵀ[k,:] = Σ_i x_ik δ_1[i,:];
//   - W_2 [h2, h1] and W_out [o, h_L] keep the [out, in] layout: forward is a
//     dot product over the hidden input (16 fixed partial sums, then a fixed
//     tree: the order depends on the length only), the input gradient and the
//     weight gradient are axpys over the hidden input (zero δ skipped).
// The update of a row follows its gradient at once (the input gradient of a
// layer is formed from the weights before their update).
//
// ISA: on x86-64 Linux with GCC the per-chunk entry points are compiled for
// AVX-512, AVX2 and the baseline (target_clones, picked at load time). A run
// always executes on one thread, so the thread count never changes bits.
#include "relu_runs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>

#include "gdln/gemm.h"
#include "gdln/status.h"

namespace gdln::reln {

int64_t ReluRunsSpec::params_per_run() const {
  int64_t p = 0;
  int64_t in = d_in;
  for (int64_t h : hidden) {
    p += h * in;
    in = h;
  }
  return p + d_out * in;
}

int64_t GatingRecord::total_hidden() const {
  int64_t t = 0;
  for (int64_t h : hidden) t += h;
  return t;
}

int64_t GatingRecord::row_index(int64_t run, int64_t snapshot, int layer, int64_t neuron) const {
  int64_t offset = 0;
  for (int l = 0; l < layer; ++l) offset += hidden[static_cast<size_t>(l)];
  return (run * snapshots + snapshot) * total_hidden() + offset + neuron;
}

size_t GatingRecord::bytes() const {
  return bits.size() * sizeof(uint64_t) +
         (loss.size() + final_loss.size() + active_fraction.size() + outputs.size() + weights.size()) * sizeof(double);
}

namespace {

constexpr const char* kAborted = "GDLN_ABORTED";
constexpr int64_t kMaxElements = int64_t{1} << 40;

[[noreturn]] void fail(const char* code, const std::string& message) { throw Error(code, message); }

void check_finite(const std::vector<double>& v, const char* name, bool float32) {
  const double limit = float32 ? static_cast<double>(std::numeric_limits<float>::max())
                               : std::numeric_limits<double>::max();
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      fail(codes::kNonFinite, std::string("Expected finite numbers for ") + name + " but element " +
                                  std::to_string(i) + " is " + std::to_string(v[i]));
    }
    if (std::fabs(v[i]) > limit) {
      fail(codes::kNonFinite, std::string("Expected values representable in float32 for ") + name +
                                  " but element " + std::to_string(i) + " is " + std::to_string(v[i]));
    }
  }
}

// ------------------------------------------------------------------ kernels

#if defined(__GNUC__)
#define GDLN_INLINE __attribute__((always_inline)) inline
#else
#define GDLN_INLINE inline
#endif

constexpr int kLanes = 16;

// Σ_j a_j b_j in a fixed order: 16 strided partial sums, then a tree.
template <typename T>
GDLN_INLINE T dot_lanes(const T* __restrict a, const T* __restrict b, int64_t n) {
  T acc[kLanes];
  for (int l = 0; l < kLanes; ++l) acc[l] = T(0);
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) acc[l] += a[j + l] * b[j + l];
  }
  for (int l = 0; j < n; ++j, ++l) acc[l] += a[j] * b[j];
  for (int w = kLanes / 2; w >= 1; w /= 2) {
    for (int l = 0; l < w; ++l) acc[l] += acc[l + w];
  }
  return acc[0];
}

// y[j] = Σ_r coef[r·stride] rows[r·ld + j] for j < n, summed from 0 in r order
// (terms with a zero coefficient are skipped: they add an exact zero). Tiles
// of kTile outputs stay in registers across r.
template <typename T>
GDLN_INLINE void combine_rows(const T* __restrict coef, int64_t stride, int64_t R, const T* __restrict rows,
                              int64_t ld, T* __restrict y, int64_t n) {
  constexpr int64_t kTile = 64 / sizeof(T) * 4;  // 4 (AVX-512) or 8 (AVX2) vector registers
  int64_t j0 = 0;
  for (; j0 + kTile <= n; j0 += kTile) {
    T acc[kTile];
    for (int64_t t = 0; t < kTile; ++t) acc[t] = T(0);
    for (int64_t r = 0; r < R; ++r) {
      const T a = coef[r * stride];
      if (a == T(0)) continue;
      const T* w = rows + r * ld + j0;
      for (int64_t t = 0; t < kTile; ++t) acc[t] += a * w[t];
    }
    for (int64_t t = 0; t < kTile; ++t) y[j0 + t] = acc[t];
  }
  if (j0 < n) {
    for (int64_t j = j0; j < n; ++j) y[j] = T(0);
    for (int64_t r = 0; r < R; ++r) {
      const T a = coef[r * stride];
      if (a == T(0)) continue;
      const T* w = rows + r * ld;
      for (int64_t j = j0; j < n; ++j) y[j] += a * w[j];
    }
  }
}

// out[c] = dot_lanes(w + c·ld, h, n) for c < m, four rows at a time sharing
// the loads of h (same order per dot as dot_lanes, so the same bits).
template <typename T>
GDLN_INLINE void dot_rows(const T* __restrict w, int64_t ld, int64_t m, const T* __restrict h, int64_t n,
                          T* __restrict out, int64_t out_stride) {
  int64_t c = 0;
  for (; c + 4 <= m; c += 4) {
    T acc[4][kLanes];
    for (int q = 0; q < 4; ++q)
      for (int l = 0; l < kLanes; ++l) acc[q][l] = T(0);
    const T* w0 = w + c * ld;
    int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes) {
      for (int q = 0; q < 4; ++q)
        for (int l = 0; l < kLanes; ++l) acc[q][l] += w0[q * ld + j + l] * h[j + l];
    }
    for (int q = 0; q < 4; ++q) {
      T* a = acc[q];
      for (int64_t jj = j, l = 0; jj < n; ++jj, ++l) a[l] += w0[q * ld + jj] * h[jj];
      for (int s = kLanes / 2; s >= 1; s /= 2)
        for (int l = 0; l < s; ++l) a[l] += a[l + s];
      out[(c + q) * out_stride] = a[0];
    }
  }
  for (; c < m; ++c) out[c * out_stride] = dot_lanes(w + c * ld, h, n);
}

// W −= lr·g, or with momentum buf = μ·buf + g (buf₀ = g), W −= lr·buf.
template <typename T>
GDLN_INLINE void sgd_row(T* __restrict w, const T* __restrict g, T* __restrict buf, int64_t n,
                         T lr, T mu, bool momentum, bool first) {
  if (!momentum) {
    for (int64_t j = 0; j < n; ++j) w[j] -= lr * g[j];
  } else if (first) {
    for (int64_t j = 0; j < n; ++j) {
      buf[j] = g[j];
      w[j] -= lr * buf[j];
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      buf[j] = mu * buf[j] + g[j];
      w[j] -= lr * buf[j];
    }
  }
}

// Everything one chunk of runs shares (read only) and writes (disjoint runs).
struct Shared {
  const ReluRunsSpec* spec;
  const ReluRunsHooks* hooks;
  GatingRecord* record;
  std::atomic<bool>* stop;
  std::atomic<int64_t>* epochs_done;
  std::atomic<int64_t>* runs_done;
  std::mutex* progress_mutex;
  int64_t* last_reported;
};

void report(const Shared& sh, int64_t add, bool run_finished) {
  const int64_t total = sh.epochs_done->fetch_add(add) + add;
  if (run_finished) sh.runs_done->fetch_add(1);
  const ReluRunsHooks& hooks = *sh.hooks;
  if (!hooks.on_progress || hooks.progress_every <= 0) return;
  std::lock_guard<std::mutex> lock(*sh.progress_mutex);
  if (total / hooks.progress_every > *sh.last_reported / hooks.progress_every || run_finished) {
    if (total > *sh.last_reported || run_finished) {
      *sh.last_reported = std::max(*sh.last_reported, total);
      hooks.on_progress(sh.runs_done->load(), *sh.last_reported);
    }
  }
}

template <typename T>
struct Work {
  int64_t n, d, o, L, h1, h2, hl;
  std::vector<T> x, y;                 // [n, d], [n, o]
  std::vector<T> w1t, w2, wo;          // [d, h1], [h2, h1], [o, hL]
  std::vector<T> m1t, m2, mo;          // momentum buffers
  std::vector<T> a1, h1v, a2, h2v;     // [n, h]
  std::vector<T> yhat, e;              // [n, o]
  std::vector<T> dh1, dh2;             // [n, h] (δ of the hidden layers)
  std::vector<T> grow;                 // one gradient row, max(h1, hL)
  std::vector<T> gout;                 // ∂W_out [o, hL]

  explicit Work(const ReluRunsSpec& s) {
    n = s.n;
    d = s.d_in;
    o = s.d_out;
    L = static_cast<int64_t>(s.hidden.size());
    h1 = s.hidden[0];
    h2 = L == 2 ? s.hidden[1] : 0;
    hl = L == 2 ? h2 : h1;
    x.assign(s.inputs.begin(), s.inputs.end());
    y.assign(s.targets.begin(), s.targets.end());
    w1t.resize(static_cast<size_t>(d * h1));
    w2.resize(static_cast<size_t>(h2 * h1));
    wo.resize(static_cast<size_t>(o * hl));
    const bool mom = s.momentum != 0;
    m1t.resize(mom ? w1t.size() : 0);
    m2.resize(mom ? w2.size() : 0);
    mo.resize(mom ? wo.size() : 0);
    a1.resize(static_cast<size_t>(n * h1));
    h1v.resize(a1.size());
    a2.resize(static_cast<size_t>(n * h2));
    h2v.resize(a2.size());
    yhat.resize(static_cast<size_t>(n * o));
    e.resize(yhat.size());
    dh1.resize(a1.size());
    dh2.resize(a2.size());
    grow.resize(static_cast<size_t>(std::max(h1, hl)));
    gout.resize(wo.size());
  }

  void load(const double* p) {
    for (int64_t j = 0; j < h1; ++j)
      for (int64_t k = 0; k < d; ++k) w1t[k * h1 + j] = static_cast<T>(p[j * d + k]);
    p += h1 * d;
    for (size_t i = 0; i < w2.size(); ++i) w2[i] = static_cast<T>(p[i]);
    p += w2.size();
    for (size_t i = 0; i < wo.size(); ++i) wo[i] = static_cast<T>(p[i]);
  }

  void store(double* p) const {
    for (int64_t j = 0; j < h1; ++j)
      for (int64_t k = 0; k < d; ++k) p[j * d + k] = static_cast<double>(w1t[k * h1 + j]);
    p += h1 * d;
    for (size_t i = 0; i < w2.size(); ++i) p[i] = static_cast<double>(w2[i]);
    p += w2.size();
    for (size_t i = 0; i < wo.size(); ++i) p[i] = static_cast<double>(wo[i]);
  }
};

// The forward pass; returns the loss (float64 sums).
template <typename T>
GDLN_INLINE double forward(Work<T>& w) {
  const int64_t n = w.n, d = w.d, o = w.o, h1 = w.h1, h2 = w.h2, hl = w.hl;
  for (int64_t i = 0; i < n; ++i) {
    T* a = &w.a1[i * h1];
    combine_rows(&w.x[i * d], 1, d, w.w1t.data(), h1, a, h1);
    T* h = &w.h1v[i * h1];
    for (int64_t j = 0; j < h1; ++j) h[j] = a[j] > T(0) ? a[j] : T(0);
  }
  const T* hlast = w.h1v.data();
  if (w.L == 2) {
    for (int64_t i = 0; i < n; ++i) {
      const T* hin = &w.h1v[i * h1];
      T* a = &w.a2[i * h2];
      T* h = &w.h2v[i * h2];
      dot_rows(w.w2.data(), h1, h2, hin, h1, a, 1);
      for (int64_t q = 0; q < h2; ++q) h[q] = a[q] > T(0) ? a[q] : T(0);
    }
    hlast = w.h2v.data();
  }
  // ŷ = h_L W_outᵀ [n, o]
  gemm(Trans::No, Trans::Yes, n, o, hl, T(1), hlast, hl, w.wo.data(), hl, T(0), w.yhat.data(), o);
  double loss = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < o; ++c) {
      const T err = w.yhat[i * o + c] - w.y[i * o + c];
      w.e[i * o + c] = err;
      loss += static_cast<double>(err) * static_cast<double>(err);
    }
  }
  return loss / (2.0 * static_cast<double>(n));
}

template <typename T>
GDLN_INLINE void backward_update(Work<T>& w, T lr, T mu, bool momentum, bool first) {
  const int64_t n = w.n, d = w.d, o = w.o, h1 = w.h1, h2 = w.h2, hl = w.hl;
  const T inv_n = T(1) / static_cast<T>(n);
  for (auto& v : w.e) v *= inv_n;  // e = ∂L/∂ŷ from here on
  const T* hlast = w.L == 2 ? w.h2v.data() : w.h1v.data();
  const T* alast = w.L == 2 ? w.a2.data() : w.a1.data();
  T* dlast = w.L == 2 ? w.dh2.data() : w.dh1.data();
  // δ_L = (e W_out) ⊙ step(a_L), with W_out before its update.
  gemm(Trans::No, Trans::No, n, hl, o, T(1), w.e.data(), o, w.wo.data(), hl, T(0), dlast, hl);
  for (int64_t i = 0; i < n; ++i) {
    T* dl = dlast + i * hl;
    const T* a = alast + i * hl;
    for (int64_t j = 0; j < hl; ++j) dl[j] = a[j] > T(0) ? dl[j] : T(0);
  }
  // ∂W_out[c,:] = Σ_i e_ic h_L[i,:], then the update of that row.
  T* g = w.grow.data();
  gemm(Trans::Yes, Trans::No, o, hl, n, T(1), w.e.data(), o, hlast, hl, T(0), w.gout.data(), hl);
  sgd_row(w.wo.data(), w.gout.data(), momentum ? w.mo.data() : nullptr, o * hl, lr, mu, momentum, first);
  if (w.L == 2) {
    // δ_1 = (δ_2 W_2) ⊙ step(a_1), with W_2 before its update.
    for (int64_t i = 0; i < n; ++i) {
      T* dl = &w.dh1[i * h1];
      combine_rows(&w.dh2[i * h2], 1, h2, w.w2.data(), h1, dl, h1);
      const T* a = &w.a1[i * h1];
      for (int64_t j = 0; j < h1; ++j) dl[j] = a[j] > T(0) ? dl[j] : T(0);
    }
    for (int64_t q = 0; q < h2; ++q) {
      combine_rows(&w.dh2[q], h2, n, w.h1v.data(), h1, g, h1);
      sgd_row(&w.w2[q * h1], g, momentum ? &w.m2[q * h1] : nullptr, h1, lr, mu, momentum, first);
    }
  }
  // ∂W_1ᵀ[k,:] = Σ_i x_ik δ_1[i,:].
  for (int64_t k = 0; k < d; ++k) {
    combine_rows(&w.x[k], d, n, w.dh1.data(), h1, g, h1);
    sgd_row(&w.w1t[k * h1], g, momentum ? &w.m1t[k * h1] : nullptr, h1, lr, mu, momentum, first);
  }
}

template <typename T>
GDLN_INLINE void record_snapshot(const Work<T>& w, GatingRecord& rec, int64_t run, int64_t snap) {
  const int64_t n = w.n, words = rec.words;
  for (int layer = 0; layer < static_cast<int>(w.L); ++layer) {
    const int64_t h = layer == 0 ? w.h1 : w.h2;
    const T* a = layer == 0 ? w.a1.data() : w.a2.data();
    uint64_t* rows = &rec.bits[static_cast<size_t>(rec.row_index(run, snap, layer, 0) * words)];
    std::memset(rows, 0, static_cast<size_t>(h * words) * sizeof(uint64_t));
    int64_t ones = 0;
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t bit = uint64_t{1} << (i % 64);
      const int64_t word = i / 64;
      const T* ai = a + i * h;
      for (int64_t j = 0; j < h; ++j) {
        if (ai[j] > T(0)) {
          rows[j * words + word] |= bit;
          ++ones;
        }
      }
    }
    rec.active_fraction[static_cast<size_t>((run * rec.snapshots + snap) * w.L + layer)] =
        static_cast<double>(ones) / static_cast<double>(h * n);
  }
  if (!rec.outputs.empty()) {
    double* out = &rec.outputs[static_cast<size_t>((run * rec.snapshots + snap) * n * w.o)];
    for (int64_t i = 0; i < n * w.o; ++i) out[i] = static_cast<double>(w.yhat[static_cast<size_t>(i)]);
  }
}

// Trains runs [begin, end) one after the other.
template <typename T>
GDLN_INLINE void run_chunk_body(const Shared& sh, int64_t begin, int64_t end) {
  const ReluRunsSpec& s = *sh.spec;
  GatingRecord& rec = *sh.record;
  Work<T> w(s);
  const T lr = static_cast<T>(s.lr);
  const T mu = static_cast<T>(s.momentum);
  const bool momentum = s.momentum != 0;
  const int64_t params = s.params_per_run();
  constexpr int64_t kFlush = 64;
  for (int64_t run = begin; run < end; ++run) {
    if (sh.stop->load(std::memory_order_relaxed)) return;
    w.load(&s.init_weights[static_cast<size_t>(run * params)]);
    size_t next_record = 0;
    int64_t pending = 0;
    int64_t epoch = 0;
    double loss = 0;
    for (;; ++epoch) {
      loss = forward(w);
      if (!std::isfinite(loss)) {
        sh.stop->store(true);
        fail(codes::kDiverged, "ReLU run " + std::to_string(run) + " diverged: the loss is " +
                                   std::to_string(loss) + " at epoch " + std::to_string(epoch));
      }
      if (next_record < s.record_epochs.size() && s.record_epochs[next_record] == epoch) {
        rec.loss[static_cast<size_t>(run * rec.snapshots + static_cast<int64_t>(next_record))] = loss;
        record_snapshot(w, rec, run, static_cast<int64_t>(next_record));
        ++next_record;
      }
      if (epoch == s.epochs) break;
      if ((sh.hooks->cancel != nullptr && sh.hooks->cancel->load(std::memory_order_relaxed)) ||
          sh.stop->load(std::memory_order_relaxed)) {
        sh.stop->store(true);
        return;
      }
      backward_update(w, lr, mu, momentum, epoch == 0);
      if (++pending == kFlush) {
        report(sh, pending, false);
        pending = 0;
      }
    }
    if (!rec.weights.empty()) w.store(&rec.weights[static_cast<size_t>(run * params)]);
    rec.final_loss[static_cast<size_t>(run)] = loss;
    report(sh, pending, true);
  }
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define GDLN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GDLN_CLONES
#endif

GDLN_CLONES void run_chunk_f64(const Shared& sh, int64_t begin, int64_t end) {
  run_chunk_body<double>(sh, begin, end);
}
GDLN_CLONES void run_chunk_f32(const Shared& sh, int64_t begin, int64_t end) {
  run_chunk_body<float>(sh, begin, end);
}

}  // namespace

void validate_relu_runs(const ReluRunsSpec& s) {
  if (s.n < 1 || s.d_in < 1 || s.d_out < 1) {
    fail(codes::kShapeMismatch, "Expected at least one sample, one input and one output but received n = " +
                                    std::to_string(s.n) + ", d_in = " + std::to_string(s.d_in) +
                                    ", d_out = " + std::to_string(s.d_out));
  }
  if (s.hidden.empty() || s.hidden.size() > 2) {
    fail(codes::kInvalidArgument, "Expected 1 or 2 hidden layers for hidden but received " +
                                      std::to_string(s.hidden.size()));
  }
  for (int64_t h : s.hidden) {
    if (h < 1 || h > (int64_t{1} << 24)) {
      fail(codes::kInvalidArgument, "Expected hidden widths in [1, 2^24] for hidden but received " + std::to_string(h));
    }
  }
  if (s.runs < 1) fail(codes::kInvalidArgument, "Expected runs ≥ 1 for runs but received " + std::to_string(s.runs));
  if (s.epochs < 0) fail(codes::kInvalidArgument, "Expected epochs ≥ 0 for epochs but received " + std::to_string(s.epochs));
  if (!std::isfinite(s.lr) || s.lr < 0) fail(codes::kInvalidArgument, "Expected a finite lr ≥ 0 for lr but received " + std::to_string(s.lr));
  if (!std::isfinite(s.momentum) || s.momentum < 0 || s.momentum >= 1) {
    fail(codes::kInvalidArgument, "Expected momentum in [0, 1) for momentum but received " + std::to_string(s.momentum));
  }
  if (static_cast<int64_t>(s.inputs.size()) != s.n * s.d_in) {
    fail(codes::kShapeMismatch, "Expected " + std::to_string(s.n * s.d_in) + " values (n × d_in) for inputs but received " +
                                    std::to_string(s.inputs.size()));
  }
  if (static_cast<int64_t>(s.targets.size()) != s.n * s.d_out) {
    fail(codes::kShapeMismatch, "Expected " + std::to_string(s.n * s.d_out) + " values (n × d_out) for targets but received " +
                                    std::to_string(s.targets.size()));
  }
  const int64_t params = s.params_per_run();
  if (params > kMaxElements / s.runs) fail(codes::kInvalidArgument, "too many weights: runs × params_per_run overflows");
  if (static_cast<int64_t>(s.init_weights.size()) != s.runs * params) {
    fail(codes::kShapeMismatch, "Expected " + std::to_string(s.runs * params) + " values (runs × " + std::to_string(params) +
                                    " weights per run) for initWeights but received " + std::to_string(s.init_weights.size()));
  }
  for (size_t i = 0; i < s.record_epochs.size(); ++i) {
    const int64_t e = s.record_epochs[i];
    if (e < 0 || e > s.epochs || (i > 0 && e <= s.record_epochs[i - 1])) {
      fail(codes::kInvalidArgument, "Expected strictly ascending epochs in [0, " + std::to_string(s.epochs) +
                                        "] for recordEpochs but element " + std::to_string(i) + " is " + std::to_string(e));
    }
  }
  int64_t total_hidden = 0;
  for (int64_t h : s.hidden) total_hidden += h;
  const int64_t words = (s.n + 63) / 64;
  const int64_t snaps = static_cast<int64_t>(s.record_epochs.size());
  if (snaps > 0 && total_hidden * words > kMaxElements / (s.runs * snaps)) {
    fail(codes::kInvalidArgument, "the gating record would be too large (runs × snapshots × hidden × words)");
  }
  check_finite(s.inputs, "inputs", s.float32);
  check_finite(s.targets, "targets", s.float32);
  check_finite(s.init_weights, "initWeights", s.float32);
}

std::unique_ptr<GatingRecord> run_relu_runs(const ReluRunsSpec& spec, ThreadPool& pool,
                                            const ReluRunsHooks& hooks) {
  validate_relu_runs(spec);
  auto rec = std::make_unique<GatingRecord>();
  rec->runs = spec.runs;
  rec->snapshots = static_cast<int64_t>(spec.record_epochs.size());
  rec->n = spec.n;
  rec->d_out = spec.d_out;
  rec->words = (spec.n + 63) / 64;
  rec->hidden = spec.hidden;
  rec->record_epochs = spec.record_epochs;
  rec->bits.resize(static_cast<size_t>(rec->rows() * rec->words));
  rec->loss.assign(static_cast<size_t>(rec->runs * rec->snapshots), 0.0);
  rec->final_loss.assign(static_cast<size_t>(rec->runs), 0.0);
  rec->active_fraction.assign(static_cast<size_t>(rec->runs * rec->snapshots) * spec.hidden.size(), 0.0);
  if (spec.record_outputs) rec->outputs.assign(static_cast<size_t>(rec->runs * rec->snapshots * spec.n * spec.d_out), 0.0);
  if (spec.return_weights) rec->weights.assign(spec.init_weights.size(), 0.0);

  std::atomic<bool> stop{false};
  std::atomic<int64_t> epochs_done{0};
  std::atomic<int64_t> runs_done{0};
  std::mutex progress_mutex;
  int64_t last_reported = 0;
  Shared sh{&spec, &hooks, rec.get(), &stop, &epochs_done, &runs_done, &progress_mutex, &last_reported};
  pool.parallel_for(spec.runs, 1, [&](int64_t begin, int64_t end) {
    if (spec.float32) {
      run_chunk_f32(sh, begin, end);
    } else {
      run_chunk_f64(sh, begin, end);
    }
  });
  if (stop.load() || (hooks.cancel != nullptr && hooks.cancel->load() && runs_done.load() < spec.runs)) {
    throw Error(kAborted, "the ReLU runs were cancelled after " + std::to_string(epochs_done.load()) +
                              " epochs (" + std::to_string(runs_done.load()) + " of " +
                              std::to_string(spec.runs) + " runs finished)");
  }
  return rec;
}

}  // namespace gdln::reln
