/** What the results JSON records about the machine and the build. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { nativeBuildInfo } from './contenders/backends.ts';

export interface MachineInfo {
  cpuModel: string;
  /** "family 26 model 2", from /proc/cpuinfo (the model name is generic in some VMs). */
  cpuFamilyModel: string | null;
  simd: string[];
  logicalCores: number;
  availableParallelism: number;
  memoryGiB: number;
  loadAverage1m: number;
  os: string;
  node: string;
  v8: string;
  /** The addon's buildInfo().blas, or "unavailable". */
  gemm: string;
  /** Why the addon did not load (the loader's full message), or null. */
  nativeError: string | null;
  nativeThreads: number | null;
  nativeVersion: string | null;
  nativeAddon: string | null;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

function cpuinfo(): { model: string; familyModel: string | null; simd: string[] } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
    const flags = new Set((field('flags') ?? '').split(/\s+/));
    const simd = ['avx2', 'fma', 'avx512f', 'avx512vl', 'avx512bw', 'avx512_bf16', 'amx_tile'].filter((f) => flags.has(f));
    const family = field('cpu family');
    const model = field('model');
    return { model: field('model name') ?? os.cpus()[0]?.model ?? 'unknown', familyModel: family ? `family ${family} model ${model}` : null, simd };
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown', familyModel: null, simd: [] };
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpu = cpuinfo();
  const native = await nativeBuildInfo();
  const status = git(['status', '--porcelain']);
  return {
    cpuModel: cpu.model,
    cpuFamilyModel: cpu.familyModel,
    simd: cpu.simd,
    logicalCores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    gemm: 'info' in native ? native.info.blas : 'unavailable',
    nativeError: 'info' in native ? null : native.error,
    nativeThreads: 'info' in native ? native.info.defaultThreads : null,
    nativeVersion: 'info' in native ? native.info.version : null,
    nativeAddon: 'info' in native ? native.path : null,
    // `git rev-parse HEAD` fails before the first commit: recorded as null.
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
  };
}
