// native/test/test_kmeans.cc — k-means on binary rows (cpu/kmeans.h):
// planted clusters are recovered; the de-duplicated weighted objective equals
// brute-force unweighted Lloyd on all rows; empty-cluster relocation; the
// k > distinct / no rows / bad values errors; bitwise determinism for a seed
// and for 1, 2, 3 threads; the three row sources agree.
#include <cmath>
#include <string>
#include <vector>

#include "cpu/kmeans.h"
#include "gdln/shuffle.h"
#include "gdln/status.h"
#include "test/check.h"

namespace {

using namespace gdln;
using namespace gdln::reln;
using namespace gdln::test;

// Rows drawn from prototypes with bit flips; returns [n, d] uint8.
std::vector<uint8_t> planted(const std::vector<std::vector<uint8_t>>& protos, int64_t n, double flip, uint32_t seed,
                             std::vector<int>* which = nullptr) {
  Xoshiro128ss rng(seed);
  const int64_t d = static_cast<int64_t>(protos[0].size());
  std::vector<uint8_t> rows(static_cast<size_t>(n * d));
  for (int64_t i = 0; i < n; ++i) {
    const int p = static_cast<int>(rng.below(static_cast<uint32_t>(protos.size())));
    if (which) which->push_back(p);
    for (int64_t b = 0; b < d; ++b) {
      uint8_t v = protos[p][b];
      if (rng.next_u32() < flip * 4294967296.0) v ^= 1;
      rows[i * d + b] = v;
    }
  }
  return rows;
}

std::vector<std::vector<uint8_t>> reln_protos() {
  // The four gate patterns of the paper's ReLN over 24 samples (3 contexts × 8).
  std::vector<std::vector<uint8_t>> p(4, std::vector<uint8_t>(24));
  for (int i = 0; i < 24; ++i) {
    const int ctx = i / 8;
    p[0][i] = 1;
    p[1][i] = ctx != 0;
    p[2][i] = ctx != 1;
    p[3][i] = ctx != 2;
  }
  return p;
}

// Plain unweighted Lloyd on all rows from given centres, the same rules.
struct Plain {
  std::vector<double> centres;
  double inertia;
  int64_t n_iter;
};
Plain plain_lloyd(const std::vector<uint8_t>& rows, int64_t n, int64_t d, std::vector<double> c, int64_t k,
                  int64_t max_iter, double tol) {
  auto dist = [&](int64_t i, int64_t j) {
    double s = 0;
    for (int64_t b = 0; b < d; ++b) s += (rows[i * d + b] - c[j * d + b]) * (rows[i * d + b] - c[j * d + b]);
    return s;
  };
  double var = 0;
  for (int64_t b = 0; b < d; ++b) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < n; ++i) m += rows[i * d + b];
    m /= n;
    for (int64_t i = 0; i < n; ++i) v += (rows[i * d + b] - m) * (rows[i * d + b] - m);
    var += v / n;
  }
  const double tol_abs = tol * var / d;
  std::vector<int> lab(n), old(n, -1);
  int64_t it = 0;
  for (; it < max_iter;) {
    ++it;
    for (int64_t i = 0; i < n; ++i) {
      int best = 0;
      for (int j = 1; j < k; ++j)
        if (dist(i, j) < dist(i, best)) best = j;
      lab[i] = best;
    }
    std::vector<double> s(k * d, 0), w(k, 0);
    for (int64_t i = 0; i < n; ++i) {
      w[lab[i]] += 1;
      for (int64_t b = 0; b < d; ++b) s[lab[i] * d + b] += rows[i * d + b];
    }
    double shift = 0;
    for (int64_t j = 0; j < k; ++j)
      for (int64_t b = 0; b < d; ++b) {
        const double nx = w[j] > 0 ? s[j * d + b] / w[j] : c[j * d + b];
        shift += (nx - c[j * d + b]) * (nx - c[j * d + b]);
        c[j * d + b] = nx;
      }
    if (lab == old || shift <= tol_abs) break;
    old = lab;
  }
  double inertia = 0;
  for (int64_t i = 0; i < n; ++i) {
    double best = dist(i, 0);
    for (int j = 1; j < k; ++j) best = std::min(best, dist(i, j));
    inertia += best;
  }
  return {c, inertia, it};
}

bool same(const KmeansResult& a, const KmeansResult& b) {
  return a.centroids == b.centroids && a.sizes == b.sizes && a.inertia == b.inertia && a.labels == b.labels &&
         a.n_iter == b.n_iter;
}

void test_planted() {
  const auto protos = reln_protos();
  std::vector<int> which;
  const int64_t n = 20000, d = 24;
  const auto rows = planted(protos, n, 0.05, 7, &which);
  ThreadPool pool(2);
  DistinctRows u = dedup_uint8(rows.data(), n, d, pool);
  check(u.total_rows == n, "planted: counts sum to n");
  KmeansResult r = kmeans_weighted(u, KmeansOptions{4, 3, 1, 300, 1e-4}, pool);
  // Every prototype has a centroid within 0.1 per column (max norm).
  for (const auto& p : protos) {
    double best = 1e9;
    for (int64_t c = 0; c < 4; ++c) {
      double m = 0;
      for (int64_t b = 0; b < d; ++b) m = std::max(m, std::fabs(r.centroids[c * d + b] - p[b]));
      best = std::min(best, m);
    }
    check(best < 0.1, "planted: a prototype is recovered (max dev " + std::to_string(best) + ")");
  }
  double total = 0;
  for (double s : r.sizes) total += s;
  check(total == n, "planted: sizes sum to n");
  // Inertia = Σ over all rows of the distance to the nearest returned centre.
  double brute = 0;
  for (int64_t i = 0; i < n; ++i) {
    double best = 1e300;
    for (int64_t c = 0; c < 4; ++c) {
      double s = 0;
      for (int64_t b = 0; b < d; ++b) s += (rows[i * d + b] - r.centroids[c * d + b]) * (rows[i * d + b] - r.centroids[c * d + b]);
      best = std::min(best, s);
    }
    brute += best;
  }
  check(std::fabs(brute - r.inertia) <= 1e-9 * brute, "planted: inertia over all rows " + std::to_string(r.inertia) + " vs " + std::to_string(brute));
}

void test_dedup_equals_plain() {
  ThreadPool pool(3);
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    const int64_t n = 600, d = 10, k = 3;
    const auto rows = planted({std::vector<uint8_t>(10, 0), std::vector<uint8_t>(10, 1),
                               {1, 0, 1, 0, 1, 0, 1, 0, 1, 0}},
                              n, 0.2, seed);
    DistinctRows u = dedup_uint8(rows.data(), n, d, pool);
    // Initial centres: three rows.
    std::vector<double> init;
    for (int64_t j = 0; j < k; ++j)
      for (int64_t b = 0; b < d; ++b) init.push_back(rows[(j * 97) * d + b]);
    KmeansResult r = lloyd_from(u, init, k, 100, 0.0, pool);
    Plain p = plain_lloyd(rows, n, d, init, k, 100, 0.0);
    double dc = 0;
    for (size_t i = 0; i < init.size(); ++i) dc = std::max(dc, std::fabs(p.centres[i] - r.centroids[i]));
    check(dc <= 1e-12, "dedup vs plain: centres seed " + std::to_string(seed) + " dev " + std::to_string(dc));
    check(std::fabs(p.inertia - r.inertia) <= 1e-10 * p.inertia,
          "dedup vs plain: inertia " + std::to_string(r.inertia) + " vs " + std::to_string(p.inertia));
    check(p.n_iter == r.n_iter, "dedup vs plain: n_iter " + std::to_string(r.n_iter) + " vs " + std::to_string(p.n_iter));
  }
}

void test_sources_agree() {
  ThreadPool pool(2);
  const int64_t n = 3000, d = 70;  // two words per row
  std::vector<std::vector<uint8_t>> protos(3, std::vector<uint8_t>(d));
  for (int64_t b = 0; b < d; ++b) {
    protos[0][b] = b % 2;
    protos[1][b] = b < 35;
    protos[2][b] = (b % 3) == 0;
  }
  const auto rows = planted(protos, n, 0.02, 3);
  std::vector<float> f(rows.begin(), rows.end());
  std::vector<uint64_t> packed(static_cast<size_t>(n * 2), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t b = 0; b < d; ++b) packed[i * 2 + b / 64] |= static_cast<uint64_t>(rows[i * d + b]) << (b % 64);
  DistinctRows a = dedup_uint8(rows.data(), n, d, pool);
  DistinctRows b = dedup_float32(f.data(), n, d, pool);
  // Packed, split into uneven blocks.
  std::vector<PackedBlock> blocks{{packed.data(), 1000}, {packed.data() + 2000, 1}, {packed.data() + 2002, n - 1001}};
  DistinctRows c = dedup_packed(blocks, d, pool);
  check(a.codes == b.codes && a.weights == b.weights, "sources: uint8 == float32");
  check(a.codes == c.codes && a.weights == c.weights, "sources: uint8 == packed blocks");
  const auto ia = row_indices_uint8(a, rows.data(), n, pool);
  const auto ic = row_indices_packed(a, blocks, pool);
  check(ia == ic, "sources: row indices agree");
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t* code = &a.codes[static_cast<size_t>(ia[i] * 2)];
    ok = ok && code[0] == packed[i * 2] && code[1] == packed[i * 2 + 1];
  }
  check(ok, "sources: every row maps to its own code");
  for (int64_t i = 1; i < a.size(); ++i) {
    const uint64_t* p = &a.codes[(i - 1) * 2];
    const uint64_t* q = &a.codes[i * 2];
    check(p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]), "sources: codes ascending");
  }
}

void test_determinism() {
  const auto rows = planted(reln_protos(), 50000, 0.1, 11);
  KmeansResult ref;
  for (int threads = 1; threads <= 3; ++threads) {
    ThreadPool pool(threads);
    DistinctRows u = dedup_uint8(rows.data(), 50000, 24, pool);
    KmeansResult r = kmeans_weighted(u, KmeansOptions{5, 2, 42, 300, 1e-4}, pool);
    if (threads == 1) {
      ref = r;
      KmeansResult again = kmeans_weighted(u, KmeansOptions{5, 2, 42, 300, 1e-4}, pool);
      check(same(r, again), "determinism: same seed, same result");
    } else {
      check(same(r, ref), "determinism: bitwise for " + std::to_string(threads) + " threads");
    }
  }
}

void test_empty_cluster() {
  ThreadPool pool(1);
  // Rows: 0000 ×5, 1111 ×5, 1100 ×1. Centres start at 0000, 1111 and a far
  // point nobody is closest to (0.5 ×4 is equidistant... use 3 = outside).
  std::vector<uint8_t> rows;
  for (int i = 0; i < 5; ++i) rows.insert(rows.end(), {0, 0, 0, 0});
  for (int i = 0; i < 5; ++i) rows.insert(rows.end(), {1, 1, 1, 1});
  rows.insert(rows.end(), {1, 1, 0, 0});
  DistinctRows u = dedup_uint8(rows.data(), 11, 4, pool);
  check(u.size() == 3, "empty: 3 distinct rows");
  std::vector<double> init{0, 0, 0, 0, 1, 1, 1, 1, 9, 9, 9, 9};
  KmeansResult r = lloyd_from(u, init, 3, 50, 0.0, pool);
  // Cluster 2 is empty in the first iteration: it takes the farthest row (1100,
  // distance 2 from either centre), and the run ends with 3 exact clusters.
  check(r.inertia == 0, "empty: relocated cluster gives inertia 0, got " + std::to_string(r.inertia));
  bool has = false;
  for (int c = 0; c < 3; ++c)
    has = has || (r.centroids[c * 4] == 1 && r.centroids[c * 4 + 1] == 1 && r.centroids[c * 4 + 2] == 0 && r.sizes[c] == 1);
  check(has, "empty: a cluster is centred on the farthest row 1100");
}

void test_errors() {
  ThreadPool pool(2);
  std::vector<uint8_t> same_rows(40, 1);
  DistinctRows u = dedup_uint8(same_rows.data(), 10, 4, pool);
  check(u.size() == 1, "identical rows: one distinct");
  KmeansResult one = kmeans_weighted(u, KmeansOptions{1, 1, 0, 300, 1e-4}, pool);
  check(one.inertia == 0 && one.sizes[0] == 10 && one.centroids[0] == 1, "identical rows: k = 1 works");
  expect_error(codes::kInvalidArgument, [&] { kmeans_weighted(u, KmeansOptions{2, 1, 0, 300, 1e-4}, pool); }, "k > distinct");
  try {
    kmeans_weighted(u, KmeansOptions{2, 1, 0, 300, 1e-4}, pool);
  } catch (const Error& e) {
    const std::string m = e.what();
    check(m.find("(1)") != std::string::npos && m.find("received 2") != std::string::npos, "k > distinct names both: " + m);
  }
  expect_error(codes::kInvalidArgument, [&] { kmeans_weighted(u, KmeansOptions{0, 1, 0, 300, 1e-4}, pool); }, "k = 0");
  expect_error(codes::kInvalidArgument, [&] { dedup_uint8(same_rows.data(), 0, 4, pool); }, "no rows");
  std::vector<uint8_t> bad{0, 1, 2, 0};
  expect_error(codes::kInvalidArgument, [&] { dedup_uint8(bad.data(), 1, 4, pool); }, "uint8 value 2");
  std::vector<float> nan{0, NAN, 1, 0};
  expect_error(codes::kNonFinite, [&] { dedup_float32(nan.data(), 1, 4, pool); }, "float NaN");
  std::vector<float> half{0, 0.5f, 1, 0};
  expect_error(codes::kInvalidArgument, [&] { dedup_float32(half.data(), 1, 4, pool); }, "float 0.5");
}

}  // namespace

int main() {
  test_planted();
  test_dedup_equals_plain();
  test_sources_agree();
  test_determinism();
  test_empty_cluster();
  test_errors();
  return finish("test_kmeans");
}
