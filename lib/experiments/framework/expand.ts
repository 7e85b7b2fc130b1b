/**
 * Expansion of a resolved config into runs (sweep point × seed), in a stable
 * order, with stable ids; sharding; and the statistics over seeds.
 */
import { createHash } from 'node:crypto';
import { GdlnError } from '../../errors.ts';
import type { ResolvedConfig } from './config.ts';
import { canonicalJson, setPath } from './schema.ts';

export interface RunSpec {
  /** Position in the stable ordering (points outermost, then seeds). */
  index: number;
  /** `p<point>-s<seed>-<hash>`: the hash is of the run's full params, so a changed sweep or --set never aliases. */
  id: string;
  pointIndex: number;
  point: Record<string, unknown>;
  seed: number;
  params: Record<string, unknown>;
}

export interface Shard {
  /** 0-based: this shard runs the runs whose index ≡ index (mod count). */
  index: number;
  count: number;
}

/** Sweep points: the cartesian product of the swept values, first path varying slowest. */
export function sweepPoints(sweep: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [path, values] of Object.entries(sweep)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points;
}

export function paramsHash(params: unknown): string {
  return createHash('sha256').update(canonicalJson(params)).digest('hex').slice(0, 8);
}

/** All runs of a config, in their stable order. */
export function expandRuns(config: ResolvedConfig): RunSpec[] {
  const runs: RunSpec[] = [];
  sweepPoints(config.sweep).forEach((point, pointIndex) => {
    let params = config.params;
    for (const [path, value] of Object.entries(point)) params = setPath(params, path, value);
    const hash = paramsHash(params);
    for (const seed of config.seeds) {
      runs.push({ index: runs.length, id: `p${pointIndex}-s${seed}-${hash}`, pointIndex, point, seed, params });
    }
  });
  return runs;
}

/**
 * `--shard i/n`, 0-based: 0 <= i < n.
 * @throws GdlnError GDLN_INVALID_ARGUMENT naming --shard
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `--shard: expected i/n with 0 <= i < n (0-based, e.g. 0/2 and 1/2) but received ${JSON.stringify(text)}`, { flag: 'shard' });
  }
  return { index, count };
}

export function selectShard<T extends { index: number }>(runs: T[], shard: Shard | undefined): T[] {
  return shard ? runs.filter((r) => r.index % shard.count === shard.index) : runs;
}

export interface MeanSe {
  mean: number;
  /** Standard error sd/√n with the n−1 sd; 0 when n = 1. */
  se: number;
  n: number;
}

/** Mean and standard error over the finite values (n counts them). */
export function meanSe(values: number[]): MeanSe {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, se: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, se: 0, n };
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n), n };
}
