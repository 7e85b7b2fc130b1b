/**
 * Tolerances in one table, keyed by dtype. The error measure is the norm-wise
 * relative error ||a − b||₂ / ||b||₂ of a whole array against the float64 js
 * reference (max-norm fallbacks hide nothing: a mismatch anywhere moves it).
 */
import type { DType } from '../../lib/engine/kernels.ts';

export const TOLERANCE: Record<DType, number> = {
  float64: 1e-10, // the foundation issue's bound; observed ~1e-15
  float32: 1e-4, // the foundation issue's bound; single-precision accumulation over ≤ 50 steps
};

export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  if (den === 0) return Math.sqrt(num);
  return Math.sqrt(num / den);
}
