/**
 * The float64 plain-TypeScript reference of the ReLN gate-discovery kernels
 * (ReLN paper App. B, Algorithm 1): the `js` backend of `recordReluGating` and
 * `kmeansBinary`, and the definition the native kernels
 * (native/cpu/relu_runs.*, native/cpu/kmeans.*) are tested against. Readable
 * loops over natural layouts; no skipping, no threads.
 *
 * ReLU runs: per run, h_0 = x, a_l = W_l h_{l−1}, h_l = relu(a_l) for the hidden
 * layers, ŷ = W_out h_L, no biases (App. H); L = 1/(2N) Σ_i ||y_i − ŷ_i||²;
 * relu'(0) = 0; SGD as PyTorch (buf = μ·buf + g, buf₀ = g, W −= lr·buf).
 * Epoch e = after e updates; a record at e holds the loss, the bits
 * step(a > 0) of every hidden neuron over the samples and optionally ŷ.
 *
 * k-means: see native/cpu/kmeans.h — rows are de-duplicated (distinct rows
 * sorted by their packed 64-bit words, word 0 first, bit b%64 of word b/64 =
 * column b), then weighted Lloyd from greedy k-means++ seeding with the
 * xoshiro128** stream of lib/init/rng.ts, exactly as the native kernel.
 */
import { Rng } from '../init/rng.ts';
import type { KmeansFit, KmeansSettings, ReluRunsProblem, ReluRunsSummaries } from './types.ts';

export interface ReluRunsInput extends ReluRunsProblem {
  recordEpochs: number[];
}

export interface ReluRunsOutput extends ReluRunsSummaries {
  /** [runs, snapshots, Σ hidden, n] of 0/1 (row = one neuron at one snapshot). */
  bits: Uint8Array;
}

/** Layer shapes [out, in] of one run: W_1, [W_2,] W_out. */
export function layerShapes(dIn: number, hidden: number[], dOut: number): [number, number][] {
  const shapes: [number, number][] = [];
  let fanIn = dIn;
  for (const h of hidden) {
    shapes.push([h, fanIn]);
    fanIn = h;
  }
  shapes.push([dOut, fanIn]);
  return shapes;
}

export function paramsPerRun(dIn: number, hidden: number[], dOut: number): number {
  return layerShapes(dIn, hidden, dOut).reduce((s, [o, i]) => s + o * i, 0);
}

/**
 * Trains one run (index `run`) of `s`, writing its records into `out`.
 * @throws Error with code GDLN_DIVERGED on a non-finite loss.
 */
export function reluRunReference(s: ReluRunsInput, run: number, out: ReluRunsOutput): void {
  const shapes = layerShapes(s.dIn, s.hidden, s.dOut);
  const L = s.hidden.length;
  const P = paramsPerRun(s.dIn, s.hidden, s.dOut);
  const S = s.recordEpochs.length;
  const H = s.hidden.reduce((a, b) => a + b, 0);
  const n = s.n;
  let offset = run * P;
  const W = shapes.map(([o, i]) => {
    const w = s.initWeights.slice(offset, offset + o * i);
    offset += o * i;
    return w;
  });
  const buf = W.map((w) => new Float64Array(w.length));
  let next = 0;
  let loss = 0;
  for (let epoch = 0; ; epoch++) {
    // forward
    const h: Float64Array[] = [s.inputs];
    const a: Float64Array[] = [s.inputs];
    for (let l = 0; l <= L; l++) {
      const [fo, fi] = shapes[l];
      const z = new Float64Array(n * fo);
      for (let i = 0; i < n; i++) {
        for (let q = 0; q < fo; q++) {
          let sum = 0;
          for (let p = 0; p < fi; p++) sum += W[l][q * fi + p] * h[l][i * fi + p];
          z[i * fo + q] = sum;
        }
      }
      a.push(z);
      h.push(l < L ? z.map((v) => (v > 0 ? v : 0)) : z);
    }
    const yhat = h[L + 1];
    loss = 0;
    for (let k = 0; k < n * s.dOut; k++) loss += (yhat[k] - s.targets[k]) ** 2;
    loss /= 2 * n;
    if (!Number.isFinite(loss)) {
      throw Object.assign(new Error(`ReLU run ${run} diverged: the loss is ${loss} at epoch ${epoch}`), { code: 'GDLN_DIVERGED' });
    }
    if (next < S && s.recordEpochs[next] === epoch) {
      out.loss[run * S + next] = loss;
      let rowBase = (run * S + next) * H;
      for (let l = 0; l < L; l++) {
        const width = s.hidden[l];
        let ones = 0;
        for (let j = 0; j < width; j++) {
          for (let i = 0; i < n; i++) {
            const on = a[l + 1][i * width + j] > 0 ? 1 : 0;
            out.bits[(rowBase + j) * n + i] = on;
            ones += on;
          }
        }
        out.activeFraction[(run * S + next) * L + l] = ones / (width * n);
        rowBase += width;
      }
      if (out.outputs) out.outputs.set(yhat, (run * S + next) * n * s.dOut);
      next++;
    }
    if (epoch === s.epochs) break;
    // backward: δ_{L+1} = (ŷ − y)/n; ∂W_l = δ_{l+1}ᵀ h_l; δ_l = (δ_{l+1} W_l) ⊙ step(a_l)
    let delta = new Float64Array(n * s.dOut);
    for (let k = 0; k < n * s.dOut; k++) delta[k] = (yhat[k] - s.targets[k]) / n;
    const grads: Float64Array[] = new Array(L + 1);
    for (let l = L; l >= 0; l--) {
      const [fo, fi] = shapes[l];
      const g = new Float64Array(fo * fi);
      for (let q = 0; q < fo; q++) {
        for (let p = 0; p < fi; p++) {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += delta[i * fo + q] * h[l][i * fi + p];
          g[q * fi + p] = sum;
        }
      }
      grads[l] = g;
      if (l > 0) {
        const prev = new Float64Array(n * fi);
        for (let i = 0; i < n; i++) {
          for (let p = 0; p < fi; p++) {
            let sum = 0;
            for (let q = 0; q < fo; q++) sum += delta[i * fo + q] * W[l][q * fi + p];
            prev[i * fi + p] = a[l][i * fi + p] > 0 ? sum : 0;
          }
        }
        delta = prev;
      }
    }
    for (let l = 0; l <= L; l++) {
      for (let k = 0; k < W[l].length; k++) {
        if (s.momentum === 0) {
          W[l][k] -= s.lr * grads[l][k];
        } else {
          buf[l][k] = epoch === 0 ? grads[l][k] : s.momentum * buf[l][k] + grads[l][k];
          W[l][k] -= s.lr * buf[l][k];
        }
      }
    }
  }
  out.finalLoss[run] = loss;
  if (out.weights) {
    let o = run * P;
    for (const w of W) {
      out.weights.set(w, o);
      o += w.length;
    }
  }
}

export function emptyReluRunsOutput(s: ReluRunsInput): ReluRunsOutput {
  const S = s.recordEpochs.length;
  const H = s.hidden.reduce((a, b) => a + b, 0);
  return {
    loss: new Float64Array(s.runs * S),
    finalLoss: new Float64Array(s.runs),
    activeFraction: new Float64Array(s.runs * S * s.hidden.length),
    bits: new Uint8Array(s.runs * S * H * s.n),
    outputs: s.recordOutputs ? new Float64Array(s.runs * S * s.n * s.dOut) : null,
    weights: s.returnWeights ? new Float64Array(s.runs * paramsPerRun(s.dIn, s.hidden, s.dOut)) : null,
  };
}

/** All runs, one after the other. */
export function reluRunsReference(s: ReluRunsInput): ReluRunsOutput {
  const out = emptyReluRunsOutput(s);
  for (let run = 0; run < s.runs; run++) reluRunReference(s, run, out);
  return out;
}

// ------------------------------------------------------------------ k-means

export interface KmeansReferenceOptions extends KmeansSettings {
  k: number;
}

export interface KmeansReferenceResult extends KmeansFit {
  /** per distinct row */
  labels: Int32Array;
}

export interface DistinctBinaryRows {
  d: number;
  /** [u, d] of 0/1, in the native order (see the module comment) */
  rows: Float64Array;
  counts: Float64Array;
}

/** Compares two 0/1 rows as their packed words would compare (word 0 first, then the highest column of a word first). */
function comparePacked(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  for (let w = 0; w * 64 < d; w++) {
    for (let col = Math.min(d, (w + 1) * 64) - 1; col >= w * 64; col--) {
      if (a[ao + col] !== b[bo + col]) return a[ao + col] - b[bo + col];
    }
  }
  return 0;
}

/** De-duplicates [n, d] rows of 0/1. */
export function distinctRows(rows: ArrayLike<number>, n: number, d: number): DistinctBinaryRows {
  const seen = new Map<string, { first: number; count: number }>();
  for (let i = 0; i < n; i++) {
    let key = '';
    for (let b = 0; b < d; b++) key += rows[i * d + b] === 1 ? '1' : '0';
    const entry = seen.get(key);
    if (entry) entry.count++;
    else seen.set(key, { first: i, count: 1 });
  }
  const entries = [...seen.values()].sort((x, y) => comparePacked(rows, x.first * d, rows, y.first * d, d));
  const out = new Float64Array(entries.length * d);
  entries.forEach((e, u) => {
    for (let b = 0; b < d; b++) out[u * d + b] = rows[e.first * d + b];
  });
  return { d, rows: out, counts: Float64Array.from(entries.map((e) => e.count)) };
}

function sqDist(x: Float64Array, xo: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let b = 0; b < d; b++) {
    const t = x[xo + b] - c[co + b];
    s += t * t;
  }
  return s;
}

/** First index with cum[i] ≥ r, clipped to the last. */
function searchLeft(cum: Float64Array, r: number): number {
  let lo = 0;
  let hi = cum.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, cum.length - 1);
}

function kmeansPlusPlus(X: DistinctBinaryRows, k: number, rng: Rng): Float64Array {
  const { d, rows, counts } = X;
  const u = counts.length;
  const trials = 2 + Math.floor(Math.log(k));
  const centres = new Float64Array(k * d);
  const cum = new Float64Array(u);
  let acc = 0;
  for (let i = 0; i < u; i++) cum[i] = acc += counts[i];
  const first = searchLeft(cum, rng.uniform() * acc);
  centres.set(rows.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(u);
  for (let i = 0; i < u; i++) closest[i] = sqDist(rows, i * d, centres, 0, d);
  for (let c = 1; c < k; c++) {
    acc = 0;
    for (let i = 0; i < u; i++) cum[i] = acc += counts[i] * closest[i];
    const cand: number[] = [];
    for (let t = 0; t < trials; t++) cand.push(searchLeft(cum, rng.uniform() * acc));
    let best = -1;
    let bestPot = Infinity;
    let bestDist = closest;
    for (const idx of cand) {
      const dist = new Float64Array(u);
      let pot = 0;
      for (let i = 0; i < u; i++) {
        dist[i] = Math.min(closest[i], sqDist(rows, i * d, rows, idx * d, d));
      }
      for (let i = 0; i < u; i++) pot += counts[i] * dist[i];
      if (pot < bestPot) {
        bestPot = pot;
        best = idx;
        bestDist = dist;
      }
    }
    closest = bestDist;
    centres.set(rows.subarray(best * d, best * d + d), c * d);
  }
  return centres;
}

/** One weighted Lloyd run from the given centres (the rules of native/cpu/kmeans.h). */
export function lloydReference(X: DistinctBinaryRows, init: Float64Array, k: number, maxIter: number, tol: number) {
  const { d, rows, counts } = X;
  const u = counts.length;
  const centres = Float64Array.from(init);
  let wsum = 0;
  for (const w of counts) wsum += w;
  let varSum = 0;
  for (let b = 0; b < d; b++) {
    let m = 0;
    for (let i = 0; i < u; i++) m += counts[i] * rows[i * d + b];
    m /= wsum;
    let v = 0;
    for (let i = 0; i < u; i++) v += counts[i] * (rows[i * d + b] - m) ** 2;
    varSum += v / wsum;
  }
  const tolAbs = (tol * varSum) / d;
  const assign = (labels: Int32Array, dist: Float64Array) => {
    for (let i = 0; i < u; i++) {
      let best = 0;
      let bd = sqDist(rows, i * d, centres, 0, d);
      for (let c = 1; c < k; c++) {
        const t = sqDist(rows, i * d, centres, c * d, d);
        if (t < bd) {
          bd = t;
          best = c;
        }
      }
      labels[i] = best;
      dist[i] = bd;
    }
  };
  const labels = new Int32Array(u);
  let old = new Int32Array(u).fill(-1);
  const dist = new Float64Array(u);
  let nIter = 0;
  for (let it = 0; it < maxIter; it++) {
    nIter = it + 1;
    assign(labels, dist);
    const sums = new Float64Array(k * d);
    const weight = new Float64Array(k);
    for (let i = 0; i < u; i++) {
      weight[labels[i]] += counts[i];
      for (let b = 0; b < d; b++) sums[labels[i] * d + b] += counts[i] * rows[i * d + b];
    }
    const empty: number[] = [];
    for (let c = 0; c < k; c++) if (weight[c] === 0) empty.push(c);
    if (empty.length > 0) {
      const order = [...Array(u).keys()].sort((x, y) => dist[y] - dist[x] || x - y);
      for (let j = 0; j < Math.min(empty.length, u); j++) {
        const far = order[j];
        const to = empty[j];
        const from = labels[far];
        for (let b = 0; b < d; b++) {
          sums[from * d + b] -= counts[far] * rows[far * d + b];
          sums[to * d + b] = counts[far] * rows[far * d + b];
        }
        weight[from] -= counts[far];
        weight[to] = counts[far];
      }
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let b = 0; b < d; b++) {
        const next = weight[c] > 0 ? sums[c * d + b] / weight[c] : centres[c * d + b];
        shift += (next - centres[c * d + b]) ** 2;
        centres[c * d + b] = next;
      }
    }
    if (labels.every((l, i) => l === old[i])) break;
    if (shift <= tolAbs) break;
    old = Int32Array.from(labels);
  }
  assign(labels, dist);
  const sizes = new Float64Array(k);
  let inertia = 0;
  for (let i = 0; i < u; i++) {
    inertia += counts[i] * dist[i];
    sizes[labels[i]] += counts[i];
  }
  return { centroids: centres, sizes, inertia, nIter, labels };
}

/**
 * Weighted k-means with restarts on distinct rows.
 * @throws Error with code GDLN_INVALID_ARGUMENT when k > the number of distinct rows
 */
export function kmeansReference(X: DistinctBinaryRows, o: KmeansReferenceOptions): KmeansReferenceResult {
  const u = X.counts.length;
  if (o.k > u) {
    throw Object.assign(new Error(`Expected k ≤ the number of distinct rows (${u}) for k but received ${o.k}`), {
      code: 'GDLN_INVALID_ARGUMENT',
    });
  }
  const rng = new Rng(o.seed);
  let best: KmeansReferenceResult | null = null;
  const restartInertia = new Float64Array(o.restarts);
  for (let r = 0; r < o.restarts; r++) {
    const res = lloydReference(X, kmeansPlusPlus(X, o.k, rng), o.k, o.maxIter, o.tol);
    restartInertia[r] = res.inertia;
    if (best === null || res.inertia < best.inertia) best = { k: o.k, ...res, bestRestart: r, restartInertia };
  }
  return best as KmeansReferenceResult;
}
