/**
 * Shared helpers of the theory suites: the fastest float64 backend here, and error
 * measures with a stated floor.
 */
import { backendStatus } from '../../lib/backends/index.ts';

/** 'cpu' when the native addon loads (or CI requires it), else the js reference. */
export function fastBackend(): 'cpu' | 'js' {
  const required = (process.env.GDLN_REQUIRE_BACKENDS ?? '').split(',').map((s) => s.trim());
  if (required.includes('cpu')) return 'cpu';
  return backendStatus().find((s) => s.name === 'cpu')?.available ? 'cpu' : 'js';
}

/**
 * Largest relative error |a − b| / max(|b|, floor) over two sequences. The floor
 * keeps the measure meaningful where b reaches rounding level (a loss that has
 * converged to ~1e-18 has no relative digits left).
 */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): { error: number; at: number } {
  let error = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
    if (!(e <= error)) {
      error = e;
      at = i;
    }
  }
  return { error, at };
}
