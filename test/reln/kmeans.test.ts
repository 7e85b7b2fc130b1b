/**
 * kmeansBinary / kmeansRange (lib/reln/kmeans.ts): the native kernel against
 * the float64 TypeScript reference on fresh random binary rows (same seeding
 * stream, so the same clustering: inertia ≤ 1e-10 relative, identical sizes),
 * planted clusters recovered, a GatingRecord source (in place) equals its rows
 * copied out, labels, the elbow, and bad input. Skipped without the addon.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GdlnError } from '../../lib/errors.ts';
import { loadNative } from '../../lib/backends/native/loader.ts';
import { Rng } from '../../lib/init/rng.ts';
import { elbowOf, kmeansBinary, kmeansRange } from '../../lib/reln/kmeans.ts';
import { recordReluGating } from '../../lib/reln/record.ts';
import { reproducer, testSeed } from '../helpers/seed.ts';

const native = loadNative();
const skip = 'error' in native || typeof native.binding.kmeans !== 'function' ? 'native addon unavailable or without kmeans' : false;

/** Rows around the four ReLN gate patterns over 24 samples (3 contexts × 8), with bit flips. */
function planted(seed: number, n: number, flip: number): { rows: Uint8Array; which: number[] } {
  const rng = new Rng(seed);
  const protos = [0, 1, 2, 3].map((p) => Array.from({ length: 24 }, (_, i) => (p === 0 ? 1 : Math.floor(i / 8) !== p - 1 ? 1 : 0)));
  const rows = new Uint8Array(n * 24);
  const which: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = rng.below(4);
    which.push(p);
    for (let b = 0; b < 24; b++) rows[i * 24 + b] = protos[p][b] ^ (rng.uniform() < flip ? 1 : 0);
  }
  return { rows, which };
}

test('native k-means equals the reference on random binary rows', { skip }, () => {
  const seed = testSeed();
  const why = reproducer(seed);
  const rng = new Rng(seed);
  for (const d of [7, 24, 70]) {
    const n = 900;
    const rows = new Uint8Array(n * d);
    // Correlated rows: a few templates with noise, so clusters exist but ties are rare.
    const templates = Array.from({ length: 6 }, () => Array.from({ length: d }, () => (rng.uniform() < 0.5 ? 1 : 0)));
    for (let i = 0; i < n; i++) {
      const t = templates[rng.below(6)];
      for (let b = 0; b < d; b++) rows[i * d + b] = t[b] ^ (rng.uniform() < 0.15 ? 1 : 0);
    }
    for (const k of [1, 3, 5]) {
      const o = { k, restarts: 2, seed: seed >>> 1, labels: 'rows' as const };
      const a = kmeansBinary({ rows, d }, o);
      const b = kmeansBinary({ rows, d }, { ...o, backend: 'js' });
      assert.equal(a.distinct, b.distinct, why);
      assert.equal(a.totalRows, n);
      assert.ok(Math.abs(a.inertia - b.inertia) <= 1e-10 * b.inertia, `d=${d} k=${k}: ${a.inertia} vs ${b.inertia}; ${why}`);
      assert.deepEqual(a.sizes, b.sizes, why);
      assert.equal(a.nIter, b.nIter, why);
      assert.deepEqual(a.labels, b.labels, why);
      for (let i = 0; i < a.centroids.length; i++) assert.ok(Math.abs(a.centroids[i] - b.centroids[i]) <= 1e-12, why);
      // Float32 rows give the same answer as Uint8 rows.
      const f = kmeansBinary({ rows: Float32Array.from(rows), d }, o);
      assert.equal(f.inertia, a.inertia);
    }
  }
});

test('planted gate patterns are recovered; inertia is over all rows', { skip }, () => {
  const seed = testSeed();
  const { rows } = planted(seed, 30000, 0.05);
  const r = kmeansBinary({ rows, d: 24 }, { k: 4, restarts: 3, seed: 1, labels: 'distinct' });
  assert.equal(r.totalRows, 30000);
  assert.equal(r.sizes.reduce((a, b) => a + b, 0), 30000);
  const protos = [0, 1, 2, 3].map((p) => Array.from({ length: 24 }, (_, i) => (p === 0 ? 1 : Math.floor(i / 8) !== p - 1 ? 1 : 0)));
  for (const p of protos) {
    let best = Infinity;
    for (let c = 0; c < 4; c++) {
      let m = 0;
      for (let b = 0; b < 24; b++) m = Math.max(m, Math.abs(r.centroids[c * 24 + b] - p[b]));
      best = Math.min(best, m);
    }
    assert.ok(best < 0.1, `prototype recovered within ${best}; ${reproducer(seed)}`);
  }
  // Inertia from the distinct rows and their counts.
  let inertia = 0;
  for (let u = 0; u < r.distinct; u++) {
    const c = r.labels![u];
    let s = 0;
    for (let b = 0; b < 24; b++) s += (r.distinctRows![u * 24 + b] - r.centroids[c * 24 + b]) ** 2;
    inertia += r.distinctCounts![u] * s;
  }
  assert.ok(Math.abs(inertia - r.inertia) <= 1e-9 * inertia);
});

test('a GatingRecord is clustered in place, as its copied rows', { skip }, async () => {
  const { rows } = planted(5, 24, 0);
  const inputs = Array.from({ length: 24 }, (_, i) => Array.from({ length: 11 }, (_, k) => (k === i % 8 || k === 8 + Math.floor(i / 8) ? 1 : 0)));
  const targets = Array.from({ length: 24 }, (_, i) => Array.from(rows.subarray(i * 24, i * 24 + 6)));
  const rec = await recordReluGating({ inputs, targets, hidden: [30, 20], runs: 4, epochs: 100, lr: 0.3, initStd: 0.1, seed: 9, recordEpochs: [0, 50, 100] });
  const filter = { runs: [1, 3], layers: [1] };
  const a = kmeansRange({ record: rec, filter }, { kMin: 1, kMax: 5, seed: 2 });
  const b = kmeansRange({ rows: rec.rows(filter), d: 24 }, { kMin: 1, kMax: 5, seed: 2 });
  assert.deepEqual(a.inertia, b.inertia);
  assert.equal(a.results[0].totalRows, 2 * 3 * 20);
  for (let i = 1; i < a.inertia.length; i++) assert.ok(a.inertia[i] <= a.inertia[i - 1] + 1e-9);
  const all = kmeansBinary(rec, { k: 2, labels: 'rows' });
  assert.equal(all.labels!.length, rec.summary.rows);
  rec.dispose();
  assert.throws(() => kmeansBinary(rec, { k: 2 }), (e: GdlnError) => e.code === 'GDLN_DISPOSED');
});

test('elbow: kneedle distance to the chord', () => {
  assert.equal(elbowOf([1, 2, 3, 4, 5, 6], [100, 60, 30, 10, 8, 7]), 4);
  assert.equal(elbowOf([1, 2, 3, 4], [10, 9, 8, 7]), 1, 'a straight line has no elbow: kMin');
  assert.equal(elbowOf([2, 3], [5, 1]), 2);
});

test('bad input: k ≤ 0, k > distinct, no rows, non-binary, NaN', { skip }, () => {
  const same = new Uint8Array(40).fill(1);
  for (const backend of ['cpu', 'js'] as const) {
    const code = (f: () => unknown, expected: string, what: string) =>
      assert.throws(f, (e: GdlnError) => e instanceof GdlnError && e.code === expected, `${backend}: ${what}`);
    assert.equal(kmeansBinary({ rows: same, d: 4 }, { k: 1, backend }).inertia, 0);
    code(() => kmeansBinary({ rows: same, d: 4 }, { k: 2, backend }), 'GDLN_INVALID_ARGUMENT', 'k > distinct');
    assert.throws(() => kmeansBinary({ rows: same, d: 4 }, { k: 2, backend }), /distinct rows \(1\)/);
    code(() => kmeansBinary({ rows: same, d: 4 }, { k: 0, backend }), 'GDLN_INVALID_ARGUMENT', 'k = 0');
    code(() => kmeansBinary({ rows: new Uint8Array(0), d: 4 }, { k: 1, backend }), 'GDLN_INVALID_ARGUMENT', 'no rows');
    code(() => kmeansBinary({ rows: Uint8Array.of(0, 2, 1, 0), d: 4 }, { k: 1, backend }), 'GDLN_INVALID_ARGUMENT', 'value 2');
    code(() => kmeansBinary({ rows: Float32Array.of(0, NaN, 1, 0), d: 4 }, { k: 1, backend }), 'GDLN_NON_FINITE', 'NaN');
    code(() => kmeansBinary({ rows: same, d: 3 }, { k: 1, backend }), 'GDLN_SHAPE_MISMATCH', 'length not a multiple of d');
  }
});
