/** Small helpers shared by the race-reduction built-ins: schema fields, abort checks, plot pieces. */
import { GdlnAbortError } from '../../errors.ts';
import type { Schema } from '../framework/types.ts';
import type { LineSeriesSpec } from '../../report/plotSpec.ts';
import { meanSe } from './routing.ts';

export const int = (doc: string, min: number, max: number): Schema => ({ kind: 'number', integer: true, min, max, doc });
export const num = (doc: string, min: number, max: number, exclusiveMin = true): Schema => ({ kind: 'number', min, max, exclusiveMin, doc });
export const numList = (doc: string, min: number, max: number, maxItems = 32): Schema => ({
  kind: 'array', doc, minItems: 1, maxItems, items: { kind: 'number', min, max, exclusiveMin: min === 0, doc: 'one value' },
});
export const intList = (doc: string, min: number, max: number, maxItems = 64): Schema => ({
  kind: 'array', doc, minItems: 1, maxItems, items: { kind: 'number', integer: true, min, max, doc: 'one value' },
});

export function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw new GdlnAbortError('Experiment cancelled', null);
}

/** Splits [0, 1] progress into consecutive stages. */
export function stages(progress: (f: number, m?: string) => void, count: number) {
  return (k: number, message?: string) => (f: number) => progress(Math.min(1, (k + Math.max(0, Math.min(1, f))) / count), message);
}

/** Replaces non-finite numbers (NaN) by null-free finite output for metrics: drops them. */
export function finiteMetrics(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));
}

/** Mean ± SE across runs of one series column, at shared x (runs with the same x grid). */
export function meanSeriesOverRuns(x: number[], columns: number[][], name: string, color?: string, dashed?: boolean): LineSeriesSpec {
  const y: number[] = [];
  const yErr: number[] = [];
  x.forEach((_, k) => {
    const s = meanSe(columns.map((c) => c[k]));
    y.push(s.mean);
    yErr.push(s.se);
  });
  return { name, x, y, yErr, color, dashed };
}

/** Keeps only the points where y is finite (and > 0 when `positive`, for log axes). */
export function finitePoints(x: number[], y: number[], positive = false): { x: number[]; y: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  x.forEach((v, k) => {
    if (Number.isFinite(v) && Number.isFinite(y[k]) && (!positive || (y[k] > 0 && v > 0))) { xs.push(v); ys.push(y[k]); }
  });
  return { x: xs, y: ys };
}
