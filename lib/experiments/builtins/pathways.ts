/**
 * Built-in experiments of Shi, Shea-Brown & Buice 2022 ("Learning dynamics of deep linear
 * networks beyond the edge of stability"; parallel deep pathways): Fig. 3 phase portraits of
 * the reduced dynamics, Fig. 5 symmetry breaking vs depth (linear), Fig. 6 depth 7.
 * Wraps lib/experiments/pathways.ts and draws the panels `gdln pathways fig3|fig5|fig6`
 * draws, as PlotSpecs. Normalisation and reduced sizes: see that module's header.
 */
import type { ExperimentDefinition, SeriesTable } from '../framework/types.ts';
import type { LineSeriesSpec, PlotSpec } from '../../report/plotSpec.ts';
import type { Panel } from '../../report/panelPlot.ts';
import {
  PHASE_DEFAULTS, defaultEpochs, runPathwaySweep, runPhasePortraits, sweepDefaults, type PathwaySweepConfig, type PathwaySweepResult,
} from '../pathways.ts';
import { GdlnAbortError } from '../../errors.ts';
import { int, intList, num, numList } from '../race/plots.ts';

const PAPER = 'Shi, Shea-Brown & Buice 2022 (parallel deep pathways)';
const MODE_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

// ------------------------------------------------------------------ Fig. 3

interface PhaseParams { S: number; depths: number[]; initStds: number[]; count: number; points: number }

const fig3: ExperimentDefinition<PhaseParams> = {
  name: 'pathways-fig3-phase',
  title: 'Phase portraits of two pathways on one mode (reduced dynamics eq. 17) and the eq. 22 invariant',
  paper: `${PAPER}, Fig. 3 (eq. 17, 19, 22)`,
  parameters:
    'Paper: S = 10, q₀ = 1, depths 2, 3, 4, 7, initial p₀ ~ N(0, s²I₂) with s = 0.1 and 0.01, 100 initial conditions per row. Here the same; ' +
    '120 output points per trajectory (as `gdln pathways fig3`). The seed draws the initial conditions.',
  description:
    'Integrates eq. 17 for every initial condition (RK45, rtol 1e-11) until ΣK = S, evaluates the eq. 22 invariant along each trajectory (its drift is the ' +
    'integration error) and compares the final split with the one the invariant predicts.',
  schema: {
    kind: 'object', doc: 'phase-portrait parameters',
    fields: {
      S: num('singular value S of the mode (paper: 10)', 0, 1e6),
      depths: intList('pathway depths D (one column of panels each)', 1, 50, 8),
      initStds: numList('std s of the initial p₀ (one row of panels each)', 0, 100, 4),
      count: int('initial conditions per row', 1, 2000),
      points: int('output points per trajectory', 2, 5000),
    },
  },
  defaults: { S: PHASE_DEFAULTS.S, depths: PHASE_DEFAULTS.depths, initStds: PHASE_DEFAULTS.initStds, count: PHASE_DEFAULTS.count, points: 120 },
  defaultSeeds: [1],
  async run(p, ctx) {
    if (ctx.signal.aborted) throw new GdlnAbortError('Experiment cancelled', null);
    ctx.progress(0, 'integrating eq. 17');
    const r = runPhasePortraits({ ...PHASE_DEFAULTS, ...p, seed: ctx.seed });
    ctx.progress(1, 'done');
    const S = r.config.S;
    const panels: Panel[] = r.panels.map((q) => ({
      title: `D = ${q.depth}, init std ${q.initStd}`, xLabel: 'K_1α', yLabel: 'K_2α', xRange: [-0.05 * S, 1.05 * S], yRange: [-0.05 * S, 1.05 * S],
      curves: [
        { x: [0, S], y: [S, 0], color: '#1f77b4', width: 1.5 },
        ...q.trajectories.map((t) => ({ x: t.K1, y: t.K2, color: '#444', width: 0.8, opacity: 0.6 })),
        { x: q.trajectories.map((t) => t.final[0]), y: q.trajectories.map((t) => t.final[1]), color: '#d62728', markers: true },
      ],
    }));
    const metrics: Record<string, number> = { 'max-invariant-drift': r.maxInvariantDrift, 'max-final-split-prediction-error': r.maxPredictionError };
    for (const q of r.panels) metrics[`unevenness-d${q.depth}-s${q.initStd}`] = q.meanUnevenness;
    const depths = r.config.depths;
    const series: Record<string, SeriesTable> = {
      unevenness: {
        xLabel: 'depth', x: depths,
        columns: Object.fromEntries(r.config.initStds.map((s) => [`init-std-${s}`, depths.map((D) => r.panels.find((q) => q.depth === D && q.initStd === s)!.meanUnevenness)])),
      },
    };
    return {
      metrics,
      series,
      plots: [
        { kind: 'panels', id: 'fig3-phase', title: `Fig. 3: phase portraits of two pathways on one mode (S = ${S})`, paperRef: 'Shi et al. 2022, Fig. 3', columns: depths.length, panels },
        {
          kind: 'line', id: 'fig3-unevenness', title: 'Mean final unevenness |K₁−K₂|/(K₁+K₂) vs depth', paperRef: 'Shi et al. 2022, Fig. 3', xLabel: 'depth D', yLabel: 'unevenness',
          series: r.config.initStds.map((s, k) => ({ name: `init std ${s}`, x: depths, y: series.unevenness.columns[`init-std-${s}`], color: MODE_COLORS[k % MODE_COLORS.length], markers: false })),
        },
      ],
      data: { tEnd: r.panels.map((q) => ({ depth: q.depth, initStd: q.initStd, tEnd: q.tEnd })) },
    };
  },
};

// ------------------------------------------------------------------ Fig. 5 / 6 (full simulations)

interface SweepParams { depths: number[]; width: number; std: number; lr: number; epochs: number; records: number; seedsPerRun: number }

function sweepPlots(fig: 'fig5' | 'fig6', result: PathwaySweepResult): { plots: PlotSpec[]; series: Record<string, SeriesTable>; metrics: Record<string, number> } {
  const c = result.config;
  const trajectory: Panel[] = result.runs.map((r) => ({
    title: `D = ${r.depth}, seed ${r.seed}, σ = ${r.std.toPrecision(2)}`, xLabel: 't_red = lr·epoch (summed-loss units)', yLabel: 'diag K_a',
    curves: result.S.flatMap((_, k) => r.diagonal[0].map((__, a) => ({ x: r.t, y: r.diagonal.map((d) => d[a][k]), color: MODE_COLORS[k % MODE_COLORS.length], dashed: a > 0, width: 1.5 }))),
  }));
  const Smax = result.S[0];
  const finals: Panel[] = c.depths.map((D) => {
    const runs = result.runs.filter((r) => r.depth === D);
    return {
      title: `D = ${D}: final (K_1α, K_2α), ${runs.length} seeds`, xLabel: 'K_1α', yLabel: 'K_2α', xRange: [-0.1, Smax * 1.05], yRange: [-0.1, Smax * 1.05],
      curves: [
        ...result.S.map((s) => ({ x: [0, s], y: [s, 0], color: '#bbb', width: 1 })),
        ...result.S.map((_, k) => ({ x: runs.map((r) => r.diagonal.at(-1)![0][k]), y: runs.map((r) => r.diagonal.at(-1)![1 % r.diagonal[0].length][k]), color: MODE_COLORS[k % MODE_COLORS.length], markers: true })),
      ],
    };
  });
  const legend = result.S.slice(0, 5).map((s, k) => ({ name: `S=${s.toFixed(2)} (mode ${k})`, color: MODE_COLORS[k % MODE_COLORS.length] }));
  const plots: PlotSpec[] = [
    { kind: 'panels', id: `${fig}-trajectories`, title: `diag K_a(t) per mode (pathway 1 solid, 2 dashed), N = ${c.width}`, paperRef: `Shi et al. 2022, ${fig === 'fig5' ? 'Fig. 5' : 'Fig. 6'}`, columns: 2, panels: trajectory, legend },
    { kind: 'panels', id: `${fig}-final`, title: 'Final split of every singular value between the two pathways', paperRef: `Shi et al. 2022, ${fig === 'fig5' ? 'Fig. 5' : 'Fig. 6'}`, columns: Math.min(4, c.depths.length), panels: finals },
  ];
  const metrics: Record<string, number> = {};
  for (const s of result.summary) {
    metrics[`mean-unevenness-d${s.depth}`] = s.meanUnevenness;
    metrics[`final-loss-d${s.depth}`] = s.finalLoss;
  }
  const series: Record<string, SeriesTable> = {
    unevenness: {
      xLabel: 'depth', x: result.summary.map((s) => s.depth),
      columns: { mean: result.summary.map((s) => s.meanUnevenness), ...Object.fromEntries(result.S.map((_, k) => [`mode-${k}`, result.summary.map((s) => s.modeUnevenness[k])])) },
    },
  };
  for (const r of result.runs) {
    series[`trajectory-d${r.depth}-s${r.seed}`] = {
      xLabel: 't_red', x: r.t,
      columns: { loss: r.loss, ...Object.fromEntries(r.diagonal[0].flatMap((_, a) => result.S.map((__, k) => [`k${a + 1}-mode${k}`, r.diagonal.map((d) => d[a][k])]))) },
    };
  }
  if (c.depths.length > 1) {
    const lines: LineSeriesSpec[] = [
      { name: 'mean over modes', x: c.depths, y: result.summary.map((s) => s.meanUnevenness), color: '#000' },
      ...[0, 1].filter((k) => k < result.S.length).map((k) => ({ name: `mode ${k}`, x: c.depths, y: result.summary.map((s) => s.modeUnevenness[k]), dashed: true, color: MODE_COLORS[k] })),
    ];
    plots.push({ kind: 'line', id: `${fig}-unevenness`, title: 'Symmetry breaking vs depth: |K₁−K₂|/(K₁+K₂) at the end', paperRef: 'Shi et al. 2022, Fig. 5', xLabel: 'depth D', yLabel: 'unevenness', series: lines });
  }
  return { plots, series, metrics };
}

function sweepDefinition(fig: 'fig5' | 'fig6'): ExperimentDefinition<SweepParams> {
  const base = sweepDefaults('linear', false);
  const depths = fig === 'fig6' ? [7] : base.depths;
  return {
    name: fig === 'fig5' ? 'pathways-fig5-depth' : 'pathways-fig6-depth7',
    title: fig === 'fig5' ? 'Two linear pathways of depth D = 2, 3, 4, 7: K_a trajectories and symmetry breaking' : 'Two linear pathways of depth 7: full K_a trajectories',
    paper: `${PAPER}, ${fig === 'fig5' ? 'Fig. 5' : 'Fig. 6'} (hierarchy eq. 32)`,
    parameters:
      'Paper: N = 1000, σ = 0.01, lr 0.01 on the summed loss (= 0.08 on our mean loss over 8 samples), "1000 epochs" (ERRATA: the released code trains ' +
      'up to 20 000; 1000 learns only the top mode at D = 7). Here: N = 256 with σ = 0.01·√(1000/256) (same per-layer gain q₀ = 0.316, 15× cheaper, ' +
      '√(1000/256) ≈ 2× larger finite-size fluctuations), epochs 3000 / 6000 / 8000 / 16000 for D = 2 / 3 / 4 / 7 (enough to converge), float32 as ' +
      '`gdln pathways`; width: 1000 and std: 0.01 give the paper\'s size. Each run trains `seedsPerRun` networks per depth (seeds ctx.seed, ctx.seed+1, …).',
    description:
      'Trains two equal-depth linear pathways on the 8 × 15 hierarchy from N(0, σ²) weights, tracks K_a = Uᵀ Ω_a V per mode and reports the final ' +
      'per-mode unevenness |K₁α − K₂α|/(K₁α + K₂α) (symmetry breaking grows with depth). epochs = 0 uses the per-depth defaults.',
    schema: {
      kind: 'object', doc: 'parallel-pathway sweep parameters',
      fields: {
        depths: intList('pathway depths D', 1, 50, 8),
        width: int('hidden width N (paper: 1000)', 1, 4096),
        std: num('init std σ of every weight (paper: 0.01; default keeps σ√N of the paper)', 0, 10),
        lr: num('learning rate on the mean loss (0.08 = the paper\'s 0.01 on the summed loss)', 0, 10),
        epochs: { kind: 'number', integer: true, min: 0, max: 1e7, doc: 'full-batch epochs for every depth; 0 = per-depth defaults (3000/6000/8000/16000)' },
        records: int('K_a snapshots per training', 2, 1000),
        seedsPerRun: int('networks per depth in one run (seeds ctx.seed …)', 1, 20),
      },
    },
    defaults: { depths, width: base.width, std: base.stds[0], lr: base.lr, epochs: 0, records: base.records, seedsPerRun: fig === 'fig6' ? 2 : 1 },
    defaultSeeds: fig === 'fig6' ? [1] : [1, 2, 3, 4, 5, 6],
    async run(p, ctx) {
      const config: PathwaySweepConfig = {
        ...base, depths: p.depths, width: p.width, stds: [p.std], lr: p.lr, records: p.records,
        epochs: p.epochs > 0 ? Object.fromEntries(p.depths.map((D) => [D, p.epochs])) : {},
        seeds: Array.from({ length: p.seedsPerRun }, (_, k) => ctx.seed + k), backend: ctx.backend, dtype: ctx.dtype,
      };
      const total = p.depths.reduce((a, D) => a + (config.epochs[D] ?? defaultEpochs(D, 'linear')), 0) * p.seedsPerRun;
      let doneBefore = 0;
      let lastEpochs = 0;
      const result = await runPathwaySweep(config, (what, done, tot) => {
        if (ctx.signal.aborted) throw new GdlnAbortError('Experiment cancelled', null);
        if (what === 'runs') { doneBefore += lastEpochs; lastEpochs = 0; return; }
        lastEpochs = tot;
        ctx.progress(Math.min(1, (doneBefore + done) / total), what);
      }, ctx.signal);
      const { plots, series, metrics } = sweepPlots(fig, result);
      return { backend: result.backend, metrics, series, plots, data: { S: result.S, blocks: result.blocks, summary: result.summary } };
    },
    aggregate(runs) {
      const ok = runs.filter((r) => r.result.series.unevenness);
      if (ok.length === 0) return { plots: [] };
      const depthsAll = [...new Set(ok.flatMap((r) => r.result.series.unevenness.x))].sort((a, b) => a - b);
      const st = depthsAll.map((D) => {
        const v = ok.flatMap((r) => { const s = r.result.series.unevenness; const i = s.x.indexOf(D); return i >= 0 ? [s.columns.mean[i]] : []; });
        const m = v.reduce((a, b) => a + b, 0) / v.length;
        const se = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length) : 0;
        return { m, se };
      });
      return {
        plots: [{
          kind: 'line', id: `${fig}-unevenness-seeds`, title: `Symmetry breaking vs depth, mean ± SE over ${ok.length} runs`, paperRef: 'Shi et al. 2022, Fig. 5',
          xLabel: 'depth D', yLabel: '|K₁−K₂|/(K₁+K₂)', series: [{ name: 'mean over modes', x: depthsAll, y: st.map((s) => s.m), yErr: st.map((s) => s.se), color: '#000' }],
        }],
      };
    },
  };
}

export const experiments: ExperimentDefinition[] = [fig3, sweepDefinition('fig5'), sweepDefinition('fig6')];
