/**
 * Finds and loads the compiled addon. Never throws: `loadNative()` returns either
 * the binding and the path it came from, or a GDLN_NATIVE_UNAVAILABLE error that
 * lists every path tried, why each failed, and how to fix it. The result is
 * cached, so the file system is searched at most once per process (per worker).
 *
 * Where it looks, in order:
 *  - `GDLN_ADDON_PATH` when set: that file only (an explicit choice that fails
 *    should say so, not quietly fall back to some other build);
 *  - otherwise `<package root>/build/Release/gdln.node`, then `build/Debug/gdln.node`.
 * The package root is found from this file's location (the nearest package.json
 * named "gdln"), never from `process.cwd()`, so it works from any directory and
 * from both `lib/` (tsx) and a compiled `dist/lib/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GdlnError } from '../../errors.ts';
import type { NativeBinding } from './binding.ts';

export type NativeLoadResult = { binding: NativeBinding; path: string } | { error: GdlnError };

export interface NativeLoadAttempt {
  path: string;
  reason: string;
}

const EXPORTS: (keyof NativeBinding)[] = ['buildInfo', 'setThreads', 'forward', 'lossAndGradient', 'train'];

const FIXES = [
  'run `npm run build:native` (needs cmake and a C++17 compiler) or `npm run build:native:cpu` for a CPU-only build',
  'or run `npm run build:native:gyp` (needs python3, make and a C++17 compiler, no cmake)',
  'or set GDLN_ADDON_PATH to an existing gdln.node',
  'or use backend: "js" (the TypeScript reference, no native code)',
];

let cached: NativeLoadResult | undefined;

/** The addon, or why it is unavailable. Cached after the first call. */
export function loadNative(): NativeLoadResult {
  cached ??= tryLoad();
  return cached;
}

function tryLoad(): NativeLoadResult {
  const attempts: NativeLoadAttempt[] = [];
  let root: string | null = null;
  try {
    root = packageRoot();
  } catch (err) {
    attempts.push({ path: '(package root)', reason: `could not locate gdln's package.json: ${messageOf(err)}` });
  }
  for (const path of candidatePaths(root)) {
    const loaded = tryPath(path);
    if ('binding' in loaded) return { binding: loaded.binding, path };
    attempts.push({ path, reason: loaded.reason });
  }
  return { error: unavailable(attempts) };
}

function candidatePaths(root: string | null): string[] {
  const override = process.env.GDLN_ADDON_PATH;
  if (override !== undefined && override !== '') return [resolve(override)];
  if (root === null) return [];
  return [join(root, 'build', 'Release', 'gdln.node'), join(root, 'build', 'Debug', 'gdln.node')];
}

function tryPath(path: string): { binding: NativeBinding } | { reason: string } {
  if (!existsSync(path)) return { reason: 'file not found' };
  let mod: unknown;
  try {
    // createRequire: `.node` files cannot be imported as ES modules.
    mod = createRequire(import.meta.url)(path);
  } catch (err) {
    return { reason: `failed to load: ${messageOf(err)}` };
  }
  const missing = EXPORTS.filter((name) => typeof (mod as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) return { reason: `loaded, but does not export ${missing.join(', ')} (a stale or foreign build?)` };
  return { binding: mod as NativeBinding };
}

/** Walks up from this file to the package.json whose name is "gdln". */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'gdln') return dir;
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "gdln" above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function unavailable(attempts: NativeLoadAttempt[]): GdlnError {
  const tried = attempts.map((a) => `  - ${a.path}: ${a.reason}`).join('\n');
  const fixes = FIXES.map((f) => `  - ${f}`).join('\n');
  return new GdlnError(
    'GDLN_NATIVE_UNAVAILABLE',
    `The gdln native addon is not available.\nTried:\n${tried || '  (no candidate paths)'}\nPossible fixes:\n${fixes}`,
    { attempts, fixes: FIXES },
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}
