/**
 * Algorithm 1 of the ReLN paper (App. B), first half: train many small ReLU
 * networks and record the binary gating pattern of every hidden neuron.
 *
 * `recordReluGating(options)` trains `runs` independent fully-connected ReLU
 * networks x → relu(W_1 x) [→ relu(W_2 h)] → W_out h (no biases, App. H) by
 * full-batch gradient descent on L = 1/(2N) Σ_i ||y_i − ŷ_i||², all in ONE
 * native call (backend 'cpu': parallel over runs, off the JS thread), and
 * records at every epoch of `recordEpochs` (epoch e = after e updates) the loss
 * and the bits step(a > 0) of each hidden neuron over the N samples. The bits
 * stay native (a {@link GatingRecord} handle); `record.rows()` copies them to
 * JS only on request, and `kmeansBinary(record, …)` clusters them in place.
 *
 * Initial weights: N(0, initStd²) per weight, drawn in TypeScript from
 * `seeds[r]` (default `seed + r`) for run r with lib/init/rng.ts (layers in
 * order, row-major [out, in]), or given exactly as `initWeights`. Both
 * backends start from the same numbers.
 *
 * Backends: 'cpu' (native, float64 or float32) and 'js' (lib/reln/reference.ts,
 * float64 only; the definition the native kernel is tested against).
 * Abort: `signal` → the promise rejects with a GdlnAbortError (code
 * GDLN_ABORTED); `onProgress` never runs after the promise settles.
 */
import { GdlnAbortError, GdlnError, fromNative, invalidParameter } from '../errors.ts';
import { Rng } from '../init/rng.ts';
import type { NativeBinding, NativeGatingRecord, NativeRecordHandle } from '../backends/native/binding.ts';
import { loadNative } from '../backends/native/loader.ts';
import { emptyReluRunsOutput, layerShapes, paramsPerRun, reluRunReference, type ReluRunsInput } from './reference.ts';

export type RelnBackend = 'cpu' | 'js';

export interface RecordReluGatingOptions {
  /** [N, d] as rows, or flat row-major with `nSamples`. */
  inputs: number[][] | Float64Array;
  /** [N, o] as rows, or flat row-major with `nSamples`. */
  targets: number[][] | Float64Array;
  /** Needed when inputs/targets are flat. */
  nSamples?: number;
  /** One hidden layer width, or two. */
  hidden: number | [number] | [number, number];
  runs?: number;
  epochs: number;
  lr: number;
  momentum?: number;
  /** Std of the N(0, σ²) initial weights (ReLN App. H: 1e-7). */
  initStd?: number;
  seed?: number;
  seeds?: number[];
  /** Exact initial weights [runs, params] (overrides initStd/seeds). */
  initWeights?: Float64Array;
  /** Epochs (= updates done) to record at; sorted and de-duplicated here. */
  recordEpochs: number[];
  recordOutputs?: boolean;
  returnWeights?: boolean;
  backend?: RelnBackend;
  dtype?: 'float64' | 'float32';
  /** Native compute threads (0 = hardware concurrency). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (p: { runsDone: number; epochsDone: number; totalEpochs: number }) => void;
  /** Progress events per call (about). Default 100. */
  progressEvents?: number;
}

export interface GatingSummary {
  backend: RelnBackend;
  dtype: 'float64' | 'float32';
  runs: number;
  snapshots: number;
  /** samples = bits per row */
  n: number;
  hidden: number[];
  recordEpochs: number[];
  /** rows = runs × snapshots × Σ hidden */
  rows: number;
  /** [runs, snapshots] */
  loss: Float64Array;
  /** [runs] the loss after `epochs` updates */
  finalLoss: Float64Array;
  /** [runs, snapshots, layers] fraction of active (neuron, sample) pairs */
  activeFraction: Float64Array;
}

/** Which rows: run, snapshot and layer indices (default all), in (run, snapshot, layer, neuron) order. */
export interface GatingFilter {
  runs?: number[];
  snapshots?: number[];
  layers?: number[];
}

/** The recorded gating patterns. Native ones hold native memory until dispose() (or GC). */
export class GatingRecord {
  readonly summary: GatingSummary;
  /** [runs, snapshots, n, o] when recordOutputs */
  readonly outputs: Float64Array | null;
  /** [runs, params] final weights when returnWeights */
  readonly weights: Float64Array | null;
  /** @internal */
  readonly native: { binding: NativeBinding; handle: NativeRecordHandle } | null;
  /** @internal js backend: [rows, n] of 0/1 */
  readonly jsBits: Uint8Array | null;
  private disposed = false;

  /** @internal */
  constructor(summary: GatingSummary, outputs: Float64Array | null, weights: Float64Array | null,
    native: { binding: NativeBinding; handle: NativeRecordHandle } | null, jsBits: Uint8Array | null) {
    this.summary = summary;
    this.outputs = outputs;
    this.weights = weights;
    this.native = native;
    this.jsBits = jsBits;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal throws GDLN_DISPOSED */
  assertLive(): void {
    if (this.disposed) throw new GdlnError('GDLN_DISPOSED', 'This GatingRecord was disposed');
  }

  /** @internal validated index lists (null = all) */
  selection(filter: GatingFilter = {}): { runs: Int32Array | null; snapshots: Int32Array | null; layers: Int32Array | null } {
    const s = this.summary;
    const pick = (list: number[] | undefined, count: number, name: string) => {
      if (list === undefined) return null;
      if (!Array.isArray(list)) throw invalidParameter('an array of indices', `filter.${name}`, list);
      for (const i of list) {
        if (!Number.isInteger(i) || i < 0 || i >= count) throw invalidParameter(`indices in [0, ${count})`, `filter.${name}`, i);
      }
      return Int32Array.from(list);
    };
    return {
      runs: pick(filter.runs, s.runs, 'runs'),
      snapshots: pick(filter.snapshots, s.snapshots, 'snapshots'),
      layers: pick(filter.layers, s.hidden.length, 'layers'),
    };
  }

  /** The selected rows as 0/1 bytes, row-major [rows, n] (a copy). */
  rows(filter: GatingFilter = {}): Uint8Array {
    this.assertLive();
    const sel = this.selection(filter);
    if (this.native) {
      try {
        return this.native.binding.recordRows(this.native.handle, sel);
      } catch (err) {
        throw fromNative(err, 'GatingRecord.rows');
      }
    }
    const s = this.summary;
    const H = s.hidden.reduce((a, b) => a + b, 0);
    const all = (c: number) => Int32Array.from({ length: c }, (_, i) => i);
    const runs = sel.runs ?? all(s.runs);
    const snaps = sel.snapshots ?? all(s.snapshots);
    const layers = sel.layers ?? all(s.hidden.length);
    const parts: Uint8Array[] = [];
    for (const r of runs) {
      for (const t of snaps) {
        for (const l of layers) {
          const offset = s.hidden.slice(0, l).reduce((a, b) => a + b, 0);
          const first = ((r * s.snapshots + t) * H + offset) * s.n;
          parts.push((this.jsBits as Uint8Array).subarray(first, first + s.hidden[l] * s.n));
        }
      }
    }
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Frees the native memory now. Idempotent; later use throws GDLN_DISPOSED. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.native) this.native.binding.recordDispose(this.native.handle);
  }
}

function toFlat(value: number[][] | Float64Array, name: string, nSamples: number | undefined): { data: Float64Array; n: number; cols: number } {
  if (value instanceof Float64Array) {
    if (!Number.isInteger(nSamples) || (nSamples as number) < 1) {
      throw invalidParameter('an integer nSamples ≥ 1 (needed with flat arrays)', 'nSamples', nSamples);
    }
    const n = nSamples as number;
    if (value.length % n !== 0 || value.length === 0) {
      throw invalidParameter(`a multiple of nSamples = ${n} values`, name, value, 'GDLN_SHAPE_MISMATCH');
    }
    return { data: value, n, cols: value.length / n };
  }
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) throw invalidParameter('a non-empty array of rows or a Float64Array', name, value);
  const cols = value[0].length;
  const data = new Float64Array(value.length * cols);
  value.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) throw invalidParameter(`rows of length ${cols}`, `${name}[${i}]`, row, 'GDLN_SHAPE_MISMATCH');
    data.set(row, i * cols);
  });
  return { data, n: value.length, cols };
}

function checkFinite(data: Float64Array, name: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw invalidParameter('finite numbers', `${name}[${i}]`, data[i], 'GDLN_NON_FINITE');
  }
}

/** Draws the initial weights of every run: run r from Rng(seeds[r]), N(0, std²), layers in order, row-major [out, in]. */
export function drawReluInitWeights(dIn: number, hidden: number[], dOut: number, std: number, seeds: number[]): Float64Array {
  const P = paramsPerRun(dIn, hidden, dOut);
  const out = new Float64Array(seeds.length * P);
  seeds.forEach((seed, r) => {
    const rng = new Rng(seed);
    for (let i = 0; i < P; i++) out[r * P + i] = std * rng.normal();
  });
  return out;
}

/** Validated, normalised options (shared by both backends). */
export function reluRunsInput(o: RecordReluGatingOptions): ReluRunsInput {
  if (o === null || typeof o !== 'object') throw invalidParameter('an options object', 'options', o);
  const x = toFlat(o.inputs, 'inputs', o.nSamples);
  const y = toFlat(o.targets, 'targets', o.nSamples ?? x.n);
  if (y.n !== x.n) throw invalidParameter(`${x.n} target rows`, 'targets', o.targets, 'GDLN_SHAPE_MISMATCH');
  checkFinite(x.data, 'inputs');
  checkFinite(y.data, 'targets');
  const hidden = typeof o.hidden === 'number' ? [o.hidden] : o.hidden;
  if (!Array.isArray(hidden) || hidden.length < 1 || hidden.length > 2 || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw invalidParameter('a width ≥ 1 or [h1] or [h1, h2]', 'hidden', o.hidden);
  }
  const runs = o.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw invalidParameter('an integer ≥ 1', 'runs', runs);
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw invalidParameter('an integer ≥ 0', 'epochs', o.epochs);
  if (typeof o.lr !== 'number' || !Number.isFinite(o.lr) || o.lr < 0) throw invalidParameter('a finite number ≥ 0', 'lr', o.lr);
  const momentum = o.momentum ?? 0;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum < 1)) throw invalidParameter('a number in [0, 1)', 'momentum', momentum);
  if (!Array.isArray(o.recordEpochs)) throw invalidParameter('an array of epochs', 'recordEpochs', o.recordEpochs);
  for (const e of o.recordEpochs) {
    if (!Number.isInteger(e) || e < 0 || e > o.epochs) throw invalidParameter(`integers in [0, ${o.epochs}]`, 'recordEpochs', e);
  }
  const recordEpochs = [...new Set(o.recordEpochs)].sort((a, b) => a - b);
  const P = paramsPerRun(x.cols, hidden, y.cols);
  let initWeights: Float64Array;
  if (o.initWeights !== undefined) {
    if (!(o.initWeights instanceof Float64Array) || o.initWeights.length !== runs * P) {
      throw invalidParameter(`a Float64Array of runs × ${P} weights`, 'initWeights', o.initWeights, 'GDLN_SHAPE_MISMATCH');
    }
    checkFinite(o.initWeights, 'initWeights');
    initWeights = o.initWeights;
  } else {
    const std = o.initStd;
    if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) throw invalidParameter('a finite number ≥ 0 (or initWeights)', 'initStd', std);
    const seeds = o.seeds ?? Array.from({ length: runs }, (_, r) => ((o.seed ?? 0) + r) >>> 0);
    if (!Array.isArray(seeds) || seeds.length !== runs || seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 0xffffffff)) {
      throw invalidParameter(`${runs} integer seeds in [0, 2^32)`, 'seeds', o.seeds);
    }
    initWeights = drawReluInitWeights(x.cols, hidden, y.cols, std, seeds);
  }
  return {
    n: x.n,
    dIn: x.cols,
    dOut: y.cols,
    hidden,
    inputs: x.data,
    targets: y.data,
    runs,
    initWeights,
    epochs: o.epochs,
    lr: o.lr,
    momentum,
    recordEpochs,
    recordOutputs: o.recordOutputs ?? false,
    returnWeights: o.returnWeights ?? false,
  };
}

function abortError(message: string): GdlnAbortError<null> {
  return new GdlnAbortError(message, null);
}

/**
 * Trains the runs and records their gating (see the module comment).
 * @throws GdlnError GDLN_INVALID_ARGUMENT / GDLN_SHAPE_MISMATCH / GDLN_NON_FINITE on bad options,
 *   GDLN_DIVERGED on a non-finite loss, GDLN_ABORTED (GdlnAbortError) on abort,
 *   GDLN_NATIVE_UNAVAILABLE for backend 'cpu' without the addon.
 */
export async function recordReluGating(options: RecordReluGatingOptions): Promise<GatingRecord> {
  const s = reluRunsInput(options);
  const backend = options.backend ?? 'cpu';
  const dtype = options.dtype ?? 'float64';
  if (backend !== 'cpu' && backend !== 'js') throw invalidParameter('"cpu" or "js"', 'backend', backend);
  if (dtype !== 'float64' && dtype !== 'float32') throw invalidParameter('"float64" or "float32"', 'dtype', dtype);
  if (backend === 'js' && dtype !== 'float64') throw invalidParameter('"float64" (the js reference is float64 only)', 'dtype', dtype, 'GDLN_UNSUPPORTED');
  const { signal, onProgress } = options;
  const totalEpochs = s.runs * s.epochs;
  if (signal?.aborted) throw abortError('recordReluGating was aborted before it started');
  const summaryOf = (loss: Float64Array, finalLoss: Float64Array, activeFraction: Float64Array): GatingSummary => ({
    backend,
    dtype,
    runs: s.runs,
    snapshots: s.recordEpochs.length,
    n: s.n,
    hidden: [...s.hidden],
    recordEpochs: [...s.recordEpochs],
    rows: s.runs * s.recordEpochs.length * s.hidden.reduce((a, b) => a + b, 0),
    loss,
    finalLoss,
    activeFraction,
  });

  if (backend === 'js') {
    const out = emptyReluRunsOutput(s);
    for (let run = 0; run < s.runs; run++) {
      if (signal?.aborted) throw abortError(`recordReluGating was aborted after ${run} of ${s.runs} runs`);
      try {
        reluRunReference(s, run, out);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        throw new GdlnError(e.code === 'GDLN_DIVERGED' ? 'GDLN_DIVERGED' : 'GDLN_INTERNAL', String(e.message ?? err));
      }
      onProgress?.({ runsDone: run + 1, epochsDone: (run + 1) * s.epochs, totalEpochs });
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (signal?.aborted) throw abortError('recordReluGating was aborted');
    return new GatingRecord(summaryOf(out.loss, out.finalLoss, out.activeFraction), out.outputs, out.weights, null, out.bits);
  }

  const native = loadNative();
  if ('error' in native) throw native.error;
  const binding = native.binding;
  if (typeof binding.reluRuns !== 'function') {
    throw new GdlnError('GDLN_NATIVE_UNAVAILABLE', `the gdln addon at ${native.path} has no reluRuns (a stale build? run npm run build:native)`);
  }
  const events = options.progressEvents ?? 100;
  let settled = false;
  let progressError: { error: unknown } | undefined;
  let handle: { promise: Promise<NativeGatingRecord>; cancel(): void } | undefined;
  const progress = onProgress
    ? (runsDone: number, epochsDone: number) => {
        if (settled || progressError) return;
        try {
          onProgress({ runsDone, epochsDone, totalEpochs });
        } catch (error) {
          progressError = { error };
          handle?.cancel();
        }
      }
    : null;
  try {
    handle = binding.reluRuns(
      {
        ...s,
        recordEpochs: Float64Array.from(s.recordEpochs),
        dtype,
        threads: options.threads ?? 0,
        progressEvery: onProgress && events > 0 ? Math.max(1, Math.floor(totalEpochs / events)) : 0,
      },
      progress,
    );
  } catch (err) {
    throw fromNative(err, 'recordReluGating');
  }
  const started = handle;
  const onAbort = () => started.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let raw: NativeGatingRecord;
    try {
      raw = await started.promise;
    } catch (err) {
      if (progressError) throw progressError.error;
      const e = err as { code?: string; message?: string };
      if (e?.code === 'GDLN_ABORTED') throw abortError(`recordReluGating was aborted: ${e.message}`);
      throw fromNative(err, 'recordReluGating');
    } finally {
      settled = true;
    }
    const record = new GatingRecord(summaryOf(raw.loss, raw.finalLoss, raw.activeFraction), raw.outputs, raw.weights, { binding, handle: raw.handle }, null);
    if (progressError) {
      record.dispose();
      throw progressError.error;
    }
    return record;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export { layerShapes, paramsPerRun };
