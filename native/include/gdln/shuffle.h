// gdln/shuffle.h — the minibatch order, defined bit-for-bit so that the js,
// cpu and cuda backends visit the same samples in the same order.
//
// Generator: xoshiro128** seeded from splitmix32(seed) (4 draws). Each epoch
// shuffles 0..N-1 by Fisher–Yates: for i = N-1 down to 1,
//   j = floor(next_u32() / 2^32 * (i + 1))   (computed in double precision)
// then batches are consecutive chunks of batch_size (the last may be short).
// The permutation of one epoch starts from the previous epoch's permutation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace gdln {

class Xoshiro128ss {
 public:
  explicit Xoshiro128ss(uint32_t seed) {
    uint32_t z = seed;
    for (auto& word : s_) word = splitmix32(z);
  }
  uint32_t next_u32() {
    const uint32_t result = rotl(s_[1] * 5u, 7) * 9u;
    const uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
    return result;
  }
  // Uniform integer in [0, bound), bound ≤ 2^31.
  uint32_t below(uint32_t bound) {
    return static_cast<uint32_t>(
        std::floor(static_cast<double>(next_u32()) / 4294967296.0 * bound));
  }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  static uint32_t splitmix32(uint32_t& state) {
    uint32_t z = (state += 0x9e3779b9u);
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
  }
  uint32_t s_[4];
};

inline void shuffle_in_place(std::vector<int32_t>& perm, Xoshiro128ss& rng) {
  for (int64_t i = static_cast<int64_t>(perm.size()) - 1; i >= 1; --i) {
    const uint32_t j = rng.below(static_cast<uint32_t>(i + 1));
    std::swap(perm[i], perm[j]);
  }
}

// The minibatch order shared by every backend: each epoch reshuffles the previous
// epoch's permutation, then hands out consecutive chunks (the last may be short).
class MinibatchOrder {
 public:
  MinibatchOrder(int64_t n_samples, int64_t batch_size, uint32_t seed)
      : rng_(seed), perm_(static_cast<size_t>(n_samples)), batch_size_(batch_size) {
    std::iota(perm_.begin(), perm_.end(), 0);
  }

  void next(std::vector<int32_t>& rows) {
    if (position_ == 0) shuffle_in_place(perm_, rng_);
    const int64_t n = static_cast<int64_t>(perm_.size());
    const int64_t end = std::min(n, position_ + batch_size_);
    rows.assign(perm_.begin() + position_, perm_.begin() + end);
    position_ = end == n ? 0 : end;
  }

 private:
  Xoshiro128ss rng_;
  std::vector<int32_t> perm_;
  int64_t batch_size_;
  int64_t position_ = 0;
};

}  // namespace gdln
