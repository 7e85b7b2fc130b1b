/**
 * XoR with margin Δ and its two gated networks (Jarvis et al. 2025, "make haste
 * slowly", Sec. 3, Fig. 2, App. C eq. 11–12): four points in three dimensions with
 * XoR structure in the first two and a linear margin 2Δ in the third,
 *   X = [[−1, 1, −1, 1], [−1, −1, 1, 1], [−Δ, Δ, Δ, −Δ]] (columns are samples),
 *   y = [−1, 1, 1, −1].
 *
 * - `linear`: two pathways x → h → y, one gated on for the positive, one for the
 *   negative examples (Fig. 2b).
 * - `xor`: four pathways, each gated on for exactly one example (Fig. 2c). Each
 *   pathway reads its own copy of the input (input nodes x0 … x3, all fed x): the
 *   network function and the gradient flow are identical to pathways sharing one
 *   input node (no weight is shared either way), but for Δ > 0 the four input
 *   directions are not orthogonal, so one shared input basis V_x (eq. 7) does not
 *   exist, while per-pathway input nodes make the reduction of eq. 10 exact.
 */
import { Graph } from '../graph/Graph.ts';
import { GatedDataset } from './GatedDataset.ts';
import { invalidParameter } from '../errors.ts';

/** The four samples (rows) of App. C eq. 11. */
export function xorMarginInputs(delta: number): number[][] {
  return [
    [-1, -1, -delta],
    [1, -1, delta],
    [-1, 1, delta],
    [1, 1, -delta],
  ];
}

/** Targets of App. C eq. 12. */
export const XOR_MARGIN_TARGETS: readonly number[] = [-1, 1, 1, -1];

export interface XorMarginGdln {
  graph: Graph;
  data: GatedDataset;
}

/**
 * @param gdln 'linear' (two pathways by label) or 'xor' (four pathways, one per sample)
 * @param delta the margin Δ ≥ 0
 * @param hidden neurons per pathway (default 1)
 * @example const { graph, data } = xorMarginGdln('xor', 0.5);
 */
export function xorMarginGdln(gdln: 'linear' | 'xor', delta: number, options: { hidden?: number } = {}): XorMarginGdln {
  if (!(delta >= 0) || !Number.isFinite(delta)) throw invalidParameter('a finite margin Δ ≥ 0', 'delta', delta);
  const hidden = options.hidden ?? 1;
  if (!Number.isInteger(hidden) || hidden < 1) throw invalidParameter('a positive integer', 'hidden', hidden);
  const X = xorMarginInputs(delta);
  const y = XOR_MARGIN_TARGETS.map((v) => [v]);
  if (gdln === 'linear') {
    const graph = new Graph({
      nodes: [{ name: 'x', size: 3 }, { name: 'hpos', size: hidden }, { name: 'hneg', size: hidden }, { name: 'y', size: 1 }],
      edges: [{ from: 'x', to: 'hpos' }, { from: 'hpos', to: 'y' }, { from: 'x', to: 'hneg' }, { from: 'hneg', to: 'y' }],
    });
    const pos = XOR_MARGIN_TARGETS.map((v) => (v > 0 ? 1 : 0));
    const neg = XOR_MARGIN_TARGETS.map((v) => (v < 0 ? 1 : 0));
    const data = new GatedDataset(graph, {
      inputs: { x: X },
      targets: { y },
      edgeGates: { 'x->hpos': pos, 'hpos->y': pos, 'x->hneg': neg, 'hneg->y': neg },
    });
    return { graph, data };
  }
  if (gdln !== 'xor') throw invalidParameter("'linear' or 'xor'", 'gdln', gdln);
  const graph = new Graph({
    nodes: [...X.map((_, k) => ({ name: `x${k}`, size: 3 })), ...X.map((_, k) => ({ name: `h${k}`, size: hidden })), { name: 'y', size: 1 }],
    edges: X.flatMap((_, k) => [{ from: `x${k}`, to: `h${k}` }, { from: `h${k}`, to: 'y' }]),
  });
  const onlyOn = (k: number) => X.map((_, i) => (i === k ? 1 : 0));
  const data = new GatedDataset(graph, {
    inputs: Object.fromEntries(X.map((_, k) => [`x${k}`, X])),
    targets: { y },
    edgeGates: Object.fromEntries(X.flatMap((_, k) => [[`x${k}->h${k}`, onlyOn(k)], [`h${k}->y`, onlyOn(k)]])),
  });
  return { graph, data };
}
