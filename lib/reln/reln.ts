/**
 * Rectified Linear Networks (make-haste-slowly Sec. 3, Def. 3.1, Fig. 3 right, Fig. 6
 * left): the GDLN that imitates a ReLU network, built from k gating patterns over the
 * dataset's N samples. Each pattern becomes one pathway x → p_k → y with its own
 * linear hidden node p_k; the (thresholded) pattern is p_k's per-sample node gate.
 * Every pathway reads all inputs and writes all outputs, as a ReLU hidden neuron does.
 *
 * Two hidden layers (Sec. 6, Fig. 6 left): a shared, always-on linear first layer
 * x → s, then the k gated pathway nodes s → p_k → y (the paper finds the ReLU
 * network's first layer does not gate).
 *
 * Init: App. H ("as long as the ReLU network and GDLN begin with the same
 * hyper-parameters the mapping to a ReLN will be valid") — the same Gaussian N(0, σ²)
 * on every weight as the ReLU network ({@link smallInit}); Num-Hidden (GDLN) = 100
 * per pathway, Num-Hidden (ReLU) = 700.
 */
import { Graph } from '../graph/Graph.ts';
import { GatedDataset, type ArrayInput } from '../data/GatedDataset.ts';
import { GdlnError, invalidParameter } from '../errors.ts';
import { checkMatrix } from './relu.ts';

export interface RelnOptions {
  inputs: readonly (readonly number[])[];
  targets: readonly (readonly number[])[];
  /**
   * k gating patterns, each N values in [0, 1] (one per sample; e.g. k-means
   * centroids): rows of a number[][], or a flat Float64Array [k·N].
   */
  patterns: readonly (readonly number[])[] | Float64Array;
  /** Neurons per pathway: one number for all, or one per pattern (default 100, App. H). */
  hidden?: number | readonly number[];
  /** Gate = pattern ≥ threshold ? 1 : 0 (default 0.5). Pass null to keep the real values as gates. */
  threshold?: number | null;
  /** 1 (default) or 2 hidden layers; with 2, the shared first layer has `firstHidden` neurons. */
  layers?: 1 | 2;
  /** Width of the shared first layer of the 2-layer ReLN (default 100). */
  firstHidden?: number;
  /** Pathway names (default 'p0', 'p1', …). */
  names?: readonly string[];
}

export interface Reln {
  graph: Graph;
  data: GatedDataset;
  /** The gates actually used, one row of N per pathway (thresholded unless threshold: null). */
  patterns: number[][];
  /** Hidden node of each pathway, in pattern order. */
  pathwayNodes: string[];
  /** Every hidden node (the shared first layer first when layers = 2). */
  hiddenNodes: string[];
}

/** Rows of a pattern argument, validated against N. */
export function patternRows(patterns: RelnOptions['patterns'], N: number, name = 'patterns'): number[][] {
  let rows: number[][];
  if (patterns instanceof Float64Array || patterns instanceof Float32Array) {
    if (patterns.length === 0 || patterns.length % N !== 0) {
      throw invalidParameter(`a flat array of k·N values (N = ${N}, k ≥ 1)`, name, patterns, 'GDLN_SHAPE_MISMATCH', { N, length: patterns.length });
    }
    rows = Array.from({ length: patterns.length / N }, (_, k) => Array.from(patterns.subarray(k * N, (k + 1) * N)));
  } else if (Array.isArray(patterns)) {
    if (patterns.length === 0) throw invalidParameter('at least one gating pattern (k ≥ 1)', name, patterns, 'GDLN_INVALID_ARGUMENT', { k: 0 });
    rows = patterns.map((r, k) => {
      if (!Array.isArray(r) && !ArrayBuffer.isView(r)) throw invalidParameter(`a pattern of ${N} values`, `${name}[${k}]`, r);
      if ((r as readonly number[]).length !== N) throw invalidParameter(`a pattern of ${N} values (one per sample)`, `${name}[${k}]`, r, 'GDLN_SHAPE_MISMATCH', { N, length: (r as readonly number[]).length });
      return Array.from(r as readonly number[]);
    });
  } else {
    throw invalidParameter('an array of patterns or a flat Float64Array', name, patterns);
  }
  rows.forEach((r, k) => r.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameter('a finite gate value', `${name}[${k}][${i}]`, v, 'GDLN_NON_FINITE');
  }));
  return rows;
}

/**
 * @throws GdlnError GDLN_INVALID_ARGUMENT (k = 0, bad widths), GDLN_SHAPE_MISMATCH (a pattern
 *   not of length N), GDLN_NON_FINITE (NaN/∞ in a pattern or the data)
 * @example const { graph, data } = buildReln({ inputs: task.inputs, targets: task.targets, patterns: centroids, hidden: 100 });
 */
export function buildReln(options: RelnOptions): Reln {
  if (options == null || typeof options !== 'object') throw invalidParameter('an options object', 'buildReln options', options);
  const X = checkMatrix(options.inputs, 'inputs');
  const Y = checkMatrix(options.targets, 'targets');
  if (X.rows !== Y.rows) throw invalidParameter(`${X.rows} target rows`, 'targets', Y.rows, 'GDLN_SHAPE_MISMATCH');
  const N = X.rows;
  const raw = patternRows(options.patterns, N);
  const k = raw.length;
  const threshold = options.threshold === undefined ? 0.5 : options.threshold;
  if (threshold !== null && !(typeof threshold === 'number' && Number.isFinite(threshold))) throw invalidParameter('a finite threshold or null', 'threshold', threshold);
  const patterns = threshold === null ? raw : raw.map((r) => r.map((v) => (v >= threshold ? 1 : 0)));
  const hiddenSpec = options.hidden ?? 100;
  const widths = typeof hiddenSpec === 'number' ? new Array<number>(k).fill(hiddenSpec) : [...hiddenSpec];
  if (widths.length !== k) throw invalidParameter(`one width per pattern (${k})`, 'hidden', hiddenSpec, 'GDLN_SHAPE_MISMATCH');
  widths.forEach((h, i) => {
    if (!Number.isInteger(h) || h < 1) throw invalidParameter('a positive integer width', `hidden[${i}]`, h);
  });
  const layers = options.layers ?? 1;
  if (layers !== 1 && layers !== 2) throw invalidParameter('1 or 2', 'layers', layers);
  const firstHidden = options.firstHidden ?? 100;
  if (layers === 2 && (!Number.isInteger(firstHidden) || firstHidden < 1)) throw invalidParameter('a positive integer', 'firstHidden', firstHidden);
  const names = options.names ? [...options.names] : patterns.map((_, i) => `p${i}`);
  if (names.length !== k || new Set(names).size !== k || names.some((n) => n === 'x' || n === 'y' || n === 's' || !/^[^\s]+$/.test(n))) {
    throw invalidParameter(`${k} distinct pathway names other than x, s, y`, 'names', options.names);
  }
  const src = layers === 2 ? 's' : 'x';
  const graph = new Graph({
    nodes: [
      { name: 'x', size: X.cols },
      ...(layers === 2 ? [{ name: 's', size: firstHidden }] : []),
      ...names.map((n, i) => ({ name: n, size: widths[i] })),
      { name: 'y', size: Y.cols },
    ],
    edges: [
      ...(layers === 2 ? [{ from: 'x', to: 's' }] : []),
      ...names.flatMap((n) => [{ from: src, to: n }, { from: n, to: 'y' }]),
    ],
  });
  const data = new GatedDataset(graph, {
    inputs: { x: options.inputs as ArrayInput },
    targets: { y: options.targets as ArrayInput },
    nodeGates: Object.fromEntries(names.map((n, i) => [n, patterns[i]])),
  });
  if (patterns.every((p) => p.every((g) => g === 0))) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', 'Expected at least one gating pattern active on some sample but every pattern is all-zero after thresholding', { threshold });
  }
  return { graph, data, patterns, pathwayNodes: names, hiddenNodes: layers === 2 ? ['s', ...names] : names };
}

/**
 * The context gating patterns of Sec. 4–5 (samples context-major, as lib/data/contexts.ts):
 * 'double' (the ReLN of Fig. 3): a common pathway on everywhere, and C pathways each on in
 * every context but one (C − 1 contexts). 'single' ("GDLN single", Fig. 4a): the common
 * pathway and C pathways each on in one context. 'both': common + double + single (App. H,
 * "Single and Double Modules", 7 modules for C = 3).
 */
export function contextPatterns(context: readonly number[], C: number, kind: 'double' | 'single' | 'both'): { names: string[]; patterns: number[][] } {
  const names = ['common'];
  const patterns = [context.map(() => 1)];
  if (kind === 'double' || kind === 'both') {
    for (let k = 0; k < C; k++) {
      names.push(`not${k}`);
      patterns.push(context.map((c) => (c === k ? 0 : 1)));
    }
  }
  if (kind === 'single' || kind === 'both') {
    for (let k = 0; k < C; k++) {
      names.push(`only${k}`);
      patterns.push(context.map((c) => (c === k ? 1 : 0)));
    }
  }
  return { names, patterns };
}
