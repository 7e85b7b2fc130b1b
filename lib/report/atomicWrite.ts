/**
 * Result files are written atomically: to a temporary file in the same folder,
 * flushed, then renamed over the target, so a crash or a full disk never
 * leaves a half-written result behind (rename within a filesystem is atomic).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GdlnError } from '../errors.ts';

export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof contents === 'string' ? Buffer.from(contents) : contents);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    // Best effort: when the folder cannot exist (its path runs through a regular
    // file) rmSync itself throws ENOTDIR; the error worth reporting is the first.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written there
    }
    throw new GdlnError('GDLN_IO', `Could not write ${path}: ${(err as Error).message}`, { path });
  }
}

/** JSON with typed arrays written as plain arrays. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const json = JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), 2);
  writeFileAtomic(path, json + '\n');
}
