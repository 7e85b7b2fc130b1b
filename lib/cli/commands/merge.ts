/** `gdln merge <dir…> --out <dir>`: joins shard folders of one config and rebuilds results + report. */
import { GdlnError } from '../../errors.ts';
import { mergeResults } from '../../experiments/framework/merge.ts';
import { readFolderConfig } from '../../experiments/framework/runner.ts';
import { reportSummary } from './run.ts';
import { commandHelp, parseCommand, type CommandFlags } from './sweep.ts';

const FLAGS: CommandFlags = {
  out: { type: 'string', help: 'merged results folder (new, empty, or one of the inputs; default: the input when there is one)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const mergeHelp = `gdln merge <results-dir>... [--out <dir>]
  Joins the finished runs of several folders run with the same config (e.g. shards
  0/2 and 1/2), checking their config.json match, and rewrites results.json,
  summary.csv, the plots and report.html.
${commandHelp(FLAGS)}`;

export async function mergeCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const { values, positionals } = parseCommand(argv, FLAGS);
  if (values.help) {
    log(mergeHelp);
    return 0;
  }
  if (positionals.length === 0) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'gdln merge: expected at least one results folder', {});
  // One folder (e.g. the shared folder of a Slurm sweep) is merged in place.
  const out = typeof values.out === 'string' ? values.out : positionals.length === 1 ? positionals[0] : undefined;
  if (out === undefined) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'gdln merge: --out <dir> is required when merging several folders', { flag: 'out' });
  const s = await mergeResults(positionals, out);
  log(`merged ${s.sources.length} folder(s) into ${s.out}: ${s.copied.length} run(s) copied, ${s.done} of ${s.total} finished`);
  return reportSummary(s, Object.keys(readFolderConfig(s.out)?.config.sweep ?? {}), log);
}
