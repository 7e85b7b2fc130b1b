/**
 * The `gdln` command line. Every failure prints a one-line typed error
 * (code + message) and exits non-zero; nothing is left half-written.
 */
import { GdlnError } from '../errors.ts';
import { doctorCommand } from './commands/doctor.ts';
import { xorCommand, xorHelp } from './commands/xor.ts';
import { pathwaysCommand } from './commands/pathways.ts';

const USAGE = `usage: gdln <command> [options]       (gdln <command> --help for its options)

commands:
  run       run an experiment (config file or built-in name): sweeps × seeds, parallel, resumable
  sweep     a sweep here (as run) or on Slurm (--slurm: one job array); sweep status | resubmit <dir>
  list      the built-in experiments, with their paper figures and parameters
  merge     join results folders of one config (e.g. shards) and rebuild results and report
  report    (re)write report.html for a results folder
  bench     the kernel benchmark table: gdln against the tuned PyTorch/NumPy peers
  xor       train the XoR GDLN and a ReLU network; compare with the closed form (writes JSON + SVG)
  pathways  parallel deep pathways: fig3 | fig5 | fig6 | fig7 | fig8 (writes JSON + SVG)
  doctor    show which backends this install has and why any is missing

${xorHelp}`;

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Imported on demand: each command loads only what it needs.
      case 'run':
        return await (await import('./commands/run.ts')).runCommand(rest, log);
      case 'sweep':
        return await (await import('./commands/sweep.ts')).sweepCommand(rest, log);
      case 'list':
        return (await import('./commands/list.ts')).listCommand(rest, log);
      case 'merge':
        return await (await import('./commands/merge.ts')).mergeCommand(rest, log);
      case 'bench':
        return await (await import('./commands/bench.ts')).benchCommand(rest, log);
      case 'report':
        return await (await import('./commands/report.ts')).reportCommand(rest, log);
      case 'xor':
        return await xorCommand(rest, log);
      case 'pathways':
        return await pathwaysCommand(rest, log);
      case 'doctor':
        return doctorCommand(rest, log);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new GdlnError('GDLN_INVALID_ARGUMENT', `Unknown command ${JSON.stringify(command)}; run \`gdln help\``);
    }
  } catch (err) {
    if (err instanceof GdlnError) {
      console.error(`gdln: ${err.code}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
