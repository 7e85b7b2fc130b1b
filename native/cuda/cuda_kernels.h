// native/cuda/cuda_kernels.h — the boundary between the CUDA engine's host
// code (cuda_engine.cc, plain C++) and its device code (cuda_kernels.cu, the
// only file that includes cuda_runtime.h besides device_probe.cu). Everything
// here is plain data: descriptors the host fills and uploads once per plan,
// and launchers that take device pointers.
//
// Promise: every function throws gdln::Error on failure — GDLN_NO_CUDA_DEVICE
// when there is no usable device or driver, GDLN_INTERNAL with the
// cudaGetErrorString text (and what was being done) otherwise — and never
// aborts. Launchers only enqueue work on the default stream; an error raised
// by a kernel while it runs surfaces at the next copy or synchronize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace gdln {
namespace cuda {

// ---------------------------------------------------------------- device memory

void select_device();  // cudaSetDevice(0) on the calling thread
void* device_alloc(size_t bytes, const char* what);
void device_free(void* ptr) noexcept;
void copy_to_device(void* dst, const void* src, size_t bytes, const char* what);
void copy_to_host(void* dst, const void* src, size_t bytes, const char* what);
void copy_on_device(void* dst, const void* src, size_t bytes, const char* what);
void device_zero(void* ptr, size_t bytes, const char* what);
void device_synchronize(const char* what);

// An owned device allocation of n elements of T (RAII, move-only).
template <typename T>
class DeviceArray {
 public:
  DeviceArray() = default;
  DeviceArray(size_t n, const char* what) { reset(n, what); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept { swap(other); }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    swap(other);
    return *this;
  }
  ~DeviceArray() { device_free(ptr_); }

  // Discards the contents; a size of 0 holds no allocation.
  void reset(size_t n, const char* what) {
    device_free(ptr_);
    ptr_ = nullptr;
    size_ = 0;
    if (n > 0) ptr_ = static_cast<T*>(device_alloc(n * sizeof(T), what));
    size_ = n;
  }
  // Grows (discarding the contents) only when n exceeds the current size.
  void ensure(size_t n, const char* what) {
    if (n > size_) reset(n, what);
  }
  T* get() const { return ptr_; }
  size_t size() const { return size_; }

 private:
  void swap(DeviceArray& other) noexcept {
    std::swap(ptr_, other.ptr_);
    std::swap(size_, other.size_);
  }
  T* ptr_ = nullptr;
  size_t size_ = 0;
};

// ---------------------------------------------------------------- descriptors

// The three products of the gated sweeps, one GemmGroup per edge; all the
// groups of one launch run in a single grid (a grouped GEMM), one 64×64 output
// tile per block. `rows` lists the edge's active batch rows (plan.h) and
// `gate` the edge gate g_q on each of them. B = batch rows, m = |rows|.
//   Forward     M = m,   N = |t|, K = |s|:  C[i, j] = g[i] · Σ_p h_s[rows[i], p] · W[j, p]
//   Backward    M = m,   N = |s|, K = |t|:  C[i, j] = Σ_p g[i] · δ_t[rows[i], p] · W[p, j]
//   WeightGrad  M = |t|, N = |s|, K = m:    C[i, j] = Σ_p g[p] · δ_t[rows[p], i] · h_s[rows[p], j]
// Forward / Backward: with scatter = 1, C[i, :] is atomically added into
// out[rows[i], :] (out: [B, N], the node's buffer); with scatter = 0 it is
// stored in out[i, :] (out: the edge's scratch [m, N]) for the deterministic
// per-node reduction. WeightGrad: out[i, j] = alpha · C + beta · out (beta = 0
// overwrites; K = 0 gives alpha · 0).
enum class GemmMode : int32_t { Forward = 0, Backward = 1, WeightGrad = 2 };

template <typename T>
struct GemmGroup {
  int32_t M = 0, N = 0, K = 0;
  int32_t scatter = 0;
  const int32_t* rows = nullptr;  // [m]
  const T* gate = nullptr;        // [m] or null (= 1)
  const T* x = nullptr;           // Forward: h_s [B, |s|]; Backward / WeightGrad: δ_t [B, |t|]
  const T* w = nullptr;           // Forward / Backward: W_q [|t|, |s|]; WeightGrad: h_s [B, |s|]
  T* out = nullptr;
  T alpha = T(1), beta = T(0);
};

// One edge's contribution to a node in the deterministic reduction: row r of
// the node takes scratch[pos[r], :] when pos[r] ≥ 0 (pos: [B], the index of r
// in the edge's active list, −1 when the edge does not carry r).
template <typename T>
struct EdgeTerm {
  const T* scratch = nullptr;
  const int32_t* pos = nullptr;
};

// The elementwise part of one node (one descriptor per node of a level).
//   forward:  a = Σ terms (or a as accumulated by scatter), h = g_v ⊙ φ(a)
//   backward: δ = Σ terms (or δ as prefilled by the loss / scatter),
//             δ ← δ ⊙ g_v ⊙ φ'(a)
template <typename T>
struct NodeStep {
  int32_t width = 0;
  int32_t activation = 0;  // gdln::Activation
  int32_t gate_mode = 0;   // gdln::GateMode
  int32_t first_term = 0;  // into the EdgeTerm array of the launch
  int32_t n_terms = 0;
  int32_t prefilled = 0;   // 1: the buffer already holds the sum
  T slope = T(0);
  const T* node_gate = nullptr;  // dataset-indexed [N] / [N, width]
  T* a = nullptr;                // [B, width] pre-activation
  T* h = nullptr;                // forward: [B, width]; backward: δ [B, width]
};

// One output node of the loss kernel.
template <typename T>
struct LossNode {
  int32_t width = 0;
  const T* h = nullptr;       // [B, width]
  const T* target = nullptr;  // dataset-indexed [N, width]
  T* grad = nullptr;          // [B, width] or null (no gradient)
};

// ---------------------------------------------------------------- launchers

// groups / tile_start live on the device; tile_start has n_groups + 1 entries
// (prefix sums of ceil(M/64)·ceil(N/64)); n_tiles = tile_start[n_groups].
template <typename T>
void launch_grouped_gemm(GemmMode mode, const GemmGroup<T>* groups, const int64_t* tile_start,
                         int32_t n_groups, int64_t n_tiles);

// Forward elementwise step of n_nodes nodes (one launch). sample_of_row: [B]
// dataset sample of each batch row (node gates are dataset-indexed).
template <typename T>
void launch_node_forward(const NodeStep<T>* nodes, int32_t n_nodes, const EdgeTerm<T>* terms,
                         const int32_t* sample_of_row, int64_t batch, int32_t max_width);
template <typename T>
void launch_node_backward(const NodeStep<T>* nodes, int32_t n_nodes, const EdgeTerm<T>* terms,
                          const int32_t* sample_of_row, int64_t batch, int32_t max_width);

// Shared prefixes (plan.h): forward copies a, h of the representative to each
// duplicate row; backward adds the members' δ into their representative.
template <typename T>
void launch_dedup_copy(T* a, T* h, int32_t width, const int32_t* dup_rows,
                       const int32_t* dup_rep, int32_t n_dup);
template <typename T>
void launch_dedup_sum(T* delta, int32_t width, const int32_t* class_rep,
                      const int32_t* member_offset, const int32_t* members, int32_t n_classes);

// dst[r, :] = src[rows[r], :] for r < n_rows.
template <typename T>
void launch_gather_rows(T* dst, const T* src, const int32_t* rows, int64_t n_rows, int32_t width);

// sample_loss[r] = ℓ_r (float64) over the output nodes; grads scaled by `scale`.
// loss_kind: gdln::LossKind.
template <typename T>
void launch_loss(const LossNode<T>* nodes, int32_t n_nodes, const int32_t* sample_of_row,
                 int64_t batch, int32_t loss_kind, double scale, double* sample_loss);

// *out = scale · Σ_r values[r] (one block, fixed order: deterministic).
void launch_sum(const double* values, int64_t n, double scale, double* out);

// buf = μ·buf + (g + wd·w);  w −= lr·buf   over n elements.
template <typename T>
void launch_sgd_momentum(T* w, const T* grad, T* buf, int64_t n, T lr, T mu, T wd);

}  // namespace cuda
}  // namespace gdln
