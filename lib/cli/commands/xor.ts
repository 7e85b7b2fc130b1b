/** `gdln xor`: the XoR experiment (race-reduction App. A.1, Fig. 3c); writes JSON + SVG. */
import { join, resolve } from 'node:path';
import { runXor, XOR_DEFAULTS, type XorConfig } from '../../experiments/xor.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../report/atomicWrite.ts';
import { linePlotSvg } from '../../report/svgPlot.ts';
import { helpText, numberFlag, parseFlags, type FlagSpec } from '../args.ts';
import { invalidParameter } from '../../errors.ts';

const FLAGS: FlagSpec = {
  backend: { type: 'string', help: `auto | js | cpu | cuda (default ${XOR_DEFAULTS.backend})` },
  dtype: { type: 'string', help: `float64 | float32 (default ${XOR_DEFAULTS.dtype})` },
  lr: { type: 'string', help: `learning rate = t/τ per step (default ${XOR_DEFAULTS.lr})` },
  steps: { type: 'string', help: `gradient steps (default ${XOR_DEFAULTS.steps})` },
  a0: { type: 'string', help: `initial pathway singular value, decoupled init (default ${XOR_DEFAULTS.a0})` },
  sigma0: { type: 'string', help: `std of random inits (default ${XOR_DEFAULTS.sigma0})` },
  'relu-hidden': { type: 'string', help: `ReLU network width (default ${XOR_DEFAULTS.reluHidden})` },
  seed: { type: 'string', help: `seed of the random inits (default ${XOR_DEFAULTS.seed})` },
  out: { type: 'string', help: 'output folder (default results/xor)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const xorHelp = `gdln xor [options]\n  Trains the four-pathway XoR GDLN and a ReLU network and compares them with the closed form.\n${helpText(FLAGS)}`;

export async function xorCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const v = parseFlags(argv, FLAGS);
  if (v.help) {
    log(xorHelp);
    return 0;
  }
  const backend = (v.backend as string | undefined) ?? XOR_DEFAULTS.backend;
  if (!['auto', 'js', 'cpu', 'cuda'].includes(backend)) throw invalidParameter("'auto', 'js', 'cpu' or 'cuda'", '--backend', backend);
  const config: XorConfig = {
    ...XOR_DEFAULTS,
    backend: backend as XorConfig['backend'],
    dtype: ((v.dtype as string | undefined) ?? XOR_DEFAULTS.dtype) as XorConfig['dtype'],
    lr: numberFlag(v, 'lr', XOR_DEFAULTS.lr),
    steps: numberFlag(v, 'steps', XOR_DEFAULTS.steps),
    a0: numberFlag(v, 'a0', XOR_DEFAULTS.a0),
    sigma0: numberFlag(v, 'sigma0', XOR_DEFAULTS.sigma0),
    reluHidden: numberFlag(v, 'relu-hidden', XOR_DEFAULTS.reluHidden),
    seed: numberFlag(v, 'seed', XOR_DEFAULTS.seed),
  };
  config.recordEvery = Math.max(1, Math.floor(config.steps / 200));
  const out = resolve((v.out as string | undefined) ?? 'results/xor');
  let lastPct = -1;
  const result = await runXor(config, (what, step, steps) => {
    const pct = Math.floor((100 * step) / steps);
    if (pct % 25 === 0 && pct !== lastPct) {
      lastPct = pct;
      process.stderr.write(`  ${what}: ${pct}%\n`);
    }
  });
  log(`XoR GDLN (4 pathways) vs closed form, backend ${result.backend} ${config.dtype}, lr ${config.lr} (t/τ = lr·step), a0 ${config.a0}`);
  log('   t/τ      theory   GDLN decoupled   GDLN random   ReLU net');
  const rows = 12;
  for (let r = 0; r <= rows; r++) {
    const k = Math.round((r * (result.tOverTau.length - 1)) / rows);
    const f = (x: number) => x.toExponential(3).padStart(12);
    log(`${result.tOverTau[k].toFixed(2).padStart(7)} ${f(result.theory[k])} ${f(result.gdlnDecoupled[k])}    ${f(result.gdlnRandom[k])} ${f(result.relu[k])}`);
  }
  log(`max |decoupled − theory| = ${result.maxGapDecoupled.toExponential(2)} (an O(lr) discretisation gap)`);
  const h = result.halfLossTime;
  const r = (x: number) => x.toFixed(2);
  log(`half-loss time t/τ: theory ${r(h.theory)}, decoupled ${r(h.gdlnDecoupled)}, random-init GDLN ${r(h.gdlnRandom)}, ReLU ${r(h.relu)}`);
  writeJsonAtomic(join(out, 'xor.json'), result);
  const svg = linePlotSvg(
    [
      { name: 'theory (eq. 23)', x: result.tOverTau, y: result.theory, dashed: true },
      { name: 'GDLN decoupled', x: result.tOverTau, y: result.gdlnDecoupled },
      { name: 'GDLN random init', x: result.tOverTau, y: result.gdlnRandom },
      { name: `ReLU net (${config.reluHidden})`, x: result.tOverTau, y: result.relu },
    ],
    { title: 'XoR: loss dynamics, GDLN vs closed form vs ReLU', xLabel: 't / τ', yLabel: 'loss' },
  );
  writeFileAtomic(join(out, 'xor-loss.svg'), svg);
  log(`wrote ${join(out, 'xor.json')} and ${join(out, 'xor-loss.svg')} (${result.seconds.toFixed(1)} s)`);
  return 0;
}
