/** `gdln doctor`: which backends this install has, and why any is missing. */
import { backendStatus } from '../../backends/index.ts';
import { loadNative } from '../../backends/native/loader.ts';

export function doctorCommand(_argv: string[], log: (line: string) => void): number {
  log(`gdln doctor — node ${process.version} on ${process.platform}-${process.arch}`);
  for (const s of backendStatus()) log(`${s.available ? '✓' : '✗'} ${s.name.padEnd(5)} ${s.detail}`);
  const native = loadNative();
  if ('binding' in native) {
    const info = native.binding.buildInfo();
    log(`  addon ${info.version}: GEMM ${info.blas}, ${info.defaultThreads} compute threads, CUDA ${info.cudaBuilt ? `built (${info.cudaStatus})` : 'not built'}`);
  }
  return 0;
}
