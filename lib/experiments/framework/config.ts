/**
 * Experiment configs: a JSON or YAML file (by extension) or a built-in name,
 * plus command-line overrides, resolved against the experiment's defaults and
 * validated against its schema. See docs/experiments.md for the format.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { GdlnError } from '../../errors.ts';
import type { BackendChoice } from '../../backends/index.ts';
import type { DType } from '../../engine/kernels.ts';
import { loadExperiment } from './registry.ts';
import { canonicalJson, deepMerge, isPlainObject, schemaAt, setPath, showValue, validate } from './schema.ts';
import type { ExperimentDefinition } from './types.ts';

/** A config as written in a file (every field but `experiment` optional). */
export interface ExperimentConfigFile {
  /** A built-in name (`gdln list`), or a name exported by `module`. */
  experiment: string;
  /** An ES module exporting the experiment (path relative to the config file). */
  module?: string;
  /** Names the results folder (default: the experiment name). */
  name?: string;
  /** Partial overrides of the experiment's defaults (deep-merged). */
  params?: Record<string, unknown>;
  /** Seeds, or a count n meaning 0..n-1. */
  seeds?: number[] | number;
  /** Parameter path (dots for nesting, relative to params) → values; the grid is the cartesian product. */
  sweep?: Record<string, unknown[]>;
  backend?: BackendChoice;
  dtype?: DType;
  /** Parallel runs (worker threads); default min(runs, cores). Not part of the config identity. */
  workers?: number;
}

/** What a results folder was produced from; equal resolved configs give equal runs. */
export interface ResolvedConfig {
  experiment: string;
  /** Absolute path of the experiment module, when not a built-in. */
  module?: string;
  name: string;
  /** Full parameters: defaults ⊕ config params ⊕ --set (validated). */
  params: Record<string, unknown>;
  seeds: number[];
  /** Swept paths in order (first varies slowest) → values (each validated). */
  sweep: Record<string, unknown[]>;
  backend: BackendChoice;
  dtype: DType;
}

export interface ConfigOverrides {
  /** --set path=value (path relative to params; a leading "params." is accepted). */
  set?: { path: string; value: unknown }[];
  seeds?: number[] | number;
  /** --sweep path=v1,v2: adds or replaces a swept path. */
  sweep?: { path: string; values: unknown[] }[];
  backend?: BackendChoice;
  dtype?: DType;
  workers?: number;
  name?: string;
}

export interface LoadedConfig {
  config: ResolvedConfig;
  definition: ExperimentDefinition;
  workers?: number;
  /** The file the config came from, or 'built-in <name>'. */
  source: string;
}

const TOP_LEVEL = ['experiment', 'module', 'name', 'params', 'seeds', 'sweep', 'backend', 'dtype', 'workers'] as const;
const BACKENDS = ['auto', 'js', 'cpu', 'cuda'] as const;
const DTYPES = ['float64', 'float32'] as const;

function bad(message: string, details: Record<string, unknown> = {}): GdlnError {
  return new GdlnError('GDLN_INVALID_ARGUMENT', message, details);
}

// ---------------------------------------------------------------- parsing files

/** Offset of the first JSON syntax error (a small scanner; used only to name the line). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : Math.max(0, text.length - 1);
  } catch (at) {
    return Math.min(at as number, text.length);
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Parses a config's text as JSON (.json) or YAML (.yaml/.yml).
 * @throws GdlnError GDLN_INVALID_ARGUMENT naming the file, line and column of a syntax error
 */
export function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const { line, column } = lineColumn(text, m ? Number(m[1]) : jsonErrorOffset(text));
      const why = (err as Error).message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/,\s*".*$/s, '');
      throw bad(`${file}: line ${line}, column ${column}: invalid JSON (${why})`, { file, line, column });
    }
  }
  if (ext === '.yaml' || ext === '.yml') {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0].line ?? 1;
      const column = e.linePos?.[0].col ?? 1;
      const why = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw bad(`${file}: line ${line}, column ${column}: invalid YAML (${why})`, { file, line, column });
    }
    return doc.toJS();
  }
  throw bad(`${file}: a config file must end in .json, .yaml or .yml`, { file });
}

/** True when `source` names a config file rather than a built-in. */
export function isConfigPath(source: string): boolean {
  return /\.(json|ya?ml)$/i.test(source);
}

/**
 * Reads a config file (or builds `{experiment: name}` for a built-in name).
 * A relative `module` is made absolute against the config file's folder.
 */
export function readConfigSource(source: string, cwd = process.cwd()): { raw: Record<string, unknown>; source: string } {
  if (!isConfigPath(source)) {
    const asPath = resolve(cwd, source);
    if (existsSync(asPath) && statSync(asPath).isFile()) {
      throw bad(`${source}: a config file must end in .json, .yaml or .yml`, { file: source });
    }
    return { raw: { experiment: source }, source: `built-in ${source}` };
  }
  const file = resolve(cwd, source);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GdlnError(code === 'ENOENT' ? 'GDLN_INVALID_ARGUMENT' : 'GDLN_IO', `${source}: cannot read the config file (${code ?? (err as Error).message})`, { file });
  }
  const raw = parseConfigText(text, source);
  if (!isPlainObject(raw)) throw bad(`${source}: expected a config object (experiment, params, seeds, sweep, ...) but received ${showValue(raw)}`, { file });
  if (typeof raw.module === 'string' && !isAbsolute(raw.module)) raw.module = resolve(dirname(file), raw.module);
  return { raw, source: file };
}

// ---------------------------------------------------------------- CLI overrides

/** A flag value as JSON when it parses, else the string itself. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function stripParams(path: string): string {
  return path.startsWith('params.') ? path.slice('params.'.length) : path;
}

/** `--set a.b=value`. */
export function parseSetFlag(text: string): { path: string; value: unknown } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw bad(`--set: expected path=value (e.g. --set training.lr=0.1) but received ${JSON.stringify(text)}`, { flag: 'set' });
  return { path: stripParams(text.slice(0, eq).trim()), value: parseValue(text.slice(eq + 1)) };
}

/** Splits at commas outside brackets and quotes: `1,[2,3],"a,b"` → 3 items. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** `--sweep K=1,2,4` (values JSON when they parse, else strings). */
export function parseSweepFlag(text: string): { path: string; values: unknown[] } {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw bad(`--sweep: expected path=v1,v2,... (e.g. --sweep K=1,2,4) but received ${JSON.stringify(text)}`, { flag: 'sweep' });
  const values = splitTopLevel(text.slice(eq + 1)).map((s) => s.trim());
  if (values.some((v) => v === '')) throw bad(`--sweep: empty value in ${JSON.stringify(text)}`, { flag: 'sweep' });
  return { path: stripParams(text.slice(0, eq).trim()), values: values.map(parseValue) };
}

/** `--seeds 0,1,2` (those seeds) or `--seeds 5` (a count: 0..4); `--seeds 7,` is the single seed 7. */
export function parseSeedsFlag(text: string): number[] | number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const parts = t.split(',').map((s) => s.trim()).filter((s, i, a) => !(s === '' && i === a.length - 1));
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) {
    throw bad(`--seeds: expected a count (e.g. 5) or a list of non-negative integers (e.g. 0,1,2) but received ${JSON.stringify(text)}`, { flag: 'seeds' });
  }
  return parts.map(Number);
}

/** The config file's fields with the command-line overrides applied (still unvalidated). */
export function applyOverrides(raw: Record<string, unknown>, o: ConfigOverrides = {}): Record<string, unknown> {
  const out = structuredClone(raw);
  if (o.backend !== undefined) out.backend = o.backend;
  if (o.dtype !== undefined) out.dtype = o.dtype;
  if (o.workers !== undefined) out.workers = o.workers;
  if (o.name !== undefined) out.name = o.name;
  if (o.seeds !== undefined) out.seeds = o.seeds;
  if (o.set && o.set.length > 0) {
    let params = isPlainObject(out.params) ? out.params : out.params === undefined ? {} : out.params;
    if (!isPlainObject(params)) throw bad(`params: expected an object but received ${showValue(params)}`);
    for (const { path, value } of o.set) params = setPath(params as Record<string, unknown>, path, value);
    out.params = params;
  }
  if (o.sweep && o.sweep.length > 0) {
    const sweep = isPlainObject(out.sweep) ? { ...out.sweep } : out.sweep === undefined ? {} : out.sweep;
    if (!isPlainObject(sweep)) throw bad(`sweep: expected an object of path → values but received ${showValue(sweep)}`);
    for (const { path, values } of o.sweep) {
      delete sweep[path];
      sweep[path] = values;
    }
    out.sweep = sweep;
  }
  return out;
}

// ---------------------------------------------------------------- resolving

function resolveSeeds(seeds: unknown, fallback: number[] | undefined): number[] {
  if (seeds === undefined) return fallback ? [...fallback] : [0];
  if (typeof seeds === 'number') {
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100000) throw bad(`seeds: expected a count (an integer >= 1) or a list of seeds but received ${showValue(seeds)}`, { path: 'seeds' });
    return Array.from({ length: seeds }, (_, i) => i);
  }
  if (!Array.isArray(seeds) || seeds.length === 0) throw bad(`seeds: expected a count or a non-empty list of seeds but received ${showValue(seeds)}`, { path: 'seeds' });
  seeds.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 0xffffffff) throw bad(`seeds[${i}]: expected an integer in [0, 2^32) but received ${showValue(s)}`, { path: `seeds[${i}]` });
  });
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw bad(`seeds: seed ${dup} is listed twice`, { path: 'seeds' });
  return [...seeds];
}

/**
 * Resolves a raw config (file fields ⊕ overrides) against its experiment.
 * @throws GdlnError GDLN_INVALID_ARGUMENT naming the field (unknown top-level field, params
 *   path, sweep path or value, seeds, backend, dtype, workers, name)
 */
export function resolveConfig(raw: Record<string, unknown>, definition: ExperimentDefinition): { config: ResolvedConfig; workers?: number } {
  for (const key of Object.keys(raw)) {
    if (!(TOP_LEVEL as readonly string[]).includes(key)) throw bad(`${key}: unknown config field (known: ${TOP_LEVEL.join(', ')})`, { path: key });
  }
  const backend = raw.backend ?? 'auto';
  if (typeof backend !== 'string' || !(BACKENDS as readonly string[]).includes(backend)) {
    throw bad(`backend: expected one of ${BACKENDS.map((b) => JSON.stringify(b)).join(', ')} but received ${showValue(backend)}`, { path: 'backend' });
  }
  const dtype = raw.dtype ?? 'float64';
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    throw bad(`dtype: expected one of ${DTYPES.map((b) => JSON.stringify(b)).join(', ')} but received ${showValue(dtype)}`, { path: 'dtype' });
  }
  if (raw.workers !== undefined && (typeof raw.workers !== 'number' || !Number.isInteger(raw.workers) || raw.workers < 1)) {
    throw bad(`workers: expected an integer >= 1 but received ${showValue(raw.workers)}`, { path: 'workers' });
  }
  const name = raw.name ?? definition.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw bad(`name: expected a folder-safe name ([A-Za-z0-9._-]) but received ${showValue(name)}`, { path: 'name' });
  }
  if (raw.params !== undefined && !isPlainObject(raw.params)) throw bad(`params: expected an object but received ${showValue(raw.params)}`, { path: 'params' });
  const params = validate<Record<string, unknown>>(deepMerge(definition.defaults, raw.params ?? {}), definition.schema, 'params');

  const sweep: Record<string, unknown[]> = {};
  if (raw.sweep !== undefined) {
    if (!isPlainObject(raw.sweep)) throw bad(`sweep: expected an object of parameter path → list of values but received ${showValue(raw.sweep)}`, { path: 'sweep' });
    for (const [path, values] of Object.entries(raw.sweep)) {
      const label = `sweep ${JSON.stringify(path)}`;
      const schema = schemaAt(definition.schema, path, label);
      if (!Array.isArray(values) || values.length === 0) throw bad(`${label}: expected a non-empty list of values but received ${showValue(values)}`, { path: `sweep.${path}` });
      values.forEach((v) => validate(v, schema, `params.${path}`));
      const seen = new Set<string>();
      for (const v of values) {
        const key = canonicalJson(v);
        if (seen.has(key)) throw bad(`${label}: value ${key} is listed twice`, { path: `sweep.${path}` });
        seen.add(key);
      }
      sweep[path] = structuredClone(values);
    }
  }
  const config: ResolvedConfig = {
    experiment: definition.name,
    ...(typeof raw.module === 'string' ? { module: resolve(raw.module) } : {}),
    name,
    params,
    seeds: resolveSeeds(raw.seeds, definition.defaultSeeds),
    sweep,
    backend: backend as BackendChoice,
    dtype: dtype as DType,
  };
  return { config, workers: raw.workers as number | undefined };
}

/**
 * Reads a config file or built-in name, applies overrides, loads the experiment and
 * resolves the config.
 * @example const { config, definition } = await loadConfig('sweep.yaml', { seeds: 3 });
 */
export async function loadConfig(source: string, overrides: ConfigOverrides = {}, cwd = process.cwd()): Promise<LoadedConfig> {
  const { raw, source: from } = readConfigSource(source, cwd);
  const merged = applyOverrides(raw, overrides);
  if (typeof merged.experiment !== 'string' || merged.experiment === '') {
    throw bad(`${from}: experiment: expected the name of an experiment (see \`gdln list\`) but received ${showValue(merged.experiment)}`, { path: 'experiment' });
  }
  if (merged.module !== undefined && typeof merged.module !== 'string') throw bad(`module: expected a module path but received ${showValue(merged.module)}`, { path: 'module' });
  const definition = await loadExperiment({ name: merged.experiment, module: merged.module as string | undefined });
  const { config, workers } = resolveConfig(merged, definition);
  return { config, definition, workers, source: from };
}
