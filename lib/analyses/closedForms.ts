/**
 * Closed-form learning curves from the papers. Time is in units of t/τ; with
 * gdln's mean loss and full-batch gradient descent, t/τ = lr · step
 * (docs/architecture.md).
 */
import { invalidParameter } from '../errors.ts';

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
