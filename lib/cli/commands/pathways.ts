/**
 * `gdln pathways <fig3|fig5|fig6|fig7|fig8>`: the parallel-deep-pathways experiments
 * (Shi, Shea-Brown & Buice 2022); writes JSON + SVG atomically.
 */
import { join, resolve } from 'node:path';
import {
  PHASE_DEFAULTS, runPathwaySweep, runPhasePortraits, sweepDefaults, defaultEpochs,
  type PathwaySweepConfig, type PathwaySweepResult,
} from '../../experiments/pathways.ts';
import type { PathwayActivation } from '../../data/pathways.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../report/atomicWrite.ts';
import { linePlotSvg } from '../../report/svgPlot.ts';
import { panelGridSvg, type Panel } from '../../report/panelPlot.ts';
import { helpText, numberFlag, parseFlags, type FlagSpec } from '../args.ts';
import { GdlnError, invalidParameter } from '../../errors.ts';

const FLAGS: FlagSpec = {
  out: { type: 'string', help: 'output folder (default results/pathways)' },
  paper: { type: 'boolean', help: "the paper's size: N = 1000, σ = 0.01 (default: N = 256, σ = 0.01·√(1000/256), same q₀)" },
  width: { type: 'string', help: 'hidden width N (overrides --paper)' },
  std: { type: 'string', help: 'init std σ, or a comma list (one sweep each)' },
  depths: { type: 'string', help: 'comma list of depths D (default 2,3,4,7; fig6: 7)' },
  seeds: { type: 'string', help: 'comma list of seeds (default 1..6, --paper 1..3; fig6: 1,2)' },
  epochs: { type: 'string', help: 'epochs for every depth (default: enough to converge, see docs)' },
  lr: { type: 'string', help: 'learning rate on the mean loss (default 0.08 = the paper\'s 0.01 on the summed loss)' },
  records: { type: 'string', help: 'K snapshots per run (default 40)' },
  backend: { type: 'string', help: 'auto | js | cpu | cuda (default auto)' },
  dtype: { type: 'string', help: 'float32 | float64 (default float32)' },
  count: { type: 'string', help: `fig3: initial conditions per row (default ${PHASE_DEFAULTS.count})` },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const pathwaysHelp = `gdln pathways <fig3|fig5|fig6|fig7|fig8> [options]
  fig3  phase portraits of the reduced dynamics (eq. 17) and the eq. 22 invariant
  fig5  two linear pathways, D = 2, 3, 4, 7: K_a trajectories and symmetry breaking over seeds
  fig6  depth 7, two seeds
  fig7  as fig5 with ReLU pathways;  fig8  with tanh pathways
${helpText(FLAGS)}`;

const MODE_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function list(v: unknown, name: string): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = String(v).split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || String(v).trim() === '')) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `Expected a comma list of numbers for --${name} but received ${JSON.stringify(v)}`, { flag: name });
  }
  return xs;
}

function trajectoryPanels(result: PathwaySweepResult, runs: PathwaySweepResult['runs']): Panel[] {
  return runs.map((r) => ({
    title: `D = ${r.depth}, seed ${r.seed}, σ = ${r.std.toPrecision(2)}`,
    xLabel: 't_red = lr·epoch (summed-loss units)',
    yLabel: 'diag K_a',
    curves: result.S.flatMap((_, k) => r.diagonal[0].map((__, a) => ({
      x: r.t, y: r.diagonal.map((d) => d[a][k]), color: MODE_COLORS[k % MODE_COLORS.length], dashed: a > 0, width: 1.5,
    }))),
  }));
}

function finalPanels(result: PathwaySweepResult): Panel[] {
  const c = result.config;
  return c.stds.flatMap((std) => c.depths.map((D) => {
    const runs = result.runs.filter((r) => r.depth === D && r.std === std);
    const Smax = result.S[0];
    return {
      title: `D = ${D}: final (K_1α, K_2α), ${runs.length} seeds`,
      xLabel: 'K_1α', yLabel: 'K_2α', xRange: [-0.1, Smax * 1.05] as [number, number], yRange: [-0.1, Smax * 1.05] as [number, number],
      curves: [
        ...result.S.map((s) => ({ x: [0, s], y: [s, 0], color: '#bbb', width: 1 })),
        ...result.S.map((_, k) => ({
          x: runs.map((r) => r.diagonal.at(-1)![0][k]), y: runs.map((r) => r.diagonal.at(-1)![1 % r.diagonal[0].length][k]),
          color: MODE_COLORS[k % MODE_COLORS.length], markers: true,
        })),
      ],
    };
  }));
}

function writeSweep(fig: string, result: PathwaySweepResult, out: string, log: (l: string) => void): void {
  const c = result.config;
  log(`${fig}: ${c.pathways} ${c.activation} pathways, N = ${c.width}, lr ${c.lr} (mean loss), backend ${result.backend} ${c.dtype}, ${c.seeds.length} seeds`);
  log(`S_eff (singular values of Yᵀ = 8·S of E[yxᵀ]): ${result.S.map((s) => s.toFixed(3)).join(' ')}`);
  log('   σ        D   epochs  final loss  unevenness per mode |K1−K2|/(K1+K2) (mean over seeds)       mean');
  for (const s of result.summary) {
    const ep = c.epochs[s.depth] ?? defaultEpochs(s.depth, c.activation);
    log(`${s.std.toPrecision(3).padStart(8)} ${String(s.depth).padStart(3)} ${String(ep).padStart(8)} ${s.finalLoss.toExponential(2).padStart(11)}  ${s.modeUnevenness.map((u) => u.toFixed(2)).join(' ')}   ${s.meanUnevenness.toFixed(3)}`);
  }
  writeJsonAtomic(join(out, `${fig}.json`), result);
  const firstSeed = c.seeds[0];
  const trajRuns = fig === 'fig6' ? result.runs.filter((r) => r.std === c.stds[0]) : result.runs.filter((r) => r.seed === firstSeed && r.std === c.stds[0]);
  writeFileAtomic(join(out, `${fig}-trajectories.svg`), panelGridSvg(trajectoryPanels(result, trajRuns), {
    title: `${fig}: diag K_a(t) per mode (pathway 1 solid, pathway 2 dashed), ${c.activation}, N = ${c.width}`, columns: 2, panelWidth: 420, panelHeight: 300,
    legend: result.S.slice(0, 8).map((s, k) => ({ name: `S=${s.toFixed(2)} (mode ${k})`, color: MODE_COLORS[k % MODE_COLORS.length] })).slice(0, 5),
  }));
  writeFileAtomic(join(out, `${fig}-final.svg`), panelGridSvg(finalPanels(result), {
    title: `${fig}: final split of every singular value between the two pathways`, columns: Math.min(4, c.depths.length),
  }));
  if (c.depths.length > 1) {
    writeFileAtomic(join(out, `${fig}-unevenness.svg`), linePlotSvg(
      c.stds.flatMap((std) => [
        { name: `mean over modes, σ=${std.toPrecision(2)}`, x: c.depths, y: result.summary.filter((s) => s.std === std).map((s) => s.meanUnevenness) },
        ...result.S.map((_, k) => k).filter((k) => k < 2).map((k) => ({
          name: `mode ${k}, σ=${std.toPrecision(2)}`, x: c.depths, y: result.summary.filter((s) => s.std === std).map((s) => s.modeUnevenness[k]), dashed: true,
        })),
      ]),
      { title: `${fig}: symmetry breaking vs depth (${c.activation})`, xLabel: 'depth D', yLabel: '|K1−K2|/(K1+K2)' },
    ));
  }
  log(`wrote ${fig}.json and SVGs to ${out} (${result.seconds.toFixed(1)} s)`);
}

export async function pathwaysCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const [fig, ...rest] = argv;
  const v = parseFlags(rest, FLAGS);
  if (v.help || fig === undefined || fig === 'help' || fig === '--help' || fig === '-h') {
    log(pathwaysHelp);
    return fig === undefined ? 1 : 0;
  }
  const out = resolve((v.out as string | undefined) ?? 'results/pathways');
  if (fig === 'fig3') {
    const depths = list(v.depths, 'depths') ?? PHASE_DEFAULTS.depths;
    const result = runPhasePortraits({ ...PHASE_DEFAULTS, depths, initStds: list(v.std, 'std') ?? PHASE_DEFAULTS.initStds, count: numberFlag(v, 'count', PHASE_DEFAULTS.count), points: 120 });
    log(`fig3: reduced dynamics eq. 17, S = ${result.config.S}, q₀ = 1, ${result.config.count} initial conditions per row`);
    log('  init std   D   mean |K1−K2|/(K1+K2) at t→∞');
    for (const p of result.panels) log(`${String(p.initStd).padStart(9)} ${String(p.depth).padStart(3)}   ${p.meanUnevenness.toFixed(3)}`);
    log(`eq. 22 invariant: max drift along trajectories ${result.maxInvariantDrift.toExponential(2)} (integration tolerance rtol 1e-11); final split predicted from it within ${result.maxPredictionError.toExponential(2)}`);
    writeJsonAtomic(join(out, 'fig3.json'), result);
    const S = result.config.S;
    const panels: Panel[] = result.panels.map((p) => ({
      title: `D = ${p.depth}, init std ${p.initStd}`,
      xLabel: 'K_1α', yLabel: 'K_2α', xRange: [-0.5, S + 0.5], yRange: [-0.5, S + 0.5],
      curves: [
        { x: [0, S], y: [S, 0], color: '#1f77b4', width: 1.5 },
        ...p.trajectories.map((t) => ({ x: t.K1, y: t.K2, color: '#444', width: 0.8, opacity: 0.6 })),
        { x: p.trajectories.map((t) => t.final[0]), y: p.trajectories.map((t) => t.final[1]), color: '#d62728', markers: true },
      ],
    }));
    writeFileAtomic(join(out, 'fig3-phase.svg'), panelGridSvg(panels, { title: `Fig. 3: phase portraits of two pathways on one mode (S = ${S})`, columns: result.config.depths.length }));
    log(`wrote ${join(out, 'fig3.json')} and ${join(out, 'fig3-phase.svg')}`);
    return 0;
  }
  const activations: Record<string, PathwayActivation> = { fig5: 'linear', fig6: 'linear', fig7: 'relu', fig8: 'tanh' };
  const activation = activations[fig];
  if (activation === undefined) throw invalidParameter('fig3, fig5, fig6, fig7 or fig8', 'pathways figure', fig);
  const config: PathwaySweepConfig = sweepDefaults(activation, Boolean(v.paper));
  if (fig === 'fig6') {
    config.depths = [7];
    config.seeds = [1, 2];
  }
  if (v.width !== undefined) {
    config.width = numberFlag(v, 'width', config.width);
    config.stds = [0.01 * Math.sqrt(1000 / config.width)];
  }
  config.stds = list(v.std, 'std') ?? config.stds;
  config.depths = list(v.depths, 'depths') ?? config.depths;
  config.seeds = list(v.seeds, 'seeds') ?? config.seeds;
  config.lr = numberFlag(v, 'lr', config.lr);
  config.records = numberFlag(v, 'records', config.records);
  if (v.epochs !== undefined) {
    const e = numberFlag(v, 'epochs', 0);
    config.epochs = Object.fromEntries(config.depths.map((D) => [D, e]));
  }
  const backend = (v.backend as string | undefined) ?? 'auto';
  if (!['auto', 'js', 'cpu', 'cuda'].includes(backend)) throw invalidParameter("'auto', 'js', 'cpu' or 'cuda'", '--backend', backend);
  config.backend = backend as PathwaySweepConfig['backend'];
  const dtype = (v.dtype as string | undefined) ?? config.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw invalidParameter("'float32' or 'float64'", '--dtype', dtype);
  config.dtype = dtype;
  let last = '';
  const result = await runPathwaySweep(config, (what, done, total) => {
    if (what === 'runs') {
      const line = `  run ${done}/${total}`;
      if (line !== last) process.stderr.write(line + '\n');
      last = line;
    }
  });
  writeSweep(fig, result, out, log);
  return 0;
}
