/**
 * Explicit backend registration (no import side effects): `js` always exists;
 * `cpu` and `cuda` exist when the native addon loads (and, for cuda, when it was
 * built with CUDA and sees a device).
 */
import { GdlnError } from '../errors.ts';
import type { Backend, BackendName } from '../engine/kernels.ts';
import { createJsBackend } from './js/jsBackend.ts';
import { loadNative } from './native/loader.ts';
import { createNativeBackend } from './native/nativeBackend.ts';

export type BackendChoice = 'auto' | BackendName;

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, or what it runs on. */
  detail: string;
}

const cache = new Map<BackendName, Backend>();

/** Which backends this install has, and why any is missing. */
export function backendStatus(): BackendStatus[] {
  const native = loadNative();
  const out: BackendStatus[] = [{ name: 'js', available: true, detail: 'float64 TypeScript reference' }];
  if ('error' in native) {
    out.push({ name: 'cpu', available: false, detail: native.error.message });
    out.push({ name: 'cuda', available: false, detail: 'the native addon is not available' });
    return out;
  }
  const info = native.binding.buildInfo();
  out.push({ name: 'cpu', available: true, detail: `native C++ (${info.blas} GEMM, ${info.defaultThreads} threads) from ${native.path}` });
  if (!info.cudaBuilt) out.push({ name: 'cuda', available: false, detail: 'addon built without CUDA (rebuild with `npm run build:native -- --CDGDLN_CUDA=ON`)' });
  else if (info.cudaDevices === 0) out.push({ name: 'cuda', available: false, detail: `CUDA build present but no device: ${info.cudaStatus}` });
  else out.push({ name: 'cuda', available: true, detail: info.cudaStatus });
  return out;
}

/**
 * @param choice 'auto' = cuda if built and a device is present, else cpu, else js.
 * @throws GdlnError GDLN_NATIVE_UNAVAILABLE / GDLN_NO_CUDA_BUILD / GDLN_NO_CUDA_DEVICE /
 *   GDLN_INVALID_ARGUMENT for an unknown name
 */
export function getBackend(choice: BackendChoice = 'auto'): Backend {
  if (choice === 'auto') {
    const status = backendStatus();
    const pick = (['cuda', 'cpu', 'js'] as const).find((n) => status.find((s) => s.name === n)?.available);
    return getBackend(pick ?? 'js');
  }
  const hit = cache.get(choice);
  if (hit) return hit;
  let backend: Backend;
  if (choice === 'js') backend = createJsBackend();
  else if (choice === 'cpu' || choice === 'cuda') {
    const native = loadNative();
    if ('error' in native) throw native.error;
    if (choice === 'cuda') {
      const info = native.binding.buildInfo();
      if (!info.cudaBuilt) throw new GdlnError('GDLN_NO_CUDA_BUILD', 'Backend "cuda" was requested but the addon was built without CUDA; rebuild with `npm run build:native -- --CDGDLN_CUDA=ON` on a machine with nvcc');
      if (info.cudaDevices === 0) throw new GdlnError('GDLN_NO_CUDA_DEVICE', `Backend "cuda" was requested but no CUDA device is usable: ${info.cudaStatus}`);
    }
    backend = createNativeBackend(choice);
  } else {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `Expected a backend of 'auto', 'js', 'cpu' or 'cuda' for backend but received ${JSON.stringify(choice)}`, { name: 'backend' });
  }
  cache.set(choice, backend);
  return backend;
}
