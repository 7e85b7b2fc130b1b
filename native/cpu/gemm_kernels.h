// native/cpu/gemm_kernels.h — the built-in GEMM algorithm, written once over a
// tiny SIMD vocabulary and instantiated by each gemm_*.cc file for its ISA.
//
// Promise: for any strides, shapes and alpha/beta that gemm_isa.h admits,
// run<Cfg>(P) computes C = alpha * op(A) op(B) + beta * C on the calling
// thread, overwriting C when beta == 0. It does no allocation besides the
// per-thread scratch and uses no FMA contraction the caller did not ask for
// (explicit V::fma only), so results are reproducible for a given ISA and
// build. The packed and the direct (skinny) paths give bitwise-identical
// elements: same k slices, same per-slice order, same write-back expression.
//
// Algorithm (the Goto/BLIS layering): C is cut into NC-wide column blocks;
// k into KC-deep slices, whose op(B) block is packed into NR-wide micro-panels
// (lives in L3/L2); for each MC-tall row block op(A) is packed into MR-tall
// micro-panels (lives in L2); an MR x NR register tile then streams one A and
// one B micro-panel (B's stays in L1 across the MR tiles). Edge tiles are
// zero-padded in the packed panels and merged into C through a small buffer.
// Skinny shapes (few rows or columns, e.g. few active samples) skip packing
// the big operand: either the micro-kernel reads op(B) rows in place, or a
// dot-product kernel runs along k when both operands are contiguous in k.
//
// Include ONLY from a gemm_*.cc file, after defining its vector types.
// Everything here is in an anonymous namespace on purpose: every ISA
// translation unit gets its own private copy, so the linker can never merge an
// AVX-512 instantiation into a baseline caller (the ODR trap of per-file -m
// flags). For the same reason this header uses no out-of-line std templates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gemm_isa.h"

#if defined(__GNUC__)
#define GDLN_UNROLL _Pragma("GCC unroll 32")
#define GDLN_RESTRICT __restrict__
#else
#define GDLN_UNROLL
#define GDLN_RESTRICT
#endif

namespace gdln {
namespace gemm_detail {
namespace {

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// A vocabulary V provides: T, reg, W (lanes), zero(), load(p), store(p, r)
// (both unaligned), set1(x), fma(a, b, c) = a*b + c, mul(a, b), hsum(r).
//
// Config: MR x (NV*W) register tile; KC/MC/NC cache blocks (MC a multiple of
// MR, NC of NR); DOT_ACC accumulators for the skinny dot-product path (its
// tiles are ra x ceil(DOT_ACC / ra) for ra = 1..4 rows).
template <class V_, int MR_, int NV_, int KC_, int MC_, int NC_, int DOT_ACC_>
struct Config {
  using V = V_;
  using T = typename V::T;
  static constexpr int W = V::W;
  static constexpr int MR = MR_;
  static constexpr int NV = NV_;
  static constexpr int NR = NV_ * V::W;
  static constexpr int64_t KC = KC_, MC = MC_, NC = NC_;
  static constexpr int DOT_ACC = DOT_ACC_;
  // Rows (or columns) at or below which a product counts as skinny.
  static constexpr int64_t SKINNY = 8;
  // The dot kernel needs enough k to amortise its horizontal sums.
  static constexpr int64_t DOT_MIN_K = 4 * V::W;
  static_assert(MC_ % MR_ == 0 && NC_ % (NV_ * V::W) == 0, "blocks must hold whole tiles");
};

// The same vocabulary and KC with another register tile (for skinny shapes).
template <class C, int MR2, int NV2>
using Retile = Config<typename C::V, MR2, NV2, static_cast<int>(C::KC), MR2 * 16,
                      NV2 * C::W * 64, C::DOT_ACC>;

// c[i*c_rs + j*c_cs] = alpha*t[i*NR + j] + beta*c (beta == 0: c is write-only).
// Used by the dot path, whose few outputs per tile are scalars anyway.
template <class T, int NR>
inline void merge_tile(const T* t, int64_t mr, int64_t nr, T* c, int64_t c_rs,
                       int64_t c_cs, T alpha, T beta) {
  for (int64_t i = 0; i < mr; ++i) {
    for (int64_t j = 0; j < nr; ++j) {
      T& cij = c[i * c_rs + j * c_cs];
      const T v = alpha * t[i * NR + j];
      cij = beta == T(0) ? v : v + beta * cij;
    }
  }
}

// The register tile: C[0:mr, 0:nr] = alpha * Apanel Bpanel + beta * C.
// a: packed MR x kc panel (column of MR values per p). b: kc rows of NR values,
// row p at b + p*b_rs (b_rs == NR when packed, ldb when read in place).
template <class C>
void micro_kernel(int64_t kc, const typename C::T* GDLN_RESTRICT a,
                  const typename C::T* GDLN_RESTRICT b, int64_t b_rs,
                  typename C::T* c, int64_t c_rs, int64_t c_cs, typename C::T alpha,
                  typename C::T beta, int64_t mr, int64_t nr) {
  using V = typename C::V;
  using T = typename C::T;
  using reg = typename V::reg;
  constexpr int MR = C::MR, NV = C::NV, W = C::W, NR = C::NR;

  reg acc[MR][NV];
  GDLN_UNROLL for (int i = 0; i < MR; ++i) {
    GDLN_UNROLL for (int j = 0; j < NV; ++j) acc[i][j] = V::zero();
  }
  for (int64_t p = 0; p < kc; ++p) {
    reg bv[NV];
    GDLN_UNROLL for (int j = 0; j < NV; ++j) bv[j] = V::load(b + j * W);
    GDLN_UNROLL for (int i = 0; i < MR; ++i) {
      const reg av = V::set1(a[i]);
      GDLN_UNROLL for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
    }
    a += MR;
    b += b_rs;
  }

  // Every tile, full or ragged, goes through this one vector expression, so
  // an element's rounding never depends on where the tile edges fall (e.g.
  // on how a caller splits rows between threads).
  auto write = [&](T* cp, int64_t rs) {
    const reg va = V::set1(alpha);
    if (beta == T(0)) {
      GDLN_UNROLL for (int i = 0; i < MR; ++i) {
        GDLN_UNROLL for (int j = 0; j < NV; ++j) V::store(cp + i * rs + j * W, V::mul(acc[i][j], va));
      }
    } else {
      const reg vb = V::set1(beta);
      GDLN_UNROLL for (int i = 0; i < MR; ++i) {
        GDLN_UNROLL for (int j = 0; j < NV; ++j) {
          T* q = cp + i * rs + j * W;
          V::store(q, V::fma(vb, V::load(q), V::mul(acc[i][j], va)));
        }
      }
    }
  };
  if (mr == MR && nr == NR && c_cs == 1) {
    write(c, c_rs);
    return;
  }
  // Ragged or strided tile: stage the valid part of C in a buffer.
  alignas(64) T tmp[MR * NR] = {};
  if (beta != T(0)) {
    for (int64_t i = 0; i < mr; ++i) {
      for (int64_t j = 0; j < nr; ++j) tmp[i * NR + j] = c[i * c_rs + j * c_cs];
    }
  }
  write(tmp, NR);
  for (int64_t i = 0; i < mr; ++i) {
    for (int64_t j = 0; j < nr; ++j) c[i * c_rs + j * c_cs] = tmp[i * NR + j];
  }
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-tall micro-panels, zero-padded.
template <class C>
void pack_a(const Problem<typename C::T>& P, int64_t i0, int64_t mc, int64_t p0,
            int64_t kc, typename C::T* GDLN_RESTRICT out) {
  using T = typename C::T;
  constexpr int MR = C::MR;
  const int64_t rs = P.a_rs, cs = P.a_cs;
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = min64(MR, mc - ir);
    const T* src = P.a + (i0 + ir) * rs + p0 * cs;
    if (rs == 1) {
      // op(A) columns are contiguous (A stored transposed): MR values per p.
      for (int64_t p = 0; p < kc; ++p) {
        const T* s = src + p * cs;
        T* d = out + p * MR;
        // Fixed trip count with a select: a variable-length copy loop would
        // become a memcpy call per p.
        GDLN_UNROLL for (int i = 0; i < MR; ++i) d[i] = i < mr ? s[i] : T(0);
      }
    } else if (cs == 1 && mr == MR) {
      // Rows contiguous: read MR row streams in step so writes stay sequential.
      const T* rows[MR];
      GDLN_UNROLL for (int i = 0; i < MR; ++i) rows[i] = src + i * rs;
      for (int64_t p = 0; p < kc; ++p) {
        GDLN_UNROLL for (int i = 0; i < MR; ++i) out[p * MR + i] = rows[i][p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        T* d = out + p * MR;
        GDLN_UNROLL for (int i = 0; i < MR; ++i) d[i] = i < mr ? src[i * rs + p * cs] : T(0);
      }
    }
    out += MR * kc;
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-wide micro-panels, zero-padded.
template <class C>
void pack_b(const Problem<typename C::T>& P, int64_t p0, int64_t kc, int64_t j0,
            int64_t nc, typename C::T* GDLN_RESTRICT out) {
  using T = typename C::T;
  constexpr int NR = C::NR;
  const int64_t rs = P.b_rs, cs = P.b_cs;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = min64(NR, nc - jr);
    const T* src = P.b + p0 * rs + (j0 + jr) * cs;
    if (cs == 1 && nr == NR) {
      // op(B) rows contiguous: NR values per p, a fixed-size (vector) copy.
      for (int64_t p = 0; p < kc; ++p) {
        const T* s = src + p * rs;
        T* d = out + p * NR;
        GDLN_UNROLL for (int j = 0; j < NR; ++j) d[j] = s[j];
      }
    } else if (cs == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        const T* s = src + p * rs;
        T* d = out + p * NR;
        GDLN_UNROLL for (int j = 0; j < NR; ++j) d[j] = j < nr ? s[j] : T(0);
      }
    } else if (rs == 1 && nr == NR) {
      // B stored transposed: NR column streams read in step.
      const T* cols[NR];
      GDLN_UNROLL for (int j = 0; j < NR; ++j) cols[j] = src + j * cs;
      for (int64_t p = 0; p < kc; ++p) {
        GDLN_UNROLL for (int j = 0; j < NR; ++j) out[p * NR + j] = cols[j][p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        T* d = out + p * NR;
        GDLN_UNROLL for (int j = 0; j < NR; ++j) d[j] = j < nr ? src[p * rs + j * cs] : T(0);
      }
    }
    out += NR * kc;
  }
}

// The blocked, packed product (the general path).
template <class C>
void gemm_packed(const Problem<typename C::T>& P) {
  using T = typename C::T;
  constexpr int MR = C::MR, NR = C::NR;
  const int64_t kc_max = min64(C::KC, P.k);
  const int64_t mc_max = min64(C::MC, round_up(P.m, MR));
  const int64_t nc_max = min64(C::NC, round_up(P.n, NR));
  const int64_t a_elems = round_up(mc_max * kc_max, 64);
  const int64_t b_elems = nc_max * kc_max;
  T* abuf = static_cast<T*>(scratch(static_cast<std::size_t>(a_elems + b_elems) * sizeof(T)));
  T* bbuf = abuf + a_elems;

  for (int64_t jc = 0; jc < P.n; jc += C::NC) {
    const int64_t nc = min64(C::NC, P.n - jc);
    for (int64_t pc = 0; pc < P.k; pc += C::KC) {
      const int64_t kc = min64(C::KC, P.k - pc);
      // Later k slices accumulate onto what the first one wrote.
      const T beta = pc == 0 ? P.beta : T(1);
      pack_b<C>(P, pc, kc, jc, nc, bbuf);
      for (int64_t ic = 0; ic < P.m; ic += C::MC) {
        const int64_t mc = min64(C::MC, P.m - ic);
        pack_a<C>(P, ic, mc, pc, kc, abuf);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = min64(NR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += MR) {
            micro_kernel<C>(kc, abuf + ir * kc, bbuf + jr * kc, NR,
                            P.c + (ic + ir) * P.c_rs + (jc + jr) * P.c_cs, P.c_rs,
                            P.c_cs, P.alpha, beta, min64(MR, mc - ir), nr);
          }
        }
      }
    }
  }
}

// At most MR rows with op(B) rows contiguous (b_cs == 1): packing B would
// cost as much as the product, so the micro-kernel reads B in place. Only
// op(A) is packed (MR x kc, small). k is still cut into KC slices, each swept
// across all columns, so the B rows in use span few pages: whole-k strips
// over a large power-of-two ldb thrash the TLB (measured: 10x slower for
// double, n = k = 1024). Columns go NR at a time, then W at a time, and the
// last partial vector through a tiny packed strip.
template <class C>
void direct_rows(const Problem<typename C::T>& P) {
  using T = typename C::T;
  using C1 = Retile<C, C::MR, 1>;  // same packed-A layout, one vector wide
  constexpr int NR = C::NR, W = C::W;
  const int64_t kc_max = min64(C::KC, P.k);
  const int64_t a_elems = round_up(C::MR * kc_max, 64);
  T* abuf = static_cast<T*>(scratch(static_cast<std::size_t>(a_elems + W * kc_max) * sizeof(T)));
  T* bbuf = abuf + a_elems;
  for (int64_t pc = 0; pc < P.k; pc += C::KC) {
    const int64_t kc = min64(C::KC, P.k - pc);
    const T beta = pc == 0 ? P.beta : T(1);
    pack_a<C>(P, 0, P.m, pc, kc, abuf);
    const T* b = P.b + pc * P.b_rs;
    int64_t j = 0;
    for (; j + NR <= P.n; j += NR) {
      micro_kernel<C>(kc, abuf, b + j, P.b_rs, P.c + j * P.c_cs, P.c_rs, P.c_cs, P.alpha, beta,
                      P.m, NR);
    }
    for (; j + W <= P.n; j += W) {
      micro_kernel<C1>(kc, abuf, b + j, P.b_rs, P.c + j * P.c_cs, P.c_rs, P.c_cs, P.alpha,
                       beta, P.m, W);
    }
    if (j < P.n) {
      pack_b<C1>(P, pc, kc, j, P.n - j, bbuf);
      micro_kernel<C1>(kc, abuf, bbuf, W, P.c + j * P.c_cs, P.c_rs, P.c_cs, P.alpha, beta,
                       P.m, P.n - j);
    }
  }
}

// RA x RB dot products of length k: rows of op(A) (contiguous, stride a_rs)
// against columns of op(B) (contiguous, stride b_cs), vectorised along k.
template <class C, int RA, int RB>
void dot_tile(int64_t k, const typename C::T* GDLN_RESTRICT a, int64_t a_rs,
              const typename C::T* GDLN_RESTRICT b, int64_t b_cs, typename C::T* c,
              int64_t c_rs, int64_t c_cs, typename C::T alpha, typename C::T beta) {
  using V = typename C::V;
  using T = typename C::T;
  using reg = typename V::reg;
  constexpr int W = C::W;
  reg acc[RA][RB];
  GDLN_UNROLL for (int i = 0; i < RA; ++i) {
    GDLN_UNROLL for (int j = 0; j < RB; ++j) acc[i][j] = V::zero();
  }
  int64_t p = 0;
  for (; p + W <= k; p += W) {
    reg av[RA];
    GDLN_UNROLL for (int i = 0; i < RA; ++i) av[i] = V::load(a + i * a_rs + p);
    GDLN_UNROLL for (int j = 0; j < RB; ++j) {
      const reg bv = V::load(b + j * b_cs + p);
      GDLN_UNROLL for (int i = 0; i < RA; ++i) acc[i][j] = V::fma(av[i], bv, acc[i][j]);
    }
  }
  T s[RA * RB];
  GDLN_UNROLL for (int i = 0; i < RA; ++i) {
    GDLN_UNROLL for (int j = 0; j < RB; ++j) s[i * RB + j] = V::hsum(acc[i][j]);
  }
  for (; p < k; ++p) {
    for (int i = 0; i < RA; ++i) {
      for (int j = 0; j < RB; ++j) s[i * RB + j] += a[i * a_rs + p] * b[j * b_cs + p];
    }
  }
  merge_tile<T, RB>(s, RA, RB, c, c_rs, c_cs, alpha, beta);
}

// The last rb < RB columns, in chunks of H, H/2, ..., 1 (few instantiations,
// each still with several FMA chains).
template <class C, int RA, int H>
void dot_tail(int64_t rb, int64_t k, const typename C::T* a, int64_t a_rs,
              const typename C::T* b, int64_t b_cs, typename C::T* c, int64_t c_rs,
              int64_t c_cs, typename C::T alpha, typename C::T beta) {
  for (; rb >= H; rb -= H, b += H * b_cs, c += H * c_cs) {
    dot_tile<C, RA, H>(k, a, a_rs, b, b_cs, c, c_rs, c_cs, alpha, beta);
  }
  if constexpr (H > 1) {
    if (rb > 0) dot_tail<C, RA, H / 2>(rb, k, a, a_rs, b, b_cs, c, c_rs, c_cs, alpha, beta);
  }
}

// RA rows of C against all n columns. Fewer rows get more columns, so every
// row count keeps about DOT_ACC independent FMA chains in flight.
template <class C, int RA>
void dot_rows(const Problem<typename C::T>& P, const typename C::T* a, int64_t a_rs,
              typename C::T* c) {
  constexpr int RB = (C::DOT_ACC + RA - 1) / RA;
  int64_t j0 = 0;
  for (; j0 + RB <= P.n; j0 += RB) {
    dot_tile<C, RA, RB>(P.k, a, a_rs, P.b + j0 * P.b_cs, P.b_cs, c + j0 * P.c_cs, P.c_rs,
                        P.c_cs, P.alpha, P.beta);
  }
  if (j0 < P.n) {
    dot_tail<C, RA, RB / 2 < 1 ? 1 : RB / 2>(P.n - j0, P.k, a, a_rs, P.b + j0 * P.b_cs, P.b_cs,
                                             c + j0 * P.c_cs, P.c_rs, P.c_cs, P.alpha, P.beta);
  }
}

// Skinny NT product: m small, op(B) columns contiguous (b_rs == 1). op(A) is
// made row-contiguous first (m x k, cheap because m is small).
template <class C>
void gemm_dot(const Problem<typename C::T>& P) {
  using T = typename C::T;
  const T* a = P.a;
  int64_t a_rs = P.a_rs;
  if (P.a_cs != 1) {
    T* buf = static_cast<T*>(scratch(static_cast<std::size_t>(P.m * P.k) * sizeof(T)));
    for (int64_t p = 0; p < P.k; ++p) {
      for (int64_t i = 0; i < P.m; ++i) buf[i * P.k + p] = P.a[i * P.a_rs + p * P.a_cs];
    }
    a = buf;
    a_rs = P.k;
  }
  for (int64_t i0 = 0; i0 < P.m; i0 += 4) {
    const T* ai = a + i0 * a_rs;
    T* ci = P.c + i0 * P.c_rs;
    switch (min64(4, P.m - i0)) {
      case 1: dot_rows<C, 1>(P, ai, a_rs, ci); break;
      case 2: dot_rows<C, 2>(P, ai, a_rs, ci); break;
      case 3: dot_rows<C, 3>(P, ai, a_rs, ci); break;
      default: dot_rows<C, 4>(P, ai, a_rs, ci); break;
    }
  }
}

// Skinny product with op(B) rows contiguous (b_cs == 1): B is read in place,
// and rows of C go in groups of at most 4 through a tile sized for that many
// rows, so one active sample does not pay for a 6-row tile.
template <class C>
void gemm_direct(const Problem<typename C::T>& P) {
  for (int64_t i0 = 0; i0 < P.m; i0 += 4) {
    Problem<typename C::T> S = P;
    S.m = min64(4, P.m - i0);
    S.a = P.a + i0 * P.a_rs;
    S.c = P.c + i0 * P.c_rs;
    switch (S.m) {
      case 1: direct_rows<Retile<C, 1, C::DOT_ACC>>(S); break;
      case 2: direct_rows<Retile<C, 2, C::DOT_ACC / 2>>(S); break;
      case 3: direct_rows<Retile<C, 3, 3>>(S); break;
      default: direct_rows<Retile<C, 4, 3>>(S); break;
    }
  }
}

// C^T = op(B)^T op(A)^T: the same product with roles and strides swapped.
template <class T>
Problem<T> transposed(const Problem<T>& P) {
  Problem<T> t = P;
  t.m = P.n;
  t.n = P.m;
  t.a = P.b;
  t.a_rs = P.b_cs;
  t.a_cs = P.b_rs;
  t.b = P.a;
  t.b_rs = P.a_cs;
  t.b_cs = P.a_rs;
  t.c_rs = P.c_cs;
  t.c_cs = P.c_rs;
  return t;
}

// Entry: chooses the skinny or the general path (requires m, n, k > 0).
template <class C>
void run(const Problem<typename C::T>& P) {
  // Make the small dimension, if any, the row dimension.
  const Problem<typename C::T> S = (P.n <= C::SKINNY && P.m > P.n) ? transposed(P) : P;
  if (S.m <= C::SKINNY) {
    if (S.b_rs == 1 && S.k >= C::DOT_MIN_K) return gemm_dot<C>(S);
    if (S.b_cs == 1) return gemm_direct<C>(S);
  }
  gemm_packed<C>(P);
}

}  // namespace
}  // namespace gemm_detail
}  // namespace gdln
