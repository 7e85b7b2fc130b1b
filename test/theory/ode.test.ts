/**
 * The Dormand–Prince RK45 integrator (lib/analyses/ode.ts) on problems with known
 * solutions. Tolerances: the global error of an error-controlled RK45 is a modest
 * multiple of rtol over these horizons; we allow 100 × rtol (observed ≤ 10 × rtol).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateOde } from '../../lib/analyses/ode.ts';
import { GdlnError } from '../../lib/errors.ts';

test('RK45: exponential decay and the harmonic oscillator over 10 periods, outputs exactly at the requested times', () => {
  const times = [0, 0.5, 1, 1, 3];
  const sol = integrateOde((_t, y, dy) => { dy[0] = -y[0]; }, 0, Float64Array.of(1), times, { rtol: 1e-10, atol: 1e-14 });
  assert.deepEqual(sol.t, times);
  sol.y.forEach((y, k) => assert.ok(Math.abs(y[0] - Math.exp(-times[k])) <= 100 * 1e-10 * Math.exp(-times[k]), `t=${times[k]}: ${y[0]}`));
  const T = 20 * Math.PI;
  const osc = integrateOde((_t, y, dy) => { dy[0] = y[1]; dy[1] = -y[0]; }, 0, Float64Array.of(1, 0), [T], { rtol: 1e-10, atol: 1e-12 });
  assert.ok(Math.abs(osc.y[0][0] - 1) < 100 * 1e-10 * 10 && Math.abs(osc.y[0][1]) < 1e-7, `oscillator ${osc.y[0]}`);
});

test('RK45: error control — tightening rtol by 1e3 shrinks the error, with fewer than 1e4 steps', () => {
  const exact = (t: number) => 1 / (1 + Math.exp(-t)); // logistic y' = y(1 − y), y(0) = 1/2
  const err = (rtol: number) => {
    const s = integrateOde((_t, y, dy) => { dy[0] = y[0] * (1 - y[0]); }, 0, Float64Array.of(0.5), [10], { rtol, atol: rtol * 1e-3 });
    assert.ok(s.accepted < 1e4);
    return Math.abs(s.y[0][0] - exact(10));
  };
  const coarse = err(1e-5);
  const fine = err(1e-8);
  assert.ok(fine < coarse / 50 || fine < 1e-13, `coarse ${coarse}, fine ${fine}`);
  assert.ok(fine < 1e-8);
});

test('RK45: bad output times are typed errors', () => {
  assert.throws(() => integrateOde(() => {}, 0, Float64Array.of(1), [1, 0.5]), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT');
  assert.throws(() => integrateOde(() => {}, 1, Float64Array.of(1), [0]), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT');
});
