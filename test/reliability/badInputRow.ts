/**
 * The bad-input table's row type and the helpers rows share. A table module is
 * any `test/reliability/*.table.ts` file exporting `rows: BadInputRow[]`
 * (bad-input.test.ts finds them all; see tables.ts), so other modules (IDX /
 * CIFAR / .npy loaders, experiment configs) append rows by adding a file.
 *
 * A row runs `act()` in-process and expects it to throw (or reject with) a
 * GdlnError of `expect.code` whose message or details mention every string of
 * `expect.mentions` (the culprit's name: a node, an edge, an option, a flag).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ErrorCode } from '../../lib/errors.ts';
import { GdlnError } from '../../lib/errors.ts';
import { main } from '../../lib/cli/gdln.ts';

export interface BadInputRow {
  /** Stable, unique across all tables (e.g. 'graph.cycle'). */
  id: string;
  /** 'graph' | 'dataset' | 'train-options' | 'weights' | 'reduction' | 'cli' | 'native' | … */
  area: string;
  description: string;
  act: () => unknown | Promise<unknown>;
  expect: {
    code: ErrorCode;
    /** Substrings that message + JSON(details) must contain (the culprit's name). */
    mentions: string[];
  };
  /** Extra checks on the error (e.g. no temp file left, a partial trajectory). */
  after?: (err: GdlnError) => void | Promise<void>;
  /** Skip the row unless this backend is available (its absence is printed as the reason). */
  needs?: 'cpu' | 'cuda';
  /** A string instead of false skips the row with that reason. */
  skip?: () => false | string;
  /**
   * A known library bug: the row runs and is reported as a node:test TODO
   * (visible, not failing). The coordinator removes this once fixed.
   */
  knownBug?: string;
}

export interface BadInputTable {
  /** Module name, for the test titles. */
  name: string;
  rows: BadInputRow[];
}

/** What `gdln` printed on stderr and returned, for CLI rows. */
export interface CliOutcome {
  exitCode: number;
  stderr: string[];
  stdout: string[];
}

/** Runs the CLI's `main(argv)` in-process with console.error captured. */
export async function runCli(argv: string[]): Promise<CliOutcome> {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const original = console.error;
  const originalWrite = process.stderr.write;
  console.error = (...a: unknown[]) => void stderr.push(a.map(String).join(' '));
  // Commands also write progress straight to process.stderr; keep the test output clean.
  process.stderr.write = ((chunk: unknown) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const exitCode = await main(argv, (l) => void stdout.push(l));
    return { exitCode, stderr, stdout };
  } finally {
    console.error = original;
    process.stderr.write = originalWrite;
  }
}

/**
 * Runs the CLI and turns its one-line typed error (`gdln: GDLN_X: message`, exit 2)
 * back into a GdlnError, so CLI rows are checked like API rows. A zero exit or an
 * error line without a code is returned / thrown as is (the row then fails).
 */
export async function cliError(argv: string[]): Promise<CliOutcome> {
  const out = await runCli(argv);
  const text = out.stderr.join('\n');
  const m = /gdln: (GDLN_[A-Z_]+): ([\s\S]*)/.exec(text);
  if (m) {
    if (out.exitCode !== 2) throw new Error(`gdln printed ${m[1]} but exited ${out.exitCode} (expected 2)`);
    throw new GdlnError(m[1] as ErrorCode, m[2], { exitCode: out.exitCode });
  }
  return out;
}

export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Runs `script` (an ES module body importing from './lib/index.ts') in a child
 * Node with `env`, expecting it to print one JSON line: either {ok: value} or
 * {error: {code, message, details}} which is rethrown here as a GdlnError. Used
 * for what cannot be simulated in-process (a missing native build).
 */
export function inChild(script: string, env: Record<string, string>): unknown {
  const wrapped = `
${script}
try { const value = await run(); console.log(JSON.stringify({ ok: value ?? null })); }
catch (e) { console.log(JSON.stringify({ error: { code: e?.code ?? null, name: e?.constructor?.name, message: String(e?.message), details: e?.details ?? {} } })); }
`;
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', wrapped], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = JSON.parse(stdout.trim().split('\n').pop() as string) as { ok?: unknown; error?: { code: string | null; name: string; message: string; details: Record<string, unknown> } };
  if (last.error) {
    if (last.error.code === null) throw new Error(`child threw ${last.error.name}: ${last.error.message}`);
    throw new GdlnError(last.error.code as ErrorCode, last.error.message, last.error.details);
  }
  return last.ok;
}

export function describeError(err: unknown): string {
  if (err instanceof GdlnError) return `${err.code}: ${err.message.split('\n')[0]}`;
  return `${(err as Error)?.constructor?.name ?? typeof err}: ${String((err as Error)?.message ?? err)}`;
}

/** Runs one row; throws an AssertionError saying what differed. */
export async function checkRow(row: BadInputRow): Promise<void> {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    await row.act();
  } catch (err) {
    threw = true;
    thrown = err;
  }
  assert.ok(threw, `${row.id}: expected ${row.expect.code} but the call succeeded`);
  assert.ok(thrown instanceof GdlnError, `${row.id}: expected a GdlnError ${row.expect.code} but got ${describeError(thrown)}`);
  assert.equal(thrown.code, row.expect.code, `${row.id}: wrong code (${describeError(thrown)})`);
  let details = '';
  try {
    details = JSON.stringify(thrown.details);
  } catch {
    details = String(thrown.details);
  }
  const text = `${thrown.message}\n${details}`;
  for (const m of row.expect.mentions) assert.ok(text.includes(m), `${row.id}: the error does not mention ${JSON.stringify(m)}: ${describeError(thrown)}`);
  await row.after?.(thrown);
}

