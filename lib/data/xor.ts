/**
 * The XoR task and its four-pathway GDLN (race-reduction App. A.1, Fig. 3b).
 * Inputs are the P = 4 points [±1, ±1]; the target is y = x₁x₂ (the worked
 * example of App. A.1 has x = [1, 1], y = 1; Fig. 3a's colouring is the same
 * task up to the sign of y, which leaves the dynamics unchanged).
 * Pathway k (x → h_k → y) is gated on (edge gates 1) only on sample k.
 */
import { Graph } from '../graph/Graph.ts';
import { GatedDataset } from './GatedDataset.ts';
import { WeightSet } from '../engine/WeightSet.ts';
import { invalidParameter } from '../errors.ts';

export const XOR_INPUTS: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
];

export function xorTargets(): number[] {
  return XOR_INPUTS.map(([a, b]) => a * b);
}

export interface XorGdln {
  graph: Graph;
  data: GatedDataset;
}

/**
 * @param hidden neurons per pathway (default 1)
 * @example const { graph, data } = xorFourPathwayGdln({ hidden: 4 });
 */
export function xorFourPathwayGdln(options: { hidden?: number } = {}): XorGdln {
  const hidden = options.hidden ?? 1;
  if (!Number.isInteger(hidden) || hidden <= 0) throw invalidParameter('a positive integer', 'hidden', hidden);
  const nodes = [{ name: 'x', size: 2 }, ...XOR_INPUTS.map((_, k) => ({ name: `h${k}`, size: hidden })), { name: 'y', size: 1 }];
  const edges = XOR_INPUTS.flatMap((_, k) => [
    { from: 'x', to: `h${k}` },
    { from: `h${k}`, to: 'y' },
  ]);
  const graph = new Graph({ nodes, edges });
  const onlyOn = (k: number) => XOR_INPUTS.map((_, i) => (i === k ? 1 : 0));
  const edgeGates = Object.fromEntries(XOR_INPUTS.flatMap((_, k) => [[`x->h${k}`, onlyOn(k)], [`h${k}->y`, onlyOn(k)]]));
  const data = new GatedDataset(graph, {
    inputs: { x: XOR_INPUTS.map((p) => [...p]) },
    targets: { y: xorTargets().map((t) => [t]) },
    edgeGates,
  });
  return { graph, data };
}

/**
 * Decoupled, balanced initial weights for the four-pathway XoR GDLN: pathway k
 * gets W₁ = r √a₀ v_kᵀ and W₂ = u_k √a₀ rᵀ with v_k = x_k/|x_k|, u_k = sign(y_k)
 * and r the first hidden unit, so its effective singular value starts at a₀
 * and the simulation starts exactly on the reduced manifold of eq. 10.
 */
export function xorDecoupledWeights(graph: Graph, a0: number): WeightSet {
  if (!(a0 > 0) || !Number.isFinite(a0)) throw invalidParameter('a finite a0 > 0', 'a0', a0);
  const b = Math.sqrt(a0);
  const y = xorTargets();
  return WeightSet.fromRecord(
    graph,
    Object.fromEntries(
      XOR_INPUTS.flatMap(([x1, x2], k) => {
        const hidden = graph.node(`h${k}`).size;
        const w1 = new Float64Array(hidden * 2);
        w1[0] = (b * x1) / Math.SQRT2;
        w1[1] = (b * x2) / Math.SQRT2;
        const w2 = new Float64Array(hidden);
        w2[0] = b * Math.sign(y[k]);
        return [[`x->h${k}`, w1], [`h${k}->y`, w2]];
      }),
    ),
  );
}
