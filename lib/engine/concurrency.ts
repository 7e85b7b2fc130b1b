/**
 * The size of gdln's own native compute pool (kept out of libuv's pool, so the
 * app's fs / zlib / dns stay responsive while training runs).
 */
import { invalidParameter } from '../errors.ts';
import { loadNative } from '../backends/native/loader.ts';

let current: number | null = null;

/**
 * Gets or sets the number of native compute threads.
 * @param threads a positive integer, or 0 for one per hardware thread; omit to read
 * @returns the pool size now in effect (1 when the native addon is unavailable: js runs on the JS thread)
 * @throws GdlnError GDLN_INVALID_ARGUMENT for a bad count
 * @example concurrency(1) // deterministic single-threaded timing
 */
export function concurrency(threads?: number): number {
  const native = loadNative();
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0 || threads > 4096)) {
    throw invalidParameter('an integer in [0, 4096] (0 = one per hardware thread)', 'threads', threads);
  }
  if ('error' in native) return 1;
  if (threads !== undefined) current = native.binding.setThreads(threads);
  return current ?? native.binding.buildInfo().defaultThreads;
}
