/**
 * Nonlinear contextual classification (race-reduction App. A.2, eq. 24–29).
 *
 * x ∈ [−1, 1]² uniformly; in context c ∈ {1, 2} (each with probability ½) the target is
 * y = x_c. A deep linear network (one pathway, always on) can only reach the least-squares
 * map [½ ½] (eq. 24–25: Σʸˣ = [1/6 1/6], Σˣ = I/3); the gated network with one pathway per
 * context sees Σʸˣ(1) = [1/6 0], Σʸˣ(2) = [0 1/6], Σˣ(c,c) = I/6, Σˣ(1,2) = 0 (eq. 26–29)
 * and solves the task exactly: W_tot(1) = [1 0], W_tot(2) = [0 1].
 *
 * Sampling: 'grid' (default) places x on the midpoints of an n×n grid in each context, so
 * the moments are exact up to the midpoint rule (E[x_i²] = 1/3 − 1/(3n²)) and runs are
 * reproducible without a seed; 'random' draws N i.i.d. points (moments within O(1/√N)).
 */
import { Graph } from '../graph/Graph.ts';
import { GatedDataset } from './GatedDataset.ts';
import { invalidParameter } from '../errors.ts';
import { Rng } from '../init/rng.ts';

export interface ContextualClassificationOptions {
  /** 'gated' (one pathway per context, default) or 'linear' (one always-on pathway: a deep linear network). */
  network?: 'gated' | 'linear';
  /** 'grid' (default) or 'random'. */
  sampling?: 'grid' | 'random';
  /** grid: points per axis (default 20, so 2·400 samples); random: samples in total (default 800). */
  size?: number;
  /** Hidden neurons per pathway (default 4). */
  hidden?: number;
  /** Seed of 'random' sampling (default 0). */
  seed?: number;
}

export interface ContextualClassificationTask {
  graph: Graph;
  data: GatedDataset;
  /** [N][2] inputs, targets [N], and the context (1 or 2) of each sample. */
  inputs: number[][];
  targets: number[];
  context: number[];
}

export function contextualClassificationTask(options: ContextualClassificationOptions = {}): ContextualClassificationTask {
  const network = options.network ?? 'gated';
  const sampling = options.sampling ?? 'grid';
  const hidden = options.hidden ?? 4;
  if (network !== 'gated' && network !== 'linear') throw invalidParameter("'gated' or 'linear'", 'network', network);
  if (sampling !== 'grid' && sampling !== 'random') throw invalidParameter("'grid' or 'random'", 'sampling', sampling);
  if (!Number.isInteger(hidden) || hidden <= 0) throw invalidParameter('a positive integer', 'hidden', hidden);
  const size = options.size ?? (sampling === 'grid' ? 20 : 800);
  if (!Number.isInteger(size) || size < (sampling === 'grid' ? 1 : 2)) throw invalidParameter('a positive integer', 'size', size);

  const inputs: number[][] = [];
  const context: number[] = [];
  if (sampling === 'grid') {
    const mid = (k: number) => -1 + (2 * k + 1) / size;
    for (const c of [1, 2]) for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) {
      inputs.push([mid(a), mid(b)]);
      context.push(c);
    }
  } else {
    const rng = new Rng(options.seed ?? 0);
    for (let i = 0; i < size; i++) {
      inputs.push([2 * rng.uniform() - 1, 2 * rng.uniform() - 1]);
      context.push(rng.uniform() < 0.5 ? 1 : 2);
    }
  }
  const targets = inputs.map((x, i) => x[context[i] - 1]);

  const pathways = network === 'gated' ? [1, 2] : [0];
  const graph = new Graph({
    nodes: [{ name: 'x', size: 2 }, ...pathways.map((c) => ({ name: `h${c}`, size: hidden })), { name: 'y', size: 1 }],
    edges: pathways.flatMap((c) => [{ from: 'x', to: `h${c}` }, { from: `h${c}`, to: 'y' }]),
  });
  const edgeGates: Record<string, number[]> = {};
  if (network === 'gated') {
    for (const c of pathways) {
      const on = context.map((k) => (k === c ? 1 : 0));
      edgeGates[`x->h${c}`] = on;
      edgeGates[`h${c}->y`] = on;
    }
  }
  const data = new GatedDataset(graph, { inputs: { x: inputs }, targets: { y: targets.map((t) => [t]) }, edgeGates });
  return { graph, data, inputs, targets, context };
}
