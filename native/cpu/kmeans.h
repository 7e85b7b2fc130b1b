// kmeans.h — k-means on binary rows (ReLN paper, App. B, Algorithm 1: the
// gating patterns of many hidden neurons, clustered into k gate types). No
// Node headers.
//
// 1. De-duplicate: every row is packed to ceil(d/64) uint64 words (bit b%64 of
//    word b/64 = column b) and hashed; the distinct rows, sorted ascending by
//    their words (word 0 first, as unsigned integers), carry their counts as
//    weights. Weighted k-means on them has exactly the objective of
//    unweighted k-means on all rows (W4: 5.6 M rows, ~96 k distinct).
// 2. Weighted Lloyd, as scikit-learn's KMeans(algorithm="lloyd"):
//    - seeding: greedy k-means++ (2 + floor(ln k) candidates per centre, the
//      one lowering the potential most wins; sampling by a sequential
//      cumulative sum of w·D², first index whose sum ≥ r), from one
//      xoshiro128** stream seeded with `seed` shared by all restarts in order
//      (uniform doubles as lib/init/rng.ts's uniform());
//    - iteration: labels = argmin_c Σ_b (x_b − c_b)² (first minimum), centres =
//      weighted means; stop when the labels are unchanged or the total centre
//      shift² ≤ tol · mean over columns of the weighted column variance;
//      n_iter counts iterations done (≤ max_iter);
//    - an empty cluster is re-seeded with the row farthest from its own
//      centre (ties: lowest index), the next empty one with the next farthest,
//      moving that row's weight (sklearn's _relocate_empty_clusters);
//    - after the loop the labels are recomputed from the final centres, and
//      inertia = Σ_rows ||x − c_label||² over ALL rows (weights = counts).
//    - restarts: the lowest inertia wins (ties: the earliest).
// 3. Errors (gdln::Error): no rows → GDLN_INVALID_ARGUMENT; k < 1 →
//    GDLN_INVALID_ARGUMENT; k > the number of distinct rows →
//    GDLN_INVALID_ARGUMENT naming k and the distinct count (all-identical rows:
//    k = 1 works, k > 1 is this error); a value other than 0/1 →
//    GDLN_INVALID_ARGUMENT, NaN/±Inf → GDLN_NON_FINITE.
// Distances are computed per row in parallel and every sum over rows is
// sequential in row order, so results are bitwise identical for any thread
// count.
#pragma once

#include <cstdint>
#include <vector>

#include "gdln/thread_pool.h"

namespace gdln::reln {

struct DistinctRows {
  int64_t d = 0;
  int64_t words = 0;
  std::vector<uint64_t> codes;   // [size(), words], ascending
  std::vector<double> weights;   // [size()]: how many rows had this pattern
  int64_t total_rows = 0;
  int64_t size() const { return words == 0 ? 0 : static_cast<int64_t>(codes.size()) / words; }
};

// A source of packed rows: contiguous blocks of `count` rows of `words` words.
struct PackedBlock {
  const uint64_t* rows;
  int64_t count;
};

// Row-major [n, d] matrices of 0/1 values, or packed blocks.
DistinctRows dedup_uint8(const uint8_t* data, int64_t n, int64_t d, ThreadPool& pool);
DistinctRows dedup_float32(const float* data, int64_t n, int64_t d, ThreadPool& pool);
DistinctRows dedup_packed(const std::vector<PackedBlock>& blocks, int64_t d, ThreadPool& pool);

// The distinct-row index of every row, in row order (same sources).
std::vector<int32_t> row_indices_uint8(const DistinctRows& distinct, const uint8_t* data, int64_t n,
                                       ThreadPool& pool);
std::vector<int32_t> row_indices_float32(const DistinctRows& distinct, const float* data, int64_t n,
                                         ThreadPool& pool);
std::vector<int32_t> row_indices_packed(const DistinctRows& distinct,
                                        const std::vector<PackedBlock>& blocks, ThreadPool& pool);

struct KmeansOptions {
  int64_t k = 0;
  int64_t restarts = 1;
  uint32_t seed = 0;
  int64_t max_iter = 300;
  double tol = 1e-4;
};

struct KmeansResult {
  int64_t k = 0;
  int64_t d = 0;
  std::vector<double> centroids;   // [k, d], in [0, 1]
  std::vector<double> sizes;       // [k]: rows (weights) per cluster
  double inertia = 0;              // over all rows
  int64_t n_iter = 0;              // of the winning restart
  int64_t best_restart = 0;
  std::vector<double> restart_inertia;  // [restarts]
  std::vector<int32_t> labels;     // per distinct row
};

void validate_kmeans_options(const KmeansOptions& options);

KmeansResult kmeans_weighted(const DistinctRows& rows, const KmeansOptions& options, ThreadPool& pool);

// One Lloyd run from given centres [k, d] (no seeding); for tests.
KmeansResult lloyd_from(const DistinctRows& rows, const std::vector<double>& init, int64_t k,
                        int64_t max_iter, double tol, ThreadPool& pool);

// Σ_b (x_b − c_b)² for a packed row x, in column order.
double binary_sq_dist(const uint64_t* x, const double* c, int64_t d);

}  // namespace gdln::reln
