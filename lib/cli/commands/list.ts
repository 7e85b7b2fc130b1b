/** `gdln list`: the built-in experiments, with their paper figure and parameters. */
import { GdlnError } from '../../errors.ts';
import { BUILTIN_EXPERIMENTS } from '../../experiments/builtins/index.ts';
import { parseCommand, commandHelp, type CommandFlags } from './sweep.ts';

const FLAGS: CommandFlags = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const listHelp = `gdln list\n  The built-in experiments: name, paper figure, description and parameters.\n  Run one with \`gdln run <name>\`.\n${commandHelp(FLAGS)}`;

export function listCommand(argv: string[], log: (line: string) => void): number {
  const { values, positionals } = parseCommand(argv, FLAGS);
  if (values.help) {
    log(listHelp);
    return 0;
  }
  if (positionals.length > 0) throw new GdlnError('GDLN_INVALID_ARGUMENT', `gdln list: unexpected argument ${JSON.stringify(positionals[0])}`);
  if (BUILTIN_EXPERIMENTS.length === 0) {
    log('no built-in experiments are registered');
    return 0;
  }
  for (const e of BUILTIN_EXPERIMENTS) {
    log(`${e.name}  —  ${e.paper}`);
    log(`    ${e.description.split('\n')[0]}`);
    log(`    parameters: ${e.parameters}`);
  }
  log(`\n${BUILTIN_EXPERIMENTS.length} experiments; run one with \`gdln run <name> [--seeds n] [--sweep path=v1,v2] [--out DIR]\``);
  return 0;
}
