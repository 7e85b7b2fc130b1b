/**
 * Strict argument parsing on node:util parseArgs: unknown flags and malformed
 * numbers are errors that name the flag, never silently ignored.
 */
import { parseArgs } from 'node:util';
import { GdlnError } from '../errors.ts';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; help: string }>;

export function parseFlags(argv: string[], spec: FlagSpec): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, v.short ? { type: v.type, short: v.short } : { type: v.type }])),
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', (err as Error).message);
  }
}

export function numberFlag(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `Expected a number for --${name} but received ${JSON.stringify(raw)}`, { flag: name });
  }
  return n;
}

export function helpText(spec: FlagSpec): string {
  return Object.entries(spec)
    .map(([k, v]) => `  --${k}${v.type === 'string' ? ' <value>' : ''}`.padEnd(28) + v.help)
    .join('\n');
}
