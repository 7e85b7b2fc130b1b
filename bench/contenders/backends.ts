/**
 * Loads lib/backends lazily so that the bench still runs (and says why) while
 * the native addon or its loader is missing. Everything goes through the
 * public registry (`getBackend`); `buildInfo()` is read from the addon only to
 * describe the machine.
 */
import type { Backend, BackendName } from '../../lib/engine/kernels.ts';
import type { NativeBuildInfo } from '../../lib/backends/native/binding.ts';

type Registry = { getBackend(choice: BackendName): Backend };

let registry: Promise<Registry | Error> | null = null;

function errorOf(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function loadRegistry(): Promise<Registry | Error> {
  registry ??= import('../../lib/backends/index.ts').then((m) => m as Registry, errorOf);
  return registry;
}

/** getBackend(name), or the error that explains why it is not available. */
export async function backendOrError(name: BackendName): Promise<Backend | Error> {
  const r = await loadRegistry();
  if (r instanceof Error) {
    if (name !== 'js') return new Error(`lib/backends/index.ts failed to load: ${r.message}`);
    // The registry itself is broken (e.g. the native loader is mid-edit): the js
    // reference does not depend on it, so take it directly rather than lose the row.
    const js = await import('../../lib/backends/js/jsBackend.ts');
    console.error(`[bench] note: lib/backends/index.ts failed to load (${r.message.split('\n')[0]}); using createJsBackend() directly`);
    return js.createJsBackend();
  }
  try {
    return r.getBackend(name);
  } catch (e) {
    return errorOf(e);
  }
}

/** The native addon's buildInfo() (gemm backend, threads), or why it is not available. */
export async function nativeBuildInfo(): Promise<{ info: NativeBuildInfo; path: string } | { error: string }> {
  try {
    const loader = (await import('../../lib/backends/native/loader.ts')) as {
      loadNative(): { binding: { buildInfo(): NativeBuildInfo }; path: string } | { error: Error };
    };
    const native = loader.loadNative();
    if ('error' in native) return { error: native.error.message };
    return { info: native.binding.buildInfo(), path: native.path };
  } catch (e) {
    return { error: errorOf(e).message.split('\n')[0] };
  }
}
