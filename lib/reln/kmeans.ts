/**
 * Algorithm 1 of the ReLN paper (App. B), second half: cluster the recorded
 * gating patterns (binary rows, one per hidden neuron per snapshot) into k
 * gate types with k-means.
 *
 * Both backends first de-duplicate the rows (W4: 5.6 M rows, ~96 k distinct)
 * and run weighted Lloyd on the distinct rows — exactly the objective of
 * unweighted k-means on all rows — from greedy k-means++ seeding (seeded
 * xoshiro128**), with sklearn's stopping rule (labels unchanged, or centre
 * shift² ≤ tol · mean column variance), `restarts` seedings (lowest inertia
 * wins). Full rules: native/cpu/kmeans.h.
 *
 * Decisions:
 * - k > the number of distinct rows throws GDLN_INVALID_ARGUMENT naming k and
 *   the distinct count (all-identical rows: only k = 1 works);
 * - an empty cluster during Lloyd is re-seeded with the row farthest from its
 *   own centre (as sklearn);
 * - no rows, k ≤ 0, non-0/1 values → GDLN_INVALID_ARGUMENT; NaN/Inf →
 *   GDLN_NON_FINITE; a disposed record → GDLN_DISPOSED;
 * - the elbow of kmeansRange is the "kneedle" rule: with both axes normalised
 *   to [0, 1], the k whose point lies farthest below the chord from
 *   (kMin, inertia(kMin)) to (kMax, inertia(kMax)); with fewer than 3 values
 *   of k, or no point below the chord, it is kMin.
 *
 * The calls are synchronous (the native one on gdln's threads: ~50 ms for
 * W4's 5.6 M rows).
 */
import { GdlnError, fromNative, invalidParameter } from '../errors.ts';
import type { NativeKmeansResult, NativeRecordHandle } from '../backends/native/binding.ts';
import { loadNative } from '../backends/native/loader.ts';
import { GatingRecord, type GatingFilter, type RelnBackend } from './record.ts';
import { distinctRows, kmeansReference } from './reference.ts';
import type { KmeansFit, KmeansLabels, KmeansSettings } from './types.ts';

/** Rows to cluster: a GatingRecord (optionally filtered), or a row-major [n, d] matrix of 0/1. */
export type BinaryRowsInput =
  | GatingRecord
  | { record: GatingRecord; filter?: GatingFilter }
  | { rows: Uint8Array | Float32Array; d: number };

export interface KmeansBinaryOptions {
  k: number;
  restarts?: number;
  seed?: number;
  maxIter?: number;
  tol?: number;
  /** 'cpu' (default) or 'js' (the float64 reference, lib/reln/reference.ts). */
  backend?: RelnBackend;
  /** 'none' (default), 'distinct' (per distinct row, with distinctRows/Counts) or 'rows' (per input row). */
  labels?: KmeansLabels;
  /** Native threads (0 = hardware concurrency). */
  threads?: number;
}

export interface KmeansBinaryResult extends KmeansFit {
  d: number;
  totalRows: number;
  distinct: number;
  labels?: Int32Array;
  /** with labels: 'distinct': [distinct, d] of 0/1, and how many rows each stands for */
  distinctRows?: Uint8Array;
  distinctCounts?: Float64Array;
}

export interface KmeansRangeResult {
  k: number[];
  inertia: number[];
  elbow: number;
  results: KmeansBinaryResult[];
}

interface Resolved extends KmeansSettings {
  backend: RelnBackend;
  labels: KmeansLabels;
  threads: number;
}

function resolve(o: Omit<KmeansBinaryOptions, 'k'>): Resolved {
  const r: Resolved = {
    restarts: o.restarts ?? 1,
    seed: o.seed ?? 0,
    maxIter: o.maxIter ?? 300,
    tol: o.tol ?? 1e-4,
    backend: o.backend ?? 'cpu',
    labels: o.labels ?? 'none',
    threads: o.threads ?? 0,
  };
  if (!Number.isInteger(r.restarts) || r.restarts < 1) throw invalidParameter('an integer ≥ 1', 'restarts', r.restarts);
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) throw invalidParameter('an integer seed in [0, 2^32)', 'seed', r.seed);
  if (!Number.isInteger(r.maxIter) || r.maxIter < 1) throw invalidParameter('an integer ≥ 1', 'maxIter', r.maxIter);
  if (typeof r.tol !== 'number' || !Number.isFinite(r.tol) || r.tol < 0) throw invalidParameter('a finite number ≥ 0', 'tol', r.tol);
  if (r.backend !== 'cpu' && r.backend !== 'js') throw invalidParameter('"cpu" or "js"', 'backend', r.backend);
  if (!['none', 'distinct', 'rows'].includes(r.labels)) throw invalidParameter('"none", "distinct" or "rows"', 'labels', r.labels);
  if (!Number.isInteger(r.threads) || r.threads < 0) throw invalidParameter('an integer ≥ 0', 'threads', r.threads);
  return r;
}

function checkK(k: unknown, name = 'k'): number {
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > 0x7fffffff) throw invalidParameter('an integer k ≥ 1', name, k);
  return k as number;
}

function normaliseSource(input: BinaryRowsInput): { record: GatingRecord; filter: GatingFilter } | { rows: Uint8Array | Float32Array; d: number } {
  if (input instanceof GatingRecord) return { record: input, filter: {} };
  if (input && typeof input === 'object' && 'record' in input && input.record instanceof GatingRecord) {
    return { record: input.record, filter: input.filter ?? {} };
  }
  if (input && typeof input === 'object' && 'rows' in input) {
    if (!(input.rows instanceof Uint8Array || input.rows instanceof Float32Array)) {
      throw invalidParameter('a Uint8Array or Float32Array', 'rows', input.rows);
    }
    if (!Number.isInteger(input.d) || input.d < 1) throw invalidParameter('an integer d ≥ 1', 'd', input.d);
    if (input.rows.length % input.d !== 0) {
      throw invalidParameter(`a multiple of d = ${input.d} values`, 'rows', input.rows, 'GDLN_SHAPE_MISMATCH');
    }
    return { rows: input.rows, d: input.d };
  }
  throw invalidParameter('a GatingRecord, { record, filter } or { rows, d }', 'rows', input);
}

/** A fit as the public calls return it, before any labels. */
function binaryResult(r: KmeansFit, d: number, totalRows: number, distinct: number): KmeansBinaryResult {
  return {
    k: r.k,
    d,
    centroids: r.centroids,
    sizes: r.sizes,
    inertia: r.inertia,
    nIter: r.nIter,
    bestRestart: r.bestRestart,
    restartInertia: r.restartInertia,
    totalRows,
    distinct,
  };
}

/** Runs every k of `ks` on one de-duplication. */
function run(input: BinaryRowsInput, ks: number[], o: Resolved): KmeansBinaryResult[] {
  const src = normaliseSource(input);
  if ('record' in src) src.record.assertLive();
  if (o.backend === 'cpu' && !('record' in src && src.record.native === null)) return runNative(src, ks, o);
  // js backend (or a js-backed record): the reference.
  let rows: Uint8Array | Float32Array;
  let d: number;
  if ('record' in src) {
    rows = src.record.rows(src.filter);
    d = src.record.summary.n;
  } else {
    rows = src.rows;
    d = src.d;
  }
  const n = rows.length / d;
  if (n < 1) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'Expected at least one row for k-means but received 0 rows');
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i];
    if (v !== 0 && v !== 1) {
      throw invalidParameter('binary values (0 or 1)', `rows[${i}]`, v, Number.isFinite(v) ? 'GDLN_INVALID_ARGUMENT' : 'GDLN_NON_FINITE');
    }
  }
  const X = distinctRows(rows, n, d);
  let index: Int32Array | null = null;
  if (o.labels === 'rows') {
    const map = new Map<string, number>();
    for (let u = 0; u < X.counts.length; u++) map.set(Array.from(X.rows.subarray(u * d, u * d + d)).join(''), u);
    index = new Int32Array(n);
    for (let i = 0; i < n; i++) index[i] = map.get(Array.from(rows.subarray(i * d, i * d + d)).join('')) as number;
  }
  return ks.map((k) => {
    let r;
    try {
      r = kmeansReference(X, { k, restarts: o.restarts, seed: o.seed, maxIter: o.maxIter, tol: o.tol });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new GdlnError(e.code === 'GDLN_INVALID_ARGUMENT' ? 'GDLN_INVALID_ARGUMENT' : 'GDLN_INTERNAL', String(e.message ?? err), { k, distinct: X.counts.length });
    }
    const out = binaryResult(r, d, n, X.counts.length);
    if (o.labels === 'distinct') {
      out.labels = r.labels;
      out.distinctRows = Uint8Array.from(X.rows);
      out.distinctCounts = X.counts;
    } else if (o.labels === 'rows' && index) {
      const idx = index;
      out.labels = Int32Array.from(idx, (u) => r.labels[u]);
    }
    return out;
  });
}

function runNative(
  src: { record: GatingRecord; filter: GatingFilter } | { rows: Uint8Array | Float32Array; d: number },
  ks: number[],
  o: Resolved,
): KmeansBinaryResult[] {
  const native = loadNative();
  if ('error' in native) throw native.error;
  const binding = native.binding;
  if (typeof binding.kmeans !== 'function') {
    throw new GdlnError('GDLN_NATIVE_UNAVAILABLE', `the gdln addon at ${native.path} has no kmeans (a stale build? run npm run build:native)`);
  }
  let raw: NativeKmeansResult;
  try {
    const source = 'record' in src
      ? { record: (src.record.native as { handle: NativeRecordHandle }).handle, selection: src.record.selection(src.filter) }
      : { rows: src.rows, d: src.d };
    raw = binding.kmeans(source, { ks: Int32Array.from(ks), restarts: o.restarts, seed: o.seed, maxIter: o.maxIter, tol: o.tol, labels: o.labels, threads: o.threads });
  } catch (err) {
    throw fromNative(err, 'kmeansBinary');
  }
  return raw.results.map((r) => ({
    ...binaryResult(r, raw.d, raw.totalRows, raw.distinct),
    ...(r.labels ? { labels: r.labels } : {}),
    ...(raw.distinctRows ? { distinctRows: raw.distinctRows, distinctCounts: raw.distinctCounts } : {}),
  }));
}

/**
 * k-means on binary rows (see the module comment).
 * @example kmeansBinary(record, { k: 4, restarts: 5, seed: 1 })
 */
export function kmeansBinary(input: BinaryRowsInput, options: KmeansBinaryOptions): KmeansBinaryResult {
  const k = checkK(options?.k);
  return run(input, [k], resolve(options))[0];
}

/** The elbow of a decreasing inertia curve: the kneedle distance-to-chord rule (module comment). */
export function elbowOf(ks: number[], inertia: number[]): number {
  if (ks.length < 3) return ks[0];
  const x0 = ks[0];
  const x1 = ks[ks.length - 1];
  const yMax = Math.max(...inertia);
  const yMin = Math.min(...inertia);
  const span = yMax - yMin;
  if (!(span > 0)) return ks[0];
  const nx = (k: number) => (k - x0) / (x1 - x0);
  const ny = (v: number) => (v - yMin) / span;
  const ya = ny(inertia[0]);
  const yb = ny(inertia[inertia.length - 1]);
  let best = ks[0];
  let bestDist = 0;
  for (let i = 1; i < ks.length - 1; i++) {
    // Vertical distance below the chord (proportional to the perpendicular one).
    const chord = ya + (yb - ya) * nx(ks[i]);
    const below = chord - ny(inertia[i]);
    if (below > Math.max(bestDist, 1e-12)) {
      bestDist = below;
      best = ks[i];
    }
  }
  return best;
}

/** k-means for every k in [kMin, kMax] on one de-duplication, with the elbow. */
export function kmeansRange(
  input: BinaryRowsInput,
  options: Omit<KmeansBinaryOptions, 'k'> & { kMin: number; kMax: number },
): KmeansRangeResult {
  const kMin = checkK(options?.kMin, 'kMin');
  const kMax = checkK(options?.kMax, 'kMax');
  if (kMax < kMin) throw invalidParameter(`an integer ≥ kMin = ${kMin}`, 'kMax', kMax);
  const ks = Array.from({ length: kMax - kMin + 1 }, (_, i) => kMin + i);
  const results = run(input, ks, resolve(options));
  const inertia = results.map((r) => r.inertia);
  return { k: ks, inertia, elbow: elbowOf(ks, inertia), results };
}
