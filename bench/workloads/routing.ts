/**
 * Workload W1 "routing" (Neural Race Reduction §5 / App. D shapes), defined once
 * for every contender.
 *
 * Graph: M input domains in0..in{M-1} (size D) → one encoder edge each into a
 * shared hidden node h1 (size H) → a shared edge h1→h2 (H×H) → M decoder edges
 * h2→out0..out{M-1} (size C). All nodes linear; no node gates.
 *
 * Samples: for every input domain i and each of its K trained output domains
 * j = (i + k) mod M (k < K), S samples of route (i, j); N = M·K·S, ordered
 * (i, k, s) row-major. A sample of route (i, j) has
 *   - a random N(0,1) input on in_i and zeros on every other input domain,
 *   - edge gate 1 on in_i→h1 and 0 on the other M−1 encoders,
 *   - edge gate 1 on h2→out_j and 0 on the other M−1 decoders (h1→h2 is ungated),
 *   - a random N(0,1) target on out_j and target 0 on every other output.
 * Gated-off outputs produce exactly 0 and have target 0, so they add 0 to the
 * loss, but the loss still *counts* them: L = 1/(2N) Σ_i Σ_{all M outputs} ||y − h||²
 * (docs/architecture.md), not a loss masked to the trained output.
 *
 * Useful work is defined once here ({@link activeMacs}, {@link usefulFlops}):
 * per sample, one encoder (D·H), the shared edge (H·H) and one decoder (H·C)
 * multiply-adds are active; a forward+backward counts 2 flops per active MAC
 * forward and 4 backward (dW and dX), i.e. 6·activeMacs, the "3× forward"
 * convention of /work/shared/peers/RESULTS.md. Gated-off products are not
 * counted, so a contender that computes them anyway shows a low GFLOP/s.
 */
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { Graph } from '../../lib/graph/Graph.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';
import type { PlanModel } from '../../lib/engine/kernels.ts';
import { buildPlanModel } from '../../lib/engine/Plan.ts';

export interface RoutingShape {
  /** Number of input domains = number of output domains. */
  M: number;
  /** Trained output domains per input domain (K ≤ M). */
  K: number;
  /** Samples per trained route (i, j). */
  S: number;
  /** Input size |in_i| (784 = 28×28 images). */
  D: number;
  /** Hidden size |h1| = |h2|. */
  H: number;
  /** Output size |out_j|. */
  C: number;
}

export interface RoutingConfig {
  /** Short id used on the command line and in the results JSON. */
  id: string;
  shape: RoutingShape;
  /** Only native contenders run it; the others print this reason. */
  nativeOnlyReason?: string;
  /**
   * W1b (the authors' batching): every route shows the same S base images, so sample (i, k, s)
   * has base image s on in_i. Samples of one input domain then share their encoder and hidden
   * activations across the K routes; gdln's plan finds that itself (plan.h, shared prefixes).
   */
  sharedImages?: boolean;
  /**
   * 'domains' (default): M input nodes in_i and M output nodes out_j, dense [N, D] / [N, C] data on
   * each (M·N·D inputs, mostly zeros). 'compact': ONE input node x (the sample's image) with M
   * parallel gated encoder edges enc<i> into h1, and ONE output node y with M gated decoder edges
   * dec<j> (lib/data/vision/transformedRouting.ts uses the same). It is the same network: per
   * sample exactly one encoder and one decoder are gated on, so h1 = W_i x and y = W_j h2 in both,
   * and the domains layout's other outputs are exactly 0 against target 0 (they add 0 to the loss).
   * Same loss and gradients (test/api/bench-routing.test.ts checks it), N·(D + C) data instead of M·N·(D + C).
   */
  layout?: 'domains' | 'compact';
}

/** App. D shapes: N = 10·4·8 = 320. */
export const ROUTING_SMALL: RoutingConfig = { id: 'M10-K4', shape: { M: 10, K: 4, S: 8, D: 784, H: 128, C: 10 } };

/** N = 40·16·8 = 5,120; 16× the active work of ROUTING_SMALL. */
export const ROUTING_LARGE: RoutingConfig = {
  id: 'M40-K16',
  shape: { M: 40, K: 16, S: 8, D: 784, H: 128, C: 10 },
  nativeOnlyReason: 'the JS contenders take seconds per call at this size (js-ref ≈16× its M10 time, ml-matrix-dense ≈ 64×)',
};

export const ROUTING_CONFIGS: readonly RoutingConfig[] = [ROUTING_SMALL, ROUTING_LARGE];

export function nSamples(s: RoutingShape): number {
  return s.M * s.K * s.S;
}

/** Multiply-adds that are not gated off, for one forward pass over all N samples. */
export function activeMacs(s: RoutingShape): number {
  return nSamples(s) * (s.D * s.H + s.H * s.H + s.H * s.C);
}

/** Useful flops of one forward+backward: 2·activeMacs forward + 4·activeMacs backward. */
export function usefulFlops(s: RoutingShape): number {
  return 6 * activeMacs(s);
}

/**
 * Multiply-adds of a dense masked forward that multiplies every sample by every
 * encoder and decoder (what ml-matrix-dense does): N·(M·D·H + H·H + M·H·C).
 */
export function denseMacs(s: RoutingShape): number {
  return nSamples(s) * (s.M * s.D * s.H + s.H * s.H + s.M * s.H * s.C);
}

export interface RoutingWorkload {
  config: RoutingConfig;
  shape: RoutingShape;
  N: number;
  graph: Graph;
  data: GatedDataset;
  /** Per edge index, W_e row-major [|t(e)|, |s(e)|] (xavier, seed fixed). */
  weights: Float64Array[];
  /** The flat model every backend takes; built once, reused by every call. */
  model: PlanModel;
  /** Edge index of in_m→h1, per m. */
  encoderEdge: number[];
  /** Edge index of h1→h2. */
  sharedEdge: number;
  /** Edge index of h2→out_j, per j. */
  decoderEdge: number[];
  /** Node index of in_m / out_j (compact layout: every entry is x / y). */
  inputNode: number[];
  outputNode: number[];
  /** Per sample: its input domain i and trained output domain j. */
  routeIn: Int32Array;
  routeOut: Int32Array;
}

export function routingGraph(s: RoutingShape, layout: 'domains' | 'compact' = 'domains'): Graph {
  if (layout === 'compact') {
    return new Graph({
      nodes: [
        { name: 'x', size: s.D },
        { name: 'h1', size: s.H },
        { name: 'h2', size: s.H },
        { name: 'y', size: s.C },
      ],
      edges: [
        ...Array.from({ length: s.M }, (_, m) => ({ from: 'x', to: 'h1', name: `enc${m}` })),
        { from: 'h1', to: 'h2', name: 'h1->h2' },
        ...Array.from({ length: s.M }, (_, j) => ({ from: 'h2', to: 'y', name: `dec${j}` })),
      ],
    });
  }
  const nodes = [
    ...Array.from({ length: s.M }, (_, m) => ({ name: `in${m}`, size: s.D })),
    { name: 'h1', size: s.H },
    { name: 'h2', size: s.H },
    ...Array.from({ length: s.M }, (_, j) => ({ name: `out${j}`, size: s.C })),
  ];
  const edges = [
    ...Array.from({ length: s.M }, (_, m) => ({ from: `in${m}`, to: 'h1' })),
    { from: 'h1', to: 'h2' },
    ...Array.from({ length: s.M }, (_, j) => ({ from: 'h2', to: `out${j}` })),
  ];
  return new Graph({ nodes, edges });
}

/** Builds graph, gated data, weights and plan. Deterministic in `seed`. */
export function buildRouting(config: RoutingConfig, seed = 1): RoutingWorkload {
  const s = config.shape;
  if (!(s.K >= 1 && s.K <= s.M)) throw new RangeError(`K must be in [1, M]; got K=${s.K}, M=${s.M}`);
  const N = nSamples(s);
  const compact = config.layout === 'compact';
  const graph = routingGraph(s, config.layout);
  const inName = (m: number) => (compact ? 'x' : `in${m}`);
  const outName = (j: number) => (compact ? 'y' : `out${j}`);
  const encName = (m: number) => (compact ? `enc${m}` : `in${m}->h1`);
  const decName = (j: number) => (compact ? `dec${j}` : `h2->out${j}`);
  const routeIn = new Int32Array(N);
  const routeOut = new Int32Array(N);
  for (let i = 0, n = 0; i < s.M; i++) {
    for (let k = 0; k < s.K; k++) {
      for (let r = 0; r < s.S; r++, n++) {
        routeIn[n] = i;
        routeOut[n] = (i + k) % s.M;
      }
    }
  }
  const rng = fastRng(seed);
  const images = config.sharedImages ? Array.from({ length: s.S * s.D }, () => rng.normal()) : null;
  const inputs: Record<string, Float64Array> = {};
  const targets: Record<string, Float64Array> = {};
  const edgeGates: Record<string, Float64Array> = {};
  if (compact) {
    inputs.x = new Float64Array(N * s.D);
    targets.y = new Float64Array(N * s.C);
  }
  for (let m = 0; m < s.M; m++) {
    if (!compact) {
      inputs[`in${m}`] = new Float64Array(N * s.D);
      targets[`out${m}`] = new Float64Array(N * s.C);
    }
    edgeGates[encName(m)] = new Float64Array(N);
    edgeGates[decName(m)] = new Float64Array(N);
  }
  for (let n = 0; n < N; n++) {
    const x = inputs[inName(routeIn[n])];
    if (images) x.set(images.slice((n % s.S) * s.D, (n % s.S + 1) * s.D), n * s.D);
    else for (let d = 0; d < s.D; d++) x[n * s.D + d] = rng.normal();
    const y = targets[outName(routeOut[n])];
    for (let c = 0; c < s.C; c++) y[n * s.C + c] = rng.normal();
    edgeGates[encName(routeIn[n])][n] = 1;
    edgeGates[decName(routeOut[n])][n] = 1;
  }
  // GatedDataset copies every array; ours become garbage on return. For the large
  // config the inputs are M·N·D·8 bytes = 1.3 GB (mostly zeros), so peak memory
  // while building is about twice that.
  const data = new GatedDataset(graph, { inputs, targets, edgeGates, nSamples: N });
  // Xavier-uniform (gain 1), as initWeights' 'xavier' scheme, but drawn with the
  // fast generator below (initWeights takes ~1.5 s per million weights).
  const wrng = fastRng(seed + 1);
  const weights = new WeightSet(
    graph,
    graph.edges.map((e) => {
      const [fanOut, fanIn] = graph.weightShape(e.index);
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      const w = new Float64Array(fanOut * fanIn);
      for (let i = 0; i < w.length; i++) w[i] = bound * (2 * wrng.uniform() - 1);
      return w;
    }),
  ).matrices;
  return {
    config,
    shape: s,
    N,
    graph,
    data,
    weights,
    model: buildPlanModel(graph, data),
    encoderEdge: Array.from({ length: s.M }, (_, m) => graph.edge(encName(m)).index),
    sharedEdge: graph.edge('h1->h2').index,
    decoderEdge: Array.from({ length: s.M }, (_, j) => graph.edge(decName(j)).index),
    inputNode: Array.from({ length: s.M }, (_, m) => graph.node(inName(m)).index),
    outputNode: Array.from({ length: s.M }, (_, j) => graph.node(outName(j)).index),
    routeIn,
    routeOut,
  };
}

/**
 * A small, fast seeded generator for bench data only (mulberry32 + Box–Muller).
 * lib/init/rng.ts (xoshiro128**) is the project's generator, but drawing the
 * large config's 4M inputs and 4M weights with it takes ~20 s per process.
 */
export function fastRng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  let spare = NaN;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const v = 2 * Math.PI * uniform();
    spare = r * Math.sin(v);
    return r * Math.cos(v);
  };
  return { uniform, normal };
}

export function describeShape(s: RoutingShape): string {
  return `M=${s.M} K=${s.K} S=${s.S} D=${s.D} H=${s.H} C=${s.C} (N=${nSamples(s)})`;
}
