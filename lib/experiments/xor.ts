/**
 * The XoR experiment (race-reduction Sec. 3 and App. A.1, Fig. 3c):
 *  1. the four-pathway GDLN from a small decoupled init, against the closed form
 *     L(t) = 1/2 − √2 a(t) + a(t)² (eq. 21–23);
 *  2. the same GDLN from small random Gaussian weights;
 *  3. a ReLU network x → relu(h) → y (N_h hidden units) from small random
 *     weights, trained on the same four points with the same loss.
 * All curves on one axis t/τ = lr·step (mean loss, full batch).
 */
import { Graph } from '../graph/Graph.ts';
import { GatedDataset } from '../data/GatedDataset.ts';
import { XOR_INPUTS, xorDecoupledWeights, xorFourPathwayGdln, xorTargets } from '../data/xor.ts';
import { initWeights } from '../init/initWeights.ts';
import { train } from '../engine/train.ts';
import type { BackendChoice } from '../backends/index.ts';
import type { DType } from '../engine/kernels.ts';
import { xorFourPathwayLoss } from '../analyses/closedForms.ts';
import { invalidParameter } from '../errors.ts';

export interface XorConfig {
  backend: BackendChoice;
  dtype: DType;
  /** Learning rate (t/τ per step). */
  lr: number;
  steps: number;
  /** Initial effective singular value of each GDLN pathway (decoupled init). */
  a0: number;
  /** Std of the random Gaussian inits (GDLN and ReLU network). */
  sigma0: number;
  /** Hidden units of the ReLU network (Fig. 3: 128). */
  reluHidden: number;
  /** Hidden units per GDLN pathway. */
  pathwayHidden: number;
  recordEvery: number;
  seed: number;
}

export const XOR_DEFAULTS: XorConfig = {
  backend: 'auto',
  dtype: 'float64',
  lr: 0.02,
  steps: 1000,
  a0: 1e-3,
  sigma0: 0.02,
  reluHidden: 128,
  pathwayHidden: 16,
  recordEvery: 10,
  seed: 1,
};

export interface XorResult {
  config: XorConfig;
  backend: string;
  tOverTau: number[];
  theory: number[];
  gdlnDecoupled: number[];
  gdlnRandom: number[];
  relu: number[];
  /** max |simulated − theory| over the decoupled run. */
  maxGapDecoupled: number;
  /** t/τ at which each curve first falls below half its initial loss. */
  halfLossTime: { theory: number; gdlnDecoupled: number; gdlnRandom: number; relu: number };
  seconds: number;
}

function halfTime(t: number[], loss: ArrayLike<number>): number {
  for (let k = 0; k < loss.length; k++) if (loss[k] < loss[0] / 2) return t[k];
  return NaN;
}

export function validateXorConfig(c: XorConfig): XorConfig {
  const pos = (v: number, name: string) => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw invalidParameter('a finite number > 0', name, v);
  };
  pos(c.lr, 'lr');
  pos(c.a0, 'a0');
  pos(c.sigma0, 'sigma0');
  for (const k of ['steps', 'reluHidden', 'pathwayHidden', 'recordEvery'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw invalidParameter('a positive integer', k, c[k]);
  }
  return c;
}

/** `signal` cancels between and inside the three trainings (a GdlnAbortError, as train()). */
export async function runXor(
  config: XorConfig,
  onProgress?: (what: string, step: number, steps: number) => void,
  signal?: AbortSignal,
): Promise<XorResult> {
  const c = validateXorConfig(config);
  const started = Date.now();
  const common = { backend: c.backend, dtype: c.dtype, lr: c.lr, steps: c.steps, recordEvery: c.recordEvery, signal };
  const { graph, data } = xorFourPathwayGdln({ hidden: c.pathwayHidden });
  const decoupled = await train(graph, data, xorDecoupledWeights(graph, c.a0), {
    ...common,
    onProgress: (p) => onProgress?.('GDLN decoupled', p.step, p.steps),
  });
  const random = await train(graph, data, initWeights(graph, { seed: c.seed, scheme: { kind: 'gaussian', std: c.sigma0 } }), {
    ...common,
    onProgress: (p) => onProgress?.('GDLN random init', p.step, p.steps),
  });
  const reluGraph = new Graph({
    nodes: [{ name: 'x', size: 2 }, { name: 'h', size: c.reluHidden, activation: 'relu' }, { name: 'y', size: 1 }],
    edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }],
  });
  const reluData = new GatedDataset(reluGraph, { inputs: { x: XOR_INPUTS.map((p) => [...p]) }, targets: { y: xorTargets() } });
  const relu = await train(reluGraph, reluData, initWeights(reluGraph, { seed: c.seed, scheme: { kind: 'gaussian', std: c.sigma0 } }), {
    ...common,
    onProgress: (p) => onProgress?.('ReLU network', p.step, p.steps),
  });
  const tOverTau = decoupled.steps.map((s) => s * c.lr);
  const theory = tOverTau.map((t) => xorFourPathwayLoss(c.a0, t));
  const gdlnDecoupled = Array.from(decoupled.loss);
  return {
    config: c,
    backend: decoupled.backend,
    tOverTau,
    theory,
    gdlnDecoupled,
    gdlnRandom: Array.from(random.loss),
    relu: Array.from(relu.loss),
    maxGapDecoupled: Math.max(...gdlnDecoupled.map((l, k) => Math.abs(l - theory[k]))),
    halfLossTime: {
      theory: halfTime(tOverTau, theory),
      gdlnDecoupled: halfTime(tOverTau, gdlnDecoupled),
      gdlnRandom: halfTime(tOverTau, random.loss),
      relu: halfTime(tOverTau, relu.loss),
    },
    seconds: (Date.now() - started) / 1000,
  };
}
