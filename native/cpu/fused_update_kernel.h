// native/cpu/fused_update_kernel.h — the body of fused_rows (fused_update.h),
// written once over a small SIMD traits type S (reg, W lanes, load, store, set1,
// fma, mul, zero) and instantiated per ISA: fused_update.cc (a scalar S, the
// baseline build) and fused_update_avx2.cc (AVX2 + FMA intrinsics).
// Included only by those two files, inside an anonymous namespace, after
// <algorithm> and fused_update.h.
#pragma once

// One micro-step: R rows of W (i .. i+R−1) over columns [c0, c1). Per column vector:
// the R rows are loaded once into registers; for each batch row j,
// E[j] += Σ_k d[j][i+k]·W_old[i+k] and u_k += d[j][i+k]·x[j]; then W[i+k] = beta·W + alpha·u_k.
// next: the rows the following step reads at the same columns (or nullptr), prefetched
// a cache line per 64 bytes while this step computes.
template <typename S, int R>
inline void fused_step(int64_t m, int64_t i, int64_t c0, int64_t c1, int64_t cols,
                       const typename S::T* d, int64_t ld_d, const typename S::T* x,
                       typename S::T* w, typename S::T* e, typename S::T alpha,
                       typename S::T beta, const typename S::T* next) {
  using T = typename S::T;
  using reg = typename S::reg;
  constexpr int64_t L = S::W;
  T dv[gdln::cpu::kFusedMaxRows * R];
  for (int64_t j = 0; j < m; ++j) {
    for (int k = 0; k < R; ++k) dv[j * R + k] = d[j * ld_d + i + k];
  }
  const reg va = S::set1(alpha), vb = S::set1(beta);
  T* wr[R];
  for (int k = 0; k < R; ++k) wr[k] = w + (i + k) * cols;
  int64_t c = c0;
  for (; c + L <= c1; c += L) {
    if (next != nullptr && ((c - c0) * static_cast<int64_t>(sizeof(T))) % 64 == 0) {
      for (int k = 0; k < R; ++k) __builtin_prefetch(next + k * cols + (c - c0), 1);
    }
    reg wv[R], u[R];
    for (int k = 0; k < R; ++k) {
      wv[k] = S::load(wr[k] + c);
      u[k] = S::zero();
    }
    const T* xc = x + c;
    T* ec = e + c;
    const T* dj = dv;
    for (int64_t j = 0; j < m; ++j, xc += cols, ec += cols, dj += R) {
      const reg xj = S::load(xc);
      reg ej = S::load(ec);
      for (int k = 0; k < R; ++k) {
        const reg dk = S::set1(dj[k]);
        ej = S::fma(dk, wv[k], ej);
        u[k] = S::fma(dk, xj, u[k]);
      }
      S::store(ec, ej);
    }
    for (int k = 0; k < R; ++k) S::store(wr[k] + c, S::fma(vb, wv[k], S::mul(va, u[k])));
  }
  for (; c < c1; ++c) {
    T wv[R], u[R];
    for (int k = 0; k < R; ++k) {
      wv[k] = wr[k][c];
      u[k] = T(0);
    }
    for (int64_t j = 0; j < m; ++j) {
      T ej = e[j * cols + c];
      const T xj = x[j * cols + c];
      for (int k = 0; k < R; ++k) {
        ej += dv[j * R + k] * wv[k];
        u[k] += dv[j * R + k] * xj;
      }
      e[j * cols + c] = ej;
    }
    for (int k = 0; k < R; ++k) wr[k][c] = beta * wv[k] + alpha * u[k];
  }
}

template <typename S>
void fused_rows_body(int64_t m, int64_t i0, int64_t i1, int64_t cols, const typename S::T* d,
                     int64_t ld_d, const typename S::T* x, typename S::T* w, typename S::T* e,
                     typename S::T alpha, typename S::T beta) {
  using T = typename S::T;
  for (int64_t c0 = 0; c0 < cols; c0 += gdln::cpu::kFusedColBlock) {
    const int64_t c1 = std::min(cols, c0 + gdln::cpu::kFusedColBlock);
    // Where the step after (i, c0) reads: the next 4 rows, or the next tile's first rows.
    auto next_of = [&](int64_t i_next) -> const T* {
      if (i_next + 4 <= i1) return w + i_next * cols + c0;
      if (c1 < cols && i0 + 4 <= i1) return w + i0 * cols + c1;
      return nullptr;
    };
    int64_t i = i0;
    for (; i + 4 <= i1; i += 4) {
      fused_step<S, 4>(m, i, c0, c1, cols, d, ld_d, x, w, e, alpha, beta, next_of(i + 4));
    }
    for (; i < i1; ++i) fused_step<S, 1>(m, i, c0, c1, cols, d, ld_d, x, w, e, alpha, beta, nullptr);
  }
}

// out[j·ldo + i] = Σ_c x[j·cols + c] · W[i·cols + c] for j < m (≤ kFusedMaxRows), i ∈ [i0, i1):
// the forward product of a wide edge for a small batch, streaming each row of W once (no
// packing). Column tiles of 512 keep the batch's x tile in L1; per row of W and
// group of G ≤ 8 batch rows, G vector accumulators; partial sums over tiles are added in
// tile order.
template <typename S, int G>
inline void small_nt_group(int64_t j0, int64_t i, int64_t c0, int64_t c1, int64_t cols,
                           const typename S::T* x, const typename S::T* w, typename S::T* out,
                           int64_t ldo, bool first, const typename S::T* next) {
  using T = typename S::T;
  using reg = typename S::reg;
  constexpr int64_t L = S::W;
  reg acc[G];
  for (int g = 0; g < G; ++g) acc[g] = S::zero();
  const T* wr = w + i * cols;
  int64_t c = c0;
  for (; c + L <= c1; c += L) {
    if (next != nullptr && ((c - c0) * static_cast<int64_t>(sizeof(T))) % 64 == 0) {
      __builtin_prefetch(next + (c - c0), 0);
    }
    const reg wv = S::load(wr + c);
    for (int g = 0; g < G; ++g) acc[g] = S::fma(S::load(x + (j0 + g) * cols + c), wv, acc[g]);
  }
  T tail[G];
  for (int g = 0; g < G; ++g) tail[g] = S::hsum(acc[g]);
  for (; c < c1; ++c) {
    for (int g = 0; g < G; ++g) tail[g] += x[(j0 + g) * cols + c] * wr[c];
  }
  for (int g = 0; g < G; ++g) {
    T& o = out[(j0 + g) * ldo + i];
    o = first ? tail[g] : o + tail[g];
  }
}

template <typename S>
void small_nt_body(int64_t m, int64_t i0, int64_t i1, int64_t cols, const typename S::T* x,
                   const typename S::T* w, typename S::T* out, int64_t ldo) {
  using T = typename S::T;
  // 512 columns: the x tile of 8 batch rows is 16 KiB (float32), half of L1, and each row
  // segment is long enough (~250 cycles) that the horizontal sums at its end stay small.
  constexpr int64_t kTile = 512;
  for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
    const int64_t c1 = std::min(cols, c0 + kTile);
    const bool first = c0 == 0;
    for (int64_t i = i0; i < i1; ++i) {
      // Prefetch kAhead rows ahead (one row segment is ~100 cycles of work, less than a
      // DRAM round trip); near the end of the block, the next tile's first rows.
      constexpr int64_t kAhead = 6;
      const int64_t ia = i + kAhead;
      const int64_t iw = i0 + (ia - i1);  // wrapped into the next tile
      const T* next = ia < i1 ? w + ia * cols + c0
                              : (c1 < cols && iw < i1 ? w + iw * cols + c1 : nullptr);
      int64_t j = 0;
      for (; j + 8 <= m; j += 8) small_nt_group<S, 8>(j, i, c0, c1, cols, x, w, out, ldo, first, next);
      if (j + 4 <= m) {
        small_nt_group<S, 4>(j, i, c0, c1, cols, x, w, out, ldo, first, nullptr);
        j += 4;
      }
      if (j + 2 <= m) {
        small_nt_group<S, 2>(j, i, c0, c1, cols, x, w, out, ldo, first, nullptr);
        j += 2;
      }
      if (j < m) small_nt_group<S, 1>(j, i, c0, c1, cols, x, w, out, ldo, first, nullptr);
    }
  }
}
