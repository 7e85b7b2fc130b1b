// kmeans.cc — see kmeans.h.
#include "kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>

#include "gdln/shuffle.h"
#include "gdln/status.h"

namespace gdln::reln {

namespace {

[[noreturn]] void fail(const char* code, const std::string& message) { throw Error(code, message); }

constexpr int64_t kRowGrain = int64_t{1} << 15;  // rows per parallel task, at least
constexpr int64_t kDistGrain = 2048;             // distinct rows per distance task, at least

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Open-addressing table of packed rows → (index, count); entries in insertion order.
class CodeTable {
 public:
  explicit CodeTable(int64_t words, size_t expected = 1024) : words_(words) { rehash(expected * 2); }

  int64_t size() const { return static_cast<int64_t>(counts_.size()); }
  const uint64_t* key(int64_t i) const { return &keys_[static_cast<size_t>(i * words_)]; }
  int64_t count(int64_t i) const { return counts_[static_cast<size_t>(i)]; }

  void add(const uint64_t* key, int64_t count) {
    size_t slot = hash(key) & mask_;
    for (;;) {
      const int32_t e = slots_[slot];
      if (e < 0) break;
      if (equal(e, key)) {
        counts_[static_cast<size_t>(e)] += count;
        return;
      }
      slot = (slot + 1) & mask_;
    }
    if (counts_.size() >= std::numeric_limits<int32_t>::max() / 2) {
      fail(codes::kInvalidArgument, "too many distinct rows for k-means (more than 2^30)");
    }
    slots_[slot] = static_cast<int32_t>(counts_.size());
    keys_.insert(keys_.end(), key, key + words_);
    counts_.push_back(count);
    if (counts_.size() * 2 > slots_.size()) rehash(slots_.size() * 2);
  }

  int64_t find(const uint64_t* key) const {
    size_t slot = hash(key) & mask_;
    for (;;) {
      const int32_t e = slots_[slot];
      if (e < 0) return -1;
      if (equal(e, key)) return e;
      slot = (slot + 1) & mask_;
    }
  }

 private:
  uint64_t hash(const uint64_t* key) const {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int64_t w = 0; w < words_; ++w) h = mix64(h ^ key[w]);
    return h;
  }
  bool equal(int32_t e, const uint64_t* key) const {
    const uint64_t* k = &keys_[static_cast<size_t>(e) * static_cast<size_t>(words_)];
    for (int64_t w = 0; w < words_; ++w)
      if (k[w] != key[w]) return false;
    return true;
  }
  void rehash(size_t want) {
    size_t cap = 16;
    while (cap < want) cap *= 2;
    slots_.assign(cap, -1);
    mask_ = cap - 1;
    for (size_t e = 0; e < counts_.size(); ++e) {
      size_t slot = hash(&keys_[e * static_cast<size_t>(words_)]) & mask_;
      while (slots_[slot] >= 0) slot = (slot + 1) & mask_;
      slots_[slot] = static_cast<int32_t>(e);
    }
  }

  int64_t words_;
  std::vector<uint64_t> keys_;
  std::vector<int64_t> counts_;
  std::vector<int32_t> slots_;
  size_t mask_ = 0;
};

// Packers: write row r of the source into `out` (words zeroed first).
struct Uint8Source {
  const uint8_t* data;
  int64_t d;
  void pack(int64_t r, uint64_t* out) const {
    const uint8_t* row = data + r * d;
    uint8_t any = 0;
    for (int64_t b = 0; b < d; ++b) any |= row[b];
    if (any <= 1 && d <= 64) {
      uint64_t code = 0;
      for (int64_t b = 0; b < d; ++b) code |= static_cast<uint64_t>(row[b]) << b;
      out[0] = code;
      return;
    }
    for (int64_t b = 0; b < d; ++b) {
      const uint8_t v = row[b];
      if (v > 1) {
        fail(codes::kInvalidArgument, "Expected binary values (0 or 1) for rows but row " + std::to_string(r) +
                                          ", column " + std::to_string(b) + " is " + std::to_string(v));
      }
      out[b >> 6] |= static_cast<uint64_t>(v) << (b & 63);
    }
  }
};

struct Float32Source {
  const float* data;
  int64_t d;
  void pack(int64_t r, uint64_t* out) const {
    const float* row = data + r * d;
    for (int64_t b = 0; b < d; ++b) {
      const float v = row[b];
      if (v == 1.0f) {
        out[b >> 6] |= uint64_t{1} << (b & 63);
      } else if (v != 0.0f) {
        fail(std::isfinite(v) ? codes::kInvalidArgument : codes::kNonFinite,
             "Expected binary values (0 or 1) for rows but row " + std::to_string(r) + ", column " +
                 std::to_string(b) + " is " + std::to_string(v));
      }
    }
  }
};

// Calls fn(block pointer to the first row, count) for global rows [begin, end).
template <typename Fn>
void for_blocks(const std::vector<PackedBlock>& blocks, const std::vector<int64_t>& starts, int64_t words,
                int64_t begin, int64_t end, Fn&& fn) {
  size_t b = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), begin) - starts.begin() - 1);
  int64_t r = begin;
  while (r < end && b < blocks.size()) {
    const int64_t offset = r - starts[b];
    const int64_t take = std::min(blocks[b].count - offset, end - r);
    if (take > 0) fn(r, blocks[b].rows + offset * words, take);
    r += std::max<int64_t>(take, 0);
    ++b;
  }
}

DistinctRows finish(std::vector<CodeTable>& tables, int64_t d, int64_t words) {
  // Merge (counts are integers: exact in any order), then sort the codes.
  CodeTable all(words, 1024);
  for (const CodeTable& t : tables)
    for (int64_t i = 0; i < t.size(); ++i) all.add(t.key(i), t.count(i));
  std::vector<int32_t> order(static_cast<size_t>(all.size()));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const uint64_t* ka = all.key(a);
    const uint64_t* kb = all.key(b);
    for (int64_t w = 0; w < words; ++w)
      if (ka[w] != kb[w]) return ka[w] < kb[w];
    return false;
  });
  DistinctRows out;
  out.d = d;
  out.words = words;
  out.codes.resize(order.size() * static_cast<size_t>(words));
  out.weights.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    std::memcpy(&out.codes[i * static_cast<size_t>(words)], all.key(order[i]),
                static_cast<size_t>(words) * sizeof(uint64_t));
    out.weights[i] = static_cast<double>(all.count(order[i]));
    out.total_rows += all.count(order[i]);
  }
  return out;
}

void check_shape(int64_t n, int64_t d) {
  if (n < 1) fail(codes::kInvalidArgument, "Expected at least one row for k-means but received 0 rows");
  if (d < 1) fail(codes::kInvalidArgument, "Expected a row length d ≥ 1 for k-means but received " + std::to_string(d));
}

// One-word rows (d ≤ 64): pack every row to a uint64 code in parallel, LSD
// radix sort the codes (11-bit digits over the d low bits), count the runs.
// The order is ascending, as the hash path's final sort.
template <typename PackFn>
DistinctRows dedup_one_word(int64_t n, int64_t d, ThreadPool& pool, PackFn&& pack_range) {
  std::vector<uint64_t> codes(static_cast<size_t>(n)), tmp(static_cast<size_t>(n));
  pool.parallel_for(n, kRowGrain, [&](int64_t begin, int64_t end) { pack_range(begin, end, codes.data()); });
  constexpr int kBits = 11;
  for (int shift = 0; shift < d; shift += kBits) {
    std::vector<int64_t> count((size_t{1} << kBits) + 1, 0);
    for (int64_t i = 0; i < n; ++i) ++count[((codes[static_cast<size_t>(i)] >> shift) & ((1u << kBits) - 1)) + 1];
    for (size_t b = 1; b < count.size(); ++b) count[b] += count[b - 1];
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t c = codes[static_cast<size_t>(i)];
      tmp[static_cast<size_t>(count[(c >> shift) & ((1u << kBits) - 1)]++)] = c;
    }
    codes.swap(tmp);
  }
  DistinctRows out;
  out.d = d;
  out.words = 1;
  out.total_rows = n;
  for (int64_t i = 0; i < n;) {
    int64_t j = i + 1;
    while (j < n && codes[static_cast<size_t>(j)] == codes[static_cast<size_t>(i)]) ++j;
    out.codes.push_back(codes[static_cast<size_t>(i)]);
    out.weights.push_back(static_cast<double>(j - i));
    i = j;
  }
  return out;
}

template <typename Source>
DistinctRows dedup_source(const Source& src, int64_t n, int64_t d, ThreadPool& pool) {
  check_shape(n, d);
  const int64_t words = (d + 63) / 64;
  if (words == 1) {
    return dedup_one_word(n, d, pool, [&](int64_t begin, int64_t end, uint64_t* codes) {
      for (int64_t r = begin; r < end; ++r) {
        uint64_t key = 0;
        src.pack(r, &key);
        codes[r] = key;
      }
    });
  }
  std::vector<CodeTable> tables;
  std::mutex mutex;
  pool.parallel_for(n, kRowGrain, [&](int64_t begin, int64_t end) {
    CodeTable local(words, 4096);
    std::vector<uint64_t> key(static_cast<size_t>(words));
    for (int64_t r = begin; r < end; ++r) {
      std::fill(key.begin(), key.end(), 0);
      src.pack(r, key.data());
      local.add(key.data(), 1);
    }
    std::lock_guard<std::mutex> lock(mutex);
    tables.push_back(std::move(local));
  });
  return finish(tables, d, words);
}

template <typename Source>
std::vector<int32_t> indices_source(const DistinctRows& distinct, const Source& src, int64_t n, ThreadPool& pool) {
  CodeTable table(distinct.words, static_cast<size_t>(distinct.size()) + 16);
  for (int64_t i = 0; i < distinct.size(); ++i) table.add(&distinct.codes[static_cast<size_t>(i * distinct.words)], 1);
  std::vector<int32_t> out(static_cast<size_t>(n));
  pool.parallel_for(n, kRowGrain, [&](int64_t begin, int64_t end) {
    std::vector<uint64_t> key(static_cast<size_t>(distinct.words));
    for (int64_t r = begin; r < end; ++r) {
      std::fill(key.begin(), key.end(), 0);
      src.pack(r, key.data());
      out[static_cast<size_t>(r)] = static_cast<int32_t>(table.find(key.data()));
    }
  });
  return out;
}

// ------------------------------------------------------------------ k-means

// Distinct rows unpacked to doubles once: X [u, d].
struct Dense {
  int64_t u, d;
  std::vector<double> x;
  std::vector<double> w;
};

Dense unpack(const DistinctRows& rows) {
  Dense dn{rows.size(), rows.d, {}, rows.weights};
  dn.x.resize(static_cast<size_t>(dn.u * dn.d));
  for (int64_t i = 0; i < dn.u; ++i)
    for (int64_t b = 0; b < dn.d; ++b)
      dn.x[static_cast<size_t>(i * dn.d + b)] =
          static_cast<double>((rows.codes[static_cast<size_t>(i * rows.words + (b >> 6))] >> (b & 63)) & 1u);
  return dn;
}

inline double sq_dist(const double* x, const double* c, int64_t d) {
  double s = 0;
  for (int64_t b = 0; b < d; ++b) {
    const double t = x[b] - c[b];
    s += t * t;
  }
  return s;
}

// Uniform double in [0, 1) with 53 bits, as lib/init/rng.ts uniform().
double uniform(Xoshiro128ss& rng) {
  const double hi = static_cast<double>(rng.next_u32() >> 5);
  const double lo = static_cast<double>(rng.next_u32() >> 6);
  return (hi * 67108864.0 + lo) / 9007199254740992.0;
}

// First index i with cum[i] ≥ r (numpy searchsorted, side left), clipped to u − 1.
int64_t search(const std::vector<double>& cum, double r) {
  const auto it = std::lower_bound(cum.begin(), cum.end(), r);
  return std::min<int64_t>(static_cast<int64_t>(it - cum.begin()), static_cast<int64_t>(cum.size()) - 1);
}

std::vector<double> kmeanspp(const Dense& dn, int64_t k, Xoshiro128ss& rng, ThreadPool& pool) {
  const int64_t u = dn.u, d = dn.d;
  const int64_t trials = 2 + static_cast<int64_t>(std::floor(std::log(static_cast<double>(k))));
  std::vector<double> centres(static_cast<size_t>(k * d));
  std::vector<double> cum(static_cast<size_t>(u));
  double acc = 0;
  for (int64_t i = 0; i < u; ++i) cum[static_cast<size_t>(i)] = acc += dn.w[static_cast<size_t>(i)];
  int64_t first = search(cum, uniform(rng) * acc);
  std::copy_n(&dn.x[static_cast<size_t>(first * d)], d, centres.begin());
  std::vector<double> closest(static_cast<size_t>(u));
  pool.parallel_for(u, kDistGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) closest[static_cast<size_t>(i)] = sq_dist(&dn.x[static_cast<size_t>(i * d)], centres.data(), d);
  });
  std::vector<double> cand_dist(static_cast<size_t>(u * trials));
  for (int64_t c = 1; c < k; ++c) {
    acc = 0;
    for (int64_t i = 0; i < u; ++i) cum[static_cast<size_t>(i)] = acc += dn.w[static_cast<size_t>(i)] * closest[static_cast<size_t>(i)];
    std::vector<int64_t> cand(static_cast<size_t>(trials));
    for (int64_t t = 0; t < trials; ++t) cand[static_cast<size_t>(t)] = search(cum, uniform(rng) * acc);
    pool.parallel_for(u, kDistGrain, [&](int64_t b, int64_t e) {
      for (int64_t t = 0; t < trials; ++t) {
        const double* cx = &dn.x[static_cast<size_t>(cand[static_cast<size_t>(t)] * d)];
        for (int64_t i = b; i < e; ++i)
          cand_dist[static_cast<size_t>(t * u + i)] =
              std::min(closest[static_cast<size_t>(i)], sq_dist(&dn.x[static_cast<size_t>(i * d)], cx, d));
      }
    });
    int64_t best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int64_t t = 0; t < trials; ++t) {
      double pot = 0;
      for (int64_t i = 0; i < u; ++i) pot += dn.w[static_cast<size_t>(i)] * cand_dist[static_cast<size_t>(t * u + i)];
      if (pot < best_pot) {
        best_pot = pot;
        best = t;
      }
    }
    std::copy_n(&cand_dist[static_cast<size_t>(best * u)], u, closest.begin());
    std::copy_n(&dn.x[static_cast<size_t>(cand[static_cast<size_t>(best)] * d)], d, &centres[static_cast<size_t>(c * d)]);
  }
  return centres;
}

// labels[i] = argmin_c ||x_i − c||² (first minimum), dist[i] = that minimum.
void assign(const Dense& dn, const std::vector<double>& centres, int64_t k, std::vector<int32_t>& labels,
            std::vector<double>& dist, ThreadPool& pool) {
  const int64_t d = dn.d;
  pool.parallel_for(dn.u, kDistGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const double* x = &dn.x[static_cast<size_t>(i * d)];
      int32_t best = 0;
      double bd = sq_dist(x, centres.data(), d);
      for (int64_t c = 1; c < k; ++c) {
        const double t = sq_dist(x, &centres[static_cast<size_t>(c * d)], d);
        if (t < bd) {
          bd = t;
          best = static_cast<int32_t>(c);
        }
      }
      labels[static_cast<size_t>(i)] = best;
      dist[static_cast<size_t>(i)] = bd;
    }
  });
}

KmeansResult lloyd(const Dense& dn, std::vector<double> centres, int64_t k, int64_t max_iter, double tol,
                   ThreadPool& pool) {
  const int64_t u = dn.u, d = dn.d;
  // tol relative to the mean weighted column variance (sklearn's _tolerance).
  double wsum = 0;
  for (double w : dn.w) wsum += w;
  double var_mean = 0;
  for (int64_t b = 0; b < d; ++b) {
    double m = 0;
    for (int64_t i = 0; i < u; ++i) m += dn.w[static_cast<size_t>(i)] * dn.x[static_cast<size_t>(i * d + b)];
    m /= wsum;
    double v = 0;
    for (int64_t i = 0; i < u; ++i) {
      const double t = dn.x[static_cast<size_t>(i * d + b)] - m;
      v += dn.w[static_cast<size_t>(i)] * t * t;
    }
    var_mean += v / wsum;
  }
  const double tol_abs = tol * var_mean / static_cast<double>(d);

  std::vector<int32_t> labels(static_cast<size_t>(u)), labels_old(static_cast<size_t>(u), -1);
  std::vector<double> dist(static_cast<size_t>(u));
  std::vector<double> sums(static_cast<size_t>(k * d)), weight(static_cast<size_t>(k));
  int64_t n_iter = 0;
  for (int64_t it = 0; it < max_iter; ++it) {
    n_iter = it + 1;
    assign(dn, centres, k, labels, dist, pool);
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(weight.begin(), weight.end(), 0.0);
    for (int64_t i = 0; i < u; ++i) {
      const int64_t c = labels[static_cast<size_t>(i)];
      const double w = dn.w[static_cast<size_t>(i)];
      weight[static_cast<size_t>(c)] += w;
      const double* x = &dn.x[static_cast<size_t>(i * d)];
      double* s = &sums[static_cast<size_t>(c * d)];
      for (int64_t b = 0; b < d; ++b) s[b] += w * x[b];
    }
    // Empty clusters: the farthest rows (from their own centre) become their centres.
    std::vector<int64_t> empty;
    for (int64_t c = 0; c < k; ++c)
      if (weight[static_cast<size_t>(c)] == 0) empty.push_back(c);
    if (!empty.empty()) {
      std::vector<int64_t> order(static_cast<size_t>(u));
      std::iota(order.begin(), order.end(), 0);
      const size_t m = std::min(empty.size(), order.size());
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end(),
                        [&](int64_t a, int64_t b) {
                          const double da = dist[static_cast<size_t>(a)], db = dist[static_cast<size_t>(b)];
                          return da > db || (da == db && a < b);
                        });
      for (size_t j = 0; j < m; ++j) {
        const int64_t far = order[j];
        const int64_t to = empty[j];
        const int64_t from = labels[static_cast<size_t>(far)];
        const double w = dn.w[static_cast<size_t>(far)];
        const double* x = &dn.x[static_cast<size_t>(far * d)];
        for (int64_t b = 0; b < d; ++b) {
          sums[static_cast<size_t>(from * d + b)] -= w * x[b];
          sums[static_cast<size_t>(to * d + b)] = w * x[b];
        }
        weight[static_cast<size_t>(from)] -= w;
        weight[static_cast<size_t>(to)] = w;
      }
    }
    double shift = 0;
    for (int64_t c = 0; c < k; ++c) {
      const double wc = weight[static_cast<size_t>(c)];
      for (int64_t b = 0; b < d; ++b) {
        const size_t at = static_cast<size_t>(c * d + b);
        // A cluster emptied by a relocation keeps its centre (as sklearn).
        const double next = wc > 0 ? sums[at] / wc : centres[at];
        shift += (next - centres[at]) * (next - centres[at]);
        centres[at] = next;
      }
    }
    if (labels == labels_old) break;
    if (shift <= tol_abs) break;
    labels_old = labels;
  }
  KmeansResult r;
  r.k = k;
  r.d = d;
  r.n_iter = n_iter;
  assign(dn, centres, k, labels, dist, pool);
  r.sizes.assign(static_cast<size_t>(k), 0.0);
  r.inertia = 0;
  for (int64_t i = 0; i < u; ++i) {
    r.inertia += dn.w[static_cast<size_t>(i)] * dist[static_cast<size_t>(i)];
    r.sizes[static_cast<size_t>(labels[static_cast<size_t>(i)])] += dn.w[static_cast<size_t>(i)];
  }
  r.centroids = std::move(centres);
  r.labels = std::move(labels);
  return r;
}

void check_k(const DistinctRows& rows, int64_t k) {
  if (rows.size() < 1) fail(codes::kInvalidArgument, "Expected at least one row for k-means but received 0 rows");
  if (k > rows.size()) {
    fail(codes::kInvalidArgument, "Expected k ≤ the number of distinct rows (" + std::to_string(rows.size()) +
                                      ") for k but received " + std::to_string(k) + " (k-means needs k distinct centres)");
  }
}

}  // namespace

double binary_sq_dist(const uint64_t* x, const double* c, int64_t d) {
  double s = 0;
  for (int64_t b = 0; b < d; ++b) {
    const double t = static_cast<double>((x[b >> 6] >> (b & 63)) & 1u) - c[b];
    s += t * t;
  }
  return s;
}

DistinctRows dedup_uint8(const uint8_t* data, int64_t n, int64_t d, ThreadPool& pool) {
  return dedup_source(Uint8Source{data, d}, n, d, pool);
}
DistinctRows dedup_float32(const float* data, int64_t n, int64_t d, ThreadPool& pool) {
  return dedup_source(Float32Source{data, d}, n, d, pool);
}

DistinctRows dedup_packed(const std::vector<PackedBlock>& blocks, int64_t d, ThreadPool& pool) {
  const int64_t words = (d + 63) / 64;
  std::vector<int64_t> starts;
  int64_t n = 0;
  for (const PackedBlock& b : blocks) {
    starts.push_back(n);
    n += b.count;
  }
  check_shape(n, d);
  if (words == 1) {
    return dedup_one_word(n, d, pool, [&](int64_t begin, int64_t end, uint64_t* codes) {
      for_blocks(blocks, starts, words, begin, end, [&](int64_t first, const uint64_t* rows, int64_t count) {
        std::copy_n(rows, count, codes + first);
      });
    });
  }
  std::vector<CodeTable> tables;
  std::mutex mutex;
  pool.parallel_for(n, kRowGrain, [&](int64_t begin, int64_t end) {
    CodeTable local(words, 4096);
    for_blocks(blocks, starts, words, begin, end, [&](int64_t, const uint64_t* rows, int64_t count) {
      for (int64_t r = 0; r < count; ++r) local.add(rows + r * words, 1);
    });
    std::lock_guard<std::mutex> lock(mutex);
    tables.push_back(std::move(local));
  });
  return finish(tables, d, words);
}

std::vector<int32_t> row_indices_uint8(const DistinctRows& distinct, const uint8_t* data, int64_t n, ThreadPool& pool) {
  return indices_source(distinct, Uint8Source{data, distinct.d}, n, pool);
}
std::vector<int32_t> row_indices_float32(const DistinctRows& distinct, const float* data, int64_t n, ThreadPool& pool) {
  return indices_source(distinct, Float32Source{data, distinct.d}, n, pool);
}
std::vector<int32_t> row_indices_packed(const DistinctRows& distinct, const std::vector<PackedBlock>& blocks,
                                        ThreadPool& pool) {
  const int64_t words = distinct.words;
  CodeTable table(words, static_cast<size_t>(distinct.size()) + 16);
  for (int64_t i = 0; i < distinct.size(); ++i) table.add(&distinct.codes[static_cast<size_t>(i * words)], 1);
  std::vector<int64_t> starts;
  int64_t n = 0;
  for (const PackedBlock& b : blocks) {
    starts.push_back(n);
    n += b.count;
  }
  std::vector<int32_t> out(static_cast<size_t>(n));
  pool.parallel_for(n, kRowGrain, [&](int64_t begin, int64_t end) {
    for_blocks(blocks, starts, words, begin, end, [&](int64_t first, const uint64_t* rows, int64_t count) {
      for (int64_t r = 0; r < count; ++r) out[static_cast<size_t>(first + r)] = static_cast<int32_t>(table.find(rows + r * words));
    });
  });
  return out;
}

void validate_kmeans_options(const KmeansOptions& o) {
  if (o.k < 1) fail(codes::kInvalidArgument, "Expected an integer k ≥ 1 for k but received " + std::to_string(o.k));
  if (o.restarts < 1) fail(codes::kInvalidArgument, "Expected restarts ≥ 1 for restarts but received " + std::to_string(o.restarts));
  if (o.max_iter < 1) fail(codes::kInvalidArgument, "Expected maxIter ≥ 1 for maxIter but received " + std::to_string(o.max_iter));
  if (!std::isfinite(o.tol) || o.tol < 0) fail(codes::kInvalidArgument, "Expected a finite tol ≥ 0 for tol but received " + std::to_string(o.tol));
}

KmeansResult kmeans_weighted(const DistinctRows& rows, const KmeansOptions& o, ThreadPool& pool) {
  validate_kmeans_options(o);
  check_k(rows, o.k);
  const Dense dn = unpack(rows);
  Xoshiro128ss rng(o.seed);
  KmeansResult best;
  std::vector<double> inertias;
  for (int64_t r = 0; r < o.restarts; ++r) {
    KmeansResult res = lloyd(dn, kmeanspp(dn, o.k, rng, pool), o.k, o.max_iter, o.tol, pool);
    inertias.push_back(res.inertia);
    if (r == 0 || res.inertia < best.inertia) {
      best = std::move(res);
      best.best_restart = r;
    }
  }
  best.restart_inertia = std::move(inertias);
  return best;
}

KmeansResult lloyd_from(const DistinctRows& rows, const std::vector<double>& init, int64_t k, int64_t max_iter,
                        double tol, ThreadPool& pool) {
  validate_kmeans_options(KmeansOptions{k, 1, 0, max_iter, tol});
  check_k(rows, k);
  if (static_cast<int64_t>(init.size()) != k * rows.d) {
    fail(codes::kShapeMismatch, "Expected k × d initial centres but received " + std::to_string(init.size()));
  }
  KmeansResult r = lloyd(unpack(rows), init, k, max_iter, tol, pool);
  r.restart_inertia = {r.inertia};
  return r;
}

}  // namespace gdln::reln
