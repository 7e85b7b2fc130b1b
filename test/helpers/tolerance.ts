/**
 * Tolerances in one table, keyed by dtype. The error measure is the norm-wise
 * relative error ||a − b||₂ / ||b||₂ of a whole array against the float64 js
 * reference (max-norm fallbacks hide nothing: a mismatch anywhere moves it).
 */
import type { DType } from '../../lib/engine/kernels.ts';
import type { Graph } from '../../lib/graph/Graph.ts';

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

/**
 * max 1/(1 − h²) over the non-zero activations of tanh nodes (1 when there is none).
 * Derivatives through tanh carry 1 − h², which float32 cannot resolve when h ≈ ±1:
 * its relative error grows like 2⁻²⁴/(1 − h²). Such cases are ill-conditioned, not wrong.
 */
export function tanhConditioning(graph: Graph, acts: Record<string, ArrayLike<number>>): number {
  let k = 1;
  for (const n of graph.nodes) {
    if (n.activation !== 'tanh') continue;
    const a = acts[n.name];
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) k = Math.max(k, 1 / Math.max(1 - a[i] * a[i], 1e-300));
  }
  return k;
}

/** The tolerance for derivatives (gradients, trained weights) of a case with that conditioning. */
export function derivativeTolerance(dtype: DType, kappa: number): number {
  return dtype === 'float32' ? Math.max(TOLERANCE.float32, 4 * 2 ** -24 * kappa) : TOLERANCE[dtype];
}
