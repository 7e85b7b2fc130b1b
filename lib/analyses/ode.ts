/**
 * An adaptive explicit Runge–Kutta integrator for the reduced dynamics: the
 * Dormand–Prince 5(4) pair (Dormand & Prince 1980; the `ode45` / `RK45`
 * scheme) with local error control (mixed absolute/relative tolerance,
 * Hairer–Nørsett–Wanner step-size controller), stepping exactly onto every
 * requested output time (no interpolation error at the outputs).
 *
 * Time is whatever the right-hand side uses; gdln's reductions use t/τ
 * (docs/architecture.md: one full-batch step of learning rate lr advances t/τ by lr).
 */
import { GdlnError, invalidParameter } from '../errors.ts';

/** dy/dt written into `out` (length = y.length). */
export type OdeRhs = (t: number, y: Float64Array, out: Float64Array) => void;

export interface OdeOptions {
  /** Relative tolerance per component (default 1e-10). */
  rtol?: number;
  /** Absolute tolerance per component (default 1e-12). */
  atol?: number;
  /** First trial step (default: chosen from the tolerances and |f(t0, y0)|). */
  h0?: number;
  /** Largest step allowed (default Infinity). */
  hMax?: number;
  /** Give up after this many accepted + rejected steps (default 1e7). */
  maxSteps?: number;
}

export interface OdeSolution {
  /** The requested output times, ascending. */
  t: number[];
  /** State at each output time (a fresh array each). */
  y: Float64Array[];
  /** Accepted and rejected steps. */
  accepted: number;
  rejected: number;
  evaluations: number;
}

// Dormand–Prince 5(4) Butcher tableau.
const C2 = 1 / 5, C3 = 3 / 10, C4 = 4 / 5, C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const B1 = 35 / 384, B3 = 500 / 1113, B4 = 125 / 192, B5 = -2187 / 6784, B6 = 11 / 84;
// Error coefficients: 5th-order weights minus the embedded 4th-order weights.
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;

/**
 * Integrates y' = f(t, y) from (t0, y0) and returns y at each of `times`
 * (ascending, all ≥ t0; t0 itself may be included).
 *
 * @throws GdlnError GDLN_INVALID_ARGUMENT (bad times or tolerances), GDLN_NON_FINITE (the
 *   solution blew up), GDLN_INTERNAL (step size underflow or too many steps)
 * @example
 * // y' = −y from y(0) = 1: y(1) = e^{−1}
 * const sol = integrateOde((t, y, dy) => { dy[0] = -y[0]; }, 0, Float64Array.of(1), [1]);
 */
export function integrateOde(f: OdeRhs, t0: number, y0: Float64Array, times: readonly number[], options: OdeOptions = {}): OdeSolution {
  const rtol = options.rtol ?? 1e-10;
  const atol = options.atol ?? 1e-12;
  if (!(rtol > 0) || !(atol >= 0)) throw invalidParameter('rtol > 0 and atol ≥ 0', 'ODE tolerances', { rtol, atol } as unknown);
  const hMax = options.hMax ?? Infinity;
  const maxSteps = options.maxSteps ?? 1e7;
  for (let k = 0; k < times.length; k++) {
    if (!Number.isFinite(times[k]) || times[k] < t0 || (k > 0 && times[k] < times[k - 1])) {
      throw invalidParameter(`ascending finite output times ≥ t0 = ${t0}`, 'times', times[k]);
    }
  }
  const n = y0.length;
  let y = Float64Array.from(y0);
  const k1 = new Float64Array(n), k2 = new Float64Array(n), k3 = new Float64Array(n), k4 = new Float64Array(n);
  const k5 = new Float64Array(n), k6 = new Float64Array(n), k7 = new Float64Array(n);
  const tmp = new Float64Array(n);
  let yNew = new Float64Array(n);
  let evaluations = 0;
  const rhs = (t: number, yy: Float64Array, out: Float64Array) => {
    f(t, yy, out);
    evaluations++;
  };
  let t = t0;
  rhs(t, y, k1);
  const norm = (v: Float64Array, ref: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const sc = atol + rtol * Math.abs(ref[i]);
      const r = v[i] / sc;
      s += r * r;
    }
    return n === 0 ? 0 : Math.sqrt(s / n);
  };
  // Initial step (Hairer, Nørsett & Wanner, II.4 "starting step size"), simplified.
  let h = options.h0 ?? 0;
  if (!(h > 0)) {
    const d0 = norm(y, y);
    const d1 = norm(k1, y);
    h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  }
  h = Math.min(h, hMax);
  const out: Float64Array[] = [];
  let accepted = 0;
  let rejected = 0;
  let errPrev = 1e-4;
  for (const tOut of times) {
    while (t < tOut) {
      if (accepted + rejected > maxSteps) throw new GdlnError('GDLN_INTERNAL', `The ODE integrator exceeded ${maxSteps} steps before t = ${tOut}`, { t });
      let last = false;
      let hStep = Math.min(h, hMax);
      if (t + hStep >= tOut || tOut - (t + hStep) < 1e-12 * Math.max(1, Math.abs(tOut))) {
        hStep = tOut - t;
        last = true;
      }
      if (hStep <= Math.abs(t) * 1e-15) throw new GdlnError('GDLN_INTERNAL', `The ODE step size underflowed at t = ${t}`, { t });
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hStep * A21 * k1[i];
      rhs(t + C2 * hStep, tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hStep * (A31 * k1[i] + A32 * k2[i]);
      rhs(t + C3 * hStep, tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hStep * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
      rhs(t + C4 * hStep, tmp, k4);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hStep * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
      rhs(t + C5 * hStep, tmp, k5);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hStep * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
      rhs(t + hStep, tmp, k6);
      for (let i = 0; i < n; i++) yNew[i] = y[i] + hStep * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
      rhs(t + hStep, yNew, k7);
      let s = 0;
      for (let i = 0; i < n; i++) {
        const e = hStep * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
        const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
        s += (e / sc) ** 2;
      }
      const err = n === 0 ? 0 : Math.sqrt(s / n);
      if (!Number.isFinite(err)) {
        // Non-finite trial: shrink hard and retry; a finite state never yields this forever.
        rejected++;
        h = hStep * 0.1;
        if (h < 1e-300) throw new GdlnError('GDLN_NON_FINITE', `The reduced dynamics produced a non-finite state near t = ${t}`, { t });
        continue;
      }
      if (err <= 1) {
        accepted++;
        t = last ? tOut : t + hStep;
        const swap = y;
        y = yNew;
        yNew = swap;
        k1.set(k7); // FSAL
        // PI controller (Hairer & Wanner, IV.2, β = 0.04).
        const fac = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.17 * errPrev ** 0.04));
        errPrev = Math.max(err, 1e-4);
        if (!last) h = hStep * fac;
        else h = Math.max(h, hStep * fac);
      } else {
        rejected++;
        h = hStep * Math.max(0.2, 0.9 * err ** -0.2);
      }
    }
    out.push(Float64Array.from(y));
  }
  return { t: [...times], y: out, accepted, rejected, evaluations };
}
