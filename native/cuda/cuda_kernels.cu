// native/cuda/cuda_kernels.cu — the device code of the CUDA engine (see
// cuda_kernels.h for the descriptors and the error promise): device memory,
// the grouped tiled GEMM, the per-node elementwise steps (deterministic edge
// reduction, activation, node gate), shared-prefix copies, the loss and the
// SGD update.
//
// The GEMM is our own (no cuBLAS): 64×64 output tiles, K in steps of 16 through
// shared memory, 256 threads each holding a 4×4 block of accumulators strided
// by 16 so that shared-memory reads are conflict-free and global stores
// coalesce. Templated on float / double; no tensor cores (TF32 would miss the
// float32 tolerance of 1e-4, see native/README.md).

#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <string>

#include "cuda_kernels.h"
#include "gdln/status.h"

namespace gdln {
namespace cuda {
namespace {

[[noreturn]] void fail(cudaError_t err, const char* what) {
  const std::string text = std::string("CUDA error during ") + what + ": " +
                           cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")";
  if (err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver ||
      err == cudaErrorDevicesUnavailable || err == cudaErrorInvalidDevice) {
    throw Error(codes::kNoCudaDevice, "No usable CUDA device: " + text);
  }
  throw Error(codes::kInternal, text);
}

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) fail(err, what);
}

// A launch that failed to start (bad configuration, no device) reports here;
// faults inside the kernel surface at the next copy / synchronize.
void check_launch(const char* what) { check(cudaGetLastError(), what); }

constexpr int kThreads = 256;

// Blocks for n elements at kThreads per block, capped (grid-stride loops).
unsigned blocks_for(int64_t n, int64_t cap = 8192) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min(b, cap)));
}

// ---------------------------------------------------------------- activations
// The conventions of cpu/activations.h: φ(0) = 0, relu'(0) = 0, leaky'(0) = slope.
__device__ inline float device_tanh(float x) { return tanhf(x); }
__device__ inline double device_tanh(double x) { return tanh(x); }

template <typename T>
__device__ inline T activate(int act, T slope, T a) {
  switch (act) {
    case 1: return a > T(0) ? a : T(0);          // relu
    case 2: return a > T(0) ? a : slope * a;     // leaky relu
    case 3: return device_tanh(a);               // tanh
    default: return a;                           // linear
  }
}

template <typename T>
__device__ inline T derivative(int act, T slope, T a) {
  switch (act) {
    case 1: return a > T(0) ? T(1) : T(0);
    case 2: return a > T(0) ? T(1) : slope;
    case 3: {
      const T th = device_tanh(a);
      return T(1) - th * th;
    }
    default: return T(1);
  }
}

template <typename T>
__device__ inline T node_gate_at(const NodeStep<T>& nd, int64_t sample, int64_t k) {
  if (nd.gate_mode == 1) return nd.node_gate[sample];
  if (nd.gate_mode == 2) return nd.node_gate[sample * nd.width + k];
  return T(1);
}

// ---------------------------------------------------------------- grouped GEMM

constexpr int kTileM = 64;
constexpr int kTileN = 64;
constexpr int kTileK = 16;

template <typename T, int kMode>
__global__ void __launch_bounds__(kThreads)
    grouped_gemm_kernel(const GemmGroup<T>* groups, const int64_t* tile_start, int32_t n_groups) {
  constexpr int kForward = static_cast<int>(GemmMode::Forward);
  constexpr int kBackward = static_cast<int>(GemmMode::Backward);
  __shared__ T As[kTileK][kTileM + 1];
  __shared__ T Bs[kTileK][kTileN + 1];

  // The group owning this tile: the last one whose first tile is ≤ it (groups
  // with no tiles share their start with the next one and are never picked).
  const int64_t tile = blockIdx.x;
  int lo = 0, hi = n_groups - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) >> 1;
    if (tile_start[mid] <= tile) lo = mid; else hi = mid - 1;
  }
  const GemmGroup<T> g = groups[lo];
  const int M = g.M, N = g.N, K = g.K;
  const int64_t local = tile - tile_start[lo];
  const int tiles_n = (N + kTileN - 1) / kTileN;
  const int i0 = static_cast<int>(local / tiles_n) * kTileM;
  const int j0 = static_cast<int>(local % tiles_n) * kTileN;
  const int tx = threadIdx.x & 15;
  const int ty = threadIdx.x >> 4;

  T acc[4][4];
#pragma unroll
  for (int u = 0; u < 4; ++u)
#pragma unroll
    for (int v = 0; v < 4; ++v) acc[u][v] = T(0);

  for (int p0 = 0; p0 < K; p0 += kTileK) {
    // A tile [kTileK][kTileM]: the contiguous index of the source varies fastest.
#pragma unroll
    for (int l = 0; l < (kTileM * kTileK) / kThreads; ++l) {
      const int e = threadIdx.x + l * kThreads;
      int i, p;
      if (kMode == kForward || kMode == kBackward) {
        p = e & (kTileK - 1);
        i = e / kTileK;
      } else {
        i = e & (kTileM - 1);
        p = e / kTileM;
      }
      const int gi = i0 + i, gp = p0 + p;
      T value = T(0);
      if (gi < M && gp < K) {
        if (kMode == kForward) {
          value = g.x[static_cast<int64_t>(g.rows[gi]) * K + gp];
        } else if (kMode == kBackward) {
          value = g.x[static_cast<int64_t>(g.rows[gi]) * K + gp];
          if (g.gate != nullptr) value *= g.gate[gi];
        } else {
          value = g.x[static_cast<int64_t>(g.rows[gp]) * M + gi];
          if (g.gate != nullptr) value *= g.gate[gp];
        }
      }
      As[p][i] = value;
    }
    // B tile [kTileK][kTileN].
#pragma unroll
    for (int l = 0; l < (kTileN * kTileK) / kThreads; ++l) {
      const int e = threadIdx.x + l * kThreads;
      int j, p;
      if (kMode == kForward) {
        p = e & (kTileK - 1);
        j = e / kTileK;
      } else {
        j = e & (kTileN - 1);
        p = e / kTileN;
      }
      const int gj = j0 + j, gp = p0 + p;
      T value = T(0);
      if (gj < N && gp < K) {
        if (kMode == kForward) {
          value = g.w[static_cast<int64_t>(gj) * K + gp];
        } else if (kMode == kBackward) {
          value = g.w[static_cast<int64_t>(gp) * N + gj];
        } else {
          value = g.w[static_cast<int64_t>(g.rows[gp]) * N + gj];
        }
      }
      Bs[p][j] = value;
    }
    __syncthreads();
#pragma unroll
    for (int p = 0; p < kTileK; ++p) {
      T a[4], b[4];
#pragma unroll
      for (int u = 0; u < 4; ++u) {
        a[u] = As[p][ty + 16 * u];
        b[u] = Bs[p][tx + 16 * u];
      }
#pragma unroll
      for (int u = 0; u < 4; ++u)
#pragma unroll
        for (int v = 0; v < 4; ++v) acc[u][v] += a[u] * b[v];
    }
    __syncthreads();
  }

#pragma unroll
  for (int u = 0; u < 4; ++u) {
    const int gi = i0 + ty + 16 * u;
    if (gi >= M) continue;
#pragma unroll
    for (int v = 0; v < 4; ++v) {
      const int gj = j0 + tx + 16 * v;
      if (gj >= N) continue;
      T c = acc[u][v];
      if (kMode == kForward || kMode == kBackward) {
        if (kMode == kForward && g.gate != nullptr) c *= g.gate[gi];
        if (g.scatter) {
          atomicAdd(g.out + static_cast<int64_t>(g.rows[gi]) * N + gj, c);
        } else {
          g.out[static_cast<int64_t>(gi) * N + gj] = c;
        }
      } else {
        T* o = g.out + static_cast<int64_t>(gi) * N + gj;
        *o = g.beta == T(0) ? g.alpha * c : g.alpha * c + g.beta * *o;
      }
    }
  }
}

// ---------------------------------------------------------------- node steps

// Sum of the edge terms of row r, column k (ascending edge order: deterministic).
template <typename T>
__device__ inline T sum_terms(const NodeStep<T>& nd, const EdgeTerm<T>* terms, int64_t r,
                              int64_t k) {
  T sum = T(0);
  for (int32_t q = 0; q < nd.n_terms; ++q) {
    const EdgeTerm<T> term = terms[nd.first_term + q];
    const int32_t pos = term.pos[r];
    if (pos >= 0) sum += term.scratch[static_cast<int64_t>(pos) * nd.width + k];
  }
  return sum;
}

template <typename T>
__global__ void node_forward_kernel(const NodeStep<T>* nodes, const EdgeTerm<T>* terms,
                                    const int32_t* sample_of_row, int64_t batch) {
  const NodeStep<T> nd = nodes[blockIdx.y];
  const int64_t total = batch * nd.width;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = idx / nd.width;
    const int64_t k = idx - r * nd.width;
    T a;
    if (nd.prefilled) {
      a = nd.a[idx];
    } else {
      a = sum_terms(nd, terms, r, k);
      nd.a[idx] = a;
    }
    nd.h[idx] = node_gate_at(nd, sample_of_row[r], k) * activate(nd.activation, nd.slope, a);
  }
}

template <typename T>
__global__ void node_backward_kernel(const NodeStep<T>* nodes, const EdgeTerm<T>* terms,
                                     const int32_t* sample_of_row, int64_t batch) {
  const NodeStep<T> nd = nodes[blockIdx.y];
  const int64_t total = batch * nd.width;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = idx / nd.width;
    const int64_t k = idx - r * nd.width;
    T d = nd.prefilled ? nd.h[idx] : sum_terms(nd, terms, r, k);
    d *= node_gate_at(nd, sample_of_row[r], k);
    d *= derivative(nd.activation, nd.slope, nd.a[idx]);
    nd.h[idx] = d;
  }
}

template <typename T>
__global__ void dedup_copy_kernel(T* a, T* h, int32_t width, const int32_t* dup_rows,
                                  const int32_t* dup_rep, int32_t n_dup) {
  const int64_t total = static_cast<int64_t>(n_dup) * width;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t i = idx / width;
    const int64_t k = idx - i * width;
    const int64_t dst = static_cast<int64_t>(dup_rows[i]) * width + k;
    const int64_t src = static_cast<int64_t>(dup_rep[i]) * width + k;
    a[dst] = a[src];
    h[dst] = h[src];
  }
}

template <typename T>
__global__ void dedup_sum_kernel(T* delta, int32_t width, const int32_t* class_rep,
                                 const int32_t* member_offset, const int32_t* members,
                                 int32_t n_classes) {
  const int64_t total = static_cast<int64_t>(n_classes) * width;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t c = idx / width;
    const int64_t k = idx - c * width;
    T sum = delta[static_cast<int64_t>(class_rep[c]) * width + k];
    for (int32_t m = member_offset[c]; m < member_offset[c + 1]; ++m) {
      sum += delta[static_cast<int64_t>(members[m]) * width + k];
    }
    delta[static_cast<int64_t>(class_rep[c]) * width + k] = sum;
  }
}

template <typename T>
__global__ void gather_rows_kernel(T* dst, const T* src, const int32_t* rows, int64_t n_rows,
                                   int32_t width) {
  const int64_t total = n_rows * width;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t r = idx / width;
    const int64_t k = idx - r * width;
    dst[idx] = src[static_cast<int64_t>(rows[r]) * width + k];
  }
}

// ---------------------------------------------------------------- loss

// One thread per batch row, the maths of cpu/loss.cc in float64.
template <typename T>
__global__ void loss_kernel(const LossNode<T>* nodes, int32_t n_nodes,
                            const int32_t* sample_of_row, int64_t batch, int32_t loss_kind,
                            double scale, double* sample_loss) {
  for (int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; r < batch;
       r += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t sample = sample_of_row[r];
    double total = 0;
    for (int32_t v = 0; v < n_nodes; ++v) {
      const LossNode<T> nd = nodes[v];
      const int64_t width = nd.width;
      const T* h = nd.h + r * width;
      const T* y = nd.target + sample * width;
      T* grad = nd.grad != nullptr ? nd.grad + r * width : nullptr;
      if (loss_kind == 1) {
        double top = static_cast<double>(h[0]);
        for (int64_t k = 1; k < width; ++k) top = fmax(top, static_cast<double>(h[k]));
        double sum_exp = 0, sum_y = 0;
        for (int64_t k = 0; k < width; ++k) {
          sum_exp += exp(static_cast<double>(h[k]) - top);
          sum_y += static_cast<double>(y[k]);
        }
        const double lse = top + log(sum_exp);
        for (int64_t k = 0; k < width; ++k) {
          total += static_cast<double>(y[k]) * (lse - static_cast<double>(h[k]));
          if (grad != nullptr) {
            const double p = exp(static_cast<double>(h[k]) - lse);
            grad[k] = static_cast<T>((p * sum_y - static_cast<double>(y[k])) * scale);
          }
        }
      } else {
        for (int64_t k = 0; k < width; ++k) {
          const double diff = static_cast<double>(h[k]) - static_cast<double>(y[k]);
          total += 0.5 * diff * diff;
          if (grad != nullptr) grad[k] = static_cast<T>(diff * scale);
        }
      }
    }
    sample_loss[r] = total;
  }
}

constexpr int kSumThreads = 1024;

__global__ void sum_kernel(const double* values, int64_t n, double scale, double* out) {
  __shared__ double partial[kSumThreads];
  double s = 0;
  for (int64_t i = threadIdx.x; i < n; i += kSumThreads) s += values[i];
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int stride = kSumThreads / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) *out = partial[0] * scale;
}

template <typename T>
__global__ void sgd_momentum_kernel(T* w, const T* grad, T* buf, int64_t n, T lr, T mu, T wd) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const T b = mu * buf[i] + (grad[i] + wd * w[i]);
    buf[i] = b;
    w[i] -= lr * b;
  }
}

}  // namespace

// ---------------------------------------------------------------- memory

void select_device() {
  int count = 0;
  check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
  if (count == 0) throw Error(codes::kNoCudaDevice, "No usable CUDA device: none is visible");
  check(cudaSetDevice(0), "cudaSetDevice(0)");
}

void* device_alloc(size_t bytes, const char* what) {
  void* ptr = nullptr;
  const cudaError_t err = cudaMalloc(&ptr, bytes);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the (non-sticky) allocation error
    const std::string text = std::string("cudaMalloc of ") + std::to_string(bytes) +
                             " bytes for " + what;
    fail(err, text.c_str());
  }
  return ptr;
}

void device_free(void* ptr) noexcept {
  if (ptr != nullptr) cudaFree(ptr);
}

void copy_to_device(void* dst, const void* src, size_t bytes, const char* what) {
  if (bytes == 0) return;
  check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), what);
}

void copy_to_host(void* dst, const void* src, size_t bytes, const char* what) {
  if (bytes == 0) return;
  check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), what);
}

void copy_on_device(void* dst, const void* src, size_t bytes, const char* what) {
  if (bytes == 0) return;
  check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice), what);
}

void device_zero(void* ptr, size_t bytes, const char* what) {
  if (bytes == 0) return;
  check(cudaMemset(ptr, 0, bytes), what);
}

void device_synchronize(const char* what) { check(cudaDeviceSynchronize(), what); }

// ---------------------------------------------------------------- launchers

template <typename T>
void launch_grouped_gemm(GemmMode mode, const GemmGroup<T>* groups, const int64_t* tile_start,
                         int32_t n_groups, int64_t n_tiles) {
  if (n_groups == 0 || n_tiles == 0) return;
  if (n_tiles > INT_MAX) {
    throw Error(codes::kUnsupported, "cuda grouped GEMM: " + std::to_string(n_tiles) +
                                         " tiles exceed one grid (2^31 - 1)");
  }
  const dim3 grid(static_cast<unsigned>(n_tiles));
  switch (mode) {
    case GemmMode::Forward:
      grouped_gemm_kernel<T, 0><<<grid, kThreads>>>(groups, tile_start, n_groups);
      break;
    case GemmMode::Backward:
      grouped_gemm_kernel<T, 1><<<grid, kThreads>>>(groups, tile_start, n_groups);
      break;
    case GemmMode::WeightGrad:
      grouped_gemm_kernel<T, 2><<<grid, kThreads>>>(groups, tile_start, n_groups);
      break;
  }
  check_launch("grouped GEMM launch");
}

namespace {
dim3 node_grid(int32_t n_nodes, int64_t batch, int32_t max_width) {
  if (n_nodes > 65535) {
    throw Error(codes::kUnsupported,
                "cuda: more than 65535 nodes in one topological level are not supported");
  }
  return dim3(blocks_for(batch * max_width), static_cast<unsigned>(n_nodes));
}
}  // namespace

template <typename T>
void launch_node_forward(const NodeStep<T>* nodes, int32_t n_nodes, const EdgeTerm<T>* terms,
                         const int32_t* sample_of_row, int64_t batch, int32_t max_width) {
  if (n_nodes == 0 || batch == 0) return;
  node_forward_kernel<T><<<node_grid(n_nodes, batch, max_width), kThreads>>>(
      nodes, terms, sample_of_row, batch);
  check_launch("node forward launch");
}

template <typename T>
void launch_node_backward(const NodeStep<T>* nodes, int32_t n_nodes, const EdgeTerm<T>* terms,
                          const int32_t* sample_of_row, int64_t batch, int32_t max_width) {
  if (n_nodes == 0 || batch == 0) return;
  node_backward_kernel<T><<<node_grid(n_nodes, batch, max_width), kThreads>>>(
      nodes, terms, sample_of_row, batch);
  check_launch("node backward launch");
}

template <typename T>
void launch_dedup_copy(T* a, T* h, int32_t width, const int32_t* dup_rows,
                       const int32_t* dup_rep, int32_t n_dup) {
  if (n_dup == 0) return;
  dedup_copy_kernel<T><<<blocks_for(static_cast<int64_t>(n_dup) * width), kThreads>>>(
      a, h, width, dup_rows, dup_rep, n_dup);
  check_launch("shared-prefix copy launch");
}

template <typename T>
void launch_dedup_sum(T* delta, int32_t width, const int32_t* class_rep,
                      const int32_t* member_offset, const int32_t* members, int32_t n_classes) {
  if (n_classes == 0) return;
  dedup_sum_kernel<T><<<blocks_for(static_cast<int64_t>(n_classes) * width), kThreads>>>(
      delta, width, class_rep, member_offset, members, n_classes);
  check_launch("shared-prefix sum launch");
}

template <typename T>
void launch_gather_rows(T* dst, const T* src, const int32_t* rows, int64_t n_rows, int32_t width) {
  if (n_rows == 0 || width == 0) return;
  gather_rows_kernel<T><<<blocks_for(n_rows * width), kThreads>>>(dst, src, rows, n_rows, width);
  check_launch("gather launch");
}

template <typename T>
void launch_loss(const LossNode<T>* nodes, int32_t n_nodes, const int32_t* sample_of_row,
                 int64_t batch, int32_t loss_kind, double scale, double* sample_loss) {
  if (batch == 0) return;
  loss_kernel<T><<<blocks_for(batch), kThreads>>>(nodes, n_nodes, sample_of_row, batch, loss_kind,
                                                   scale, sample_loss);
  check_launch("loss launch");
}

void launch_sum(const double* values, int64_t n, double scale, double* out) {
  sum_kernel<<<1, kSumThreads>>>(values, n, scale, out);
  check_launch("loss sum launch");
}

template <typename T>
void launch_sgd_momentum(T* w, const T* grad, T* buf, int64_t n, T lr, T mu, T wd) {
  if (n == 0) return;
  sgd_momentum_kernel<T><<<blocks_for(n), kThreads>>>(w, grad, buf, n, lr, mu, wd);
  check_launch("SGD momentum launch");
}

#define GDLN_CUDA_INSTANTIATE(T)                                                               \
  template void launch_grouped_gemm<T>(GemmMode, const GemmGroup<T>*, const int64_t*, int32_t, \
                                       int64_t);                                               \
  template void launch_node_forward<T>(const NodeStep<T>*, int32_t, const EdgeTerm<T>*,        \
                                       const int32_t*, int64_t, int32_t);                      \
  template void launch_node_backward<T>(const NodeStep<T>*, int32_t, const EdgeTerm<T>*,       \
                                        const int32_t*, int64_t, int32_t);                     \
  template void launch_dedup_copy<T>(T*, T*, int32_t, const int32_t*, const int32_t*, int32_t); \
  template void launch_dedup_sum<T>(T*, int32_t, const int32_t*, const int32_t*,               \
                                    const int32_t*, int32_t);                                  \
  template void launch_gather_rows<T>(T*, const T*, const int32_t*, int64_t, int32_t);         \
  template void launch_loss<T>(const LossNode<T>*, int32_t, const int32_t*, int64_t, int32_t,  \
                               double, double*);                                               \
  template void launch_sgd_momentum<T>(T*, const T*, T*, int64_t, T, T, T);
GDLN_CUDA_INSTANTIATE(float)
GDLN_CUDA_INSTANTIATE(double)
#undef GDLN_CUDA_INSTANTIATE

}  // namespace cuda
}  // namespace gdln
