/**
 * Command-line pieces shared by `gdln run` and `gdln merge`: strict flag parsing
 * with repeatable flags and positionals, and the config overrides
 * (--set, --seeds, --sweep, --backend, --dtype, --workers).
 */
import { parseArgs } from 'node:util';
import { GdlnError } from '../../errors.ts';
import { parseSeedsFlag, parseSetFlag, parseSweepFlag, type ConfigOverrides } from '../../experiments/framework/config.ts';
import type { BackendChoice } from '../../backends/index.ts';
import type { DType } from '../../engine/kernels.ts';

export type CommandFlags = Record<string, { type: 'string' | 'boolean'; short?: string; help: string; multiple?: boolean }>;

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Strict parsing: unknown flags and missing values are GDLN_INVALID_ARGUMENT errors naming the flag. */
export function parseCommand(argv: string[], spec: CommandFlags): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(spec).map(([k, v]) => [k, { type: v.type, ...(v.short ? { short: v.short } : {}), ...(v.multiple ? { multiple: true } : {}) }]),
      ),
      strict: true,
      allowPositionals: true,
    });
    return { values: values as ParsedCommand['values'], positionals };
  } catch (err) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', (err as Error).message);
  }
}

export function commandHelp(spec: CommandFlags): string {
  return Object.entries(spec)
    .map(([k, v]) => `  --${k}${v.type === 'string' ? ' <value>' : ''}${v.short ? `, -${v.short}` : ''}`.padEnd(30) + v.help + (v.multiple ? ' (repeatable)' : ''))
    .join('\n');
}

export const OVERRIDE_FLAGS: CommandFlags = {
  set: { type: 'string', multiple: true, help: 'override a parameter: path=value (JSON when it parses, else a string)' },
  seeds: { type: 'string', help: 'seeds: a count (5 → 0..4) or a list (0,1,2; 7, for seed 7 alone)' },
  sweep: { type: 'string', multiple: true, help: 'sweep a parameter: path=v1,v2,... (grid = cartesian product)' },
  backend: { type: 'string', help: 'auto | js | cpu | cuda (default auto)' },
  dtype: { type: 'string', help: 'float64 | float32 (default float64)' },
  workers: { type: 'string', help: 'parallel runs (default min(runs, cores))' },
};

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [String(v)];
}

/** Config overrides from the parsed flags (their values are validated with the config). */
export function overridesFromFlags(values: ParsedCommand['values']): ConfigOverrides {
  const o: ConfigOverrides = {};
  const set = list(values.set).map(parseSetFlag);
  if (set.length) o.set = set;
  const sweep = list(values.sweep).map(parseSweepFlag);
  if (sweep.length) o.sweep = sweep;
  if (typeof values.seeds === 'string') o.seeds = parseSeedsFlag(values.seeds);
  if (typeof values.backend === 'string') o.backend = values.backend as BackendChoice;
  if (typeof values.dtype === 'string') o.dtype = values.dtype as DType;
  if (typeof values.workers === 'string') {
    const n = Number(values.workers);
    if (!/^\d+$/.test(values.workers.trim()) || n < 1) {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `--workers: expected an integer >= 1 but received ${JSON.stringify(values.workers)}`, { flag: 'workers' });
    }
    o.workers = n;
  }
  return o;
}

/** A command line as one shell-pasteable string. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
