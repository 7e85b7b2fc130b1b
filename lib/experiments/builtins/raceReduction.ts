/**
 * Built-in experiments of "The Neural Race Reduction" (Saxe, Sodhani & Lewallen 2022):
 * Fig. 3c (XoR), Fig. 4e–h (routing, the flagship), Fig. 5b (sharing schemes), Fig. 5c
 * (generalisation vs K/M), Fig. 6a–d (initialisation scale) and Fig. 7b–d (transformed
 * vision data). Pure functions of (params, ctx) returning metrics, series and PlotSpecs;
 * docs/builtins-race.md lists what each reproduces and what differs from the paper.
 *
 * Units everywhere: t/τ = lr·step, loss L = 1/(2N) Σ‖y − ŷ‖² (docs/architecture.md).
 * The caption learning rates λ do not state their loss normalisation (ERRATA: the saved
 * Fig. 4e notebook even compresses the theory's time axis 10×), so curves are compared on
 * t/τ, where theory and simulation do not depend on the step size (up to O(lr)).
 */
import type { ExperimentDefinition, RunContext, RunRecord, RunResult, SeriesTable } from '../framework/types.ts';
import type { HeatmapSpec, LinePlotSpec, LineSeriesSpec, PlotSpec } from '../../report/plotSpec.ts';
import { runXor, XOR_DEFAULTS } from '../xor.ts';
import {
  MODE_COLORS, crossingTime, decoupledInit, effectiveB0, evaluateRoutes, hiddenSimilarity, meanSe, randomInit, routingSetup,
  routingTheory, simulate, snapshotSteps, trackSingularValues, type RouteEvaluation, type RoutingSetup,
} from '../race/routing.ts';
import { checkAbort, finiteMetrics, finitePoints, int, intList, meanSeriesOverRuns, num, numList, stages } from './../race/plots.ts';
import { visionExperiment } from '../race/vision.ts';
import { invalidParameter } from '../../errors.ts';
import { similarityMatrix } from '../../analyses/similarity.ts';

const PAPER = 'Saxe, Sodhani & Lewallen 2022 (The Neural Race Reduction)';
const P_COLORS = ['#d62728', '#ff7f0e', '#2ca02c', '#1f77b4', '#9467bd'];

// ------------------------------------------------------------------ Fig. 3c: XoR

interface XorParams { lr: number; steps: number; a0: number; sigma0: number; reluHidden: number; pathwayHidden: number }

const fig3c: ExperimentDefinition<XorParams> = {
  name: 'race-fig3c-xor',
  title: 'XoR: four-pathway GDLN (closed form, decoupled, random init) vs a ReLU network',
  paper: `${PAPER}, Fig. 3c and App. A.1 (eq. 21–23)`,
  parameters:
    'Paper: N_h = 128 ReLU units, τ = 5/2, σ₀ = 0.0002, 10 repetitions. Here: the same task and the same closed form (eq. 23); ' +
    'σ₀ = 0.02 (Gaussian std of both random inits) and a₀ = 1e-3 for the decoupled GDLN, so the plateau ends within 1000 steps at lr 0.02 ' +
    '(t/τ = lr·step up to 20); σ₀ = 0.0002 only lengthens the initial plateau (log(1/σ₀) in time). ReLU width 128 as the paper. Seeds = repetitions.',
  description:
    'Trains the XoR GDLN with one pathway per example from a decoupled init (matches eq. 23 up to O(lr)), the same GDLN from small random weights, ' +
    'and a one-hidden-layer ReLU network on the four points; all losses on one t/τ axis.',
  schema: {
    kind: 'object', doc: 'XoR experiment parameters',
    fields: {
      lr: num('learning rate on the mean loss (t/τ per step)', 0, 10),
      steps: int('full-batch gradient steps', 1, 1e7),
      a0: num('initial effective singular value of each GDLN pathway (decoupled init, eq. 21)', 0, 1),
      sigma0: num('std of the random Gaussian inits (GDLN and ReLU network)', 0, 10),
      reluHidden: int('hidden units of the ReLU network (paper: 128)', 1, 100000),
      pathwayHidden: int('hidden units per GDLN pathway', 1, 10000),
    },
  },
  defaults: { lr: XOR_DEFAULTS.lr, steps: XOR_DEFAULTS.steps, a0: XOR_DEFAULTS.a0, sigma0: XOR_DEFAULTS.sigma0, reluHidden: XOR_DEFAULTS.reluHidden, pathwayHidden: XOR_DEFAULTS.pathwayHidden },
  defaultSeeds: [1, 2],
  async run(p, ctx) {
    checkAbort(ctx.signal);
    const parts = ['GDLN decoupled', 'GDLN random init', 'ReLU network'];
    const r = await runXor(
      { ...XOR_DEFAULTS, ...p, backend: ctx.backend, dtype: ctx.dtype, seed: ctx.seed, recordEvery: Math.max(1, Math.floor(p.steps / 200)) },
      (what, step, steps) => {
        checkAbort(ctx.signal);
        ctx.progress((Math.max(0, parts.indexOf(what)) + step / Math.max(1, steps)) / 3, what);
      },
      ctx.signal,
    );
    const h = r.halfLossTime;
    return {
      backend: r.backend,
      metrics: finiteMetrics({
        'max-gap-decoupled-theory': r.maxGapDecoupled,
        'half-time-theory': h.theory, 'half-time-decoupled': h.gdlnDecoupled, 'half-time-random': h.gdlnRandom, 'half-time-relu': h.relu,
        'final-loss-decoupled': r.gdlnDecoupled.at(-1)!, 'final-loss-random': r.gdlnRandom.at(-1)!, 'final-loss-relu': r.relu.at(-1)!,
      }),
      series: { loss: { xLabel: 't/τ', x: r.tOverTau, columns: { theory: r.theory, decoupled: r.gdlnDecoupled, random: r.gdlnRandom, relu: r.relu } } },
      plots: [{
        kind: 'line', id: 'fig3c-loss', title: 'XoR: loss, GDLN vs closed form vs ReLU', paperRef: 'Saxe et al. 2022, Fig. 3c', xLabel: 't/τ', yLabel: 'loss',
        series: [
          { name: 'theory (eq. 23)', x: r.tOverTau, y: r.theory, dashed: true, color: '#1f77b4' },
          { name: 'GDLN decoupled', x: r.tOverTau, y: r.gdlnDecoupled, color: '#2ca02c' },
          { name: 'GDLN random init', x: r.tOverTau, y: r.gdlnRandom, color: '#9467bd' },
          { name: `ReLU net (${p.reluHidden})`, x: r.tOverTau, y: r.relu, color: '#d62728' },
        ],
      }],
    };
  },
  aggregate(runs) {
    const ok = runs.filter((r) => r.result.series.loss);
    if (ok.length === 0) return { plots: [] };
    const s0 = ok[0].result.series.loss;
    const same = ok.filter((r) => r.result.series.loss.x.length === s0.x.length);
    return {
      plots: [{
        kind: 'line', id: 'fig3c-loss-seeds', title: `XoR: ReLU network over ${same.length} seeds vs the GDLN closed form`, paperRef: 'Saxe et al. 2022, Fig. 3c',
        xLabel: 't/τ', yLabel: 'loss',
        series: [
          { name: 'theory (eq. 23)', x: s0.x, y: s0.columns.theory, dashed: true, color: '#1f77b4' },
          ...same.map((r, k) => ({ name: `ReLU seed ${r.seed}`, x: s0.x, y: r.result.series.loss.columns.relu, color: k === 0 ? '#d62728' : '#f4a3a3' })),
        ],
      }],
    };
  },
};

// ------------------------------------------------------------------ Fig. 4: routing (flagship)

interface Fig4Params { M: number; K: number; hidden: number; sigma0: number; lr: number; steps: number; records: number; b0: number }

function heatmapOutputs(id: string, title: string, ev: RouteEvaluation, paperRef: string, items: number): HeatmapSpec {
  return {
    kind: 'heatmap', id, title, paperRef, values: ev.outputs, rowLabels: ev.rowLabels,
    colLabels: ev.outputs[0].map((_, f) => `f${f}`), xLabel: 'output feature', yLabel: `route i→j (* untrained) × ${items} items`, scale: 'diverging',
  };
}

function fitB0(setup: RoutingSetup, t: number[], tSim: number): number {
  if (!Number.isFinite(tSim)) return NaN;
  let lo = 1e-4;
  let hi = 2;
  for (let it = 0; it < 30; it++) {
    const mid = Math.sqrt(lo * hi);
    const th = crossingTime(t, routingTheory(setup, mid, t).loss);
    if (!Number.isFinite(th) || th > tSim) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

function classLabel(setup: RoutingSetup, a: number): string {
  const c = setup.classes[a];
  return `S/D=${(c.S / c.D).toFixed(2)}`;
}

const fig4: ExperimentDefinition<Fig4Params> = {
  name: 'race-fig4-routing',
  title: 'Routing task: loss, singular values (√M), shared representation and zero-shot routes',
  paper: `${PAPER}, Fig. 4e–h (eq. 13–15, 51)`,
  parameters:
    'Paper (Fig. 4 caption): M = 7, K = 4, λ = .02, σ₀ = .2, N_h = 64, 4 items × 7 hierarchical features, random orthogonal inputs, 10 repetitions. ' +
    'Here the same: M = 7, K = 4 (cyclic routes), N_h = 64, σ₀ = 0.2 as Xavier-uniform × 0.2 ("scaling Xavier initialisation weights by 0.2"), ' +
    'lr = λ = 0.02 on the mean loss, 10 000 full-batch steps (t/τ = 200). Repetitions are seeds (default 2, one per core; the paper used 10): ' +
    'each run trains one random-init network and one decoupled-init network. The theory (eq. 13–14 ≡ eq. 15) starts at the effective b₀ of ' +
    'the random init, (RMS initial path singular value)^{1/3}; a second theory curve uses b₀ fitted to the simulation\'s half-loss time ' +
    '(ERRATA: random-init simulations lag the ODE started at the a-priori b₀).',
  description:
    '(e) training loss: random init vs decoupled init vs the reduced theory; (f) hidden vs input/output singular values by mode tracking, with theory, ' +
    'ratio → √M; (g) dot-product RSA of the first hidden layer over (domain, item); (h) outputs on all M² routes × items. Errors on trained/untrained ' +
    'routes: MSE = mean ½‖y − ŷ‖² per sample (the loss normalisation), relative error = MSE / (MSE of a zero output), accuracy = fraction of outputs ' +
    'nearest (Euclidean) to the correct item\'s target.',
  schema: {
    kind: 'object', doc: 'routing experiment (Fig. 4) parameters',
    fields: {
      M: int('number of input and output domains (paper: 7)', 2, 40),
      K: int('output domains trained per input domain, K ≤ M (paper: 4)', 1, 40),
      hidden: int('neurons per hidden layer N_h (paper: 64; ≥ 4 = the number of item modes)', 4, 4096),
      sigma0: num('init scale σ₀: Xavier-uniform gain (paper: 0.2)', 0, 100),
      lr: num('learning rate on the mean loss (paper λ = .02); t/τ = lr·step', 0, 10),
      steps: int('full-batch gradient steps', 1, 1e7),
      records: int('weight snapshots for mode tracking and route errors', 2, 2000),
      b0: { kind: 'number', min: 0, max: 10, doc: 'initial singular value of the decoupled simulation and the theory; 0 = the random init\'s effective b₀' },
    },
  },
  defaults: { M: 7, K: 4, hidden: 64, sigma0: 0.2, lr: 0.02, steps: 10000, records: 50, b0: 0 },
  defaultSeeds: [1, 2],
  async run(p, ctx) {
    if (p.K > p.M) throw invalidParameter(`K ≤ M = ${p.M}`, 'K', p.K);
    const stage = stages(ctx.progress, 3);
    const setup = routingSetup({ M: p.M, K: p.K, hidden: p.hidden, seed: 0 });
    const w0 = randomInit(setup, p.sigma0, ctx.seed);
    const b0 = p.b0 > 0 ? p.b0 : effectiveB0(setup, w0);
    const snaps = snapshotSteps(p.steps, p.records);
    const every = Math.max(1, Math.floor(p.steps / 400));
    const common = { lr: p.lr, steps: p.steps, recordEvery: every, snapshots: snaps, backend: ctx.backend, dtype: ctx.dtype, signal: ctx.signal };
    const random = await simulate(setup, w0, { ...common, onProgress: stage(0, 'random init') });
    const decoupled = await simulate(setup, decoupledInit(setup, b0, ctx.seed), { ...common, snapshots: [], onProgress: stage(1, 'decoupled init') });
    checkAbort(ctx.signal);
    ctx.progress(2 / 3, 'theory and analysis');
    const t = random.steps.map((s) => s * p.lr);
    const theory = routingTheory(setup, b0, t);
    const halfRandom = crossingTime(t, random.loss);
    const b0Fit = fitB0(setup, t, halfRandom);
    const theoryFit = Number.isFinite(b0Fit) ? routingTheory(setup, b0Fit, t).loss : t.map(() => NaN);
    const L0 = decoupled.loss[0];
    const gap = Math.max(...decoupled.loss.map((l, k) => Math.abs(l - theory.loss[k]))) / L0;

    // (f) mode tracking
    const ts = random.snapshots.map((s) => s.step * p.lr);
    const sv = trackSingularValues(setup, random.snapshots);
    const thS = routingTheory(setup, b0, ts);
    const thFitS = Number.isFinite(b0Fit) ? routingTheory(setup, b0Fit, ts) : null;
    // route errors over training, and the end state
    const evs = random.snapshots.map((s) => { checkAbort(ctx.signal); return evaluateRoutes(setup, s.weights, ctx.backend, ctx.dtype); });
    const ev = evs.at(-1)!;
    const ev0 = evs[0];
    const rsa = hiddenSimilarity(ev);
    const evDec = evaluateRoutes(setup, decoupled.weights, ctx.backend, ctx.dtype);
    ctx.progress(1, 'done');

    const svColumns: Record<string, number[]> = {};
    setup.classes.forEach((_, a) => {
      svColumns[`hidden-m${a}`] = sv.hidden[a];
      svColumns[`input-m${a}`] = sv.input[a];
      svColumns[`output-m${a}`] = sv.output[a];
      svColumns[`theory-hidden-m${a}`] = thS.B2[a];
      svColumns[`theory-input-m${a}`] = thS.B1[a];
    });
    const series: Record<string, SeriesTable> = {
      loss: { xLabel: 't/τ', x: t, columns: { theory: theory.loss, 'theory-fitted-b0': theoryFit, decoupled: Array.from(decoupled.loss), random: Array.from(random.loss) } },
      'singular-values': { xLabel: 't/τ', x: ts, columns: svColumns },
      'route-error': {
        xLabel: 't/τ', x: ts,
        columns: { 'trained-rel-error': evs.map((e) => e.trainedRelError), 'untrained-rel-error': evs.map((e) => e.untrainedRelError) },
      },
    };
    const svPlot: LineSeriesSpec[] = setup.classes.flatMap((_, a) => [
      { name: `hidden B₂ (${classLabel(setup, a)})`, x: ts, y: sv.hidden[a], color: MODE_COLORS[a] },
      { name: `input B₁ (${classLabel(setup, a)})`, x: ts, y: sv.input[a], color: MODE_COLORS[a], markers: true },
      { name: `theory B₂ (${classLabel(setup, a)})`, x: ts, y: thS.B2[a], color: MODE_COLORS[a], dashed: true },
      { name: `theory B₁ (${classLabel(setup, a)})`, x: ts, y: thS.B1[a], color: MODE_COLORS[a], dashed: true },
    ]);
    const items = setup.task.itemTargets.length;
    const plots: PlotSpec[] = [
      {
        kind: 'line', id: 'fig4e-loss', title: `Routing M=${p.M}, K=${p.K}: training loss`, paperRef: 'Saxe et al. 2022, Fig. 4e', xLabel: 't/τ', yLabel: 'loss',
        series: [
          { name: 'random init (σ₀ Xavier)', x: t, y: Array.from(random.loss), color: '#d62728' },
          { name: 'decoupled init', x: t, y: Array.from(decoupled.loss), color: '#2ca02c' },
          { name: `theory eq. 15 (b₀=${b0.toPrecision(3)})`, x: t, y: theory.loss, color: '#1f77b4', dashed: true },
          ...(Number.isFinite(b0Fit) ? [{ name: `theory, b₀ fitted (${b0Fit.toPrecision(3)})`, x: t, y: theoryFit, color: '#7f7f7f', dashed: true }] : []),
        ],
      },
      {
        kind: 'line', id: 'fig4f-singular-values', title: `Mode tracking: hidden vs input singular values (ratio → √M = ${Math.sqrt(p.M).toFixed(2)})`,
        paperRef: 'Saxe et al. 2022, Fig. 4f', xLabel: 't/τ', yLabel: 'singular value', series: svPlot,
      },
      {
        kind: 'line', id: 'fig4-route-error', title: 'Relative error on trained and untrained routes (random init)', paperRef: 'Saxe et al. 2022, Fig. 4h',
        xLabel: 't/τ', yLabel: 'MSE / MSE(0)',
        series: [
          { name: 'trained routes', x: ts, y: series['route-error'].columns['trained-rel-error'], color: '#1f77b4' },
          ...(p.K < p.M ? [{ name: 'untrained routes', x: ts, y: series['route-error'].columns['untrained-rel-error'], color: '#d62728' }] : []),
        ],
      },
      heatmapOutputs('fig4h-outputs', 'Outputs on all routes × items at the end (random init; * = untrained route)', ev, 'Saxe et al. 2022, Fig. 4h', items),
    ];
    if (rsa) {
      plots.push({
        kind: 'heatmap', id: 'fig4g-rsa', title: 'Representational similarity (dot product) at the first hidden layer', paperRef: 'Saxe et al. 2022, Fig. 4g',
        values: rsa.dot, rowLabels: rsa.labels, colLabels: rsa.labels, xLabel: '(input domain, item)', yLabel: '(input domain, item)', scale: 'diverging',
      });
    }
    const top = 0;
    return {
      backend: random.backend,
      metrics: finiteMetrics({
        'final-loss-random': random.loss.at(-1)!,
        'final-loss-decoupled': decoupled.loss.at(-1)!,
        'half-time-random': halfRandom,
        'half-time-decoupled': crossingTime(t, decoupled.loss),
        'half-time-theory': crossingTime(t, theory.loss),
        'max-gap-decoupled-theory-rel': gap,
        b0,
        'b0-fitted': b0Fit,
        'sv-ratio-hidden-input': sv.hidden[top].at(-1)! / sv.input[top].at(-1)!,
        'sv-ratio-hidden-output': sv.hidden[top].at(-1)! / sv.output[top].at(-1)!,
        'sv-ratio-theory': thS.B2[top].at(-1)! / thS.B1[top].at(-1)!,
        'sqrt-M': Math.sqrt(p.M),
        'trained-mse': ev.trainedMse,
        'untrained-mse': ev.untrainedMse,
        'trained-rel-error': ev.trainedRelError,
        'untrained-rel-error': ev.untrainedRelError,
        'initial-untrained-rel-error': ev0.untrainedRelError,
        'trained-accuracy': ev.trainedAccuracy,
        'untrained-accuracy': ev.untrainedAccuracy,
        'untrained-rel-error-decoupled': evDec.untrainedRelError,
        'rsa-same-item-cross-domain': rsa?.sameItem ?? NaN,
        'rsa-different-item': rsa?.differentItem ?? NaN,
        'rsa-contrast': rsa?.contrast ?? NaN,
        'off-diagonal-mass-end': sv.offDiagonalEnd,
      }),
      series,
      plots,
      data: { b0, b0Fitted: b0Fit, classes: setup.classes.map((c) => ({ S: c.S, D: c.D, multiplicity: c.members.length })), theoryFittedTracking: thFitS ? { B1: thFitS.B1, B2: thFitS.B2 } : null },
    };
  },
  aggregate(runs) {
    const ok = runs.filter((r) => r.result.series.loss);
    if (ok.length === 0) return { plots: [] };
    const L = ok[0].result.series.loss;
    const same = ok.filter((r) => r.result.series.loss.x.length === L.x.length);
    const E = ok[0].result.series['route-error'];
    const sameE = ok.filter((r) => r.result.series['route-error']?.x.length === E.x.length);
    return {
      plots: [
        {
          kind: 'line', id: 'fig4e-loss-seeds', title: `Routing: random-init loss over ${same.length} seeds, mean theory`, paperRef: 'Saxe et al. 2022, Fig. 4e',
          xLabel: 't/τ', yLabel: 'loss',
          series: [
            ...same.map((r) => ({ name: `random init, seed ${r.seed}`, x: L.x, y: r.result.series.loss.columns.random, color: '#d62728' })),
            meanSeriesOverRuns(L.x, same.map((r) => r.result.series.loss.columns.decoupled), 'decoupled init (mean)', '#2ca02c'),
            meanSeriesOverRuns(L.x, same.map((r) => r.result.series.loss.columns.theory), 'theory eq. 15 (mean over seeds\' b₀)', '#1f77b4', true),
          ].map((s) => ({ ...s, yErr: undefined })),
        },
        {
          kind: 'line', id: 'fig4-route-error-seeds', title: `Trained vs untrained relative error, mean ± SE over ${sameE.length} seeds`, paperRef: 'Saxe et al. 2022, Fig. 4h',
          xLabel: 't/τ', yLabel: 'MSE / MSE(0)',
          series: [
            meanSeriesOverRuns(E.x, sameE.map((r) => r.result.series['route-error'].columns['trained-rel-error']), 'trained routes', '#1f77b4'),
            meanSeriesOverRuns(E.x, sameE.map((r) => r.result.series['route-error'].columns['untrained-rel-error']), 'untrained routes', '#d62728'),
          ],
        },
      ],
    };
  },
};

// ------------------------------------------------------------------ Fig. 5b: sharing schemes

interface Fig5Params { M: number; hidden: number; sigma0: number; sharing: number[]; steps: number; horizon: number; records: number }

const fig5b: ExperimentDefinition<Fig5Params> = {
  name: 'race-fig5-sharing',
  title: 'Pathway race: singular-value dynamics vs the number P of routes sharing a hidden pathway',
  paper: `${PAPER}, Fig. 5b (eq. 16–17, 56)`,
  parameters:
    'Paper (Fig. 5 caption): M = 10, λ = .05/K, σ₀ = .2, N_h = 64; all routes trained (K = M); P = 1, 4, M². Here the same M, K, σ₀, N_h and sharing ' +
    'groups g = 1, 2, 10 (P = g²). A shared λ would need ~25× more steps for P = 1 than for P = M² (its theory is 25× slower), so each scheme gets ' +
    '`steps` full-batch steps with lr_P = horizon × (its theoretical half-loss time) / steps; curves are compared on t/τ (log axis). ' +
    'The P = 1 network has 300 gated edges and costs ~24 ms/step on 2 cores (most of the run time).',
  description:
    'For each sharing scheme: the hidden singular value B₂ and input singular value B₁ of every mode by mode tracking vs the theory eq. 16–17 from the ' +
    'random init\'s effective b₀; the loss; and the end ratio B₂/B₁ against P^{1/4} (eq. 56).',
  schema: {
    kind: 'object', doc: 'sharing-scheme experiment (Fig. 5b) parameters',
    fields: {
      M: int('number of input and output domains (paper: 10)', 2, 40),
      hidden: int('neurons per hidden layer of every pathway (paper: 64)', 4, 4096),
      sigma0: num('init scale σ₀: Xavier-uniform gain (paper: 0.2)', 0, 100),
      sharing: intList('group sizes g (divisors of M); P = g² routes share each hidden pathway (paper: P = 1, 4, M²)', 1, 40, 8),
      steps: int('full-batch steps per scheme', 1, 1e7),
      horizon: num('simulated time per scheme, in units of its theoretical half-loss time', 0, 1000),
      records: int('snapshots per scheme for mode tracking', 2, 1000),
    },
  },
  defaults: { M: 10, hidden: 64, sigma0: 0.2, sharing: [1, 2, 10], steps: 1000, horizon: 4, records: 40 },
  defaultSeeds: [1, 2],
  async run(p, ctx) {
    for (const g of p.sharing) if (p.M % g !== 0) throw invalidParameter(`divisors of M = ${p.M}`, 'sharing', g);
    const stage = stages(ctx.progress, p.sharing.length);
    const metrics: Record<string, number> = {};
    const series: Record<string, SeriesTable> = {};
    const svSeries: LineSeriesSpec[] = [];
    const lossSeries: LineSeriesSpec[] = [];
    const ratioRows: { P: number; sim: number; theory: number }[] = [];
    let backend = '';
    for (const [k, g] of p.sharing.entries()) {
      checkAbort(ctx.signal);
      const setup = routingSetup({ M: p.M, K: p.M, hidden: p.hidden, sharing: g, seed: 0 });
      const P = setup.P;
      const w0 = randomInit(setup, p.sigma0, ctx.seed);
      const b0 = effectiveB0(setup, w0);
      // Theoretical half-loss time on a generous grid, to set this scheme's horizon.
      const probeT = Array.from({ length: 4001 }, (_, i) => (i * 4000 * p.M * p.M) / (P * 4000));
      const tHalf = crossingTime(probeT, routingTheory(setup, b0, probeT).loss);
      const horizon = p.horizon * (Number.isFinite(tHalf) ? tHalf : probeT.at(-1)!);
      const lr = horizon / p.steps;
      const snaps = snapshotSteps(p.steps, p.records);
      const run = await simulate(setup, w0, {
        lr, steps: p.steps, recordEvery: Math.max(1, Math.floor(p.steps / 200)), snapshots: snaps, backend: ctx.backend, dtype: ctx.dtype, signal: ctx.signal,
        onProgress: stage(k, `P = ${P}`),
      });
      backend = run.backend;
      const t = run.steps.map((s) => s * lr);
      const ts = run.snapshots.map((s) => s.step * lr);
      const th = routingTheory(setup, b0, t);
      const thS = routingTheory(setup, b0, ts);
      const sv = trackSingularValues(setup, run.snapshots);
      const color = P_COLORS[k % P_COLORS.length];
      const columns: Record<string, number[]> = {};
      setup.classes.forEach((_, a) => {
        columns[`hidden-m${a}`] = sv.hidden[a];
        columns[`input-m${a}`] = sv.input[a];
        columns[`theory-hidden-m${a}`] = thS.B2[a];
        columns[`theory-input-m${a}`] = thS.B1[a];
        const pos = (y: number[]) => finitePoints(ts, y, true);
        svSeries.push({ name: `P = ${P}, ${classLabel(setup, a)}: sim`, ...pos(sv.hidden[a]), color });
        svSeries.push({ name: `P = ${P}, ${classLabel(setup, a)}: theory`, ...pos(thS.B2[a]), color, dashed: true });
      });
      series[`singular-values-p${P}`] = { xLabel: 't/τ', x: ts, columns };
      series[`loss-p${P}`] = { xLabel: 't/τ', x: t, columns: { simulation: Array.from(run.loss), theory: th.loss } };
      lossSeries.push({ name: `P = ${P} (sim)`, ...finitePoints(t, Array.from(run.loss), true), color });
      lossSeries.push({ name: `P = ${P} (theory)`, ...finitePoints(t, th.loss, true), color, dashed: true });
      const simRatio = sv.hidden[0].at(-1)! / sv.input[0].at(-1)!;
      const thRatio = thS.B2[0].at(-1)! / thS.B1[0].at(-1)!;
      ratioRows.push({ P, sim: simRatio, theory: thRatio });
      Object.assign(metrics, {
        [`half-time-sim-p${P}`]: crossingTime(t, run.loss),
        [`half-time-theory-p${P}`]: crossingTime(t, th.loss),
        [`final-loss-p${P}`]: run.loss.at(-1)!,
        [`sv-ratio-p${P}`]: simRatio,
        [`sv-ratio-theory-p${P}`]: thRatio,
        [`lr-p${P}`]: lr,
      });
    }
    return {
      backend,
      metrics: finiteMetrics(metrics),
      series,
      plots: [
        {
          kind: 'line', id: 'fig5b-singular-values', title: `Hidden singular values vs sharing P (M = ${p.M}, all modes)`, paperRef: 'Saxe et al. 2022, Fig. 5b',
          xLabel: 't/τ', yLabel: 'hidden singular value B₂', logX: true, series: svSeries,
        },
        {
          kind: 'line', id: 'fig5b-loss', title: 'Loss vs sharing P: more sharing learns faster', paperRef: 'Saxe et al. 2022, Fig. 5b',
          xLabel: 't/τ', yLabel: 'loss', logX: true, series: lossSeries,
        },
        {
          kind: 'line', id: 'fig5b-ratio', title: 'End ratio B₂/B₁ of the top mode vs P (eq. 56: → P^{1/4})', paperRef: 'Saxe et al. 2022, App. C eq. 56',
          xLabel: 'P', yLabel: 'B₂ / B₁', logX: true,
          series: [
            { name: 'simulation', x: ratioRows.map((r) => r.P), y: ratioRows.map((r) => r.sim), markers: true, color: '#d62728' },
            { name: 'theory (finite t)', x: ratioRows.map((r) => r.P), y: ratioRows.map((r) => r.theory), markers: true, color: '#1f77b4' },
            { name: 'P^{1/4}', x: ratioRows.map((r) => r.P), y: ratioRows.map((r) => r.P ** 0.25), dashed: true, color: '#7f7f7f' },
          ],
        },
      ],
    };
  },
};

// ------------------------------------------------------------------ Fig. 5c: generalisation vs K/M

interface Fig5cParams { M: number; Ks: number[]; hidden: number; sigma0: number; lr: number; steps: number }

const fig5c: ExperimentDefinition<Fig5cParams> = {
  name: 'race-fig5c-generalization',
  title: 'Zero-shot generalisation to untrained routes vs the fraction K/M of trained routes',
  paper: `${PAPER}, Fig. 5c`,
  parameters:
    'Paper (Fig. 5 caption): M = 10, λ = .05/K, σ₀ = .2, N_h = 64, K = 1 … M, 10 repetitions. Here the same M, σ₀, N_h and K = 1 … 10 in one run ' +
    '(a loop over K; seeds are the repetitions). λ = .05/K makes a summed-loss step K-independent; our mean loss already is, so one lr = 0.1 ' +
    'serves every K, 3000 steps (t/τ = 300: trained error < 1e-2 relative for every K).',
  description:
    'Per K: trains the fully shared routing network from small random weights and reports trained/untrained errors (relative MSE and nearest-item ' +
    'accuracy, see race-fig4-routing). The aggregate draws mean ± SE over seeds vs K/M. Metric generalization-threshold: the smallest K/M whose ' +
    'untrained accuracy is ≥ 0.9.',
  schema: {
    kind: 'object', doc: 'generalisation-vs-K experiment (Fig. 5c) parameters',
    fields: {
      M: int('number of input and output domains (paper: 10)', 2, 40),
      Ks: intList('values of K to train, each ≤ M (K = M has no untrained routes)', 1, 40, 40),
      hidden: int('neurons per hidden layer (paper: 64)', 4, 4096),
      sigma0: num('init scale σ₀: Xavier-uniform gain (paper: 0.2)', 0, 100),
      lr: num('learning rate on the mean loss; t/τ = lr·step', 0, 10),
      steps: int('full-batch steps per K', 1, 1e7),
    },
  },
  defaults: { M: 10, Ks: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], hidden: 64, sigma0: 0.2, lr: 0.1, steps: 3000 },
  defaultSeeds: [1, 2],
  async run(p, ctx) {
    for (const K of p.Ks) if (K > p.M) throw invalidParameter(`K ≤ M = ${p.M}`, 'Ks', K);
    const Ks = [...new Set(p.Ks)].sort((a, b) => a - b);
    const stage = stages(ctx.progress, Ks.length);
    const rows: { K: number; ev: RouteEvaluation; loss: number }[] = [];
    let backend = '';
    for (const [k, K] of Ks.entries()) {
      checkAbort(ctx.signal);
      const setup = routingSetup({ M: p.M, K, hidden: p.hidden, seed: 0 });
      const run = await simulate(setup, randomInit(setup, p.sigma0, ctx.seed), {
        lr: p.lr, steps: p.steps, recordEvery: p.steps, snapshots: [], backend: ctx.backend, dtype: ctx.dtype, signal: ctx.signal, onProgress: stage(k, `K = ${K}`),
      });
      backend = run.backend;
      rows.push({ K, ev: evaluateRoutes(setup, run.weights, ctx.backend, ctx.dtype), loss: run.loss.at(-1)! });
    }
    const metrics: Record<string, number> = {};
    for (const r of rows) {
      metrics[`trained-rel-error-k${r.K}`] = r.ev.trainedRelError;
      metrics[`untrained-rel-error-k${r.K}`] = r.ev.untrainedRelError;
      metrics[`untrained-accuracy-k${r.K}`] = r.ev.untrainedAccuracy;
    }
    const gen = rows.filter((r) => r.K < p.M);
    const thr = gen.find((r) => r.ev.untrainedAccuracy >= 0.9);
    if (gen.length) metrics['generalization-threshold'] = thr ? thr.K / p.M : 1;
    const x = rows.map((r) => r.K / p.M);
    const xg = gen.map((r) => r.K / p.M);
    return {
      backend,
      metrics: finiteMetrics(metrics),
      series: {
        trained: { xLabel: 'K/M', x, columns: { 'rel-error': rows.map((r) => r.ev.trainedRelError), accuracy: rows.map((r) => r.ev.trainedAccuracy), 'final-loss': rows.map((r) => r.loss) } },
        untrained: { xLabel: 'K/M', x: xg, columns: { 'rel-error': gen.map((r) => r.ev.untrainedRelError), accuracy: gen.map((r) => r.ev.untrainedAccuracy) } },
      },
      plots: [{
        kind: 'line', id: 'fig5c-error', title: `Trained vs untrained routes, M = ${p.M} (seed ${ctx.seed})`, paperRef: 'Saxe et al. 2022, Fig. 5c',
        xLabel: 'K/M', yLabel: 'MSE / MSE(0)',
        series: [
          { name: 'trained', x, y: rows.map((r) => r.ev.trainedRelError), color: '#1f77b4', markers: false },
          { name: 'untrained', x: xg, y: gen.map((r) => r.ev.untrainedRelError), color: '#d62728' },
        ],
      }],
    };
  },
  aggregate(runs) {
    const byX = new Map<number, { tr: number[]; un: number[]; ua: number[] }>();
    for (const r of runs) {
      const tr = r.result.series.trained;
      const un = r.result.series.untrained;
      if (!tr) continue;
      tr.x.forEach((x, k) => { const e = byX.get(x) ?? { tr: [], un: [], ua: [] }; e.tr.push(tr.columns['rel-error'][k]); byX.set(x, e); });
      un?.x.forEach((x, k) => { const e = byX.get(x) ?? { tr: [], un: [], ua: [] }; e.un.push(un.columns['rel-error'][k]); e.ua.push(un.columns.accuracy[k]); byX.set(x, e); });
    }
    const xs = [...byX.keys()].sort((a, b) => a - b);
    const line = (sel: (e: { tr: number[]; un: number[]; ua: number[] }) => number[], name: string, color: string): LineSeriesSpec => {
      const pts = xs.filter((x) => sel(byX.get(x)!).length > 0);
      const st = pts.map((x) => meanSe(sel(byX.get(x)!)));
      return { name, x: pts, y: st.map((s) => s.mean), yErr: st.map((s) => s.se), color };
    };
    const tr = line((e) => e.tr, 'trained', '#1f77b4');
    const un = line((e) => e.un, 'untrained', '#d62728');
    const ua = line((e) => e.ua, 'untrained accuracy', '#d62728');
    return {
      plots: [
        { kind: 'line', id: 'fig5c-error-seeds', title: `Trained vs untrained error vs K/M, mean ± SE over ${runs.length} runs`, paperRef: 'Saxe et al. 2022, Fig. 5c', xLabel: 'K/M', yLabel: 'MSE / MSE(0)', series: [tr, un] },
        { kind: 'line', id: 'fig5c-accuracy-seeds', title: 'Nearest-item accuracy on untrained routes vs K/M', paperRef: 'Saxe et al. 2022, Fig. 5c', xLabel: 'K/M', yLabel: 'accuracy', series: [ua] },
      ],
      series: {
        'error-vs-km': { xLabel: 'K/M', x: xs, columns: { 'trained-mean': xs.map((x) => meanSe(byX.get(x)!.tr).mean), 'untrained-mean': xs.map((x) => meanSe(byX.get(x)!.un).mean) } },
      },
    };
  },
};

// ------------------------------------------------------------------ Fig. 6: init scale (rich vs lazy)

interface Fig6Params { M: number; K: number; hidden: number; sigma0s: number[]; lr: number; steps: number }

const fig6: ExperimentDefinition<Fig6Params> = {
  name: 'race-fig6-init-scale',
  title: 'Neural race vs NTK regime: loss, generalisation, representations and outputs vs init scale σ₀',
  paper: `${PAPER}, Fig. 6a–d`,
  parameters:
    'Paper: the Fig. 4 routing task at several init scales σ₀ (values not stated). Here M = 7, K = 4, N_h = 64 (Fig. 4), σ₀ ∈ {0.1, 0.2, 0.5, 1, 2} ' +
    'as Xavier-uniform gains, lr = 0.05 on the mean loss, 6000 full-batch steps (t/τ = 300; every σ₀ reaches < 1e-2 relative training error). ' +
    'RSA and outputs are shown for the smallest, middle and largest σ₀ ("small, medium, large").',
  description:
    '(a) loss curves per σ₀ (stage-like at small σ₀, exponential at large); (b) trained vs untrained relative error vs σ₀; (c) cosine RSA of the first ' +
    'hidden layer at three scales; (d) outputs on all routes at three scales. Metrics per σ₀ and the cross-domain RSA contrast.',
  schema: {
    kind: 'object', doc: 'init-scale experiment (Fig. 6) parameters',
    fields: {
      M: int('number of input and output domains', 2, 40),
      K: int('output domains trained per input domain, K < M for untrained routes', 1, 40),
      hidden: int('neurons per hidden layer', 4, 4096),
      sigma0s: numList('init scales σ₀ (Xavier-uniform gains), ascending', 0, 100, 16),
      lr: num('learning rate on the mean loss; t/τ = lr·step', 0, 10),
      steps: int('full-batch steps per σ₀', 1, 1e7),
    },
  },
  defaults: { M: 7, K: 4, hidden: 64, sigma0s: [0.1, 0.2, 0.5, 1, 2], lr: 0.05, steps: 6000 },
  defaultSeeds: [1, 2],
  async run(p, ctx) {
    if (p.K > p.M) throw invalidParameter(`K ≤ M = ${p.M}`, 'K', p.K);
    const sig = [...p.sigma0s].sort((a, b) => a - b);
    const stage = stages(ctx.progress, sig.length);
    const setup = routingSetup({ M: p.M, K: p.K, hidden: p.hidden, seed: 0 });
    const rows: { s: number; loss: number[]; t: number[]; ev: RouteEvaluation }[] = [];
    let backend = '';
    for (const [k, s] of sig.entries()) {
      checkAbort(ctx.signal);
      const run = await simulate(setup, randomInit(setup, s, ctx.seed), {
        lr: p.lr, steps: p.steps, recordEvery: Math.max(1, Math.floor(p.steps / 300)), snapshots: [], backend: ctx.backend, dtype: ctx.dtype, signal: ctx.signal,
        onProgress: stage(k, `σ₀ = ${s}`),
      });
      backend = run.backend;
      rows.push({ s, loss: Array.from(run.loss), t: run.steps.map((x) => x * p.lr), ev: evaluateRoutes(setup, run.weights, ctx.backend, ctx.dtype) });
    }
    const picks = [...new Set([0, Math.floor((rows.length - 1) / 2), rows.length - 1])];
    const names = picks.length === 3 ? ['small', 'medium', 'large'] : picks.length === 2 ? ['small', 'large'] : ['only'];
    const metrics: Record<string, number> = {};
    const plots: PlotSpec[] = [
      {
        kind: 'line', id: 'fig6a-loss', title: 'Training loss for several init scales σ₀', paperRef: 'Saxe et al. 2022, Fig. 6a', xLabel: 't/τ', yLabel: 'loss', logY: true,
        series: rows.map((r, k) => ({ name: `σ₀ = ${r.s}`, ...finitePoints(r.t, r.loss, false), color: MODE_COLORS[k % MODE_COLORS.length] })).map((s) => {
          const f = finitePoints(s.x, s.y, true);
          return { ...s, x: f.x, y: f.y };
        }),
      },
      {
        kind: 'line', id: 'fig6b-error', title: 'Trained vs untrained relative error vs σ₀', paperRef: 'Saxe et al. 2022, Fig. 6b', xLabel: 'σ₀', yLabel: 'MSE / MSE(0)', logX: true,
        series: [
          { name: 'trained', x: rows.map((r) => r.s), y: rows.map((r) => r.ev.trainedRelError), color: '#1f77b4' },
          ...(p.K < p.M ? [{ name: 'untrained', x: rows.map((r) => r.s), y: rows.map((r) => r.ev.untrainedRelError), color: '#d62728' }] : []),
        ],
      },
    ];
    picks.forEach((i, k) => {
      const r = rows[i];
      const h1 = r.ev.h1!;
      const n = h1.labels.length;
      const cos = similarityMatrix(h1.acts, n, h1.width, { kind: 'cosine' });
      const labels = h1.labels.map((l) => `in${l.domain} item ${l.item}`);
      plots.push({
        kind: 'heatmap', id: `fig6c-rsa-${names[k]}`, title: `Cosine RSA, first hidden layer, σ₀ = ${r.s} (${names[k]})`, paperRef: 'Saxe et al. 2022, Fig. 6c',
        values: cos, rowLabels: labels, colLabels: labels, scale: 'diverging', range: [-1, 1],
      });
      plots.push(heatmapOutputs(`fig6d-outputs-${names[k]}`, `Outputs on all routes, σ₀ = ${r.s} (${names[k]}; * = untrained)`, r.ev, 'Saxe et al. 2022, Fig. 6d', setup.task.itemTargets.length));
    });
    for (const r of rows) {
      const rsa = hiddenSimilarity(r.ev);
      metrics[`trained-rel-error-sigma-${r.s}`] = r.ev.trainedRelError;
      metrics[`untrained-rel-error-sigma-${r.s}`] = r.ev.untrainedRelError;
      metrics[`untrained-accuracy-sigma-${r.s}`] = r.ev.untrainedAccuracy;
      metrics[`rsa-contrast-sigma-${r.s}`] = rsa?.contrast ?? NaN;
      metrics[`final-loss-sigma-${r.s}`] = r.loss.at(-1)!;
    }
    const rsaRows = rows.map((r) => hiddenSimilarity(r.ev));
    return {
      backend,
      metrics: finiteMetrics(metrics),
      series: {
        'error-vs-sigma0': {
          xLabel: 'sigma0', x: rows.map((r) => r.s),
          columns: {
            'trained-rel-error': rows.map((r) => r.ev.trainedRelError), 'untrained-rel-error': rows.map((r) => r.ev.untrainedRelError),
            'untrained-accuracy': rows.map((r) => r.ev.untrainedAccuracy), 'rsa-contrast': rsaRows.map((x) => x?.contrast ?? NaN),
          },
        },
        ...Object.fromEntries(rows.map((r, k) => [`loss-sigma${k}`, { xLabel: 't/τ', x: r.t, columns: { loss: r.loss } }])),
      },
      plots,
    };
  },
  aggregate(runs) {
    const ok = runs.filter((r) => r.result.series['error-vs-sigma0']);
    if (ok.length === 0) return { plots: [] };
    const x = ok[0].result.series['error-vs-sigma0'].x;
    const same = ok.filter((r) => r.result.series['error-vs-sigma0'].x.length === x.length);
    const col = (name: string) => same.map((r) => r.result.series['error-vs-sigma0'].columns[name]);
    return {
      plots: [{
        kind: 'line', id: 'fig6b-error-seeds', title: `Trained vs untrained error vs σ₀, mean ± SE over ${same.length} seeds`, paperRef: 'Saxe et al. 2022, Fig. 6b',
        xLabel: 'σ₀', yLabel: 'MSE / MSE(0)', logX: true,
        series: [meanSeriesOverRuns(x, col('trained-rel-error'), 'trained', '#1f77b4'), meanSeriesOverRuns(x, col('untrained-rel-error'), 'untrained', '#d62728')],
      }],
    };
  },
};

export const experiments: ExperimentDefinition[] = [fig3c, fig4, fig5b, fig5c, fig6, visionExperiment];

/** @internal exported for tests */
export type { Fig4Params, Fig5Params, Fig5cParams, Fig6Params, XorParams };
export type { RunContext, RunRecord, RunResult };
