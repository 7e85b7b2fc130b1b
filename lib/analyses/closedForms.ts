/**
 * Closed-form learning curves from the papers. Time is in units of t/τ; with
 * gdln's mean loss and full-batch gradient descent, t/τ = lr · step
 * (docs/architecture.md).
 */
import { GdlnError, invalidParameter } from '../errors.ts';

/**
 * Singular value a(t) of the product of two weight matrices learning one mode
 * of strength s with input variance d from a₀ (balanced init), race-reduction
 * eq. 21 (= make-haste-slowly eq. 7 with d = 1):
 *   a(t) = (s/d) / (1 − (1 − s/(d a₀)) e^{−2 s t/τ})
 * @param tOverTau time in units of τ
 */
export function twoLayerModeStrength(s: number, d: number, a0: number, tOverTau: number): number {
  if (!(s > 0) || !(d > 0)) throw invalidParameter('s > 0 and d > 0', 'mode strength', { s, d } as unknown);
  if (!(a0 > 0)) throw invalidParameter('an initial mode strength a0 > 0', 'a0', a0);
  return s / d / (1 - (1 - s / (d * a0)) * Math.exp((-2 * s * tOverTau)));
}

/**
 * XoR with four pathways, each active on one of the P = 4 samples
 * (race-reduction App. A.1, eq. 18–23): s = √2/P, d = 2/P and
 *   L(t) = 1/2 − P s a(t) + (P/2) d a(t)² = 1/2 − √2 a(t) + a(t)².
 * @param a0 initial effective singular value of each pathway (product of its two layers)
 */
export function xorFourPathwayLoss(a0: number, tOverTau: number): number {
  const P = 4;
  const s = Math.SQRT2 / P;
  const d = 2 / P;
  const a = twoLayerModeStrength(s, d, a0, tOverTau);
  // Completing the square: L = (P d/2)(a − s/d)² + 1/2 − P s²/(2d) = (a − 1/√2)² exactly
  // (P d/2 = 1, s/d = 1/√2, P s²/(2d) = 1/2); unlike the expanded form it never rounds below 0.
  return (P * d / 2) * (a - s / d) ** 2;
}

// ---------------------------------------------------------------------------
// Deep linear network modes (make-haste-slowly eq. 7 and App. A.1; race-reduction eq. 21)
// ---------------------------------------------------------------------------

function checkFinite(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw invalidParameter('a finite number', name, x);
}

/**
 * Effective singular value π(t) of one mode of a two-layer linear network (or pathway)
 * from balanced initial conditions — make-haste-slowly eq. 7, race-reduction eq. 21:
 *   π(t) = (λ/δ) / (1 − (1 − λ/(δ π₀)) e^{−2λ t/τ})
 * with λ the input–output singular value, δ the input variance of the mode, π₀ the
 * initial value (the product of the two layers' singular values). Same function as
 * {@link twoLayerModeStrength}, under the paper's other name.
 * @param tOverTau time in units of τ (t/τ = lr·step for gdln's mean loss)
 */
export function deepLinearMode(lambda: number, delta: number, pi0: number, tOverTau: number): number {
  return twoLayerModeStrength(lambda, delta, pi0, tOverTau);
}

/**
 * Time (in t/τ) for a mode to go from π₀ to π_f (make-haste-slowly App. A.1):
 *   t/τ = 1/(2λ) · ln( π_f (λ − π₀ δ) / (π₀ (λ − π_f δ)) ),  0 < π₀, π_f < λ/δ.
 */
export function deepLinearModeTime(lambda: number, delta: number, pi0: number, piF: number): number {
  if (!(lambda > 0) || !(delta > 0)) throw invalidParameter('λ > 0 and δ > 0', 'mode strength', { lambda, delta } as unknown);
  if (!(pi0 > 0) || !(piF > 0) || !(pi0 < lambda / delta) || !(piF < lambda / delta)) {
    throw invalidParameter(`0 < π₀, π_f < λ/δ = ${lambda / delta}`, 'π₀, π_f', { pi0, piF } as unknown);
  }
  return Math.log((piF * (lambda - pi0 * delta)) / (pi0 * (lambda - piF * delta))) / (2 * lambda);
}

/** One mode of a deep linear network: input–output singular value λ, input variance δ, initial value π₀. */
export interface LinearMode {
  lambda: number;
  delta: number;
  pi0: number;
}

/**
 * Loss of a two-layer linear network whose modes follow {@link deepLinearMode}
 * (make-haste-slowly App. A.1 with gdln's mean loss, race-reduction eq. 22):
 *   L(t) = ½ tr Σʸ − Σ_α [ λ_α π_α(t) − ½ δ_α π_α(t)² ]
 * @param halfTraceSigmaY ½ ⟨||y||²⟩ over the dataset
 */
export function deepLinearLoss(halfTraceSigmaY: number, modes: readonly LinearMode[], tOverTau: number): number {
  checkFinite(halfTraceSigmaY, 'halfTraceSigmaY');
  let l = halfTraceSigmaY;
  for (const m of modes) {
    const a = deepLinearMode(m.lambda, m.delta, m.pi0, tOverTau);
    l -= m.lambda * a - 0.5 * m.delta * a * a;
  }
  return l;
}

// ---------------------------------------------------------------------------
// XoR with margin Δ (make-haste-slowly App. C, eq. 11–26)
// ---------------------------------------------------------------------------

/** The crossover margin Δ = √(2/3) at which the two GDLNs' singular values are equal (App. C eq. 24–26). */
export const XOR_MARGIN_CROSSOVER = Math.sqrt(2 / 3);

/** s and d of one pathway of each XoR-with-margin GDLN. */
export function xorMarginModes(delta: number): { linear: { s: number; d: number }; xor: { s: number; d: number } } {
  if (!(delta > 0) || !Number.isFinite(delta)) throw invalidParameter('a finite margin Δ > 0', 'Δ', delta);
  return {
    // App. C eq. 17: s = Δ/2, d = Δ²/2 (two pathways, positive / negative examples).
    linear: { s: delta / 2, d: (delta * delta) / 2 },
    // App. C, corrected (ERRATA): s = √(1/8 + Δ²/16), d = (2 + Δ²)/4 (the printed d = 1/8 + Δ²/16 is s²).
    xor: { s: Math.sqrt(1 / 8 + (delta * delta) / 16), d: (2 + delta * delta) / 4 },
  };
}

/**
 * The linear-gating GDLN on XoR with margin Δ (two pathways; make-haste-slowly
 * App. C eq. 19 and 22): a(t) = (1/Δ) / (1 − (1 − 1/(Δ a₀)) e^{−Δ t/τ}),
 * L(t) = 1/2 − Δ a(t) + Δ² a(t)²/2.
 */
export function xorMarginLinearGdln(delta: number, a0: number, tOverTau: number): { a: number; loss: number } {
  const { s, d } = xorMarginModes(delta).linear;
  const a = twoLayerModeStrength(s, d, a0, tOverTau);
  // = 1/2 − Δa + Δ²a²/2 written as a square, (1 − Δa)²/2, so it never rounds below zero.
  return { a, loss: 0.5 * (1 - delta * a) ** 2 };
}

/**
 * The XoR-gating GDLN on XoR with margin Δ (four pathways; make-haste-slowly App. C
 * eq. 23 with the corrected d = (2 + Δ²)/4, see ERRATA): L(t) = 1/2 − 4 s a(t) + 2 d a(t)²,
 * a(t) from eq. 18 with s = √(1/8 + Δ²/16).
 */
export function xorMarginXorGdln(delta: number, a0: number, tOverTau: number): { a: number; loss: number } {
  const { s, d } = xorMarginModes(delta).xor;
  const a = twoLayerModeStrength(s, d, a0, tOverTau);
  // 1/2 − 4sa + 2da² = 2d(a − s/d)² since 2s²/d = 1/2 exactly.
  return { a, loss: 2 * d * (a - s / d) ** 2 };
}

/**
 * Time t/τ for a GDLN on XoR with margin Δ to reach loss `criterion` from a₀ (the
 * learning time of make-haste-slowly Fig. 2d; closed form via the mode time).
 */
export function xorMarginLearningTime(gdln: 'linear' | 'xor', delta: number, a0: number, criterion: number): number {
  if (!(criterion > 0 && criterion < 0.5)) throw invalidParameter('a loss criterion in (0, 1/2)', 'criterion', criterion);
  const { s, d } = xorMarginModes(delta)[gdln];
  // Loss = (P d/2)(a − s/d)² with P = 2 (linear) or 4 (xor); solve for the a reached first.
  const P = gdln === 'linear' ? 2 : 4;
  const aF = s / d - Math.sqrt((2 * criterion) / (P * d));
  if (!(aF > a0)) return 0;
  return deepLinearModeTime(s, d, a0, aF);
}

/**
 * The margin Δ at which both GDLNs reach `criterion` at the same time from a₀ (bisection
 * on [0.05, 3] to 1e-12). Per ERRATA it lies above √(2/3) at any finite a₀ (≈ 0.87 at
 * a₀ = 1e-6, criterion 0.2) and tends to √(2/3) as a₀ → 0.
 */
export function xorMarginTimeCrossover(a0: number, criterion: number): number {
  const f = (x: number) => xorMarginLearningTime('linear', x, a0, criterion) - xorMarginLearningTime('xor', x, a0, criterion);
  let lo = 0.3;
  let hi = 3;
  if (!(f(lo) > 0 && f(hi) < 0)) throw new GdlnError('GDLN_INTERNAL', `No learning-time crossover in [${lo}, ${hi}] for a0 = ${a0}, criterion = ${criterion}`);
  while (hi - lo > 1e-12) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---------------------------------------------------------------------------
// Routing task and pathway race (race-reduction eq. 13–17, App. C eq. 44–56)
// ---------------------------------------------------------------------------

/**
 * Right-hand side of the pathway-race reduction with sharing P (race-reduction eq. 16–17,
 * App. C eq. 52–53), for one singular mode with dataset singular value S and input
 * variance D (of ⟨yxᵀ⟩ = USVᵀ, ⟨xxᵀ⟩ = VDVᵀ, *not* divided by the number of routes):
 *   τ dB₁/dt = (√P/M²) B₂B₁ [S − B₂B₁²D],   τ dB₂/dt = (P/M²) B₁² [S − B₂B₁²D].
 * With all routes trained and P = M² this is the routing reduction eq. 13–14.
 * @returns [τ dB₁/dt, τ dB₂/dt]
 */
export function pathwayRaceRhs(B1: number, B2: number, M: number, P: number, S: number, D: number): [number, number] {
  const err = S - B2 * B1 * B1 * D;
  return [(Math.sqrt(P) / (M * M)) * B2 * B1 * err, (P / (M * M)) * B1 * B1 * err];
}

/**
 * Right-hand side of the routing reduction (race-reduction eq. 13–14, App. C eq. 47–48),
 * balanced input/output layers B₁ = B₃, hidden B₂, K of M routes trained per input:
 *   τ dB₁/dt = (1/M) B₂B₁ [S − B₂B₁²D],   τ dB₂/dt = B₁² [S − B₂B₁²D]   (independent of K).
 * @returns [τ dB₁/dt, τ dB₂/dt]
 */
export function routingRhs(B1: number, B2: number, M: number, S: number, D: number): [number, number] {
  const err = S - B2 * B1 * B1 * D;
  return [(B2 * B1 * err) / M, B1 * B1 * err];
}

/** The conserved quantity C = M B₁² − B₂² of eq. 13–14 (race-reduction Sec. 4). */
export function routingConserved(B1: number, B2: number, M: number): number {
  return M * B1 * B1 - B2 * B2;
}

/**
 * The one-variable routing dynamics of race-reduction eq. 15:
 *   τ dB₂/dt = (1/M)(B₂² + C)[S − (1/M) B₂ (B₂² + C) D],  C = M B₁(0)² − B₂(0)².
 */
export function routingB2Rhs(B2: number, C: number, M: number, S: number, D: number): number {
  return ((B2 * B2 + C) / M) * (S - (B2 * (B2 * B2 + C) * D) / M);
}

/** Steady ratio B₂/B₁ → √M of the routing reduction (race-reduction eq. 51). */
export function routingSteadyRatio(M: number): number {
  return Math.sqrt(M);
}

/** The conserved quantity √P B₁² − B₂² of the pathway race eq. 16–17. */
export function pathwayRaceConserved(B1: number, B2: number, P: number): number {
  return Math.sqrt(P) * B1 * B1 - B2 * B2;
}

/** Steady ratio B₂/B₁ → P^{1/4} of the pathway race (race-reduction eq. 56). */
export function pathwayRaceSteadyRatio(P: number): number {
  return P ** 0.25;
}

/**
 * Exact formal solution of eq. 15 (and of eq. 16–17) on the balanced manifold where the
 * conserved quantity is zero (B₂ = √M B₁, resp. B₂ = P^{1/4} B₁): then
 *   τ dB₂/dt = c B₂² (S − k B₂³)
 * with c = 1/M, k = D/M for the routing task (c = √P/M², k = D/√P for the race), which
 * separates. With r = (S/k)^{1/3} and
 *   F(u) = −1/(S u) + 1/(3 r S) [ −ln|r − u| + ½ ln(u² + r u + r²) − √3 atan((2u + r)/(r√3)) ],
 * the time to go from B₂(0) = u₀ to u (0 < u₀, u < r) is t/τ = (F(u) − F(u₀)) / c.
 */
export function cubicModeTime(u0: number, u: number, c: number, S: number, k: number): number {
  if (!(S > 0 && k > 0 && c > 0)) throw invalidParameter('S, k, c > 0', 'cubic mode parameters', { S, k, c } as unknown);
  const r = Math.cbrt(S / k);
  if (!(u0 > 0 && u > 0 && u0 < r && u < r)) throw invalidParameter(`0 < u₀, u < (S/k)^{1/3} = ${r}`, 'B₂', { u0, u } as unknown);
  const F = (x: number) =>
    -1 / (S * x) + (1 / (3 * r * S)) * (-Math.log(r - x) + 0.5 * Math.log(x * x + r * x + r * r) - Math.sqrt(3) * Math.atan((2 * x + r) / (r * Math.sqrt(3))));
  return (F(u) - F(u0)) / c;
}

/**
 * B₂(t) of {@link cubicModeTime}, inverted by bisection to relative precision 1e-15
 * (t(u) is strictly increasing on (0, r)).
 */
export function cubicMode(u0: number, tOverTau: number, c: number, S: number, k: number): number {
  checkFinite(tOverTau, 't/τ');
  if (tOverTau <= 0) return u0;
  const r = Math.cbrt(S / k);
  let lo = u0;
  let hi = r;
  for (let it = 0; it < 200 && hi - lo > 1e-15 * r; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (cubicModeTime(u0, mid, c, S, k) < tOverTau) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Hidden-layer singular value B₂(t) of the routing task from the balanced manifold
 * B₂(0) = √M B₁(0) (conserved quantity 0): exact solution of race-reduction eq. 15.
 */
export function routingB2(B2at0: number, M: number, S: number, D: number, tOverTau: number): number {
  return cubicMode(B2at0, tOverTau, 1 / M, S, D / M);
}

/** B₂(t) of the pathway race eq. 16–17 from B₂(0) = P^{1/4} B₁(0) (exact, as {@link routingB2}). */
export function pathwayRaceB2(B2at0: number, M: number, P: number, S: number, D: number, tOverTau: number): number {
  return cubicMode(B2at0, tOverTau, Math.sqrt(P) / (M * M), S, D / Math.sqrt(P));
}

// ---------------------------------------------------------------------------
// Contextual tasks with C contexts (make-haste-slowly App. F, G.1, G.2)
// ---------------------------------------------------------------------------

/**
 * Right-hand side of the reduced dynamics of one mode of a context-specific pathway
 * (make-haste-slowly App. F eq. for three contexts, G.1 four, G.2 five; any C ≥ 3):
 *   τ dB₀/dt = B₁ [S − B₀B₁ D/(C−1)],   τ dB₁/dt = B₀ [S − B₀B₁ D/(C−1)].
 * The factor 1/(C−1) = 1 + (C−1)·ρ·ω with ρ = (C−2)/(C−1) the input overlap
 * Σˣ(j,p) = ρ Σˣ(p,p) and ω = U_pᵀU_j = −1/(C−1) the output overlap of two pathways.
 * The appendices print ω = −1/6 (G.1) and −1/12 (G.2); those values do not give their own
 * final factors 1/3 and 1/4 — ω = −1/(C−1) (−1/3, −1/4) does, and is what the dataset
 * gives (lib/data/contexts.ts); this is the corrected form.
 * @returns [τ dB₀/dt, τ dB₁/dt]
 */
export function contextualPathwayRhs(B0: number, B1: number, C: number, S: number, D: number): [number, number] {
  if (!Number.isInteger(C) || C < 3) throw invalidParameter('an integer number of contexts C ≥ 3', 'C', C);
  const err = S - (B0 * B1 * D) / (C - 1);
  return [B1 * err, B0 * err];
}

/**
 * Closed-form mode of a context-specific pathway with C contexts (make-haste-slowly
 * App. F (C = 3), G.1 (C = 4), G.2 (C = 5)), balanced B₀ = B₁, B_p = B₀B₁:
 *   B_p(t) = ((C−1) S/D) / (1 − (1 − (C−1) S/(D B_p(0))) e^{−2 S t/τ}).
 * Corrected from the printed forms (ERRATA-style): the appendices write e^{+2S t/τ} and
 * (1 − S/(D B⁰)) — the solution of their own ODE τ dB_p/dt = 2B_p[S − B_p D/(C−1)] has
 * the decaying exponential and the fixed point (C−1)S/D inside the bracket too.
 */
export function contextualPathwayMode(C: number, S: number, D: number, Bp0: number, tOverTau: number): number {
  if (!Number.isInteger(C) || C < 3) throw invalidParameter('an integer number of contexts C ≥ 3', 'C', C);
  return twoLayerModeStrength(S, D / (C - 1), Bp0, tOverTau);
}

/**
 * Loss of the residual contextual GDLN on its symmetric manifold (make-haste-slowly
 * App. F/G; derived from eq. 2 with the overlaps ρ = (C−2)/(C−1), ω = −1/(C−1)):
 *   L = ½⟨||y*||²⟩ − C Σ_α S_α a_α + ½ · C/(C−1) · Σ_α D_α a_α²
 * with a_α the effective singular value of every context pathway on mode α.
 */
export function contextualPathwayLoss(halfTraceSigmaY: number, C: number, S: readonly number[], D: readonly number[], a: readonly number[]): number {
  let l = halfTraceSigmaY;
  for (let k = 0; k < S.length; k++) l += -C * S[k] * a[k] + 0.5 * (C / (C - 1)) * D[k] * a[k] * a[k];
  return l;
}

// ---------------------------------------------------------------------------
// Time conventions (docs/architecture.md, docs/derivations/race-reduction.md)
// ---------------------------------------------------------------------------

/**
 * t/τ after `steps` full-batch gradient steps of learning rate `lr` with gdln's mean
 * loss L = 1/(2N) Σ||y − h||²: t/τ = lr · steps. (The ReLN paper's τ = 1/(N ε) is for a
 * summed loss with step ε: its ε equals lr / N here.)
 */
export function timeFromSteps(lr: number, steps: number): number {
  if (!(lr > 0) || !Number.isFinite(lr)) throw invalidParameter('a finite learning rate > 0', 'lr', lr);
  if (!(steps >= 0)) throw invalidParameter('steps ≥ 0', 'steps', steps);
  return lr * steps;
}

/** Number of full-batch steps of learning rate `lr` that reach t/τ (rounded to the nearest step). */
export function stepsForTime(tOverTau: number, lr: number): number {
  if (!(lr > 0) || !Number.isFinite(lr)) throw invalidParameter('a finite learning rate > 0', 'lr', lr);
  if (!(tOverTau >= 0)) throw invalidParameter('t/τ ≥ 0', 't/τ', tOverTau);
  return Math.round(tOverTau / lr);
}

/** The learning rate lr (mean loss) equivalent to a summed-loss step ε over N samples: lr = N ε. */
export function lrFromSummedLossStep(epsilon: number, nSamples: number): number {
  return epsilon * nSamples;
}
