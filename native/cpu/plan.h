// native/cpu/plan.h — the per-batch execution plan of the CPU backend: which
// samples each edge must actually carry (docs/architecture.md, "Gated matmul
// skips gated-off work") and the fixed work partition every kernel uses.
//
// Promise: plan_build is a pure function of (data, batch rows). An edge q is
// *active* on batch row r iff g_q[r] ≠ 0 and its source may be non-zero on r
// (the rule of docs/architecture.md) and, one step further, the node gate of
// its target is not all zero on r (else h_t = 0 and ∂L/∂a_t = 0 on r whatever
// the edge carries). A node may be non-zero on r iff its node gate row is not
// all zero and, for a non-input node, at least one incoming edge is active. Because φ(0) = 0
// for every activation, a skipped row would only have added exact zeros, so
// skipping changes no value; it only avoids forming those products.
#pragma once

#include <cstdint>
#include <vector>

#include "model_data.h"

namespace gdln {
namespace cpu {

// Sample rows per GEMM task in the forward / input-gradient sweeps and per
// elementwise task. A constant (never derived from the thread count) so the
// partition — and with it every rounding — is the same for any pool size.
inline constexpr int64_t kRowBlock = 64;
// Active rows per GEMM task in the forward / input-gradient sweeps: each task repacks
// W_q, so blocks much smaller than this spend a large share of the GEMM packing (W1 at
// M = 100: 14% of the step with 64-row blocks).
inline constexpr int64_t kGemmRowBlock = 256;
// Tile of dW = Dᵀ G handed to one task: rows of W × columns of W (an encoder of the routing
// workload, 128 × 784, is one tile: its operands are packed once, not 8 times).
inline constexpr int64_t kWeightRowBlock = 128;
inline constexpr int64_t kWeightColBlock = 1024;

struct EdgePlan {
  std::vector<int32_t> active;  // batch rows the edge carries, ascending
  bool full = false;            // active == [0, B)
  // active == [active[0], active[0] + m): the edge's rows of h_s and ∂L/∂a_t are read in
  // place (no gather, and with a unit gate no gated copy), as for a full edge. The routing
  // workload sorted by input domain has contiguous encoder rows.
  bool contiguous = false;
  int64_t first_row() const { return active.empty() ? 0 : active.front(); }
  bool unit_gate = false;       // the edge gate is exactly 1 on every active row
  // The GEMM may write straight into the target's pre-activation (forward) or
  // the source's gradient (backward) instead of a scratch buffer, because the
  // edge is full and the only edge into its target / out of its source.
  bool direct_forward = false;
  bool direct_backward = false;
  int64_t n_active() const { return static_cast<int64_t>(active.size()); }
};

// Shared prefixes (W1b): batch rows whose h_v is provably identical — identical g ⊙ x on
// every input node upstream and identical active edges, edge gates and node gates on
// the way to v — form a class at v. Only the class's first row (its representative) is
// computed: the edges into v carry representatives only, the forward copies a_v / h_v
// to the other rows, and the backward adds their ∂L/∂a_v into the representative
// before the edges into v use it (gradients accumulate with multiplicity). Classes only
// refine downstream, so the representative's upstream rows are valid. A node without
// duplicate rows has empty lists and runs exactly the per-row path.
struct NodeDedup {
  std::vector<int32_t> class_rep;      // representatives that have duplicates, ascending
  std::vector<int32_t> member_offset;  // CSR offsets into members, [class_rep + 1]
  std::vector<int32_t> members;        // the duplicate rows of each class, ascending
  std::vector<int32_t> dup_rows;       // every duplicate row, ascending
  std::vector<int32_t> dup_rep;        // its representative, aligned with dup_rows
  bool active() const { return !dup_rows.empty(); }
};

struct BatchPlan {
  int64_t batch = 0;               // B
  bool identity_rows = false;      // rows == 0..N-1 (the full dataset in order)
  std::vector<int32_t> rows;       // dataset sample of each batch row, [B]
  std::vector<EdgePlan> edges;     // per edge
  std::vector<std::vector<uint8_t>> may_be_nonzero;  // per node [B]
  std::vector<NodeDedup> dedup;    // per node (empty lists: no shared rows there)
};

// Shared-prefix detection is on by default; GDLN_NO_DEDUP=1 in the environment turns it
// off (benchmarks and tests of the per-row path).
bool dedup_enabled();

// rows: sample indices in [0, N); identity_rows must be true iff rows is 0..N-1.
template <typename T>
void plan_build(const ModelData<T>& data, const std::vector<int32_t>& rows,
                bool identity_rows, BatchPlan& plan);

// [first, last) of the entries of `active` whose row lies in [r0, r1).
void active_range(const std::vector<int32_t>& active, int64_t r0, int64_t r1,
                  int64_t& first, int64_t& last);

}  // namespace cpu
}  // namespace gdln
