/**
 * Randomised conformance (issue 8): one seed → one random GDLN case (graph,
 * gated data, weights, loss, dtype, training options), run on a native backend
 * and on the float64 js reference; forward activations of every node, the loss,
 * every edge's gradient and a short training run (loss records, group losses,
 * snapshots, final weights) must agree within test/helpers/tolerance.ts.
 *
 * The generator covers: DAGs of 0–5 hidden nodes with skip edges, fan-in and
 * fan-out, parallel (named) edges, 1–3 input and output nodes, sizes 1…33,
 * linear / relu / tanh / leaky-relu hidden and output nodes, gates that are
 * absent, binary, fractional (including negatives and values > 1) or mixed,
 * per-sample and per-neuron node gates, samples whose gates are all off, N from
 * 1 to 140 (crossing the native kernels' 64-row blocks), mse and softmax
 * cross-entropy, full batch and minibatch SGD with momentum and weight decay.
 *
 * Everything about a case follows from its seed, so a failure is reproduced by
 *   GDLN_CONFORMANCE_CASE=<seed> node --import tsx --test test/reliability/random-conformance.test.ts
 */
import { tanhConditioning as sharedTanhConditioning } from '../helpers/tolerance.ts';
import { Graph, type ActivationSpec, type EdgeSpec, type NodeSpec } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { Rng } from '../../lib/init/rng.ts';
import type { WeightSet } from '../../lib/engine/WeightSet.ts';
import { forward, lossAndGradient, train, type TrainOptions, type Trajectory } from '../../lib/engine/train.ts';
import { getBackend } from '../../lib/backends/index.ts';
import type { BackendName, DType, LossName } from '../../lib/engine/kernels.ts';
import { relativeError, TOLERANCE } from '../helpers/tolerance.ts';

export type GateStyle = 'none' | 'binary' | 'fractional' | 'mixed';

export interface ConformanceCase {
  seed: number;
  graph: Graph;
  data: GatedDataset;
  weights: WeightSet;
  loss: LossName;
  dtype: DType;
  gateStyle: GateStyle;
  /** Training options without backend / dtype. */
  trainOptions: Omit<TrainOptions, 'backend' | 'dtype'>;
  /** One line: shapes, activations, gates, options. */
  description: string;
}

export interface Mismatch {
  seed: number;
  backend: string;
  dtype: DType;
  what: string;
  error: string;
  description: string;
}

const SIZES = [1, 1, 2, 3, 4, 5, 7, 8, 11, 16, 17, 33];

function softmaxRows(x: Float64Array, width: number): Float64Array {
  for (let r = 0; r < x.length / width; r++) {
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, x[r * width + k]);
    let z = 0;
    for (let k = 0; k < width; k++) z += x[r * width + k] = Math.exp(x[r * width + k] - max);
    for (let k = 0; k < width; k++) x[r * width + k] /= z;
  }
  return x;
}

/** The case for `seed` (deterministic). */
export function generateCase(seed: number): ConformanceCase {
  const rng = new Rng(seed >>> 0);
  const below = (n: number) => rng.below(n);
  const chance = (p: number) => rng.uniform() < p;
  const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)];

  // ---- graph: inputs, hidden (in a random topological order), outputs.
  const nIn = 1 + below(3);
  const nHidden = below(6);
  const nOut = 1 + below(3);
  const act = (): ActivationSpec => pick<ActivationSpec>(['linear', 'relu', 'tanh', { leakyRelu: Math.round((0.01 + 0.3 * rng.uniform()) * 1000) / 1000 }]);
  const nodes: NodeSpec[] = [];
  const ins = Array.from({ length: nIn }, (_, i) => `in${i}`);
  const hid = Array.from({ length: nHidden }, (_, i) => `h${i}`);
  const outs = Array.from({ length: nOut }, (_, i) => `out${i}`);
  for (const n of ins) nodes.push({ name: n, size: pick(SIZES) });
  for (const n of hid) nodes.push({ name: n, size: pick(SIZES), activation: act() });
  for (const n of outs) nodes.push({ name: n, size: pick(SIZES.slice(0, 9)), activation: chance(0.25) ? act() : 'linear' });
  const order = [...ins, ...hid, ...outs];
  const rank = new Map(order.map((n, i) => [n, i]));
  const edges: EdgeSpec[] = [];
  const seen = new Map<string, number>();
  const add = (from: string, to: string) => {
    const key = `${from}->${to}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    edges.push(k === 0 ? { from, to } : { from, to, name: `${key}#${k}` });
  };
  // Every non-input node gets an incoming edge from an earlier non-output node;
  // every non-output node gets an outgoing edge to a later non-input node.
  const sources = (to: string) => order.filter((n) => rank.get(n)! < rank.get(to)! && !n.startsWith('out'));
  const targets = (from: string) => order.filter((n) => rank.get(n)! > rank.get(from)! && !n.startsWith('in'));
  for (const v of [...hid, ...outs]) add(pick(sources(v)), v);
  const outDeg = new Map<string, number>();
  for (const e of edges) outDeg.set(e.from, (outDeg.get(e.from) ?? 0) + 1);
  for (const v of [...ins, ...hid]) if (!outDeg.get(v)) add(v, pick(targets(v)));
  // Extra edges: skips, fan-in, fan-out, and now and then a parallel edge.
  const extra = below(5);
  for (let k = 0; k < extra; k++) {
    const from = pick(order.filter((n) => !n.startsWith('out')));
    add(from, pick(targets(from)));
  }
  if (chance(0.3)) {
    const e = pick(edges);
    add(e.from, e.to);
  }
  const graph = new Graph({ nodes, edges });

  // ---- data
  const N = chance(0.15) ? 60 + below(81) : 1 + below(12);
  const loss: LossName = chance(0.3) ? 'softmaxCrossEntropy' : 'mse';
  const gateStyle = pick<GateStyle>(['none', 'binary', 'fractional', 'mixed']);
  const gaussian = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
  const gateValue = (): number => {
    switch (gateStyle) {
      case 'binary':
        return chance(0.3) ? 0 : 1;
      case 'fractional':
        return chance(0.1) ? 0 : chance(0.1) ? -0.5 * rng.uniform() : 1.5 * rng.uniform();
      default:
        return chance(0.25) ? 0 : chance(0.5) ? 1 : 1.5 * rng.uniform();
    }
  };
  const gates = (n: number) => Float64Array.from({ length: n }, gateValue);
  const inputs = Object.fromEntries(graph.inputs.map((v) => [graph.nodes[v].name, gaussian(N * graph.nodes[v].size)]));
  const targetsData = Object.fromEntries(
    graph.outputs.map((v) => {
      const y = gaussian(N * graph.nodes[v].size);
      return [graph.nodes[v].name, loss === 'softmaxCrossEntropy' ? softmaxRows(y, graph.nodes[v].size) : y];
    }),
  );
  const edgeGates: Record<string, Float64Array> = {};
  const nodeGates: Record<string, Float64Array> = {};
  if (gateStyle !== 'none') {
    for (const e of graph.edges) if (chance(0.5)) edgeGates[e.name] = gates(N);
    for (const n of graph.nodes) if (chance(0.3)) nodeGates[n.name] = chance(0.5) && n.size > 1 ? gates(N * n.size) : gates(N);
  }
  // Samples whose gates are all off: every edge gate (or an output's node gate) 0 on them.
  let allOff = 0;
  if (chance(0.3)) {
    allOff = 1 + below(Math.max(1, Math.floor(N / 3)));
    const off = new Set(Array.from({ length: allOff }, () => below(N)));
    allOff = off.size;
    for (const e of graph.edges) {
      const g = (edgeGates[e.name] ??= new Float64Array(N).fill(1));
      for (const i of off) g[i] = 0;
    }
  }
  const data = new GatedDataset(graph, { inputs, targets: targetsData, edgeGates, nodeGates });
  const weights = initWeights(graph, { seed: rng.nextU32(), scheme: { kind: 'xavierNormal', gain: 0.5 + rng.uniform() } });
  const dtype: DType = chance(0.5) ? 'float64' : 'float32';

  // ---- training options
  const steps = 1 + below(8);
  const trainOptions: Omit<TrainOptions, 'backend' | 'dtype'> = {
    steps,
    // Small enough that nearly every run descends (a blowing-up reference is not a
    // float32 comparison; see runCase), scaled down by the widest fan-in of parallel paths.
    lr: pick([0.002, 0.005, 0.01, 0.02]) / Math.max(1, ...graph.nodes.map((n) => graph.incoming[n.index].length)),
    loss,
    recordEvery: 1 + below(3),
    snapshots: [...new Set([0, below(steps + 1), steps])],
  };
  if (chance(0.4)) {
    trainOptions.batchSize = 1 + below(N);
    trainOptions.seed = below(1000);
  }
  if (chance(0.3)) trainOptions.momentum = pick([0.5, 0.9]);
  if (chance(0.3)) trainOptions.weightDecay = 1e-3;
  if (chance(0.3)) trainOptions.groups = Array.from({ length: N }, (_, i) => `g${i % (1 + below(3))}`);

  const actName = (a: ActivationSpec) => (typeof a === 'string' ? a : `leaky${a.leakyRelu}`);
  const description =
    `${graph.nodes.map((n) => `${n.name}[${n.size}${n.activation !== 'linear' ? ' ' + actName(n.activation) : ''}]`).join(' ')}; ` +
    `edges ${graph.edges.map((e) => e.name).join(' ')}; N=${N} ${loss} ${dtype} gates=${gateStyle}` +
    `${Object.keys(nodeGates).length ? ` nodeGates=${Object.keys(nodeGates).join(',')}` : ''}${allOff ? ` allOff=${allOff}` : ''}; ` +
    `train ${JSON.stringify({ ...trainOptions, groups: trainOptions.groups ? 'yes' : undefined })}`;
  return { seed: seed >>> 0, graph, data, weights, loss, dtype, gateStyle, trainOptions, description };
}

/** The one-line reproducer printed with every mismatch. */
export function reproducerLine(seed: number): string {
  return `GDLN_CONFORMANCE_CASE=${seed >>> 0} node --import tsx --test test/reliability/random-conformance.test.ts`;
}

/**
 * Runs case `c` on `backend` against the js reference. Returns the mismatches
 * (empty = conforms); a thrown error on either side is a mismatch too.
 */
/**
 * float32 only: an array whose reference norm is below FLOAT32_FLOOR × the largest
 * norm of its kind (activations of all nodes, gradients of all edges) is measured
 * against that floor instead of its own norm. Single precision cannot resolve such
 * an array relative to itself: e.g. a gradient through a tanh saturated at ±1 is
 * 1 − tanh² ≈ 1e-7 times the others, and 1 − tanh² has no correct digit in float32.
 * float64 is always measured relative to its own norm (TOLERANCE.float64).
 */
export const FLOAT32_FLOOR = 1e-3;

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** ||a − b|| / max(||b||, floor). */
export function flooredError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  for (let i = 0; i < a.length; i++) num += (a[i] - b[i]) ** 2;
  const den = Math.max(norm(b), floor);
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num) / den;
}

/** max 1/(1 − h²) over the non-zero entries of tanh nodes (1 when there is none). */
export function tanhConditioning(c: ConformanceCase, acts: Record<string, Float64Array>): number {
  return sharedTanhConditioning(c.graph, acts);
}

export interface CaseStats {
  /** float32 cases through a saturated tanh (derivative tolerance widened, see runCase). */
  saturated: number;
  /** The reference run diverged (GDLN_DIVERGED); the backend had to diverge too. */
  diverged: number;
  /** The reference loss grew 1000-fold; float32 training not compared. */
  unstable: number;
}

export async function runCase(c: ConformanceCase, backend: Exclude<BackendName, 'js'>, stats?: CaseStats): Promise<Mismatch[]> {
  const tol = TOLERANCE[c.dtype];
  const out: Mismatch[] = [];
  const miss = (what: string, error: string) => out.push({ seed: c.seed, backend, dtype: c.dtype, what, error, description: c.description });
  const { graph, data, weights } = c;
  // float32 through a saturated tanh: derivatives carry 1 − h², which single precision
  // resolves only to about 2⁻²⁴/(1 − h²) relative; gradients and trajectories get that
  // much room (forward values do not).
  const kappa = c.dtype === 'float32' ? tanhConditioning(c, forward(graph, data, weights, { backend: 'js' })) : 1;
  const derivTol = c.dtype === 'float32' ? Math.max(tol, 4 * 2 ** -24 * kappa) : tol;
  if (derivTol > tol && stats) stats.saturated++;
  const check = (what: string, got: ArrayLike<number>, ref: ArrayLike<number>, scale = 0, t = derivTol) => {
    const err = c.dtype === 'float32' ? flooredError(got, ref, FLOAT32_FLOOR * scale) : relativeError(got, ref);
    if (!(err <= t)) miss(what, `rel err ${err} > ${t}`);
  };
  const b = getBackend(backend);
  try {
    if (b.supports('forward', c.dtype)) {
      const ref = forward(graph, data, weights, { backend: 'js' });
      const got = forward(graph, data, weights, { backend, dtype: c.dtype });
      const scale = Math.max(...graph.nodes.map((n) => norm(ref[n.name])));
      for (const n of graph.nodes) check(`forward ${n.name}`, got[n.name], ref[n.name], scale, tol);
    }
    if (b.supports('lossAndGradient', c.dtype)) {
      const ref = lossAndGradient(graph, data, weights, { backend: 'js', loss: c.loss });
      const got = lossAndGradient(graph, data, weights, { backend, dtype: c.dtype, loss: c.loss });
      check('loss', [got.loss], [ref.loss]);
      const scale = Math.max(...ref.gradient.matrices.map(norm));
      for (const e of graph.edges) check(`gradient ${e.name}`, got.gradient.matrices[e.index], ref.gradient.matrices[e.index], scale);
    }
    if (b.supports('trainSteps', c.dtype)) {
      const settle = (p: Promise<Trajectory>) => p.then((t) => ({ t, err: null }), (err: unknown) => ({ t: null, err: err as { code?: string; message?: string } }));
      const r = await settle(train(graph, data, weights, { ...c.trainOptions, backend: 'js' }));
      const g = await settle(train(graph, data, weights, { ...c.trainOptions, backend, dtype: c.dtype }));
      // A run the reference finds diverging must diverge on the backend too (and only then).
      if (r.err || g.err) {
        if (r.err?.code !== 'GDLN_DIVERGED') throw r.err ?? g.err;
        if (stats) stats.diverged++;
        if (g.err?.code !== 'GDLN_DIVERGED') miss('train divergence', `the reference diverged (${r.err.message}) but ${backend} ${g.err ? `threw ${g.err.code}: ${g.err.message}` : 'did not'}`);
        return out;
      }
      const ref = r.t as Trajectory;
      const got = g.t as Trajectory;
      // A reference run whose loss grows 1000-fold is on its way to blowing up: float32 may
      // overflow where float64 does not, so only float64 is compared on it.
      const unstable = Math.max(...ref.loss) > 1e3 * Math.max(ref.loss[0], 1e-300);
      if (unstable && stats) stats.unstable++;
      if (unstable && c.dtype === 'float32') return out;
      if (JSON.stringify(got.steps) !== JSON.stringify(ref.steps)) miss('train record steps', `${JSON.stringify(got.steps)} vs ${JSON.stringify(ref.steps)}`);
      else check('train loss curve', got.loss, ref.loss);
      for (const g of Object.keys(ref.groupLoss ?? {})) check(`train group ${g} loss`, got.groupLoss?.[g] ?? [], ref.groupLoss![g]);
      const gs = got.snapshots.map((s) => s.step);
      const rs = ref.snapshots.map((s) => s.step);
      if (JSON.stringify(gs) !== JSON.stringify(rs)) miss('train snapshot steps', `${JSON.stringify(gs)} vs ${JSON.stringify(rs)}`);
      else got.snapshots.forEach((s, k) => s.weights.matrices.forEach((w, e) => check(`snapshot ${s.step} ${graph.edges[e].name}`, w, ref.snapshots[k].weights.matrices[e])));
      got.weights.matrices.forEach((w, e) => check(`final weights ${graph.edges[e].name}`, w, ref.weights.matrices[e]));
      if (got.stepsDone !== ref.stepsDone) miss('train stepsDone', `${got.stepsDone} vs ${ref.stepsDone}`);
    }
  } catch (err) {
    miss('threw', `${(err as { code?: string }).code ?? (err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
  }
  return out;
}

export interface ConformanceSummary {
  cases: number;
  /** Case × backend runs. */
  runs: number;
  byDtype: Record<DType, number>;
  stats: CaseStats;
  mismatches: Mismatch[];
  seconds: number;
  firstSeed: number;
}

/**
 * Runs `count` cases with seeds firstSeed, firstSeed+1, … on every backend in
 * `backends`. `onMismatch` sees each failing case as it happens (for a one-line
 * reproducer); `onProgress` every 500 cases.
 */
export async function runMany(options: {
  count: number;
  firstSeed: number;
  backends: Exclude<BackendName, 'js'>[];
  onMismatch?: (m: Mismatch[]) => void;
  onProgress?: (done: number, mismatches: number) => void;
  maxMismatches?: number;
}): Promise<ConformanceSummary> {
  const t0 = performance.now();
  const summary: ConformanceSummary = { cases: 0, runs: 0, byDtype: { float64: 0, float32: 0 }, stats: { saturated: 0, diverged: 0, unstable: 0 }, mismatches: [], seconds: 0, firstSeed: options.firstSeed >>> 0 };
  for (let i = 0; i < options.count; i++) {
    const seed = (options.firstSeed + i) >>> 0;
    const c = generateCase(seed);
    summary.cases++;
    summary.byDtype[c.dtype]++;
    for (const b of options.backends) {
      summary.runs++;
      const m = await runCase(c, b, summary.stats);
      if (m.length > 0) {
        summary.mismatches.push(...m);
        options.onMismatch?.(m);
      }
    }
    if ((i + 1) % 500 === 0) options.onProgress?.(i + 1, summary.mismatches.length);
    if (summary.mismatches.length >= (options.maxMismatches ?? Infinity)) break;
  }
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/** One line per failing case: what differed and how to rerun it. */
export function formatMismatches(ms: Mismatch[]): string {
  const bySeed = new Map<string, Mismatch[]>();
  for (const m of ms) {
    const key = `${m.seed}/${m.backend}`;
    bySeed.set(key, [...(bySeed.get(key) ?? []), m]);
  }
  return [...bySeed.values()]
    .map((g) => `case ${g[0].seed} on ${g[0].backend} ${g[0].dtype}: ${g.slice(0, 3).map((m) => `${m.what}: ${m.error}`).join('; ')}${g.length > 3 ? ` (+${g.length - 3} more)` : ''} — ${g[0].description}\n  rerun: ${reproducerLine(g[0].seed)}`)
    .join('\n');
}
