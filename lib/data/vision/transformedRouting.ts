/**
 * The transformed vision routing task of Saxe et al. 2022, Sec. 5, Fig. 7a and App. D.
 *
 * A base dataset {(x^μ, y^μ)} with C classes, M input transformations f_i^in (rotations
 * or pixel permutations) and M output transformations f_j^out (label permutations). The
 * task (i, j) maps f_i^in(x^μ) to f_j^out(y^μ). Each input domain is trained with K output
 * domains (M·K trained, M·(M−K) untrained routes); by default the cyclic choice
 * j = i … i+K−1 (mod M) of `lib/data/routing.ts`, or a seeded random choice.
 *
 * Network (App. D.1): M encoders φ_i, one shared hidden layer θ and M decoders ψ_j, all
 * single linear layers; the prediction for task (i, j) is ψ_j(θ(φ_i(x))). As a GDLN:
 * in_i →(φ_i, H×D) h1 →(θ, H×H) h2 →(ψ_j, C×H) out_j, H = 128 (Table 1). Gating as
 * Fig. 4a: φ_i is on only for samples of input domain i, ψ_j only for output domain j,
 * θ always. Targets are one-hot on the active output domain (the released code trains
 * with cross-entropy on class indices, ERRATA; use the softmax cross-entropy loss for
 * that, mean squared error for the theory). Table 1 lists an initial bias of 0: the
 * released model has biases, the theory none; `bias: true` adds them as edges from a
 * constant-1 input node `one` (per-encoder biases gated like φ_i, θ's bias always on,
 * per-decoder biases gated like ψ_j).
 *
 * Layouts. `'domains'` (default) is the literal Fig. 4a graph: M input nodes of D values
 * and M output nodes of C values, inactive ones zero. GatedDataset stores every input node
 * densely ([N, D] each), so memory grows as N·M·(D + C). `'compact'` is the same network
 * and loss with one input node `x` (D) and one output node `y` (C) joined by M parallel
 * gated encoder edges `enc<i>` and M decoder edges `dec<j>`: with exactly one encoder and
 * one decoder on per sample, h1 = φ_{i(μ)} x and y = ψ_{j(μ)} h2, and the zero blocks of
 * the domains layout contribute nothing to loss or gradient. Memory N·(D + C + 2M).
 */
import { GdlnError, invalidParameter } from '../../errors.ts';
import { Graph, type EdgeSpec, type NodeSpec } from '../../graph/Graph.ts';
import { GatedDataset } from '../GatedDataset.ts';
import { Rng } from '../../init/rng.ts';
import type { ImageSet } from './idx.ts';
import type { FeatureSet } from './features.ts';
import { labelPermutations, permuteVector, pixelPermutations, rotateImage, rotationAngles, type ImageShape } from './transforms.ts';

/** Custom input transformation: write f_i^in(x) into `out`. */
export type InputTransform = (domain: number, x: Float64Array, out: Float64Array) => void;

export interface TransformedRoutingOptions {
  /** Base dataset for training (an image set, e.g. loadMnistLike / syntheticDigits, or precomputed features). */
  base: ImageSet | FeatureSet;
  /** Base dataset the evaluation set draws from (default `base`; pass the test split for held-out images). */
  evalBase?: ImageSet | FeatureSet;
  /** Number of input and of output domains. */
  M: number;
  /** Output domains trained per input domain (default M). */
  K?: number;
  /** Which K outputs each input is trained with: 'cyclic' j = i … i+K−1 mod M (default) or 'random' (seeded, K distinct per input). */
  routes?: 'cyclic' | 'random';
  /** f_i^in: 'rotation' (image sets only), 'permutation' (seeded pixel permutations), 'identity', or a function. Default 'rotation' for image sets, 'identity' for features. */
  inputTransform?: 'rotation' | 'permutation' | 'identity' | InputTransform;
  /** Rotations θ_i = span·i/M: 180 (paper, default) or 270 (released code). */
  rotationSpan?: 180 | 270;
  /** f_j^out: 'random' (default; M seeded permutations) or 'lexicographic' (released code). */
  labelPermutations?: 'random' | 'lexicographic';
  /** Base samples per trained route in the training set (default 8, the per-task batch of Table 1). */
  samplesPerRoute?: number;
  /** Base samples per route (all M²) in the evaluation set (default samplesPerRoute). */
  evalSamplesPerRoute?: number;
  /** true: the released code's scheme, the same base samples on every route; default false: independent draws per route (paper). */
  sharedBaseImages?: boolean;
  /** Hidden width H (default 128, Table 1). */
  hidden?: number;
  /** Add biases (released model; Table 1 "initial value for bias 0"). Default false (the GDLN theory). */
  bias?: boolean;
  /** Target coding on the active output domain: 'oneHot' (default) or 'plusMinus' (+1 for the class, −1 elsewhere). */
  targets?: 'oneHot' | 'plusMinus';
  /** Graph layout, see the module comment (default 'domains'). */
  layout?: 'domains' | 'compact';
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** Refuse to build datasets whose estimated peak memory exceeds this many bytes (default 1 GiB). */
  maxBytes?: number;
}

/** Per-sample bookkeeping of one built set. */
export interface RouteSamples {
  inputDomain: Int32Array;
  outputDomain: Int32Array;
  /** Index into the base (or evalBase) dataset. */
  baseIndex: Int32Array;
  /** Transformed class f_j^out(y), 0 … C−1. */
  label: Int32Array;
}

export interface TransformedRoutingTask {
  graph: Graph;
  /** Training set: trained routes × samplesPerRoute. */
  data: GatedDataset;
  /** All M² routes × evalSamplesPerRoute. */
  evaluation: GatedDataset;
  /** Per evaluation sample: 'trained' or 'untrained' (pass as `groups` to train()). */
  evaluationGroups: string[];
  trained: boolean[][];
  trainSamples: RouteSamples;
  evaluationSamples: RouteSamples;
  /** Per output domain j: perm[y] = f_j^out(y). */
  labelPermutations: Int32Array[];
  /** Rotation angles in degrees (rotation transform only). */
  angles?: number[];
  /** Pixel permutations (permutation transform only). */
  pixelPermutations?: Int32Array[];
  /** Output node name per output domain (all the same node 'y' in the compact layout). */
  outputNodes: string[];
  M: number;
  K: number;
  C: number;
  D: number;
  layout: 'domains' | 'compact';
}

interface Base { x: ArrayLike<number>; labels: ArrayLike<number>; n: number; D: number; C: number; image?: ImageShape }

function asBase(b: ImageSet | FeatureSet, name: string): Base {
  if (b == null || typeof b !== 'object') throw invalidParameter('an ImageSet or FeatureSet', name, b);
  if ('images' in b) {
    return { x: b.images, labels: b.labels, n: b.n, D: b.height * b.width * b.channels, C: b.classes, image: { height: b.height, width: b.width, channels: b.channels, layout: 'chw' } };
  }
  if (b.labels === undefined || b.classes === undefined) throw invalidParameter('features with labels', name, 'features without labels');
  return { x: b.features, labels: b.labels, n: b.n, D: b.dim, C: b.classes };
}

function positiveInt(x: unknown, name: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw invalidParameter('a positive integer', name, x);
  return x;
}

/** k distinct indices of 0 … n−1 (partial Fisher–Yates). */
function draw(rng: Rng, n: number, k: number, scratch: Int32Array): Int32Array {
  for (let a = 0; a < k; a++) {
    const b = a + rng.below(n - a);
    const t = scratch[a]; scratch[a] = scratch[b]; scratch[b] = t;
  }
  return scratch.slice(0, k);
}

/**
 * Estimated peak bytes of the training plus evaluation datasets (our Float64Arrays and
 * GatedDataset's copies of them), before anything is allocated.
 */
export function estimateTransformedRoutingBytes(o: { M: number; K?: number; D: number; C: number; samplesPerRoute?: number; evalSamplesPerRoute?: number; layout?: 'domains' | 'compact'; bias?: boolean }): number {
  const s = o.samplesPerRoute ?? 8;
  const N = o.M * (o.K ?? o.M) * s + o.M * o.M * (o.evalSamplesPerRoute ?? s);
  const perSample = (o.layout === 'compact' ? o.D + o.C : o.M * (o.D + o.C)) + 2 * o.M + (o.bias ? 1 + 2 * o.M : 0);
  return 2 * 8 * N * perSample;
}

/**
 * Builds the transformed routing task of Fig. 7a: its GDLN, training and evaluation sets.
 * @throws GdlnError GDLN_INVALID_ARGUMENT (bad options, more samples per route than base
 *   samples, datasets above maxBytes with the estimate), GDLN_SHAPE_MISMATCH (base shapes)
 * @example
 * const task = transformedRoutingTask({ base: syntheticDigits(200), M: 6, K: 3, samplesPerRoute: 4 });
 */
export function transformedRoutingTask(options: TransformedRoutingOptions): TransformedRoutingTask {
  const base = asBase(options?.base, 'base');
  const evalBase = options.evalBase === undefined ? base : asBase(options.evalBase, 'evalBase');
  if (evalBase.D !== base.D) throw invalidParameter(`evalBase inputs of dimension ${base.D}`, 'evalBase', evalBase.D, 'GDLN_SHAPE_MISMATCH');
  const M = positiveInt(options.M, 'M');
  const K = positiveInt(options.K ?? M, 'K');
  if (K > M) throw invalidParameter(`K ≤ M = ${M}`, 'K', K);
  const H = positiveInt(options.hidden ?? 128, 'hidden');
  const s = positiveInt(options.samplesPerRoute ?? 8, 'samplesPerRoute');
  const sEval = positiveInt(options.evalSamplesPerRoute ?? s, 'evalSamplesPerRoute');
  if (s > base.n) throw invalidParameter(`samplesPerRoute ≤ ${base.n} base samples`, 'samplesPerRoute', s);
  if (sEval > evalBase.n) throw invalidParameter(`evalSamplesPerRoute ≤ ${evalBase.n} base samples`, 'evalSamplesPerRoute', sEval);
  const layout = options.layout ?? 'domains';
  if (layout !== 'domains' && layout !== 'compact') throw invalidParameter("'domains' or 'compact'", 'layout', layout);
  const routesKind = options.routes ?? 'cyclic';
  if (routesKind !== 'cyclic' && routesKind !== 'random') throw invalidParameter("'cyclic' or 'random'", 'routes', routesKind);
  const coding = options.targets ?? 'oneHot';
  if (coding !== 'oneHot' && coding !== 'plusMinus') throw invalidParameter("'oneHot' or 'plusMinus'", 'targets', coding);
  const bias = options.bias ?? false;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw invalidParameter('an integer', 'seed', seed);
  const { D } = base;
  const C = Math.max(base.C, evalBase.C);
  for (const [b, name] of [[base, 'base'], [evalBase, 'evalBase']] as const) {
    if (b.x.length !== b.n * b.D || b.labels.length !== b.n) {
      throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected ${name} to hold [n=${b.n}, ${b.D}] inputs and ${b.n} labels but received ${b.x.length} values and ${b.labels.length} labels`, { name });
    }
  }
  const maxBytes = options.maxBytes ?? 2 ** 30;
  const bytes = estimateTransformedRoutingBytes({ M, K, D, C, samplesPerRoute: s, evalSamplesPerRoute: sEval, layout, bias });
  if (bytes > maxBytes) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `Expected datasets within maxBytes = ${maxBytes} but the ${layout} layout needs about ${bytes} bytes (M=${M}, K=${K}, D=${D}, C=${C}, ${s}/${sEval} samples per route); use layout: 'compact', fewer samples per route, or raise maxBytes`, { name: 'maxBytes', estimate: bytes, maxBytes, layout });
  }
  const stream = (k: number) => new Rng(((seed >>> 0) * 16 + k) >>> 0);

  // f_i^in
  const spec = options.inputTransform ?? (base.image ? 'rotation' : 'identity');
  let angles: number[] | undefined;
  let perms: Int32Array[] | undefined;
  let fIn: InputTransform;
  if (typeof spec === 'function') {
    fIn = spec;
  } else if (spec === 'rotation') {
    if (!base.image) throw invalidParameter('an image base dataset for rotations', 'inputTransform', spec);
    angles = rotationAngles(M, options.rotationSpan ?? 180);
    const shape = base.image;
    const a = angles;
    fIn = (i, x, out) => { rotateImage(x, shape, a[i], out); };
  } else if (spec === 'permutation') {
    perms = pixelPermutations(M, D, (((seed >>> 0) * 16) + 1) >>> 0);
    const p = perms;
    fIn = (i, x, out) => { permuteVector(x, p[i], out); };
  } else if (spec === 'identity') {
    fIn = (_i, x, out) => { out.set(x); };
  } else {
    throw invalidParameter("'rotation', 'permutation', 'identity' or a function", 'inputTransform', spec);
  }
  const fOut = labelPermutations(M, C, options.labelPermutations ?? 'random', (((seed >>> 0) * 16) + 2) >>> 0);

  // Trained routes
  const trained = Array.from({ length: M }, () => new Array<boolean>(M).fill(false));
  const routeRng = stream(3);
  for (let i = 0; i < M; i++) {
    if (routesKind === 'cyclic') {
      for (let k = 0; k < K; k++) trained[i][(i + k) % M] = true;
    } else {
      const js = draw(routeRng, M, K, Int32Array.from({ length: M }, (_, k) => k));
      for (const j of js) trained[i][j] = true;
    }
  }

  // Graph
  const out = (j: number) => (layout === 'compact' ? 'y' : `out${j}`);
  const nodes: NodeSpec[] = [];
  const edges: EdgeSpec[] = [];
  const encName: string[] = [];
  const decName: string[] = [];
  if (layout === 'compact') nodes.push({ name: 'x', size: D });
  else for (let i = 0; i < M; i++) nodes.push({ name: `in${i}`, size: D });
  if (bias) nodes.push({ name: 'one', size: 1 });
  nodes.push({ name: 'h1', size: H }, { name: 'h2', size: H });
  if (layout === 'compact') nodes.push({ name: 'y', size: C });
  else for (let j = 0; j < M; j++) nodes.push({ name: `out${j}`, size: C });
  for (let i = 0; i < M; i++) {
    encName.push(layout === 'compact' ? `enc${i}` : `in${i}->h1`);
    edges.push({ from: layout === 'compact' ? 'x' : `in${i}`, to: 'h1', name: encName[i] });
  }
  edges.push({ from: 'h1', to: 'h2', name: 'h1->h2' });
  for (let j = 0; j < M; j++) {
    decName.push(layout === 'compact' ? `dec${j}` : `h2->out${j}`);
    edges.push({ from: 'h2', to: out(j), name: decName[j] });
  }
  if (bias) {
    for (let i = 0; i < M; i++) edges.push({ from: 'one', to: 'h1', name: `encBias${i}` });
    edges.push({ from: 'one', to: 'h2', name: 'thetaBias' });
    for (let j = 0; j < M; j++) edges.push({ from: 'one', to: out(j), name: `decBias${j}` });
  }
  const graph = new Graph({ nodes, edges });

  const build = (b: Base, routes: [number, number][], perRoute: number, rng: Rng): { data: GatedDataset; samples: RouteSamples } => {
    const N = routes.length * perRoute;
    const samples: RouteSamples = { inputDomain: new Int32Array(N), outputDomain: new Int32Array(N), baseIndex: new Int32Array(N), label: new Int32Array(N) };
    const scratch = Int32Array.from({ length: b.n }, (_, k) => k);
    const shared = options.sharedBaseImages ? draw(rng, b.n, perRoute, scratch) : null;
    const inputs: Record<string, Float64Array> = {};
    const targets: Record<string, Float64Array> = {};
    const edgeGates: Record<string, Float64Array> = {};
    if (layout === 'compact') {
      inputs.x = new Float64Array(N * D);
      targets.y = new Float64Array(N * C);
    } else {
      for (let i = 0; i < M; i++) inputs[`in${i}`] = new Float64Array(N * D);
      for (let j = 0; j < M; j++) targets[`out${j}`] = new Float64Array(N * C);
    }
    if (bias) inputs.one = new Float64Array(N).fill(1);
    for (let i = 0; i < M; i++) {
      edgeGates[encName[i]] = new Float64Array(N);
      if (bias) edgeGates[`encBias${i}`] = new Float64Array(N);
    }
    for (let j = 0; j < M; j++) {
      edgeGates[decName[j]] = new Float64Array(N);
      if (bias) edgeGates[`decBias${j}`] = new Float64Array(N);
    }
    const x = new Float64Array(D);
    const fx = new Float64Array(D);
    let n = 0;
    for (const [i, j] of routes) {
      const idx = shared ?? draw(rng, b.n, perRoute, scratch);
      for (const mu of idx) {
        for (let p = 0; p < D; p++) x[p] = b.x[mu * D + p];
        fIn(i, x, fx);
        inputs[layout === 'compact' ? 'x' : `in${i}`].set(fx, n * D);
        const y = b.labels[mu];
        const label = fOut[j][y];
        const t = targets[out(j)];
        if (coding === 'plusMinus') t.fill(-1, n * C, (n + 1) * C);
        t[n * C + label] = 1;
        edgeGates[encName[i]][n] = 1;
        edgeGates[decName[j]][n] = 1;
        if (bias) {
          edgeGates[`encBias${i}`][n] = 1;
          edgeGates[`decBias${j}`][n] = 1;
        }
        samples.inputDomain[n] = i;
        samples.outputDomain[n] = j;
        samples.baseIndex[n] = mu;
        samples.label[n] = label;
        n++;
      }
    }
    return { data: new GatedDataset(graph, { inputs, targets, edgeGates, nSamples: N }), samples };
  };
  const trainedRoutes: [number, number][] = [];
  const allRoutes: [number, number][] = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) {
    allRoutes.push([i, j]);
    if (trained[i][j]) trainedRoutes.push([i, j]);
  }
  const train = build(base, trainedRoutes, s, stream(4));
  const evaluation = build(evalBase, allRoutes, sEval, stream(5));
  const ev = evaluation.samples;
  return {
    graph,
    data: train.data,
    evaluation: evaluation.data,
    evaluationGroups: Array.from(ev.inputDomain, (i, n) => (trained[i][ev.outputDomain[n]] ? 'trained' : 'untrained')),
    trained,
    trainSamples: train.samples,
    evaluationSamples: ev,
    labelPermutations: fOut,
    angles,
    pixelPermutations: perms,
    outputNodes: Array.from({ length: M }, (_, j) => out(j)),
    M,
    K,
    C,
    D,
    layout,
  };
}

export interface GroupAccuracy {
  count: number;
  correct: number;
  accuracy: number;
  error: number;
}

export interface RouteAccuracy {
  /** Per group ('trained', 'untrained'; the training set is all 'trained'). */
  groups: Record<string, GroupAccuracy>;
  /** [M, M] accuracy per route (row input domain, column output domain); NaN where a route has no samples. */
  perRoute: Float64Array;
}

/**
 * Classification accuracy per group: the prediction of a sample is the argmax over the C
 * units of its active output domain (ties go to the lowest index), compared with its
 * transformed label.
 * @param outputs network outputs per output node name, [N, C] (e.g. from forward())
 * @param which 'evaluation' (default) or 'train'
 */
export function routeAccuracy(task: TransformedRoutingTask, outputs: Record<string, ArrayLike<number>>, which: 'evaluation' | 'train' = 'evaluation'): RouteAccuracy {
  const smp = which === 'train' ? task.trainSamples : task.evaluationSamples;
  if (which !== 'train' && which !== 'evaluation') throw invalidParameter("'evaluation' or 'train'", 'which', which);
  const N = smp.label.length;
  const { C, M } = task;
  const groups: Record<string, GroupAccuracy> = {};
  const hits = new Float64Array(M * M);
  const counts = new Float64Array(M * M);
  for (const name of new Set(task.outputNodes)) {
    const o = outputs[name];
    if (o === undefined) throw invalidParameter(`outputs of node ${JSON.stringify(name)}`, 'outputs', Object.keys(outputs).join(', '));
    if (o.length !== N * C) throw invalidParameter(`[N=${N}, ${C}] values`, `outputs of node ${JSON.stringify(name)}`, o.length, 'GDLN_SHAPE_MISMATCH');
  }
  for (let n = 0; n < N; n++) {
    const i = smp.inputDomain[n];
    const j = smp.outputDomain[n];
    const o = outputs[task.outputNodes[j]];
    let best = 0;
    for (let c = 1; c < C; c++) if (o[n * C + c] > o[n * C + best]) best = c;
    const ok = best === smp.label[n] ? 1 : 0;
    const g = task.trained[i][j] ? 'trained' : 'untrained';
    const acc = (groups[g] ??= { count: 0, correct: 0, accuracy: 0, error: 0 });
    acc.count++;
    acc.correct += ok;
    hits[i * M + j] += ok;
    counts[i * M + j]++;
  }
  for (const g of Object.values(groups)) {
    g.accuracy = g.correct / g.count;
    g.error = 1 - g.accuracy;
  }
  return { groups, perRoute: hits.map((h, k) => (counts[k] > 0 ? h / counts[k] : NaN)) };
}
