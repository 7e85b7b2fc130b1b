/**
 * Reproducible weight initialisation. Weights are drawn once, in TypeScript,
 * from an explicit seed, and handed to every backend, so `js`, `cpu` and `cuda`
 * start from the same numbers.
 *
 * Schemes:
 * - `{ kind: 'gaussian', std }`: W_ij ~ N(0, std²).
 * - `{ kind: 'gaussian', stdPerFanIn }`: N(0, stdPerFanIn² / fan_in) (e.g. the ReLN paper's
 *   variance 4·10⁻⁸/N_h is `stdPerFanIn: 2e-4` on a layer of fan-in N_h).
 * - `{ kind: 'xavier', gain }`: Glorot uniform, U(±gain·√(6/(fan_in+fan_out))), as
 *   torch.nn.init.xavier_uniform_; the race-reduction paper's App. D "gain ratio" scales it.
 * - `{ kind: 'xavierNormal', gain }`: N(0, gain²·2/(fan_in+fan_out)).
 * Edges are drawn in edge order, row-major, from one stream.
 */
import { invalidParameter } from '../errors.ts';
import type { Graph } from '../graph/Graph.ts';
import { WeightSet } from '../engine/WeightSet.ts';
import { Rng } from './rng.ts';

export type InitScheme =
  | { kind: 'gaussian'; std: number }
  | { kind: 'gaussian'; stdPerFanIn: number }
  | { kind: 'xavier'; gain?: number }
  | { kind: 'xavierNormal'; gain?: number };

export interface InitOptions {
  seed: number;
  scheme: InitScheme;
  /** Per-edge overrides of the scheme, by edge name. */
  perEdge?: Record<string, InitScheme>;
}

function checkNonNegative(x: unknown, name: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw invalidParameter('a finite number ≥ 0', name, x);
  return x;
}

/**
 * @throws GdlnError GDLN_INVALID_ARGUMENT for a bad seed or scheme
 * @example initWeights(graph, { seed: 1, scheme: { kind: 'gaussian', std: 1e-3 } })
 */
export function initWeights(graph: Graph, options: InitOptions): WeightSet {
  if (!Number.isInteger(options?.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw invalidParameter('an integer seed in [0, 2^32)', 'seed', options?.seed);
  }
  for (const name of Object.keys(options.perEdge ?? {})) graph.edge(name);
  const rng = new Rng(options.seed);
  const matrices = graph.edges.map((e) => {
    const scheme = options.perEdge?.[e.name] ?? options.scheme;
    const [fanOut, fanIn] = graph.weightShape(e.index);
    const w = new Float64Array(fanOut * fanIn);
    switch (scheme?.kind) {
      case 'gaussian': {
        const std = 'std' in scheme
          ? checkNonNegative(scheme.std, `std of edge ${e.name}`)
          : checkNonNegative((scheme as { stdPerFanIn: number }).stdPerFanIn, `stdPerFanIn of edge ${e.name}`) / Math.sqrt(fanIn);
        for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
        break;
      }
      case 'xavier': {
        const bound = checkNonNegative(scheme.gain ?? 1, `gain of edge ${e.name}`) * Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < w.length; i++) w[i] = bound * (2 * rng.uniform() - 1);
        break;
      }
      case 'xavierNormal': {
        const std = checkNonNegative(scheme.gain ?? 1, `gain of edge ${e.name}`) * Math.sqrt(2 / (fanIn + fanOut));
        for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
        break;
      }
      default:
        throw invalidParameter("an init scheme of kind 'gaussian', 'xavier' or 'xavierNormal'", `init scheme of edge ${e.name}`, (scheme as { kind?: unknown } | undefined)?.kind);
    }
    return w;
  });
  return new WeightSet(graph, matrices);
}
