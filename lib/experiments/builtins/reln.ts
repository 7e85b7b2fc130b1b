/**
 * Built-in experiments of Jarvis, Klein, Rosman & Saxe, "Make haste slowly" (ICLR 2025):
 * ReLU networks vs their Rectified Linear Networks (ReLN). Time axis t/τ = lr·step (mean
 * loss, docs/architecture.md); the paper's summed-loss step ε = 0.001 is lr = N·ε.
 */
import type { ExperimentDefinition, RunResult, SeriesTable } from '../framework/types.ts';
import type { PlotSpec } from '../../report/plotSpec.ts';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { contextualTask, contextualModes } from '../../data/contexts.ts';
import { xorMarginGdln, xorMarginInputs, XOR_MARGIN_TARGETS } from '../../data/xorMargin.ts';
import { pathStatistics } from '../../analyses/pathStatistics.ts';
import {
  XOR_MARGIN_CROSSOVER, xorMarginModes, xorMarginLinearGdln, xorMarginXorGdln, xorMarginTimeCrossover,
  deepLinearLoss, contextualPathwayMode, contextualPathwayLoss,
} from '../../analyses/closedForms.ts';
import { WeightSet } from '../../engine/WeightSet.ts';
import { train } from '../../engine/train.ts';
import { reluNetwork, smallInit } from '../../reln/relu.ts';
import { buildReln, contextPatterns } from '../../reln/reln.ts';
import { compareReluReln, elbowIndex, relnKCriterion, trajectoryDifference } from '../../reln/compare.ts';
import { timeToCriterion, xorMarginBalancedWeights, xorMarginRace } from '../../reln/race.ts';
import { kmeansRange } from '../../reln/kmeans.ts';
import { recordReluGating } from '../../reln/record.ts';
import { contextualTaskSec4 } from '../../data/contextsSec4.ts';
import { loadNative } from '../../backends/native/loader.ts';

const num = (doc: string, extra: Record<string, unknown> = {}) => ({ kind: 'number' as const, doc, ...extra });
const int = (doc: string, min = 1, max?: number) => ({ kind: 'number' as const, doc, integer: true, min, ...(max ? { max } : {}) });
const nums = (doc: string) => ({ kind: 'array' as const, doc, items: { kind: 'number' as const, doc: '' }, minItems: 1 });
const toArr = (a: ArrayLike<number>) => Array.from(a);

/** Where sign(f) changes on a grid, linearly interpolated (NaN if never). */
function gridCrossing(x: number[], f: number[]): number {
  for (let i = 1; i < x.length; i++) {
    if (Number.isFinite(f[i - 1]) && Number.isFinite(f[i]) && Math.sign(f[i - 1]) !== Math.sign(f[i])) {
      return x[i - 1] + (f[i - 1] / (f[i - 1] - f[i])) * (x[i] - x[i - 1]);
    }
  }
  return NaN;
}

// ---------------------------------------------------------------------------
interface Fig2Params {
  deltas: number[]; criterion: number; lr: number; steps: number; reluHidden: number; initVariancePerHidden: number;
  a0: number; trajectoryDeltas: number[];
}

/** Δ where s_linear = s_xor, by bisection on the singular values only (App. C eq. 24–26). */
export function singularValueCrossover(): number {
  let lo = 0.1, hi = 3;
  const f = (d: number) => { const m = xorMarginModes(d); return m.linear.s - m.xor.s; };
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) { const mid = 0.5 * (lo + hi); if (f(mid) < 0) lo = mid; else hi = mid; }
  return 0.5 * (lo + hi);
}

export async function runFig2(p: Fig2Params, ctx: { seed: number; backend: any; signal: AbortSignal; progress(f: number, m?: string): void }): Promise<RunResult> {
  const tLinCF: number[] = [], tXorCF: number[] = [], tLinSim: number[] = [], tXorSim: number[] = [], tRelu: number[] = [];
  const std = Math.sqrt(p.initVariancePerHidden / p.reluHidden);
  const trajectories: Record<string, { t: number[]; relu: number[]; linear: number[]; xor: number[] }> = {};
  for (const [i, delta] of p.deltas.entries()) {
    const race = xorMarginRace(delta, p.a0, p.criterion);
    tLinCF.push(race.time.linear);
    tXorCF.push(race.time.xor);
    const sim: Record<string, number[]> = {};
    for (const kind of ['linear', 'xor'] as const) {
      const g = xorMarginGdln(kind, delta, { hidden: 1 });
      const w = WeightSet.fromRecord(g.graph, xorMarginBalancedWeights(kind, delta, p.a0));
      const t = await train(g.graph, g.data, w, { steps: p.steps, lr: p.lr, recordEvery: 1, backend: ctx.backend, signal: ctx.signal });
      (kind === 'linear' ? tLinSim : tXorSim).push(timeToCriterion(t, p.lr, p.criterion));
      sim[kind] = toArr(t.loss);
    }
    const relu = reluNetwork({ inputs: xorMarginInputs(delta), targets: XOR_MARGIN_TARGETS.map((v) => [v]), hidden: p.reluHidden });
    const tr = await train(relu.graph, relu.data, smallInit(relu.graph, std, ctx.seed), { steps: p.steps, lr: p.lr, recordEvery: 1, backend: ctx.backend, signal: ctx.signal });
    tRelu.push(timeToCriterion(tr, p.lr, p.criterion));
    if (p.trajectoryDeltas.some((d) => Math.abs(d - delta) < 1e-12)) {
      trajectories[String(delta)] = { t: tr.steps.map((s) => s * p.lr), relu: toArr(tr.loss), linear: sim.linear, xor: sim.xor };
    }
    ctx.progress((i + 1) / p.deltas.length, `Δ = ${delta}`);
  }
  const fastest = p.deltas.map((_, i) => Math.min(tLinCF[i], tXorCF[i]));
  const ratio = tRelu.map((t, i) => t / fastest[i]);
  const series: Record<string, SeriesTable> = {
    times: { xLabel: 'delta', x: p.deltas, columns: { linear_closed: tLinCF, xor_closed: tXorCF, linear_sim: tLinSim, xor_sim: tXorSim, relu: tRelu } },
  };
  const plots: PlotSpec[] = [{
    kind: 'line', id: 'fig2d-time', title: `Time to loss ${p.criterion} vs margin Δ`, paperRef: 'Jarvis et al. 2025, Fig. 2d',
    xLabel: 'Δ', yLabel: 't/τ to criterion', series: [
      { name: 'linear GDLN (closed form)', x: p.deltas, y: tLinCF, dashed: true, color: '#1f77b4' },
      { name: 'XoR GDLN (closed form)', x: p.deltas, y: tXorCF, dashed: true, color: '#ff7f0e' },
      { name: 'linear GDLN (sim.)', x: p.deltas, y: tLinSim, markers: true, color: '#1f77b4' },
      { name: 'XoR GDLN (sim.)', x: p.deltas, y: tXorSim, markers: true, color: '#ff7f0e' },
      { name: 'ReLU (sim.)', x: p.deltas, y: tRelu, color: '#2ca02c' },
    ],
  }];
  for (const [d, tr] of Object.entries(trajectories)) {
    const delta = Number(d);
    series[`loss-delta-${d}`] = { xLabel: 't_over_tau', x: tr.t, columns: { relu: tr.relu, linear_sim: tr.linear, xor_sim: tr.xor } };
    plots.push({
      kind: 'line', id: `fig2e-loss-${d.replace('.', 'p')}`, title: `Loss, Δ = ${d}`, paperRef: 'Jarvis et al. 2025, Fig. 2e', xLabel: 't/τ', yLabel: 'loss',
      series: [
        { name: 'ReLU', x: tr.t, y: tr.relu, color: '#2ca02c' },
        { name: 'linear GDLN (closed form)', x: tr.t, y: tr.t.map((t) => xorMarginLinearGdln(delta, p.a0, t).loss), dashed: true, color: '#1f77b4' },
        { name: 'XoR GDLN (closed form)', x: tr.t, y: tr.t.map((t) => xorMarginXorGdln(delta, p.a0, t).loss), dashed: true, color: '#ff7f0e' },
      ],
    });
  }
  const metrics: Record<string, number> = {
    singularValueCrossover: singularValueCrossover(),
    singularValueCrossoverError: Math.abs(singularValueCrossover() - XOR_MARGIN_CROSSOVER),
    timeCrossoverClosedForm: xorMarginTimeCrossover(p.a0, p.criterion),
    timeCrossoverSimulatedGdln: gridCrossing(p.deltas, p.deltas.map((_, i) => tLinSim[i] - tXorSim[i])),
    reluOverFastestGdlnMax: Math.max(...ratio),
    reluOverFastestGdlnMin: Math.min(...ratio),
  };
  return { metrics, series, plots, data: { a0: p.a0, reluInitStd: std } };
}

const fig2: ExperimentDefinition<Fig2Params> = {
  name: 'reln-fig2-xor-margin',
  title: 'XoR with margin Δ: linear vs XoR GDLN vs ReLU, time to criterion',
  paper: 'Jarvis, Klein, Rosman & Saxe 2025 (make haste slowly), Fig. 2d–e, App. C',
  parameters: 'Paper: lr 1/τ = 0.4, N_h = 128 ReLU units, init variance 4e-8/N_h, criterion 0.2. Same here. GDLNs: one neuron per pathway from balanced aligned init at a0 (the closed forms\' initial condition; default a0 = 1e-6). The singular-value crossover (exactly √(2/3)) and the time-to-criterion crossover (depends on a0 and the criterion, ≈0.87 at a0 = 1e-6) are reported as separate metrics (ERRATA).',
  description: 'Closed-form and simulated times to loss 0.2 for the two GDLNs and a simulated ReLU network over Δ, and loss trajectories at a few Δ.',
  schema: {
    kind: 'object', doc: 'Fig. 2 parameters', fields: {
      deltas: nums('margins Δ'), criterion: num('loss criterion', { min: 0, exclusiveMin: true, max: 0.5 }), lr: num('learning rate (t/τ per step)', { min: 0, exclusiveMin: true }),
      steps: int('gradient steps'), reluHidden: int('ReLU hidden units'), initVariancePerHidden: num('ReLU init variance × N_h', { min: 0 }),
      a0: num('initial mode strength of the GDLNs (closed forms and simulation)', { min: 0, exclusiveMin: true }), trajectoryDeltas: nums('Δ values whose loss trajectories are plotted'),
    },
  },
  defaults: { deltas: [0.2, 0.4, 0.6, 0.7, 0.8, 0.85, 0.9, 1.0, 1.2, 1.5, 2.0], criterion: 0.2, lr: 0.4, steps: 400, reluHidden: 128, initVariancePerHidden: 4e-8, a0: 1e-6, trajectoryDeltas: [0.4, 1.5] },
  defaultSeeds: [1, 2, 3],
  run: (p, ctx) => runFig2(p, ctx),
};

// ---------------------------------------------------------------------------
interface ContextParams { contexts: number; reluHidden: number; relnHidden: number; lr: number; steps: number; initStd: number; criterion: number; compareAt: number[] }

const contextSchemaFields = {
  contexts: int('number of contexts C', 3, 8), reluHidden: int('ReLU hidden units (App. H: 700)'), relnHidden: int('neurons per ReLN pathway (App. H: 100)'),
  lr: num('learning rate (t/τ per step)', { min: 0, exclusiveMin: true }), steps: int('gradient steps'), initStd: num('std of every weight at init, both networks', { min: 0, exclusiveMin: true }),
  criterion: num('loss criterion for times', { min: 0, exclusiveMin: true }),
};

export async function runFig4(p: ContextParams, ctx: { seed: number; backend: any; signal: AbortSignal; progress(f: number, m?: string): void }): Promise<RunResult> {
  // Fig. 4 is Sec. 4: the 8-item dataset with re-grouped hierarchies per context block.
  const task = contextualTaskSec4({ contexts: p.contexts });
  const dbl = contextPatterns(task.context, p.contexts, 'double');
  const sgl = contextPatterns(task.context, p.contexts, 'single');
  const base = { inputs: task.inputs, targets: task.targets, reluHidden: p.reluHidden, relnHidden: p.relnHidden, lr: p.lr, steps: p.steps, initStd: p.initStd, seed: ctx.seed, criterion: p.criterion, compareAt: p.compareAt, backend: ctx.backend, signal: ctx.signal };
  const cmp = await compareReluReln({ ...base, patterns: dbl.patterns, names: dbl.names });
  ctx.progress(0.6);
  const single = await compareReluReln({ ...base, patterns: sgl.patterns, names: sgl.names, skipMds: true });
  ctx.progress(1);
  const t = cmp.relu.steps.map((s) => s * p.lr);
  const plots: PlotSpec[] = [{
    kind: 'line', id: 'fig4a-loss', title: `ReLU vs ReLN vs GDLN single, C = ${p.contexts}`, paperRef: 'Jarvis et al. 2025, Fig. 4a', xLabel: 't/τ', yLabel: 'loss',
    series: [
      { name: 'ReLU', x: t, y: toArr(cmp.relu.loss), color: '#2ca02c' },
      { name: 'ReLN (common + C−1-context pathways)', x: t, y: toArr(cmp.reln.loss), dashed: true, color: '#d62728' },
      { name: 'GDLN single (common + 1-context pathways)', x: t, y: toArr(single.reln.loss), color: '#7f7f7f' },
    ],
  }, {
    kind: 'panels', id: 'fig4c-mds', title: 'MDS of hidden representations (ReLN aligned on ReLU by Procrustes)', paperRef: 'Jarvis et al. 2025, Fig. 4c', columns: cmp.at.length,
    legend: [{ name: 'ReLU', color: '#2ca02c' }, { name: 'ReLN', color: '#d62728' }],
    panels: cmp.at.map((a) => ({
      title: `t/τ = ${(a.step * p.lr).toFixed(1)}`, xLabel: 'MDS 1', yLabel: 'MDS 2',
      curves: [
        { x: a.mds!.relu.map((r) => r[0]), y: a.mds!.relu.map((r) => r[1]), markers: true, color: '#2ca02c' },
        { x: a.mds!.reln.map((r) => r[0]), y: a.mds!.reln.map((r) => r[1]), markers: true, color: '#d62728' },
      ],
    })),
  }];
  return {
    metrics: {
      lossMseReln: cmp.loss.mse, lossMseSingle: single.loss.mse, lossMaxAbsReln: cmp.loss.maxAbs, lossMaxAbsSingle: single.loss.maxAbs,
      timeRelu: cmp.time.relu, timeReln: cmp.time.reln, timeSingle: single.time.reln, outputMseReln: cmp.outputMse, outputMseSingle: single.outputMse,
      mdsResidualFinal: cmp.at[cmp.at.length - 1].mds!.residual,
    },
    series: { loss: { xLabel: 't_over_tau', x: t, columns: { relu: toArr(cmp.relu.loss), reln: toArr(cmp.reln.loss), gdln_single: toArr(single.reln.loss) } } },
    plots,
    data: { mds: cmp.at.map((a) => ({ step: a.step, ...a.mds })), outputs: cmp.at.map((a) => ({ step: a.step, relu: a.reluOut, reln: a.relnOut })) },
  };
}

const fig4: ExperimentDefinition<ContextParams> = {
  name: 'reln-fig4-contexts',
  title: 'Contextual task: ReLU network vs its ReLN vs "GDLN single", loss and MDS',
  paper: 'Jarvis, Klein, Rosman & Saxe 2025 (make haste slowly), Fig. 4a–c, Sec. 4, App. H',
  parameters: 'App. H: ReLU 700 hidden, 100 per GDLN pathway, init scale 1e-7, 8000 epochs of step 0.001 on the summed loss. Same here, the step converted to gdln\'s mean loss: lr = 24 × 0.001 = 0.024 (with lr 0.001 on the mean loss the ReLU is still on its plateau after 8000 epochs). Dataset: the Sec. 4 reconstruction of lib/data/contextsSec4.ts (8 items × C contexts, 3–5; context blocks are the 8-item hierarchy under a different grouping of the items — the paper gives them only as a figure).',
  description: 'Trains a ReLU network, the ReLN (common pathway + C pathways each on in C−1 contexts, all inputs → all outputs) and GDLN single (C pathways each on in one context) from the same init scale; loss trajectories, outputs, classical MDS of hidden representations.',
  schema: { kind: 'object', doc: 'Fig. 4 parameters', fields: { ...contextSchemaFields, contexts: int('number of contexts C (the Sec. 4 dataset: 3–5)', 3, 5), compareAt: nums('steps at which outputs and MDS are compared') } },
  defaults: { contexts: 3, reluHidden: 700, relnHidden: 100, lr: 0.024, steps: 8000, initStd: 1e-7, criterion: 0.1, compareAt: [1000, 2000, 4000, 6000, 8000] },
  defaultSeeds: [1, 2, 3],
  run: (p, ctx) => runFig4(p, ctx),
};

// ---------------------------------------------------------------------------
/**
 * Closed-form loss of the ReLN on the contextual task (App. F/G, staged approximation): the
 * common pathway as a two-layer linear network on (X, Y) (modes of Σʸˣ, δ = vᵀΣˣv), plus the C
 * context pathways on the common pathway's least-squares residual (contextualPathwayMode/Loss).
 */
export function contextualClosedFormLoss(C: number, a0: number, times: number[]): number[] {
  const task = contextualTask({ contexts: C, hidden: 8 });
  const N = task.inputs.length;
  const X = new Matrix(task.inputs);
  const Y = new Matrix(task.targets);
  const syx = Y.transpose().mmul(X).div(N);
  const sx = X.transpose().mmul(X).div(N);
  const svd = syx.transpose().mmul(syx);
  const evd = new EigenvalueDecomposition(svd, { assumeSymmetric: true });
  const ev: number[] = evd.realEigenvalues;
  const modes = ev.map((e, k) => ({ e, k })).filter((m) => m.e > 1e-12 * Math.max(...ev)).map(({ e, k }) => {
    const v = evd.eigenvectorMatrix.getColumnVector(k);
    return { lambda: Math.sqrt(e), delta: v.transpose().mmul(sx).mmul(v).get(0, 0), pi0: a0 };
  });
  const halfTr = task.targets.reduce((s, r) => s + r.reduce((a, v) => a + v * v, 0), 0) / (2 * N);
  const m = contextualModes(task, pathStatistics(task.residual.graph, task.residual.data));
  const halfTrRes = task.residual.targets.reduce((s, r) => s + r.reduce((a, v) => a + v * v, 0), 0) / (2 * N);
  return times.map((t) => {
    const a = m.S.map((S, k) => contextualPathwayMode(C, S, m.D[k], a0, t));
    return deepLinearLoss(halfTr, modes, t) + contextualPathwayLoss(halfTrRes, C, m.S, m.D, a) - halfTrRes;
  });
}

interface Fig5Params extends Omit<ContextParams, 'contexts' | 'compareAt'> { contextList: number[]; a0: number }

const fig5: ExperimentDefinition<Fig5Params> = {
  name: 'reln-fig5-contexts',
  title: 'More contexts: ReLU vs ReLN vs closed form for C = 3, 4, 5',
  paper: 'Jarvis, Klein, Rosman & Saxe 2025 (make haste slowly), Fig. 5, App. F, G.1, G.2',
  parameters: 'App. H as in Fig. 4 (same reductions: 4-item hierarchy per block, init std 1e-6, lr 0.05, 4000 steps). The closed form is App. F/G\'s staged form (common pathway, then context pathways on its residual, with ERRATA-corrected constants in closedForms.ts) started at a0; it approximates the jointly trained ReLN.',
  description: 'For each C: ReLU and ReLN (common + C pathways each on in C−1 contexts) simulated from the same init scale, and the closed-form loss.',
  schema: { kind: 'object', doc: 'Fig. 5 parameters', fields: { ...Object.fromEntries(Object.entries(contextSchemaFields).filter(([k]) => k !== 'contexts')), contextList: nums('numbers of contexts'), a0: num('closed-form initial mode strength', { min: 0, exclusiveMin: true }) } },
  defaults: { contextList: [3, 4, 5], reluHidden: 700, relnHidden: 100, lr: 0.05, steps: 4000, initStd: 1e-6, criterion: 0.1, a0: 1e-9 },
  defaultSeeds: [1, 2, 3],
  async run(p, ctx) {
    const metrics: Record<string, number> = {};
    const series: Record<string, SeriesTable> = {};
    const panels = [];
    for (const [i, C] of p.contextList.entries()) {
      const task = contextualTask({ contexts: C });
      const dbl = contextPatterns(task.context, C, 'double');
      const cmp = await compareReluReln({
        inputs: task.inputs, targets: task.targets, patterns: dbl.patterns, names: dbl.names, reluHidden: p.reluHidden, relnHidden: p.relnHidden,
        lr: p.lr, steps: p.steps, initStd: p.initStd, seed: ctx.seed, criterion: p.criterion, backend: ctx.backend, signal: ctx.signal, skipMds: true, compareAt: [p.steps],
      });
      const t = cmp.relu.steps.map((s) => s * p.lr);
      const closed = contextualClosedFormLoss(C, p.a0, t);
      metrics[`lossMseReln_C${C}`] = cmp.loss.mse;
      metrics[`lossMseClosed_C${C}`] = trajectoryDifference(cmp.relu.loss, closed).mse;
      metrics[`timeRelu_C${C}`] = cmp.time.relu;
      metrics[`timeReln_C${C}`] = cmp.time.reln;
      series[`loss-C${C}`] = { xLabel: 't_over_tau', x: t, columns: { relu: toArr(cmp.relu.loss), reln: toArr(cmp.reln.loss), closed } };
      panels.push({ title: `C = ${C}`, xLabel: 't/τ', yLabel: 'loss', curves: [
        { x: t, y: toArr(cmp.relu.loss), color: '#2ca02c' }, { x: t, y: toArr(cmp.reln.loss), color: '#d62728', dashed: true }, { x: t, y: closed, color: '#000000', dashed: true },
      ] });
      ctx.progress((i + 1) / p.contextList.length, `C = ${C}`);
    }
    return { metrics, series, plots: [{ kind: 'panels', id: 'fig5-loss', title: 'Loss for C contexts', paperRef: 'Jarvis et al. 2025, Fig. 5 (top row)', columns: p.contextList.length, panels,
      legend: [{ name: 'ReLU', color: '#2ca02c' }, { name: 'ReLN', color: '#d62728', dashed: true }, { name: 'closed form (App. F/G)', color: '#000000', dashed: true }] }] };
  },
};

// ---------------------------------------------------------------------------
interface Fig6Params { runs: number; reluHidden: [number, number]; firstHidden: number; relnHidden: number; lr: number; steps: number; initStd: number; criterion: number }

/** Index of the trajectory closest to the mean trajectory (sum of L2 distances over time). */
export function stereotypical(trajs: number[][]): number {
  const T = trajs[0].length;
  const mean = Array.from({ length: T }, (_, i) => trajs.reduce((s, r) => s + r[i], 0) / trajs.length);
  let best = 0, bestD = Infinity;
  trajs.forEach((r, k) => { const d = r.reduce((s, v, i) => s + Math.abs(v - mean[i]), 0); if (d < bestD) { bestD = d; best = k; } });
  return best;
}

const fig6: ExperimentDefinition<Fig6Params> = {
  name: 'reln-fig6-two-layer',
  title: 'Two hidden layers: many ReLU and ReLN runs, stereotypical trajectories and spread',
  paper: 'Jarvis, Klein, Rosman & Saxe 2025 (make haste slowly), Fig. 6, Sec. 6',
  parameters: 'Paper: 100 runs of each network. Default here 8 runs (params allow 100), [128, 128] ReLU units, a shared 100-unit linear first layer and 100 per ReLN pathway, init std 0.03 (three-matrix products need a larger scale than App. H\'s 1e-7 to leave the plateau within a few thousand steps), lr 0.05, 6000 steps, 3 contexts.',
  description: 'ReLU x→h1→h2→y (ReLU) and the 2-layer ReLN x→s (shared, always on)→p_k (gated: common, C−1-context)→y; all runs plotted faded, the stereotypical run (closest to the mean) highlighted.',
  schema: { kind: 'object', doc: 'Fig. 6 parameters', fields: {
    runs: int('runs per network', 1, 100), reluHidden: { kind: 'array', doc: '[h1, h2]', items: int('width'), minItems: 2, maxItems: 2 }, firstHidden: int('shared first layer of the ReLN'),
    relnHidden: int('neurons per ReLN pathway'), lr: num('learning rate', { min: 0, exclusiveMin: true }), steps: int('steps'), initStd: num('init std', { min: 0, exclusiveMin: true }), criterion: num('loss criterion', { min: 0, exclusiveMin: true }),
  } },
  defaults: { runs: 8, reluHidden: [128, 128], firstHidden: 100, relnHidden: 100, lr: 0.05, steps: 6000, initStd: 0.03, criterion: 0.1 },
  defaultSeeds: [1],
  async run(p, ctx) {
    const task = contextualTask({ contexts: 3 });
    const dbl = contextPatterns(task.context, 3, 'double');
    const relu = reluNetwork({ inputs: task.inputs, targets: task.targets, hidden: p.reluHidden });
    const reln = buildReln({ inputs: task.inputs, targets: task.targets, patterns: dbl.patterns, names: dbl.names, hidden: p.relnHidden, layers: 2, firstHidden: p.firstHidden });
    const recordEvery = Math.max(1, Math.floor(p.steps / 200));
    const R: number[][] = [], G: number[][] = [];
    let steps: number[] = [];
    for (let r = 0; r < p.runs; r++) {
      const s = ctx.seed * 1000 + r;
      const a = await train(relu.graph, relu.data, smallInit(relu.graph, p.initStd, s), { steps: p.steps, lr: p.lr, recordEvery, backend: ctx.backend, signal: ctx.signal });
      const b = await train(reln.graph, reln.data, smallInit(reln.graph, p.initStd, s + 500), { steps: p.steps, lr: p.lr, recordEvery, backend: ctx.backend, signal: ctx.signal });
      R.push(toArr(a.loss)); G.push(toArr(b.loss)); steps = a.steps;
      ctx.progress((r + 1) / p.runs);
    }
    const t = steps.map((s) => s * p.lr);
    const sr = stereotypical(R), sg = stereotypical(G);
    const times = (L: number[][]) => L.map((l) => timeToCriterion({ steps, loss: l }, p.lr, p.criterion));
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const sd = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
    const tr = times(R), tg = times(G);
    return {
      metrics: { stereotypicalLossMse: trajectoryDifference(R[sr], G[sg]).mse, meanTimeRelu: mean(tr), meanTimeReln: mean(tg), sdTimeRelu: sd(tr), sdTimeReln: sd(tg) },
      series: { stereotypical: { xLabel: 't_over_tau', x: t, columns: { relu: R[sr], reln: G[sg] } } },
      plots: [{ kind: 'panels', id: 'fig6-runs', title: `${p.runs} runs each, stereotypical highlighted`, paperRef: 'Jarvis et al. 2025, Fig. 6b', columns: 1,
        legend: [{ name: 'ReLU', color: '#2ca02c' }, { name: 'ReLN (2 layers)', color: '#d62728' }],
        panels: [{ title: 'loss', xLabel: 't/τ', yLabel: 'loss', curves: [
          ...R.map((y) => ({ x: t, y, color: '#2ca02c', opacity: 0.2 })), ...G.map((y) => ({ x: t, y, color: '#d62728', opacity: 0.2 })),
          { x: t, y: R[sr], color: '#2ca02c', width: 2 }, { x: t, y: G[sg], color: '#d62728', width: 2, dashed: true },
        ] }] }],
      data: { timesRelu: tr, timesReln: tg },
    };
  },
};

// ---------------------------------------------------------------------------
interface Fig8Params { runs: number; reluHidden: number; lr: number; epochs: number; recordEvery: number; initStd: number; kMin: number; kMax: number; showK: number[]; relnHidden: number; restarts: number }

/** The recorder's backend: 'js' when asked for, else the native one when its addon has reluRuns, else the js reference. */
function recorderBackend(choice: unknown): 'cpu' | 'js' {
  if (choice === 'js') return 'js';
  const native = loadNative();
  return !('error' in native) && typeof native.binding.reluRuns === 'function' && typeof native.binding.kmeans === 'function' ? 'cpu' : 'js';
}

const fig8: ExperimentDefinition<Fig8Params> = {
  name: 'reln-fig8-kmeans',
  title: 'Finding the ReLN: k-means of ReLU gating patterns, inertia elbow and the ReLN-difference criterion',
  paper: 'Jarvis, Klein, Rosman & Saxe 2025 (make haste slowly), App. B, Algorithm 1, Fig. 8–9',
  parameters: 'Algorithm 1 on the Sec. 4 dataset (lib/data/contextsSec4.ts, 24 samples) at App. H\'s settings: 700 ReLU units, init scale 1e-7, 8000 epochs, step 0.001 on the summed loss = lr 0.024 on gdln\'s mean loss; step(W0 X) of every hidden neuron recorded every 100 epochs (epochs 0…7900, 80 snapshots; silent rows kept) by the native recorder (recordReluGating), 4 trainings (the paper does not state its number), k = 1…6 (10 k-means++ restarts), ReLN 100 per pathway for the App. B criterion.',
  description: 'Heatmaps of the k centroids over the samples for k in showK, the k-means inertia over k with its elbow, and App. B\'s better criterion: mean squared difference between the ReLU loss trajectory (run 0) and that of the ReLN built from the k thresholded centroids, with its elbow.',
  schema: { kind: 'object', doc: 'Fig. 8–9 parameters', fields: {
    runs: int('ReLU trainings'), reluHidden: int('ReLU hidden units'), lr: num('learning rate (mean loss; summed-loss step × 24)', { min: 0, exclusiveMin: true }), epochs: int('full-batch epochs per training'), recordEvery: int('record gating every (epochs)'),
    initStd: num('init std', { min: 0, exclusiveMin: true }), kMin: int('smallest k'), kMax: int('largest k'), showK: nums('k values drawn as heatmaps'), relnHidden: int('neurons per ReLN pathway'), restarts: int('k-means restarts'),
  } },
  defaults: { runs: 4, reluHidden: 700, lr: 0.024, epochs: 8000, recordEvery: 100, initStd: 1e-7, kMin: 1, kMax: 6, showK: [2, 3, 4], relnHidden: 100, restarts: 10 },
  defaultSeeds: [1],
  async run(p, ctx) {
    const task = contextualTaskSec4();
    const N = task.inputs.length;
    const backend = recorderBackend(ctx.backend);
    // Record 0, e, 2e, …, epochs: Algorithm 1's snapshots (j mod e = 0, j < epochs) plus the end,
    // so that run 0's loss lies on the same steps as the ReLN trajectories of the criterion.
    const recordEpochs = Array.from({ length: Math.floor(p.epochs / p.recordEvery) + 1 }, (_, j) => j * p.recordEvery);
    if (recordEpochs[recordEpochs.length - 1] !== p.epochs) recordEpochs.push(p.epochs);
    const algorithm1 = recordEpochs.map((_, i) => i).filter((i) => recordEpochs[i] < p.epochs);
    const rec = await recordReluGating({
      inputs: task.inputs, targets: task.targets, hidden: p.reluHidden, runs: p.runs, epochs: p.epochs, lr: p.lr, initStd: p.initStd, seed: ctx.seed * 1000,
      recordEpochs, backend, signal: ctx.signal, onProgress: (q) => ctx.progress(0.5 * q.epochsDone / q.totalEpochs, 'recording ReLU gating'),
    });
    try {
      ctx.progress(0.5, 'k-means');
      const km = kmeansRange({ record: rec, filter: { snapshots: algorithm1 } }, { kMin: p.kMin, kMax: p.kMax, restarts: p.restarts, seed: ctx.seed, backend });
      const S = rec.summary.snapshots;
      const reluLoss = Array.from(rec.summary.loss.subarray(0, S));
      const crit = await relnKCriterion({
        inputs: task.inputs, targets: task.targets, clusterings: km.results, reluLoss, relnHidden: p.relnHidden, lr: p.lr, steps: p.epochs, recordEvery: p.recordEvery, initStd: p.initStd, seed: ctx.seed, backend: ctx.backend, signal: ctx.signal,
        onProgress: (d, n) => ctx.progress(0.5 + 0.5 * d / n, `k = ${d}`),
      });
      const centroidRows = (r: (typeof km.results)[number]) => Array.from({ length: r.k }, (_, j) => Array.from(r.centroids.subarray(j * N, (j + 1) * N)));
      const plots: PlotSpec[] = km.results.filter((r) => p.showK.includes(r.k)).map((r) => ({
        kind: 'heatmap', id: `fig8-k${r.k}`, title: `${r.k} clusters (rows) over samples (columns: 8 items × context 1, 2, 3)`, paperRef: 'Jarvis et al. 2025, Fig. 8',
        values: centroidRows(r), scale: 'sequential', range: [0, 1], xLabel: 'sample (context-major)', yLabel: 'cluster',
      }));
      plots.push({ kind: 'line', id: 'fig9-inertia', title: 'k-means inertia over k', paperRef: 'Jarvis et al. 2025, Fig. 9', xLabel: 'k', yLabel: 'inertia', series: [{ name: 'inertia', x: km.k, y: km.inertia, markers: true }] });
      plots.push({ kind: 'line', id: 'fig9-reln-difference', title: 'ReLN(k) vs ReLU: loss-trajectory MSE over k (App. B criterion)', paperRef: 'Jarvis et al. 2025, Fig. 9', xLabel: 'k', yLabel: 'MSE of loss trajectories', logY: true, series: [{ name: 'ReLN(k) − ReLU', x: crit.k, y: crit.lossMse, markers: true }] });
      // Does k = C + 1 give exactly the Sec. 4 ReLN (common + C pathways on in C − 1 contexts)?
      const want = contextPatterns(task.context, task.C, 'double').patterns.map((q) => q.join('')).sort();
      const k4 = km.results.find((r) => r.k === task.C + 1);
      const k4Match = k4 ? Number(JSON.stringify(centroidRows(k4).map((c) => c.map((v) => (v >= 0.5 ? 1 : 0)).join('')).sort()) === JSON.stringify(want)) : NaN;
      return {
        metrics: {
          inertiaElbow: km.elbow, relnDifferenceElbow: crit.elbow, inertiaElbowByChord: km.k[elbowIndex(km.k, km.inertia)],
          k4IsSec4Reln: k4Match, finalReluLossMax: Math.max(...rec.summary.finalLoss), rows: km.results[0].totalRows, distinctRows: km.results[0].distinct,
        },
        series: { criterion: { xLabel: 'k', x: crit.k, columns: { inertia: km.inertia.slice(0, crit.k.length), relnLossMse: crit.lossMse } } },
        plots,
        data: { recorder: backend, patterns: crit.patterns, centroids: km.results.map((r) => ({ k: r.k, centroids: Array.from(r.centroids), sizes: Array.from(r.sizes) })) },
      };
    } finally {
      rec.dispose();
    }
  },
};

export const experiments: ExperimentDefinition[] = [fig2, fig4, fig5, fig6, fig8] as ExperimentDefinition[];
